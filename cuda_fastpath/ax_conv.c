/* ax_conv.c — convolution and linear layers as GEMMs (ax_fastpath.h; docs:
 * fastpath.md, "Convolution and linear layers"). Every output element is one
 * fold of one ax_gemm call, so ref, cpu and cuda give the same bits, and no
 * addition ever happens outside the MAC: the input gradient is a gather, not a
 * col2im scatter-add. The data side (x, dy) is always the multiplier's first
 * operand, as the header states.
 *
 *   forward      per image, one GEMM with the groups as batch items:
 *                col[g][oy*ow+ox][(ci,ky,kx)]  (im2col; padding is +0)
 *                x w_g^T (trans_b)  -> tmp[g][pos][o] -> y[n][oc][oh][ow]
 *   input grad   per image, the same shape with a gather:
 *                col[g][iy*w+ix][(o,ky,kx)] = dy at the output position the tap
 *                comes from, +0 where there is none (padding, stride holes)
 *                x wt[g][(o,ky,kx)][c']      -> tmp[g][pos][c'] -> dx like x
 *   weight grad  per group, one GEMM over the whole batch:
 *                dy_g[o][(n,oy,ox)] x col[(n,oy,ox)][(ci,ky,kx)] -> dw directly
 *
 * Shapes: n >= 0 (an empty batch: nothing to compute, dw = +0); every other
 * size, stride and dilation >= 1, padding >= 0, each at most INT32_MAX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ax_fail.h"
#include "ax_fastpath.h"
#include "ax_layer_check.h"
#include "ax_pool.h"

enum { FIELD_MAX = INT32_MAX };
#define ELEMS_MAX (INT64_MAX / 8) /* any element count; its bytes fit size_t */

/* ---- shapes ------------------------------------------------------------------ */

typedef struct conv_plan {
    int64_t n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g;
    int64_t cg, ocg;  /* channels per group: input, output */
    int64_t oh, ow;
    int64_t khw;      /* kh*kw */
    int64_t hw, p;    /* h*w, oh*ow */
    int64_t kf;       /* cg*khw: forward and weight-grad contraction (ci, ky, kx) */
    int64_t kb;       /* ocg*khw: input-grad contraction (o, ky, kx) */
    int64_t nx, nw, ny; /* elements of x (and dx), w (and dw), y (and dy) */
} conv_plan_t;

/* r = a*b when that fits ELEMS_MAX (a, b >= 0). */
static int mul_ok(int64_t a, int64_t b, int64_t *r)
{
    return !__builtin_mul_overflow(a, b, r) && *r <= ELEMS_MAX;
}
static int mul3_ok(int64_t a, int64_t b, int64_t c, int64_t *r)
{
    int64_t t;
    return mul_ok(a, b, &t) && mul_ok(t, c, r);
}

static int conv_plan(const ax_conv_shape_t *s, conv_plan_t *p, char *err, size_t errlen)
{
    if (!s) return ax_fail(err, errlen, "convolution: shape is NULL");
    const struct {
        const char *name;
        int64_t v, min;
    } f[] = {{"n", s->n, 0},
             {"c", s->c, 1},
             {"h", s->h, 1},
             {"w", s->w, 1},
             {"oc", s->oc, 1},
             {"kh", s->kh, 1},
             {"kw", s->kw, 1},
             {"stride_h", s->stride_h, 1},
             {"stride_w", s->stride_w, 1},
             {"pad_h", s->pad_h, 0},
             {"pad_w", s->pad_w, 0},
             {"dil_h", s->dil_h, 1},
             {"dil_w", s->dil_w, 1},
             {"groups", s->groups, 1}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].v < f[i].min)
            return ax_fail(err, errlen, "convolution: %s=%lld must be >= %lld", f[i].name,
                              (long long)f[i].v, (long long)f[i].min);
        if (f[i].v > FIELD_MAX)
            return ax_fail(err, errlen, "convolution: %s=%lld is too large (at most %d)",
                              f[i].name, (long long)f[i].v, FIELD_MAX);
    }
    if (s->c % s->groups)
        return ax_fail(err, errlen, "convolution: groups=%lld does not divide c=%lld",
                          (long long)s->groups, (long long)s->c);
    if (s->oc % s->groups)
        return ax_fail(err, errlen, "convolution: groups=%lld does not divide oc=%lld",
                          (long long)s->groups, (long long)s->oc);
    /* all fields <= 2^31: none of these overflows */
    const int64_t eh = s->dil_h * (s->kh - 1) + 1, ew = s->dil_w * (s->kw - 1) + 1;
    const int64_t ih = s->h + 2 * s->pad_h, iw = s->w + 2 * s->pad_w;
    if (eh > ih)
        return ax_fail(err, errlen,
                          "convolution: output height < 1: the kernel spans %lld rows (kh=%lld, "
                          "dil_h=%lld) but the padded input has %lld (h=%lld, pad_h=%lld)",
                          (long long)eh, (long long)s->kh, (long long)s->dil_h, (long long)ih,
                          (long long)s->h, (long long)s->pad_h);
    if (ew > iw)
        return ax_fail(err, errlen,
                          "convolution: output width < 1: the kernel spans %lld columns (kw=%lld, "
                          "dil_w=%lld) but the padded input has %lld (w=%lld, pad_w=%lld)",
                          (long long)ew, (long long)s->kw, (long long)s->dil_w, (long long)iw,
                          (long long)s->w, (long long)s->pad_w);
    memset(p, 0, sizeof *p);
    p->n = s->n, p->c = s->c, p->h = s->h, p->w = s->w, p->oc = s->oc, p->kh = s->kh;
    p->kw = s->kw, p->sh = s->stride_h, p->sw = s->stride_w, p->ph = s->pad_h, p->pw = s->pad_w;
    p->dh = s->dil_h, p->dw = s->dil_w, p->g = s->groups;
    p->cg = s->c / s->groups, p->ocg = s->oc / s->groups;
    p->oh = (ih - eh) / s->stride_h + 1, p->ow = (iw - ew) / s->stride_w + 1;
    if (!mul_ok(p->kh, p->kw, &p->khw) || !mul_ok(p->h, p->w, &p->hw) ||
        !mul_ok(p->oh, p->ow, &p->p) || !mul_ok(p->cg, p->khw, &p->kf) ||
        !mul_ok(p->ocg, p->khw, &p->kb) || !mul3_ok(p->n, p->c, p->hw, &p->nx) ||
        !mul3_ok(p->oc, p->cg, p->khw, &p->nw) || !mul3_ok(p->n, p->oc, p->p, &p->ny))
        return ax_fail(err, errlen,
                          "convolution: tensors too large (n=%lld c=%lld h=%lld w=%lld oc=%lld "
                          "kh=%lld kw=%lld)",
                          (long long)s->n, (long long)s->c, (long long)s->h, (long long)s->w,
                          (long long)s->oc, (long long)s->kh, (long long)s->kw);
    return 0;
}

int ax_conv_out(const ax_conv_shape_t *s, int64_t *oh, int64_t *ow, char *err, size_t errlen)
{
    conv_plan_t p;
    if (conv_plan(s, &p, err, errlen)) return -1;
    if (oh) *oh = p.oh;
    if (ow) *ow = p.ow;
    return 0;
}

/* The checks every op starts with (ax_layer_check.h). */
int ax_layer_begin(const ax_engine_t *e, const ax_mac_cfg_t *cfg, const char *op, char *err,
                 size_t errlen)
{
    if (!e) return ax_fail(err, errlen, "%s: engine is NULL", op);
    if (!cfg) return ax_fail(err, errlen, "%s: MAC configuration is NULL", op);
    return ax_mac_check(cfg, err, errlen);
}

int ax_layer_need(const void *ptr, int64_t count, const char *op, const char *name, char *err,
                  size_t errlen)
{
    if (count > 0 && !ptr) return ax_fail(err, errlen, "%s: %s is NULL", op, name);
    return 0;
}

static uint32_t *alloc_elems(int64_t count, const char *what, char *err, size_t errlen)
{
    uint32_t *b = malloc((size_t)(count > 0 ? count : 1) * sizeof *b);
    if (!b)
        ax_fail(err, errlen, "out of memory (%s: %lld elements of 4 bytes)", what,
                   (long long)count);
    return b;
}

/* ---- column buffers (filled on e's threads; each task writes its own rows) ----- */

/* im2col: block u of nblk reads channels src + u*src_stride ([cg][h][w]) and
 * writes col + u*p*kf as [oy*ow+ox][(ci,ky,kx)]. Task t = (u, oy). */
typedef struct im_ctx {
    const conv_plan_t *p;
    const uint32_t *src;
    int64_t src_stride;
    uint32_t *col;
    uint32_t zero;
} im_ctx_t;

/* The taps [*k0, *k1) of a kernel of k taps whose input index base + tap*d
 * lies in [0, n). */
static void tap_range(int64_t base, int64_t d, int64_t k, int64_t n, int64_t *k0, int64_t *k1)
{
    int64_t lo = base >= 0 ? 0 : (-base + d - 1) / d;
    int64_t hi = n - 1 - base < 0 ? 0 : (n - 1 - base) / d + 1;
    if (hi > k) hi = k;
    if (lo > hi) lo = hi;
    *k0 = lo, *k1 = hi;
}

/* d[0..n) = s[0..n): the common kernel widths as fixed-size copies */
static inline void copy_run(uint32_t *d, const uint32_t *s, int64_t n)
{
    switch (n) {
    case 3: memcpy(d, s, 3 * sizeof *d); return;
    case 5: memcpy(d, s, 5 * sizeof *d); return;
    case 7: memcpy(d, s, 7 * sizeof *d); return;
    default:
        for (int64_t i = 0; i < n; i++) d[i] = s[i];
    }
}

/* d[i] = s[-i] for i < n (the stride-1 gather reads its taps backwards) */
static inline void copy_run_rev(uint32_t *d, const uint32_t *s, int64_t n)
{
    switch (n) {
    case 3: d[0] = s[0], d[1] = s[-1], d[2] = s[-2]; return;
    case 5: d[0] = s[0], d[1] = s[-1], d[2] = s[-2], d[3] = s[-3], d[4] = s[-4]; return;
    default:
        for (int64_t i = 0; i < n; i++) d[i] = s[-i];
    }
}

static void im2col_task(void *vc, int64_t t)
{
    const im_ctx_t *c = vc;
    const conv_plan_t *p = c->p;
    const int64_t u = t / p->oh, oy = t % p->oh;
    const uint32_t *src = c->src + u * c->src_stride;
    uint32_t *dst = c->col + (u * p->p + oy * p->ow) * p->kf;
    int64_t ky0, ky1;
    tap_range(oy * p->sh - p->ph, p->dh, p->kh, p->h, &ky0, &ky1);
    for (int64_t ox = 0; ox < p->ow; ox++) {
        const int64_t bx = ox * p->sw - p->pw; /* ix = bx + kx*dw */
        int64_t kx0, kx1;
        tap_range(bx, p->dw, p->kw, p->w, &kx0, &kx1);
        for (int64_t ci = 0; ci < p->cg; ci++)
            for (int64_t ky = 0; ky < p->kh; ky++, dst += p->kw) {
                if (ky < ky0 || ky >= ky1) { /* a padding row */
                    for (int64_t kx = 0; kx < p->kw; kx++) dst[kx] = c->zero;
                    continue;
                }
                const int64_t row = ci * p->hw + (oy * p->sh - p->ph + ky * p->dh) * p->w + bx;
                for (int64_t kx = 0; kx < kx0; kx++) dst[kx] = c->zero;
                if (p->dw == 1) copy_run(dst + kx0, src + row + kx0, kx1 - kx0);
                else
                    for (int64_t kx = kx0; kx < kx1; kx++) dst[kx] = src[row + kx * p->dw];
                for (int64_t kx = kx1; kx < p->kw; kx++) dst[kx] = c->zero;
            }
    }
}

static void im2col(ax_engine_t *e, const conv_plan_t *p, const uint32_t *src, int64_t src_stride,
                   int64_t nblk, uint32_t *col, uint32_t zero)
{
    im_ctx_t c = {p, src, src_stride, col, zero};
    ax_parallel_for(ax_engine_threads(e), nblk * p->oh, im2col_task, &c);
}

/* The input-gradient gather: block u reads dy + u*dy_stride ([ocg][oh][ow])
 * and writes col + u*hw*kb as [iy*w+ix][(o,ky,kx)] (a block is a group of
 * one image, or an image when groups = 1). ty[iy*kh+ky] is the output row
 * the tap ky of input row iy comes from, -1 where none does (likewise tx).
 * Task t = (u, iy). */
typedef struct gather_ctx {
    const conv_plan_t *p;
    const uint32_t *dy;
    int64_t dy_stride;
    const int64_t *ty, *tx;
    uint32_t *col;
    uint32_t zero;
} gather_ctx_t;

static void gather_task(void *vc, int64_t t)
{
    const gather_ctx_t *c = vc;
    const conv_plan_t *p = c->p;
    const int64_t u = t / p->h, iy = t % p->h;
    const uint32_t *src = c->dy + u * c->dy_stride;
    uint32_t *dst = c->col + (u * p->hw + iy * p->w) * p->kb;
    for (int64_t ix = 0; ix < p->w; ix++) {
        /* stride 1: the taps with an output column are one run, ox = bx - kx*dw
         * in [0, ow), i.e. (ow-1-bx) + kx*dw in [0, ow) */
        const int64_t bx = ix + p->pw;
        int64_t kx0 = 0, kx1 = 0;
        if (p->sw == 1) tap_range(p->ow - 1 - bx, p->dw, p->kw, p->ow, &kx0, &kx1);
        for (int64_t o = 0; o < p->ocg; o++)
            for (int64_t ky = 0; ky < p->kh; ky++, dst += p->kw) {
                const int64_t oy = c->ty[iy * p->kh + ky];
                if (oy < 0) {
                    for (int64_t kx = 0; kx < p->kw; kx++) dst[kx] = c->zero;
                    continue;
                }
                const int64_t row = o * p->p + oy * p->ow;
                if (p->sw == 1) {
                    for (int64_t kx = 0; kx < kx0; kx++) dst[kx] = c->zero;
                    if (p->dw == 1) copy_run_rev(dst + kx0, src + row + bx - kx0, kx1 - kx0);
                    else
                        for (int64_t kx = kx0; kx < kx1; kx++) dst[kx] = src[row + bx - kx * p->dw];
                    for (int64_t kx = kx1; kx < p->kw; kx++) dst[kx] = c->zero;
                } else {
                    for (int64_t kx = 0; kx < p->kw; kx++) {
                        const int64_t ox = c->tx[ix * p->kw + kx];
                        dst[kx] = ox >= 0 ? src[row + ox] : c->zero;
                    }
                }
            }
    }
}

/* t[i*k+j] = (i + pad - j*dil) / stride where that divides and is in [0, out),
 * else -1. */
static void tap_table(int64_t *t, int64_t in, int64_t k, int64_t out, int64_t stride, int64_t pad,
                      int64_t dil)
{
    for (int64_t i = 0; i < in; i++)
        for (int64_t j = 0; j < k; j++) {
            const int64_t d = i + pad - j * dil;
            t[i * k + j] = d >= 0 && d % stride == 0 && d / stride < out ? d / stride : -1;
        }
}

/* dst[u][j][pos] = src[u][pos][j] for u < nblk, pos < rows, j < cols; dst
 * blocks lie dst_stride apart. */
static void transpose_blocks(const uint32_t *src, uint32_t *dst, int64_t nblk, int64_t rows,
                        int64_t cols, int64_t dst_stride)
{
    for (int64_t u = 0; u < nblk; u++) {
        const uint32_t *s = src + u * rows * cols;
        uint32_t *d = dst + u * dst_stride;
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++) d[j * rows + i] = s[i * cols + j];
    }
}

/* ---- convolution ------------------------------------------------------------- */

int ax_conv2d_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *s,
                  const uint32_t *x, const uint32_t *w, uint32_t *y, uint32_t *flags,
                  char *err, size_t errlen)
{
    static const char op[] = "conv2d forward";
    conv_plan_t p;
    if (ax_layer_begin(e, cfg, op, err, errlen) || conv_plan(s, &p, err, errlen)) return -1;
    if (ax_layer_need(x, p.nx, op, "x", err, errlen) ||
        ax_layer_need(w, p.nw, op, "w", err, errlen) ||
        ax_layer_need(y, p.ny, op, "y", err, errlen))
        return -1;
    if (p.ny == 0) return 0;
    int64_t ncol, ntmp;
    if (!mul3_ok(p.p, p.c, p.khw, &ncol) || !mul_ok(p.p, p.oc, &ntmp))
        return ax_fail(err, errlen, "%s: column buffer too large", op);
    uint32_t *col = alloc_elems(ncol, "conv2d forward column buffer", err, errlen);
    uint32_t *tmp = col ? alloc_elems(ntmp, "conv2d forward output block", err, errlen) : NULL;
    int rc = -1;
    if (!tmp) goto done;
    /* per group g: [p][kf] x (w_g [ocg][kf])^T -> [p][ocg] */
    ax_gemm_shape_t gs = ax_gemm_shape(p.p, p.ocg, p.kf);
    gs.trans_b = 1, gs.ldb = p.kf;
    gs.batch = p.g, gs.stride_a = p.p * p.kf, gs.stride_b = p.ocg * p.kf;
    gs.stride_c = p.p * p.ocg;
    gs.pair_rows = p.p; /* DAA pairs the pixels of one image (ax_daa.h) */
    if (p.g == 1) {
        /* one GEMM over a block of nb images: [nb*p][kf] x w^T -> [nb*p][oc]
         * (the same folds; fewer, taller GEMMs) */
        const int64_t nb = p.n < 1 + (INT64_C(1) << 22) / (p.p * p.kf) ? p.n
                                                                      : 1 + (INT64_C(1) << 22) / (p.p * p.kf);
        free(col), free(tmp);
        col = alloc_elems(nb * ncol, "conv2d forward column buffer", err, errlen);
        tmp = col ? alloc_elems(nb * ntmp, "conv2d forward output block", err, errlen) : NULL;
        if (!tmp) goto done;
        for (int64_t b0 = 0; b0 < p.n; b0 += nb) {
            const int64_t bn = p.n - b0 < nb ? p.n - b0 : nb;
            im2col(e, &p, x + b0 * p.c * p.hw, p.c * p.hw, bn, col, ax_fmt_zero(0, cfg->in));
            gs.m = bn * p.p, gs.batch = 1;
            if (ax_gemm(e, cfg, &gs, col, w, tmp, flags, err, errlen)) goto done;
            for (int64_t b = 0; b < bn; b++)
                transpose_blocks(tmp + b * p.p * p.oc, y + (b0 + b) * p.oc * p.p, 1, p.p, p.oc,
                                 p.oc * p.p);
        }
        rc = 0;
        goto done;
    }
    for (int64_t b = 0; b < p.n; b++) {
        im2col(e, &p, x + b * p.c * p.hw, p.cg * p.hw, p.g, col, ax_fmt_zero(0, cfg->in));
        if (ax_gemm(e, cfg, &gs, col, w, tmp, flags, err, errlen)) goto done;
        transpose_blocks(tmp, y + b * p.oc * p.p, p.g, p.p, p.ocg, p.ocg * p.p);
    }
    rc = 0;
done:
    free(col);
    free(tmp);
    return rc;
}

int ax_conv2d_bwd_data(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *s,
                       const uint32_t *dy, const uint32_t *w, uint32_t *dx, uint32_t *flags,
                       char *err, size_t errlen)
{
    static const char op[] = "conv2d input gradient";
    conv_plan_t p;
    if (ax_layer_begin(e, cfg, op, err, errlen) || conv_plan(s, &p, err, errlen)) return -1;
    if (ax_layer_need(dy, p.ny, op, "dy", err, errlen) ||
        ax_layer_need(w, p.nw, op, "w", err, errlen) ||
        ax_layer_need(dx, p.nx, op, "dx", err, errlen))
        return -1;
    if (p.nx == 0) return 0;
    int64_t ncol, ntab = p.h * p.kh + p.w * p.kw; /* <= 2^63 / 2: fields <= 2^31 */
    if (!mul3_ok(p.hw, p.oc, p.khw, &ncol))
        return ax_fail(err, errlen, "%s: column buffer too large", op);
    uint32_t *col = alloc_elems(ncol, "conv2d input-gradient column buffer", err, errlen);
    uint32_t *tmp = col ? alloc_elems(p.nx / p.n, "conv2d input-gradient output block", err,
                                      errlen) : NULL;
    uint32_t *wt = tmp ? alloc_elems(p.nw, "conv2d rearranged weights", err, errlen) : NULL;
    int64_t *tab = NULL;
    int rc = -1;
    if (!wt) goto done;
    if (!(tab = malloc((size_t)ntab * sizeof *tab))) {
        ax_fail(err, errlen, "out of memory (conv2d tap tables)");
        goto done;
    }
    tap_table(tab, p.h, p.kh, p.oh, p.sh, p.ph, p.dh);
    tap_table(tab + p.h * p.kh, p.w, p.kw, p.ow, p.sw, p.pw, p.dw);
    /* wt[g][(o,ky,kx)][c'] = w[g*ocg+o][c'][ky][kx] */
    for (int64_t g = 0; g < p.g; g++)
        for (int64_t o = 0; o < p.ocg; o++)
            for (int64_t ci = 0; ci < p.cg; ci++)
                for (int64_t kk = 0; kk < p.khw; kk++)
                    wt[(g * p.kb + o * p.khw + kk) * p.cg + ci] =
                        w[((g * p.ocg + o) * p.cg + ci) * p.khw + kk];
    /* per group g: [hw][kb] x [kb][cg] -> [hw][cg] */
    ax_gemm_shape_t gs = ax_gemm_shape(p.hw, p.cg, p.kb);
    gs.batch = p.g, gs.stride_a = p.hw * p.kb, gs.stride_b = p.kb * p.cg;
    gs.stride_c = p.hw * p.cg;
    gs.pair_rows = p.hw; /* DAA pairs the pixels of one image (ax_daa.h) */
    gather_ctx_t gc = {&p, NULL, p.ocg * p.p, tab, tab + p.h * p.kh, col, ax_fmt_zero(0, cfg->in)};
    if (p.g == 1) {
        /* one GEMM over a block of nb images: [nb*hw][kb] x [kb][c] -> [nb*hw][c] */
        const int64_t lim = 1 + (INT64_C(1) << 22) / (p.hw * p.kb), nb = p.n < lim ? p.n : lim;
        free(col), free(tmp);
        col = alloc_elems(nb * ncol, "conv2d input-gradient column buffer", err, errlen);
        tmp = col ? alloc_elems(nb * (p.nx / p.n), "conv2d input-gradient output block", err,
                                errlen) : NULL;
        if (!tmp) goto done;
        for (int64_t b0 = 0; b0 < p.n; b0 += nb) {
            const int64_t bn = p.n - b0 < nb ? p.n - b0 : nb;
            /* groups = 1: blocks are the images (ncol = hw*kb) */
            gc.dy = dy + b0 * p.oc * p.p, gc.dy_stride = p.oc * p.p, gc.col = col;
            ax_parallel_for(ax_engine_threads(e), bn * p.h, gather_task, &gc);
            gs.m = bn * p.hw, gs.batch = 1;
            if (ax_gemm(e, cfg, &gs, col, wt, tmp, flags, err, errlen)) goto done;
            for (int64_t b = 0; b < bn; b++)
                transpose_blocks(tmp + b * p.hw * p.c, dx + (b0 + b) * p.c * p.hw, 1, p.hw, p.c,
                                 p.c * p.hw);
        }
        rc = 0;
        goto done;
    }
    for (int64_t b = 0; b < p.n; b++) {
        gc.dy = dy + b * p.oc * p.p;
        ax_parallel_for(ax_engine_threads(e), p.g * p.h, gather_task, &gc);
        if (ax_gemm(e, cfg, &gs, col, wt, tmp, flags, err, errlen)) goto done;
        transpose_blocks(tmp, dx + b * p.c * p.hw, p.g, p.hw, p.cg, p.cg * p.hw);
    }
    rc = 0;
done:
    free(col);
    free(tmp);
    free(wt);
    free(tab);
    return rc;
}

int ax_conv2d_bwd_weight(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *s,
                         const uint32_t *x, const uint32_t *dy, uint32_t *dw, uint32_t *flags,
                         char *err, size_t errlen)
{
    static const char op[] = "conv2d weight gradient";
    conv_plan_t p;
    if (ax_layer_begin(e, cfg, op, err, errlen) || conv_plan(s, &p, err, errlen)) return -1;
    if (ax_layer_need(x, p.nx, op, "x", err, errlen) ||
        ax_layer_need(dy, p.ny, op, "dy", err, errlen) ||
        ax_layer_need(dw, p.nw, op, "dw", err, errlen))
        return -1;
    if (p.n == 0) { /* folds over nothing */
        for (int64_t i = 0; i < p.nw; i++) dw[i] = ax_fmt_zero(0, cfg->acc);
        return 0;
    }
    const int64_t np = p.n * p.p; /* the contraction (n, oy, ox); <= ny */
    int64_t ncol;
    if (!mul_ok(np, p.kf, &ncol))
        return ax_fail(err, errlen, "%s: column buffer too large", op);
    uint32_t *col = alloc_elems(ncol, "conv2d weight-gradient column buffer", err, errlen);
    uint32_t *dyg = NULL;
    int rc = -1;
    if (!col) goto done;
    if (p.n > 1 && !(dyg = alloc_elems(p.ocg * np, "conv2d weight-gradient dy block", err, errlen)))
        goto done;
    /* per group g: (dy_g [ocg][n*p]) x (col [n*p][kf]) -> dw_g [ocg][kf] */
    ax_gemm_shape_t gs = ax_gemm_shape(p.ocg, p.kf, np);
    for (int64_t g = 0; g < p.g; g++) {
        const uint32_t *a = dy + g * p.ocg * p.p; /* one image: already [ocg][p] */
        if (dyg) {
            for (int64_t o = 0; o < p.ocg; o++)
                for (int64_t b = 0; b < p.n; b++)
                    memcpy(dyg + o * np + b * p.p, dy + (b * p.oc + g * p.ocg + o) * p.p,
                           (size_t)p.p * sizeof *dyg);
            a = dyg;
        }
        im2col(e, &p, x + g * p.cg * p.hw, p.c * p.hw, p.n, col, ax_fmt_zero(0, cfg->in));
        if (ax_gemm(e, cfg, &gs, a, col, dw + g * p.ocg * p.kf, flags, err, errlen)) goto done;
    }
    rc = 0;
done:
    free(col);
    free(dyg);
    return rc;
}

/* ---- linear -------------------------------------------------------------------- */

int ax_linear_check(int64_t n, int64_t in, int64_t out, const char *op, char *err,
                    size_t errlen)
{
    const struct {
        const char *name;
        int64_t v;
    } f[] = {{"n", n}, {"in", in}, {"out", out}};
    for (int i = 0; i < 3; i++)
        if (f[i].v < 0)
            return ax_fail(err, errlen, "%s: %s=%lld must be >= 0", op, f[i].name,
                              (long long)f[i].v);
    int64_t t;
    if (!mul_ok(n, in, &t) || !mul_ok(out, in, &t) || !mul_ok(n, out, &t))
        return ax_fail(err, errlen, "%s: tensors too large (n=%lld in=%lld out=%lld)", op,
                          (long long)n, (long long)in, (long long)out);
    return 0;
}

static int64_t ld(int64_t v) { return v > 0 ? v : 1; }

/* ax_gemm, except that an empty contraction writes +0 itself (every backend
 * would; this keeps k = 0 off their paths). s is packed: ldc = n. */
static int gemm_or_zero(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                        const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                        char *err, size_t errlen)
{
    if (s->k == 0) {
        for (int64_t i = 0; i < s->m * s->n; i++) C[i] = ax_fmt_zero(0, cfg->acc);
        return 0;
    }
    return ax_gemm(e, cfg, s, A, B, C, flags, err, errlen);
}

int ax_linear_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in, int64_t out,
                  const uint32_t *x, const uint32_t *w, uint32_t *y, uint32_t *flags, char *err,
                  size_t errlen)
{
    static const char op[] = "linear forward";
    if (ax_layer_begin(e, cfg, op, err, errlen) || ax_linear_check(n, in, out, op, err, errlen) ||
        ax_layer_need(x, n * in, op, "x", err, errlen) ||
        ax_layer_need(w, out * in, op, "w", err, errlen) ||
        ax_layer_need(y, n * out, op, "y", err, errlen))
        return -1;
    /* x [n][in] x (w [out][in])^T */
    ax_gemm_shape_t s = ax_gemm_shape(n, out, in);
    s.trans_b = 1, s.lda = ld(in), s.ldb = ld(in), s.ldc = ld(out);
    return gemm_or_zero(e, cfg, &s, x, w, y, flags, err, errlen);
}

int ax_linear_bwd_data(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in,
                       int64_t out, const uint32_t *dy, const uint32_t *w, uint32_t *dx,
                       uint32_t *flags, char *err, size_t errlen)
{
    static const char op[] = "linear input gradient";
    if (ax_layer_begin(e, cfg, op, err, errlen) || ax_linear_check(n, in, out, op, err, errlen) ||
        ax_layer_need(dy, n * out, op, "dy", err, errlen) ||
        ax_layer_need(w, out * in, op, "w", err, errlen) ||
        ax_layer_need(dx, n * in, op, "dx", err, errlen))
        return -1;
    /* dy [n][out] x w [out][in] */
    ax_gemm_shape_t s = ax_gemm_shape(n, in, out);
    s.lda = ld(out), s.ldb = ld(in), s.ldc = ld(in);
    return gemm_or_zero(e, cfg, &s, dy, w, dx, flags, err, errlen);
}

int ax_linear_bwd_weight(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in,
                         int64_t out, const uint32_t *x, const uint32_t *dy, uint32_t *dw,
                         uint32_t *flags, char *err, size_t errlen)
{
    static const char op[] = "linear weight gradient";
    if (ax_layer_begin(e, cfg, op, err, errlen) || ax_linear_check(n, in, out, op, err, errlen) ||
        ax_layer_need(x, n * in, op, "x", err, errlen) ||
        ax_layer_need(dy, n * out, op, "dy", err, errlen) ||
        ax_layer_need(dw, out * in, op, "dw", err, errlen))
        return -1;
    /* (dy [n][out])^T x x [n][in] */
    ax_gemm_shape_t s = ax_gemm_shape(out, in, n);
    s.trans_a = 1, s.lda = ld(out), s.ldb = ld(in), s.ldc = ld(in);
    return gemm_or_zero(e, cfg, &s, dy, x, dw, flags, err, errlen);
}
