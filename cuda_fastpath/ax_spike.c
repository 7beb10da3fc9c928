/* ax_spike.c — the synapse of spiking networks (ax_fastpath.h; docs:
 * fastpath.md, "The synapse of spiking networks"): the public entry points
 * ax_spike_linear_fwd and ax_spike_conv2d_fwd. They check the configuration,
 * the shape and the pointers with the same rules and messages as the linear
 * and convolution layers (ax_conv.c), describe the problem as one
 * ax_spike_shape_t (a linear layer is a 1 x 1 convolution of 1 x 1 images)
 * and hand it to the engine's backend (ax_engine_spike). An empty fold (a
 * linear layer with in = 0) is written here: +0 everywhere, no flags.
 *
 * One shortcut, on the cpu backend: with an approximate adder and an fp32
 * accumulator, the accumulate is the dense MAC fold of the spikes as 0.0 and
 * 1.0 through mul_exact with an fp32 product (MUL(1, w) = w and MUL(0, w) =
 * +-0 exactly, ADD(acc, +-0) = acc for every adder on a fold from +0; this
 * needs finite weights: 0 x inf is NaN). The dense GEMM's vectorized
 * approximate-adder kernels do 16 lanes at a time, where the event-driven
 * generic path calls the adder's model once per accumulate; so the dense
 * fold is taken, when no flags are asked for (docs/fastpath.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ax_backend.h"
#include "ax_fail.h"
#include "ax_fastpath.h"
#include "ax_layer_check.h"

/* The dense MAC that equals the accumulate of cfg on weights w (nw of
 * them), into *dense, with 1.0 of its input format in *one; 0 when the
 * shortcut does not apply. */
static int dense_equal(const ax_engine_t *e, const ax_mac_cfg_t *cfg, const uint32_t *w, int64_t nw,
                       const uint32_t *flags, ax_mac_cfg_t *dense, uint32_t *one)
{
    const ax_format_t f32 = ax_fmt_fp32();
    /* (AXSIM_CPU_PATH=generic asks for the event-driven generic path itself) */
    if (ax_engine_backend(e) != AX_BACKEND_CPU || flags || cfg->add.id == AX_ADD_EXACT ||
        ax_engine_options(e).cpu_path == AX_CPU_PATH_GENERIC ||
        !ax_fmt_eq(cfg->acc, f32) || cfg->in.ebits > 8 || cfg->in.mbits > 23)
        return 0;
    uint32_t fl = 0;
    *one = ax_from_f64bits(UINT64_C(0x3FF0000000000000), cfg->in, &fl);
    if (fl || ax_to_double(*one, cfg->in) != 1.0) return 0;
    for (int64_t i = 0; i < nw; i++)
        if (ax_unpack(w[i], cfg->in).cls >= AX_CLS_INF) return 0; /* inf or NaN */
    *dense = *cfg;
    dense->mul.id = AX_MUL_EXACT, dense->mul.p[0] = dense->mul.p[1] = 0;
    dense->prod = f32;
    return 1;
}

/* The spikes s (count of them) as bit patterns of 1.0 and +0. NULL when out
 * of memory. */
static uint32_t *as_operands(const uint8_t *s, int64_t count, uint32_t one)
{
    uint32_t *a = malloc((size_t)(count > 0 ? count : 1) * sizeof *a);
    if (a)
        for (int64_t i = 0; i < count; i++) a[i] = s[i] ? one : 0;
    return a;
}

int ax_spike_linear_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in,
                        int64_t out, const uint8_t *s, const uint32_t *w, uint32_t *y,
                        uint32_t *flags, char *err, size_t errlen)
{
    static const char op[] = "spike linear forward";
    if (ax_layer_begin(e, cfg, op, err, errlen) || ax_linear_check(n, in, out, op, err, errlen))
        return -1;
    const int64_t ns = n * in, nw = out * in, ny = n * out; /* bounded by the check */
    if (ax_layer_need(s, ns, op, "s", err, errlen) || ax_layer_need(w, nw, op, "w", err, errlen) ||
        ax_layer_need(y, ny, op, "y", err, errlen))
        return -1;
    if (ny == 0) return 0;
    if (in == 0) { /* folds over nothing */
        for (int64_t i = 0; i < ny; i++) y[i] = ax_fmt_zero(0, cfg->acc);
        return 0;
    }
    ax_mac_cfg_t dense;
    uint32_t one;
    if (dense_equal(e, cfg, w, nw, flags, &dense, &one)) {
        uint32_t *a = as_operands(s, ns, one);
        if (!a) return ax_fail(err, errlen, "%s: out of memory", op);
        int rc = ax_linear_fwd(e, &dense, n, in, out, a, w, y, NULL, err, errlen);
        free(a);
        return rc;
    }
    ax_spike_shape_t sh;
    memset(&sh, 0, sizeof sh);
    sh.n = n, sh.c = in, sh.h = sh.w = 1, sh.oc = out, sh.kh = sh.kw = 1;
    sh.sh = sh.sw = sh.dh = sh.dw = sh.groups = 1;
    sh.oh = sh.ow = 1, sh.cg = in, sh.ocg = out, sh.kf = in;
    return ax_engine_spike(e, cfg, &sh, s, w, y, flags, err, errlen);
}

int ax_spike_conv2d_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *c,
                        const uint8_t *s, const uint32_t *w, uint32_t *y, uint32_t *flags,
                        char *err, size_t errlen)
{
    static const char op[] = "spike conv2d forward";
    int64_t oh, ow;
    /* ax_conv_out checks the shape as every convolution does: fields in
     * range, groups dividing c and oc, an output of at least 1 x 1, and
     * every tensor's element count within ELEMS_MAX */
    if (ax_layer_begin(e, cfg, op, err, errlen) || ax_conv_out(c, &oh, &ow, err, errlen)) return -1;
    ax_spike_shape_t sh;
    memset(&sh, 0, sizeof sh);
    sh.n = c->n, sh.c = c->c, sh.h = c->h, sh.w = c->w, sh.oc = c->oc, sh.kh = c->kh;
    sh.kw = c->kw, sh.sh = c->stride_h, sh.sw = c->stride_w, sh.ph = c->pad_h, sh.pw = c->pad_w;
    sh.dh = c->dil_h, sh.dw = c->dil_w, sh.groups = c->groups, sh.oh = oh, sh.ow = ow;
    sh.cg = c->c / c->groups, sh.ocg = c->oc / c->groups, sh.kf = sh.cg * c->kh * c->kw;
    /* no overflow: the convolution's checks bound these counts */
    const int64_t ns = c->n * c->c * c->h * c->w, nw = c->oc * sh.kf, ny = c->n * c->oc * oh * ow;
    if (ax_layer_need(s, ns, op, "s", err, errlen) || ax_layer_need(w, nw, op, "w", err, errlen) ||
        ax_layer_need(y, ny, op, "y", err, errlen))
        return -1;
    if (ny == 0) return 0;
    ax_mac_cfg_t dense;
    uint32_t one;
    if (dense_equal(e, cfg, w, nw, flags, &dense, &one)) {
        uint32_t *a = as_operands(s, ns, one);
        if (!a) return ax_fail(err, errlen, "%s: out of memory", op);
        int rc = ax_conv2d_fwd(e, &dense, c, a, w, y, NULL, err, errlen);
        free(a);
        return rc;
    }
    return ax_engine_spike(e, cfg, &sh, s, w, y, flags, err, errlen);
}
