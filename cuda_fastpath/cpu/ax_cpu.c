/* ax_cpu.c — the cpu backend: every core, three paths (docs/fastpath.md),
 * tried in this order:
 *
 * Native path (ax_cpu_native.c): prod and acc plain fp32, add_exact, no
 * flags asked for: IEEE fp32 arithmetic where it is proven equal to the unit.
 *
 * fp32 adder path (ax_cpu_add.c): prod and acc plain fp32 under any adder,
 * flags or not: the adders written out on integer SIMD lanes.
 *
 * Generic path (here): everything else: the models' own stages on
 * pre-unpacked operands (ax_mac_step.h, the step the cuda backend runs too),
 * the significand LUT where it fits.
 *
 * Also here: the backend's state (decode tables, buffers) and the kernel
 * choice. */
#define _POSIX_C_SOURCE 200809L
#include "ax_cpu.h"

#include <stdlib.h>
#include <string.h>

enum { GEN_ROWS = 8 };

/* ---- state ----------------------------------------------------------------------- */

const ax_dec_table_t *ax_cpu_dec_table(ax_fp_ctx_t *x, ax_format_t f, int kind, int param,
                                       ax_dec_fill_fn fill)
{
    ax_cpu_state_t *st = ax_cpu_st(x);
    if (ax_fmt_width(f) > 16) return NULL;
    for (int i = 0; i < st->ndec; i++)
        if (ax_fmt_eq(st->dec[i].f, f) && st->dec[i].kind == kind && st->dec[i].param == param)
            return &st->dec[i];
    size_t n = (size_t)1 << ax_fmt_width(f);
    ax_dec_table_t t = {f, kind, param, malloc(n * sizeof(float)), malloc(n * sizeof(int32_t))};
    if (!t.v || !t.idx) {
        free(t.v), free(t.idx);
        return NULL;
    }
    for (size_t b = 0; b < n; b++) fill((uint32_t)b, f, kind, param, &t.v[b], &t.idx[b]);
    if (st->ndec == 8) {
        free(st->dec[0].v), free(st->dec[0].idx);
        memmove(st->dec, st->dec + 1, 7 * sizeof st->dec[0]);
        st->ndec--;
    }
    st->dec[st->ndec] = t;
    return &st->dec[st->ndec++];
}

void *ax_cpu_grow(ax_fp_ctx_t *x, int i, size_t bytes)
{
    ax_cpu_state_t *st = ax_cpu_st(x);
    if (st->buf_cap[i] < bytes) {
        free(st->buf[i]);
        st->buf[i] = malloc(bytes);
        st->buf_cap[i] = st->buf[i] ? bytes : 0;
    }
    return st->buf[i];
}

int ax_cpu_use_avx512(const ax_fp_ctx_t *x)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return !x->opts.cpu_scalar && __builtin_cpu_supports("avx512f");
#else
    (void)x;
    return 0;
#endif
}

static void cpu_release(ax_fp_ctx_t *x)
{
    ax_cpu_state_t *st = ax_cpu_st(x);
    if (!st) return;
    for (int i = 0; i < 4; i++) free(st->buf[i]);
    for (int i = 0; i < st->ndec; i++) free(st->dec[i].v), free(st->dec[i].idx);
    free(st);
    x->state = NULL;
}

/* ---- generic path ------------------------------------------------------------------ */

typedef struct gen_ctx {
    const ax_mac_cfg_t *cfg;
    const ax_gemm_shape_t *s;
    const ax_unpacked_t *a; /* op(A) rows, [m][k] */
    const ax_unpacked_t *b; /* op(B) columns, [n][k] */
    const uint32_t *lut;    /* significand table or NULL */
    int lut_shift;
    uint32_t *C;
    uint32_t flags;
} gen_ctx_t;

static uint32_t gen_fold(const gen_ctx_t *g, const ax_unpacked_t *a, const ax_unpacked_t *b,
                         int64_t k0, int64_t k1, uint32_t *fl)
{
    const ax_mac_cfg_t *c = g->cfg;
    const int conv = !ax_fmt_eq(c->prod, c->acc);
    uint32_t acc = ax_fmt_zero(0, c->acc);
    for (int64_t p = k0; p < k1; p++) acc = ax_step_mac(c, conv, acc, a[p], b[p], g->lut, g->lut_shift, 0, fl);
    return acc;
}

static void gen_task(void *p, int64_t t)
{
    gen_ctx_t *g = p;
    const ax_gemm_shape_t *s = g->s;
    const int64_t k = s->k, chunk = s->chunk > 0 && s->chunk < k ? s->chunk : 0;
    uint32_t fl = 0;
    int64_t i1 = (t + 1) * GEN_ROWS < s->m ? (t + 1) * GEN_ROWS : s->m;
    for (int64_t i = t * GEN_ROWS; i < i1; i++)
        for (int64_t j = 0; j < s->n; j++) {
            const ax_unpacked_t *a = g->a + i * k, *b = g->b + j * k;
            uint32_t r;
            if (!chunk) {
                r = gen_fold(g, a, b, 0, k, &fl);
            } else {
                r = ax_fmt_zero(0, g->cfg->acc);
                for (int64_t k0 = 0; k0 < k; k0 += chunk) {
                    uint32_t part = gen_fold(g, a, b, k0, k0 + chunk < k ? k0 + chunk : k, &fl);
                    r = ax_unit_apply(g->cfg->add, r, part, g->cfg->acc, g->cfg->acc, &fl);
                }
            }
            g->C[i * s->ldc + j] = r;
        }
    __atomic_fetch_or(&g->flags, fl, __ATOMIC_RELAXED);
}

static int gemm_generic(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                        const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                        char *err, size_t errlen)
{
    const int64_t m = s->m, n = s->n, k = s->k;
    ax_unpacked_t *a = malloc((size_t)(m * k + 1) * sizeof *a);
    ax_unpacked_t *b = malloc((size_t)(n * k + 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return ax_fail(err, errlen, "out of memory (GEMM %lldx%lldx%lld)", (long long)m,
                       (long long)n, (long long)k);
    }
    gen_ctx_t g;
    memset(&g, 0, sizeof g);
    g.cfg = cfg, g.s = s, g.a = a, g.b = b;
    if (ax_lut_supported(cfg->mul, cfg->in)) {
        ax_lut_t *l = ax_lut_get(&x->luts, cfg->mul, cfg->in.mbits);
        if (l && ax_lut_fits(l, cfg->prod)) g.lut = l->sig, g.lut_shift = l->shift;
    }
    for (int64_t bi = 0; bi < s->batch; bi++) {
        const uint32_t *Ab = A + bi * s->stride_a, *Bb = B + bi * s->stride_b;
        for (int64_t i = 0; i < m; i++)
            for (int64_t p = 0; p < k; p++) a[i * k + p] = ax_unpack(Ab[ax_a_index(s, i, p)], cfg->in);
        for (int64_t j = 0; j < n; j++)
            for (int64_t p = 0; p < k; p++) b[j * k + p] = ax_unpack(Bb[ax_b_index(s, p, j)], cfg->in);
        g.C = C + bi * s->stride_c;
        ax_parallel_for(x->threads, (m + GEN_ROWS - 1) / GEN_ROWS, gen_task, &g);
    }
    free(a);
    free(b);
    if (flags) *flags |= g.flags;
    return 0;
}

/* ---- the backend ------------------------------------------------------------------- */

static int cpu_gemm(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                    const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                    char *err, size_t errlen)
{
    if (!x->state && !(x->state = calloc(1, sizeof(ax_cpu_state_t))))
        return ax_fail(err, errlen, "out of memory (cpu backend state)");
    if (s->k > 0 && x->opts.cpu_path != AX_CPU_PATH_GENERIC) {
        int rc = ax_cpu_native(x, cfg, s, A, B, C, flags, err, errlen);
        if (rc != -2) return rc;
        rc = ax_cpu_fp32_adder(x, cfg, s, A, B, C, flags, err, errlen);
        if (rc != -2) return rc;
    }
    x->last_path = "cpu generic";
    return gemm_generic(x, cfg, s, A, B, C, flags, err, errlen);
}

const ax_backend_ops_t ax_backend_cpu = {NULL, cpu_gemm, NULL, NULL, cpu_release};
