/* ax_capi.c — libaxsim (ax_capi.h): the fast path's layers over float32
 * arrays, quantized and read back as axsim's network layers do (ax_nn.c). */
#include "ax_capi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_convert.h"
#include "ax_fail.h"
#include "ax_fastpath.h"
#include "ax_nn.h"
#include "ax_registry.h"
#include "ax_units.h"

struct axc {
    ax_engine_t *e;
    ax_mac_cfg_t mac[2];
    uint32_t *qa, *qb, *qc;
    size_t cap[3];
};

int axc_version(void)
{
    return 1;
}

axc_t *axc_open(const char *backend, int threads, char *err, size_t errlen)
{
    ax_backend_t b;
    if (ax_backend_parse(backend ? backend : "auto", &b, err, errlen)) return NULL;
    if (threads < 0) {
        ax_fail(err, errlen, "threads %d: give 0 (every core) or more", threads);
        return NULL;
    }
    axc_t *c = calloc(1, sizeof *c);
    if (!c) {
        ax_fail(err, errlen, "out of memory");
        return NULL;
    }
    c->e = ax_engine_create(b, threads, err, errlen);
    if (!c->e) {
        free(c);
        return NULL;
    }
    char e2[128];
    ax_mac_parse("mul=exact,in=fp32", &c->mac[0], e2, sizeof e2);
    c->mac[1] = c->mac[0];
    return c;
}

void axc_close(axc_t *c)
{
    if (!c) return;
    ax_engine_free(c->e);
    free(c->qa), free(c->qb), free(c->qc);
    free(c);
}

const char *axc_describe(const axc_t *c)
{
    return c ? ax_engine_describe(c->e) : "";
}

int axc_set_mac(axc_t *c, int slot, const char *spec, char *err, size_t errlen)
{
    if (!c || (slot != 0 && slot != 1) || !spec) return ax_fail(err, errlen, "axc_set_mac: slot 0 or 1 and a MAC string");
    ax_mac_cfg_t m;
    if (ax_mac_parse(spec, &m, err, errlen) || ax_mac_check(&m, err, errlen)) return -1;
    c->mac[slot] = m;
    return 0;
}

/* Room for n values in scratch buffer i. */
static uint32_t *scratch(axc_t *c, int i, int64_t n, char *err, size_t errlen)
{
    uint32_t **p = i == 0 ? &c->qa : i == 1 ? &c->qb : &c->qc;
    size_t need = (size_t)(n > 0 ? n : 1);
    if (need > c->cap[i]) {
        uint32_t *q = realloc(*p, need * sizeof **p);
        if (!q) {
            ax_fail(err, errlen, "out of memory for %lld values", (long long)n);
            return NULL;
        }
        *p = q, c->cap[i] = need;
    }
    return *p;
}

/* a (na values) and b (nb) quantized to the slot's input format, the kernel
 * run by f, its ny results read back from the accumulator format. */
typedef int (*kernel_t)(axc_t *c, const ax_mac_cfg_t *m, const void *shape, int op, const uint32_t *a,
                        const uint32_t *b, uint32_t *y, char *err, size_t errlen);

static int run(axc_t *c, int slot, kernel_t f, const void *shape, int op, const float *a, int64_t na,
               const float *b, int64_t nb, float *y, int64_t ny, char *err, size_t errlen)
{
    if (!c || !a || !b || !y) return ax_fail(err, errlen, "a NULL context or array");
    const ax_mac_cfg_t *m = &c->mac[slot];
    uint32_t *qa = scratch(c, 0, na, err, errlen), *qb = qa ? scratch(c, 1, nb, err, errlen) : NULL;
    uint32_t *qy = qb ? scratch(c, 2, ny, err, errlen) : NULL;
    if (!qy) return -1;
    ax_quantize(c->e, m->in, a, qa, (size_t)na, NULL);
    ax_quantize(c->e, m->in, b, qb, (size_t)nb, NULL);
    if (f(c, m, shape, op, qa, qb, qy, err, errlen)) return -1;
    ax_dequantize(c->e, m->acc, qy, y, (size_t)ny);
    return 0;
}

/* n * m (>= 0), or -1 past 2^40. */
static int64_t mul(int64_t n, int64_t m)
{
    if (n < 0 || m < 0) return -1;
    if (n && m > (INT64_C(1) << 40) / n) return -1;
    return n * m;
}

typedef struct { int64_t n, in, out; } lin_t;

static int lin_kernel(axc_t *c, const ax_mac_cfg_t *m, const void *shape, int op, const uint32_t *a,
                      const uint32_t *b, uint32_t *y, char *err, size_t errlen)
{
    const lin_t *s = shape;
    if (op == 0) return ax_linear_fwd(c->e, m, s->n, s->in, s->out, a, b, y, NULL, err, errlen);
    if (op == 1) return ax_linear_bwd_data(c->e, m, s->n, s->in, s->out, a, b, y, NULL, err, errlen);
    return ax_linear_bwd_weight(c->e, m, s->n, s->in, s->out, a, b, y, NULL, err, errlen);
}

int axc_linear(axc_t *c, int op, int64_t n, int64_t in, int64_t out, const float *a, const float *b, float *y,
               char *err, size_t errlen)
{
    if (op < 0 || op > 2) return ax_fail(err, errlen, "axc_linear: op %d (0 forward, 1 input grad, 2 weight grad)", op);
    const int64_t x = mul(n, in), w = mul(out, in), dy = mul(n, out);
    if (x < 0 || w < 0 || dy < 0) return ax_fail(err, errlen, "axc_linear: sizes %lld x %lld x %lld", (long long)n,
                                                 (long long)in, (long long)out);
    const lin_t s = {n, in, out};
    if (op == 0) return run(c, 0, lin_kernel, &s, 0, a, x, b, w, y, dy, err, errlen);
    if (op == 1) return run(c, 1, lin_kernel, &s, 1, a, dy, b, w, y, x, err, errlen);
    return run(c, 1, lin_kernel, &s, 2, a, x, b, dy, y, w, err, errlen);
}

static int conv_kernel(axc_t *c, const ax_mac_cfg_t *m, const void *shape, int op, const uint32_t *a,
                       const uint32_t *b, uint32_t *y, char *err, size_t errlen)
{
    const ax_conv_shape_t *s = shape;
    if (op == 0) return ax_conv2d_fwd(c->e, m, s, a, b, y, NULL, err, errlen);
    if (op == 1) return ax_conv2d_bwd_data(c->e, m, s, a, b, y, NULL, err, errlen);
    return ax_conv2d_bwd_weight(c->e, m, s, a, b, y, NULL, err, errlen);
}

int axc_conv2d(axc_t *c, int op, const int64_t g[14], const float *a, const float *b, float *y, char *err,
               size_t errlen)
{
    if (op < 0 || op > 2 || !g) return ax_fail(err, errlen, "axc_conv2d: op %d and a shape", op);
    const ax_conv_shape_t s = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13]};
    int64_t oh, ow;
    if (ax_conv_out(&s, &oh, &ow, err, errlen)) return -1;
    const int64_t x = mul(mul(s.n, s.c), mul(s.h, s.w)), dy = mul(mul(s.n, s.oc), mul(oh, ow));
    const int64_t w = s.groups > 0 ? mul(mul(s.oc, s.c / s.groups), mul(s.kh, s.kw)) : -1;
    if (x < 0 || w < 0 || dy < 0) return ax_fail(err, errlen, "axc_conv2d: sizes past 2^40 values");
    if (op == 0) return run(c, 0, conv_kernel, &s, 0, a, x, b, w, y, dy, err, errlen);
    if (op == 1) return run(c, 1, conv_kernel, &s, 1, a, dy, b, w, y, x, err, errlen);
    return run(c, 1, conv_kernel, &s, 2, a, x, b, dy, y, w, err, errlen);
}

static int gemm_kernel(axc_t *c, const ax_mac_cfg_t *m, const void *shape, int op, const uint32_t *a,
                       const uint32_t *b, uint32_t *y, char *err, size_t errlen)
{
    (void)op;
    return ax_gemm(c->e, m, shape, a, b, y, NULL, err, errlen);
}

int axc_gemm(axc_t *c, int slot, int64_t m, int64_t n, int64_t k, const float *A, const float *B, float *C,
             char *err, size_t errlen)
{
    if (slot != 0 && slot != 1) return ax_fail(err, errlen, "axc_gemm: slot %d (0 or 1)", slot);
    const int64_t na = mul(m, k), nb = mul(k, n), nc = mul(m, n);
    if (na < 0 || nb < 0 || nc < 0) return ax_fail(err, errlen, "axc_gemm: sizes %lld x %lld x %lld", (long long)m,
                                                    (long long)n, (long long)k);
    ax_gemm_shape_t s = ax_gemm_shape(m, n, k);
    if (ax_gemm_check(&s, err, errlen)) return -1;
    return run(c, slot, gemm_kernel, &s, 0, A, na, B, nb, C, nc, err, errlen);
}

int axc_quantize(const char *fmt, const float *x, float *y, int64_t n, char *err, size_t errlen)
{
    ax_format_t f;
    if (!fmt || ax_format_parse(fmt, &f, err, errlen)) return fmt ? -1 : ax_fail(err, errlen, "no format");
    if (n < 0 || (n && (!x || !y))) return ax_fail(err, errlen, "axc_quantize: %lld values", (long long)n);
    for (int64_t i = 0; i < n; i++) {
        uint32_t b, flags = 0; /* the models write flags: never NULL */
        memcpy(&b, &x[i], 4);
        uint32_t r = ax_to_f32bits(ax_from_f32bits(b, f, &flags), f);
        memcpy(&y[i], &r, 4);
    }
    return 0;
}

int axc_unit(const char *unit, const char *fmt, const float *a, const float *b, float *y, int64_t n, char *err,
             size_t errlen)
{
    ax_unit_t u;
    ax_format_t f;
    if (!unit || !fmt) return ax_fail(err, errlen, "a unit and a format");
    if (ax_unit_parse(unit, &u, err, errlen) || ax_format_parse(fmt, &f, err, errlen)) return -1;
    if (n < 0 || (n && (!a || !b || !y))) return ax_fail(err, errlen, "axc_unit: %lld values", (long long)n);
    for (int64_t i = 0; i < n; i++) {
        uint32_t x, z, flags = 0;
        memcpy(&x, &a[i], 4);
        memcpy(&z, &b[i], 4);
        uint32_t r = ax_unit_apply(u, ax_from_f32bits(x, f, &flags), ax_from_f32bits(z, f, &flags), f, f, &flags);
        r = ax_to_f32bits(r, f);
        memcpy(&y[i], &r, 4);
    }
    return 0;
}

double axc_softmax_xent(const float *logits, const int32_t *labels, int64_t n, int classes, float *dlogits)
{
    if (!logits || !labels || n < 0 || classes < 1) return NAN;
    return ax_softmax_xent(logits, labels, n, classes, dlogits, NULL);
}

void axc_bias_grad(const float *dy, int64_t n, int64_t channels, int64_t hw, float *out)
{
    ax_bias_grad(dy, n, channels, hw, out);
}
