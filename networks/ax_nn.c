/* ax_nn.c — the layers of ax_nn.h: forward and backward of every node,
 * softmax cross-entropy, the optimizers, checkpoint mapping. Architectures
 * are built in ax_models.c. */
#include "ax_nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_net_internal.h"
#include "ax_rng.h"

/* ---- buffers ------------------------------------------------------------- */


static int64_t node_size(const ax_node_t *d) { return d->c * d->h * d->w; }

/* Items per image of a node's output and input: T between a spiking model's
 * encoder and readout, else 1. */
static int64_t steps_of(const ax_node_t *d) { return d->steps > 0 ? d->steps : 1; }
static int64_t in_steps_of(const ax_node_t *d) { return d->in_steps > 0 ? d->in_steps : 1; }

/* Node buffers for n images. */
static int reserve(ax_model_t *m, int64_t n, char *err, size_t errlen)
{
    if (n <= m->batch_cap) return 0;
    for (int i = 0; i < m->nnodes; i++) {
        ax_node_t *d = &m->node[i];
        int64_t dims[3] = {n, steps_of(d), node_size(d)};
        int64_t in_dims[3] = {n, in_steps_of(d), d->in_c * d->in_h * d->in_w};
        int64_t cnt = ax_net_count(dims, 3), in_cnt = ax_net_count(in_dims, 3);
        if (cnt < 0 || in_cnt < 0) {
            m->batch_cap = 0;
            return ax_fail(err, errlen, "model %s: a batch of %lld images is too large", m->arch,
                           (long long)n);
        }
        size_t sz = (size_t)cnt;
        free(d->y), free(d->dy), free(d->aux), free(d->arg);
        d->y = malloc(sz * sizeof(float));
        d->dy = malloc(sz * sizeof(float));
        d->aux = NULL, d->arg = NULL;
        int ok = d->y && d->dy;
        if (d->kind == AX_LAYER_BN || d->kind == AX_LAYER_DROPOUT)
            ok = ok && (d->aux = malloc(sz * sizeof(float)));
        if (d->kind == AX_LAYER_MAXPOOL) ok = ok && (d->arg = malloc(sz * sizeof(int32_t)));
        /* the membrane before each reset, for the surrogate gradient */
        if (d->kind == AX_LAYER_LIF || d->kind == AX_LAYER_READOUT)
            ok = ok && (d->aux = malloc((size_t)in_cnt * sizeof(float)));
        if (!ok) {
            m->batch_cap = 0;
            return ax_fail(err, errlen, "model %s: out of memory for a batch of %lld images",
                               m->arch, (long long)n);
        }
    }
    m->batch_cap = n;
    return 0;
}

static const float *input_of(const ax_model_t *m, int idx, const float *x)
{
    return idx < 0 ? x : m->node[idx].y;
}

/* ---- the MAC ------------------------------------------------------------- */

static int quantize(ax_model_t *m, ax_format_t f, const float *x, size_t n, uint32_t **buf,
                    size_t *cap, char *err, size_t errlen)
{
    if (ax_net_grow((void **)buf, cap, n ? n : 1, sizeof(uint32_t)))
        return ax_fail(err, errlen, "model %s: out of memory", m->arch);
    ax_quantize(m->eng, f, x, *buf, n, NULL);
    return 0;
}

static int result_buf(ax_model_t *m, size_t n, char *err, size_t errlen)
{
    if (ax_net_grow((void **)&m->qc, &m->qc_cap, n ? n : 1, sizeof(uint32_t)) ||
        ax_net_grow((void **)&m->tmp, &m->tmp_cap, n ? n : 1, sizeof(float)))
        return ax_fail(err, errlen, "model %s: out of memory", m->arch);
    return 0;
}

static ax_conv_shape_t conv_shape(const ax_node_t *d, int64_t n)
{
    ax_conv_shape_t s = {n, d->in_c, d->in_h, d->in_w, d->c, d->kh, d->kw, d->sh, d->sw,
                         d->ph, d->pw, d->dh, d->dw, d->groups};
    return s;
}

/* y = GEMM(x, W) (+ bias) for a linear or conv node. */
/* Adds the DAA counts the engine took since (nz0, hi0) to d */
static void daa_since(ax_model_t *m, ax_node_t *d, uint64_t nz0, uint64_t hi0)
{
    uint64_t nz, hi;
    ax_engine_daa_counts(m->eng, &nz, &hi);
    d->daa_nonzero += nz - nz0;
    d->daa_hi += hi - hi0;
}

static int gemm_fwd(ax_model_t *m, ax_node_t *d, const float *x, int64_t n, char *err,
                    size_t errlen)
{
    const ax_param_t *W = &m->param[d->weight];
    int64_t in = d->in_c * d->in_h * d->in_w, outsz = n * node_size(d);
    if ((!d->spike_in &&
         quantize(m, m->fwd.in, x, (size_t)(n * in), &m->qa, &m->qa_cap, err, errlen)) ||
        quantize(m, m->fwd.in, W->w, (size_t)W->count, &m->qb, &m->qb_cap, err, errlen) ||
        result_buf(m, (size_t)outsz, err, errlen))
        return -1;
    int rc;
    if (d->spike_in) {
        /* binary spikes: the accumulate-only synapse, event-driven */
        if (ax_net_grow((void **)&m->spk, &m->spk_cap, (size_t)(n * in), 1))
            return ax_fail(err, errlen, "model %s: out of memory", m->arch);
        for (int64_t j = 0; j < n * in; j++) m->spk[j] = x[j] != 0.0f;
        d->synops = ax_snn_synops(d, m->spk, n);
        if (d->synops < 0) return ax_fail(err, errlen, "model %s: out of memory", m->arch);
        if (d->kind == AX_LAYER_LINEAR) {
            rc = ax_spike_linear_fwd(m->eng, &m->fwd, n, in, d->c, m->spk, m->qb, m->qc, NULL, err,
                                     errlen);
        } else {
            ax_conv_shape_t s = conv_shape(d, n);
            rc = ax_spike_conv2d_fwd(m->eng, &m->fwd, &s, m->spk, m->qb, m->qc, NULL, err, errlen);
        }
    } else {
        uint64_t nz0, hi0;
        ax_engine_daa_counts(m->eng, &nz0, &hi0);
        if (d->kind == AX_LAYER_LINEAR) {
            rc = ax_linear_fwd(m->eng, &m->fwd, n, in, d->c, m->qa, m->qb, m->qc, NULL, err, errlen);
        } else {
            ax_conv_shape_t s = conv_shape(d, n);
            rc = ax_conv2d_fwd(m->eng, &m->fwd, &s, m->qa, m->qb, m->qc, NULL, err, errlen);
        }
        daa_since(m, d, nz0, hi0);
    }
    if (rc) return -1;
    ax_dequantize(m->eng, m->fwd.acc, m->qc, d->y, (size_t)outsz);
    if (d->bias >= 0) {
        const float *b = m->param[d->bias].w;
        int64_t hw = d->h * d->w;
        for (int64_t i = 0; i < n; i++)
            for (int64_t c = 0; c < d->c; c++) {
                float *y = d->y + (i * d->c + c) * hw;
                for (int64_t j = 0; j < hw; j++) y[j] += b[c];
            }
    }
    return 0;
}

/* Adds g (count values) into the gradient of producer idx: the first
 * contribution is copied, later ones added in node order. */
static void add_grad(ax_model_t *m, int idx, const float *g, int64_t count, unsigned char *set)
{
    if (idx < 0) return;
    float *dy = m->node[idx].dy;
    if (!set[idx]) {
        memcpy(dy, g, (size_t)count * sizeof(float));
        set[idx] = 1;
    } else {
        for (int64_t i = 0; i < count; i++) dy[i] += g[i];
    }
}

static int gemm_bwd_run(ax_model_t *m, ax_node_t *d, const float *x, int64_t n,
                        unsigned char *set, char *err, size_t errlen)
{
    ax_param_t *W = &m->param[d->weight];
    int64_t in = d->in_c * d->in_h * d->in_w, outsz = n * node_size(d);
    int linear = d->kind == AX_LAYER_LINEAR;
    ax_conv_shape_t s = conv_shape(d, n);
    /* weight gradient: x and dy in the backward MAC's input format */
    if (quantize(m, m->bwd.in, x, (size_t)(n * in), &m->qa, &m->qa_cap, err, errlen) ||
        quantize(m, m->bwd.in, d->dy, (size_t)outsz, &m->qb, &m->qb_cap, err, errlen) ||
        result_buf(m, (size_t)(W->count > n * in ? W->count : n * in), err, errlen))
        return -1;
    int rc = linear ? ax_linear_bwd_weight(m->eng, &m->bwd, n, in, d->c, m->qa, m->qb, m->qc,
                                           NULL, err, errlen)
                    : ax_conv2d_bwd_weight(m->eng, &m->bwd, &s, m->qa, m->qb, m->qc, NULL, err,
                                           errlen);
    if (rc) return -1;
    ax_dequantize(m->eng, m->bwd.acc, m->qc, W->g, (size_t)W->count);
    if (d->bias >= 0) ax_bias_grad(d->dy, n, d->c, d->h * d->w, m->param[d->bias].g);
    /* no gradient for the data (nor for a spiking model's encoded input, or
     * a flattened view of either) */
    int src = d->in[0];
    while (src >= 0 && m->node[src].kind == AX_LAYER_FLATTEN) src = m->node[src].in[0];
    if (src < 0 || m->node[src].kind == AX_LAYER_ENCODE) return 0;
    /* input gradient: dy (still in qb) against W */
    if (quantize(m, m->bwd.in, W->w, (size_t)W->count, &m->qa, &m->qa_cap, err, errlen)) return -1;
    rc = linear ? ax_linear_bwd_data(m->eng, &m->bwd, n, in, d->c, m->qb, m->qa, m->qc, NULL, err,
                                     errlen)
                : ax_conv2d_bwd_data(m->eng, &m->bwd, &s, m->qb, m->qa, m->qc, NULL, err, errlen);
    if (rc) return -1;
    ax_dequantize(m->eng, m->bwd.acc, m->qc, m->tmp, (size_t)(n * in));
    add_grad(m, d->in[0], m->tmp, n * in, set);
    return 0;
}

static int gemm_bwd(ax_model_t *m, ax_node_t *d, const float *x, int64_t n, unsigned char *set,
                    char *err, size_t errlen)
{
    uint64_t nz0, hi0;
    ax_engine_daa_counts(m->eng, &nz0, &hi0);
    const int rc = gemm_bwd_run(m, d, x, n, set, err, errlen);
    daa_since(m, d, nz0, hi0);
    return rc;
}

/* ---- the other layers ---------------------------------------------------- */

static void pool_fwd(ax_node_t *d, const float *x, int64_t n)
{
    int64_t k = d->k ? d->k : d->in_h, kw = d->k ? d->k : d->in_w, s = d->stride;
    for (int64_t i = 0; i < n * d->c; i++) {
        const float *xp = x + i * d->in_h * d->in_w;
        for (int64_t oy = 0; oy < d->h; oy++)
            for (int64_t ox = 0; ox < d->w; ox++) {
                int64_t o = (i * d->h + oy) * d->w + ox;
                if (d->kind == AX_LAYER_MAXPOOL) {
                    float best = -INFINITY;
                    int32_t arg = (int32_t)((oy * s) * d->in_w + ox * s);
                    for (int64_t ky = 0; ky < k; ky++)
                        for (int64_t kx = 0; kx < kw; kx++) {
                            int32_t at = (int32_t)((oy * s + ky) * d->in_w + ox * s + kx);
                            float v = xp[at];
                            if (v > best || (v != v && best == best)) best = v, arg = at;
                        }
                    d->y[o] = best;
                    d->arg[o] = arg;
                } else {
                    double sum = 0;
                    for (int64_t ky = 0; ky < k; ky++)
                        for (int64_t kx = 0; kx < kw; kx++)
                            sum += xp[(oy * s + ky) * d->in_w + ox * s + kx];
                    d->y[o] = (float)(sum / (double)(k * kw));
                }
            }
    }
}

static void pool_bwd(ax_node_t *d, int64_t n, float *dx)
{
    int64_t k = d->k ? d->k : d->in_h, kw = d->k ? d->k : d->in_w, s = d->stride;
    memset(dx, 0, (size_t)(n * d->in_c * d->in_h * d->in_w) * sizeof(float));
    for (int64_t i = 0; i < n * d->c; i++) {
        float *dp = dx + i * d->in_h * d->in_w;
        for (int64_t oy = 0; oy < d->h; oy++)
            for (int64_t ox = 0; ox < d->w; ox++) {
                int64_t o = (i * d->h + oy) * d->w + ox;
                if (d->kind == AX_LAYER_MAXPOOL) {
                    dp[d->arg[o]] += d->dy[o];
                } else {
                    float g = (float)((double)d->dy[o] / (double)(k * kw));
                    for (int64_t ky = 0; ky < k; ky++)
                        for (int64_t kx = 0; kx < kw; kx++)
                            dp[(oy * s + ky) * d->in_w + ox * s + kx] += g;
                }
            }
    }
}

/* The activations of imported models: y from x, and the input gradient
 * from dy (with x and y at hand). */
static void act_fwd(ax_node_t *d, const float *x, int64_t n)
{
    for (int64_t j = 0; j < n; j++) {
        const float v = x[j];
        switch (d->kind) {
        case AX_LAYER_LEAKY: d->y[j] = (v > 0 || v != v) ? v : d->p * v; break;
        case AX_LAYER_SIGMOID: d->y[j] = (float)(1.0 / (1.0 + exp(-(double)v))); break;
        case AX_LAYER_TANH: d->y[j] = (float)tanh((double)v); break;
        default: d->y[j] = v < d->lo ? d->lo : v > d->hi ? d->hi : v; break;
        }
    }
}

static void act_bwd(const ax_node_t *d, const float *x, int64_t n, float *g)
{
    for (int64_t j = 0; j < n; j++) {
        const float y = d->y[j], dy = d->dy[j];
        switch (d->kind) {
        case AX_LAYER_LEAKY: g[j] = x[j] > 0 ? dy : d->p * dy; break;
        case AX_LAYER_SIGMOID: g[j] = (float)((double)dy * y * (1.0 - y)); break;
        case AX_LAYER_TANH: g[j] = (float)((double)dy * (1.0 - (double)y * y)); break;
        default: g[j] = (x[j] >= d->lo && x[j] <= d->hi) ? dy : 0.0f; break;
        }
    }
}

enum { BN_MEAN = 0, BN_INVSTD = 1 };
static const float bn_momentum = 0.1f;

static void bn_fwd(ax_model_t *m, ax_node_t *d, const float *x, int64_t n, int train)
{
    const float *gamma = m->param[d->weight].w, *beta = m->param[d->bias].w;
    float *rm = m->param[d->run_mean].w, *rv = m->param[d->run_var].w;
    int64_t hw = d->h * d->w, cnt = n * hw;
    for (int64_t c = 0; c < d->c; c++) {
        double mean, var;
        if (train) {
            double s = 0, q = 0;
            for (int64_t i = 0; i < n; i++) {
                const float *xp = x + (i * d->c + c) * hw;
                for (int64_t j = 0; j < hw; j++) s += xp[j];
            }
            mean = s / (double)cnt;
            for (int64_t i = 0; i < n; i++) {
                const float *xp = x + (i * d->c + c) * hw;
                for (int64_t j = 0; j < hw; j++) q += (xp[j] - mean) * (xp[j] - mean);
            }
            var = q / (double)cnt;
            double unbiased = cnt > 1 ? q / (double)(cnt - 1) : var;
            rm[c] = (float)((1.0 - bn_momentum) * rm[c] + bn_momentum * mean);
            rv[c] = (float)((1.0 - bn_momentum) * rv[c] + bn_momentum * unbiased);
        } else {
            mean = rm[c], var = rv[c];
        }
        double invstd = 1.0 / sqrt(var + d->eps);
        d->stat[2 * c + BN_MEAN] = mean, d->stat[2 * c + BN_INVSTD] = invstd;
        for (int64_t i = 0; i < n; i++) {
            const float *xp = x + (i * d->c + c) * hw;
            float *xh = d->aux + (i * d->c + c) * hw, *y = d->y + (i * d->c + c) * hw;
            for (int64_t j = 0; j < hw; j++) {
                xh[j] = (float)((xp[j] - mean) * invstd);
                y[j] = gamma[c] * xh[j] + beta[c];
            }
        }
    }
}

static void bn_bwd(ax_model_t *m, ax_node_t *d, int64_t n, float *dx)
{
    const float *gamma = m->param[d->weight].w;
    float *dgamma = m->param[d->weight].g, *dbeta = m->param[d->bias].g;
    int64_t hw = d->h * d->w, cnt = n * hw;
    for (int64_t c = 0; c < d->c; c++) {
        double sg = 0, sb = 0;
        for (int64_t i = 0; i < n; i++) {
            const float *dy = d->dy + (i * d->c + c) * hw, *xh = d->aux + (i * d->c + c) * hw;
            for (int64_t j = 0; j < hw; j++) sg += (double)dy[j] * xh[j], sb += dy[j];
        }
        dgamma[c] = (float)sg, dbeta[c] = (float)sb;
        double scale = gamma[c] * d->stat[2 * c + BN_INVSTD] / (double)cnt;
        for (int64_t i = 0; i < n; i++) {
            const float *dy = d->dy + (i * d->c + c) * hw, *xh = d->aux + (i * d->c + c) * hw;
            float *o = dx + (i * d->c + c) * hw;
            for (int64_t j = 0; j < hw; j++)
                o[j] = (float)(scale * ((double)cnt * dy[j] - sb - (double)xh[j] * sg));
        }
    }
}

static void dropout_fwd(ax_model_t *m, ax_node_t *d, int idx, const float *x, int64_t n, int train)
{
    int64_t sz = n * node_size(d);
    if (!train || d->p <= 0) {
        memcpy(d->y, x, (size_t)sz * sizeof(float));
        for (int64_t i = 0; i < sz; i++) d->aux[i] = 1.0f;
        return;
    }
    ax_rng_t r = {m->dropout_seed ^ (UINT64_C(0x9E3779B97F4A7C15) * (uint64_t)(idx + 1))};
    float keep = 1.0f / (1.0f - d->p);
    uint32_t thresh = (uint32_t)((double)d->p * 4294967296.0);
    for (int64_t i = 0; i < sz; i++) {
        d->aux[i] = (uint32_t)(ax_rng_next(&r) >> 32) >= thresh ? keep : 0.0f;
        d->y[i] = x[i] * d->aux[i];
    }
}

/* ---- forward and backward ----------------------------------------------- */

int ax_model_forward(ax_model_t *m, const float *x, int64_t n, int train, char *err,
                     size_t errlen)
{
    if (!m->eng) return ax_fail(err, errlen, "model %s: no engine set", m->arch);
    if (reserve(m, n, err, errlen)) return -1;
    m->batch = n;
    m->input = x;
    for (int i = 0; i < m->nnodes; i++) {
        ax_node_t *d = &m->node[i];
        const float *a = input_of(m, d->in[0], x);
        const int64_t nb = n * steps_of(d); /* items: images, or T x images */
        int64_t sz = nb * node_size(d);
        switch (d->kind) {
        case AX_LAYER_LINEAR:
        case AX_LAYER_CONV:
            if (gemm_fwd(m, d, a, nb, err, errlen)) return -1;
            break;
        case AX_LAYER_ENCODE:
        case AX_LAYER_LIF:
        case AX_LAYER_READOUT:
            if (ax_snn_node_forward(m, d, a, n, train, err, errlen)) return -1;
            break;
        case AX_LAYER_RELU:
            for (int64_t j = 0; j < sz; j++) d->y[j] = (a[j] > 0 || a[j] != a[j]) ? a[j] : 0.0f;
            break;
        case AX_LAYER_MAXPOOL:
        case AX_LAYER_AVGPOOL:
            pool_fwd(d, a, nb);
            break;
        case AX_LAYER_BN:
            bn_fwd(m, d, a, nb, train);
            break;
        case AX_LAYER_FLATTEN:
            memcpy(d->y, a, (size_t)sz * sizeof(float));
            break;
        case AX_LAYER_DROPOUT:
            dropout_fwd(m, d, i, a, nb, train);
            break;
        case AX_LAYER_ADD: {
            const float *b = input_of(m, d->in[1], x);
            for (int64_t j = 0; j < sz; j++) d->y[j] = a[j] + b[j];
            break;
        }
        case AX_LAYER_LEAKY:
        case AX_LAYER_SIGMOID:
        case AX_LAYER_TANH:
        case AX_LAYER_CLIP:
            act_fwd(d, a, sz);
            break;
        case AX_LAYER_CONCAT: {
            const float *b = input_of(m, d->in[1], x);
            const int64_t na = d->in_c * d->h * d->w, nbb = (d->c - d->in_c) * d->h * d->w;
            for (int64_t j = 0; j < nb; j++) {
                memcpy(d->y + j * (na + nbb), a + j * na, (size_t)na * sizeof(float));
                memcpy(d->y + j * (na + nbb) + na, b + j * nbb, (size_t)nbb * sizeof(float));
            }
            break;
        }
        }
        if (m->steps) { /* a spiking model's counts */
            if ((d->kind == AX_LAYER_LINEAR || d->kind == AX_LAYER_CONV) && !d->spike_in)
                d->synops = nb * (d->kind == AX_LAYER_LINEAR
                                      ? d->c * d->in_c * d->in_h * d->in_w
                                      : d->c * d->h * d->w * (d->in_c / d->groups) * d->kh * d->kw);
            d->spikes_total += d->spikes;
            d->synops_total += d->synops;
        }
    }
    if (m->steps) m->stat_images += n;
    return 0;
}

const float *ax_model_output(const ax_model_t *m) { return m->node[m->nnodes - 1].y; }

int ax_model_backward(ax_model_t *m, const float *dlogits, char *err, size_t errlen)
{
    int64_t n = m->batch;
    unsigned char *set = calloc((size_t)m->nnodes, 1);
    if (!set) return ax_fail(err, errlen, "model %s: out of memory", m->arch);
    ax_node_t *last = &m->node[m->nnodes - 1];
    memcpy(last->dy, dlogits, (size_t)(n * node_size(last)) * sizeof(float));
    set[m->nnodes - 1] = 1;
    int rc = 0;
    for (int i = m->nnodes - 1; i >= 0 && rc == 0; i--) {
        ax_node_t *d = &m->node[i];
        if (!set[i]) continue; /* nothing downstream needs this node */
        const int64_t nb = n * steps_of(d);
        int64_t sz = nb * node_size(d), insz = n * in_steps_of(d) * d->in_c * d->in_h * d->in_w;
        if (d->kind == AX_LAYER_LINEAR || d->kind == AX_LAYER_CONV) {
            rc = gemm_bwd(m, d, input_of(m, d->in[0], m->input), nb, set, err, errlen);
            continue;
        }
        /* nothing to give the network input; a two-input node may still owe its second */
        const int two = d->kind == AX_LAYER_ADD || d->kind == AX_LAYER_CONCAT;
        if (d->in[0] < 0 && (!two || d->in[1] < 0)) continue;
        if (result_buf(m, (size_t)(d->kind == AX_LAYER_CONCAT ? sz : insz), err, errlen)) {
            rc = -1;
            break;
        }
        float *g = m->tmp;
        switch (d->kind) {
        case AX_LAYER_RELU:
            for (int64_t j = 0; j < sz; j++) g[j] = d->y[j] > 0 ? d->dy[j] : 0.0f;
            break;
        case AX_LAYER_MAXPOOL:
        case AX_LAYER_AVGPOOL:
            pool_bwd(d, nb, g);
            break;
        case AX_LAYER_BN:
            bn_bwd(m, d, nb, g);
            break;
        case AX_LAYER_LIF:
        case AX_LAYER_READOUT:
            ax_snn_node_backward(m, d, n, g);
            break;
        case AX_LAYER_FLATTEN:
            memcpy(g, d->dy, (size_t)sz * sizeof(float));
            break;
        case AX_LAYER_DROPOUT:
            for (int64_t j = 0; j < sz; j++) g[j] = d->dy[j] * d->aux[j];
            break;
        case AX_LAYER_ADD:
            add_grad(m, d->in[1], d->dy, sz, set);
            memcpy(g, d->dy, (size_t)sz * sizeof(float));
            break;
        case AX_LAYER_LEAKY:
        case AX_LAYER_SIGMOID:
        case AX_LAYER_TANH:
        case AX_LAYER_CLIP:
            act_bwd(d, input_of(m, d->in[0], m->input), sz, g);
            break;
        case AX_LAYER_CONCAT: {
            /* the second input's share first (into m->tmp, then added), the first's into g */
            const int64_t na = d->in_c * d->h * d->w, nbb = (d->c - d->in_c) * d->h * d->w;
            for (int64_t j = 0; j < nb; j++) memcpy(g + j * nbb, d->dy + j * (na + nbb) + na, (size_t)nbb * sizeof(float));
            add_grad(m, d->in[1], g, nb * nbb, set);
            for (int64_t j = 0; j < nb; j++) memcpy(g + j * na, d->dy + j * (na + nbb), (size_t)na * sizeof(float));
            break;
        }
        default:
            break;
        }
        add_grad(m, d->in[0], g, insz, set);
    }
    free(set);
    return rc;
}

void ax_bias_grad(const float *dy, int64_t n, int64_t channels, int64_t hw, float *out)
{
    for (int64_t c = 0; c < channels; c++) {
        double s = 0;
        for (int64_t i = 0; i < n; i++) {
            const float *d = dy + (i * channels + c) * hw;
            for (int64_t j = 0; j < hw; j++) s += d[j];
        }
        out[c] = (float)s;
    }
}

int ax_argmax(const float *logits, int classes)
{
    int arg = 0;
    for (int j = 1; j < classes; j++)
        if (logits[j] > logits[arg]) arg = j;
    return arg;
}

double ax_softmax_xent(const float *logits, const int32_t *labels, int64_t n, int classes,
                       float *dlogits, int64_t *correct)
{
    double loss = 0;
    int64_t ok = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *l = logits + i * classes;
        const int arg = ax_argmax(l, classes);
        double mx = l[arg], sum = 0;
        for (int j = 0; j < classes; j++) sum += exp((double)l[j] - mx);
        loss += log(sum) - ((double)l[labels[i]] - mx);
        ok += arg == labels[i];
        if (dlogits)
            for (int j = 0; j < classes; j++)
                dlogits[i * classes + j] =
                    (float)((exp((double)l[j] - mx) / sum - (j == labels[i])) / (double)n);
    }
    if (correct) *correct = ok;
    return n ? loss / (double)n : 0.0;
}

/* ---- optimizers ---------------------------------------------------------- */

void ax_opt_step(ax_model_t *m, ax_opt_t *o, float lr)
{
    if (o->kind == AX_OPT_ADAM) o->t++;
    double c1 = 1.0 - pow(o->beta1, (double)o->t), c2 = 1.0 - pow(o->beta2, (double)o->t);
    for (int p = 0; p < m->nparams; p++) {
        ax_param_t *q = &m->param[p];
        if (!q->trainable) continue;
        float wd = q->decay ? o->weight_decay : 0.0f;
        for (int64_t i = 0; i < q->count; i++) {
            float g = q->g[i] + wd * q->w[i];
            if (o->kind == AX_OPT_SGD) {
                q->m[i] = o->momentum * q->m[i] + g;
                q->w[i] -= lr * q->m[i];
            } else {
                q->m[i] = o->beta1 * q->m[i] + (1.0f - o->beta1) * g;
                q->v[i] = o->beta2 * q->v[i] + (1.0f - o->beta2) * g * g;
                double mh = q->m[i] / c1, vh = q->v[i] / c2;
                q->w[i] -= (float)(lr * mh / (sqrt(vh) + o->eps));
            }
        }
    }
}

void ax_opt_reset(ax_model_t *m)
{
    for (int p = 0; p < m->nparams; p++) {
        ax_param_t *q = &m->param[p];
        if (q->m) memset(q->m, 0, (size_t)q->count * sizeof(float));
        if (q->v) memset(q->v, 0, (size_t)q->count * sizeof(float));
    }
}

/* ---- checkpoints --------------------------------------------------------- */

static const char *state_suffix[2][2] = {{".momentum_buffer", NULL}, {".exp_avg", ".exp_avg_sq"}};

int ax_model_to_ckpt(const ax_model_t *m, const ax_opt_t *opt, ax_ckpt_t *c, char *err,
                     size_t errlen)
{
    char name[112];
    for (int p = 0; p < m->nparams; p++) {
        const ax_param_t *q = &m->param[p];
        if (ax_ckpt_add(c, q->name, q->ndim, q->dims, q->w, err, errlen)) return -1;
        if (!opt || !q->trainable) continue;
        for (int s = 0; s < 2; s++) {
            const char *suf = state_suffix[opt->kind == AX_OPT_ADAM][s];
            if (!suf) continue;
            snprintf(name, sizeof name, "%s%s", q->name, suf);
            if (ax_ckpt_add(c, name, q->ndim, q->dims, s ? q->v : q->m, err, errlen)) return -1;
        }
    }
    return 0;
}

int ax_model_from_ckpt(ax_model_t *m, ax_opt_t *opt, const ax_ckpt_t *c, const char *path,
                       char *err, size_t errlen)
{
    char name[112];
    /* check everything first */
    for (int p = 0; p < m->nparams; p++) {
        const ax_param_t *q = &m->param[p];
        if (!ax_ckpt_expect(c, path, q->name, q->ndim, q->dims, err, errlen)) return -1;
        if (!opt || !q->trainable) continue;
        for (int s = 0; s < 2; s++) {
            const char *suf = state_suffix[opt->kind == AX_OPT_ADAM][s];
            if (!suf) continue;
            snprintf(name, sizeof name, "%s%s", q->name, suf);
            if (!ax_ckpt_expect(c, path, name, q->ndim, q->dims, err, errlen)) return -1;
        }
    }
    for (int p = 0; p < m->nparams; p++) {
        ax_param_t *q = &m->param[p];
        memcpy(q->w, ax_ckpt_find(c, q->name)->data, (size_t)q->count * sizeof(float));
        if (!opt || !q->trainable) continue;
        for (int s = 0; s < 2; s++) {
            const char *suf = state_suffix[opt->kind == AX_OPT_ADAM][s];
            if (!suf) continue;
            snprintf(name, sizeof name, "%s%s", q->name, suf);
            memcpy(s ? q->v : q->m, ax_ckpt_find(c, name)->data, (size_t)q->count * sizeof(float));
        }
    }
    return 0;
}

/* Whether name is a parameter of m, or (with its optimizer's suffix) the
 * optimizer state of one. */
static int model_uses(const ax_model_t *m, const char *name)
{
    for (int p = 0; p < m->nparams; p++) {
        const char *q = m->param[p].name;
        size_t l = strlen(q);
        if (strncmp(name, q, l)) continue;
        if (!name[l]) return 1;
        for (int k = 0; k < 2; k++)
            for (int s = 0; s < 2; s++)
                if (state_suffix[k][s] && !strcmp(name + l, state_suffix[k][s])) return 1;
    }
    return 0;
}

int ax_model_ckpt_unused(const ax_model_t *m, const ax_ckpt_t *c, char *list, size_t len)
{
    int n = 0;
    size_t at = 0;
    if (len) list[0] = 0;
    for (int i = 0; i < c->n; i++) {
        if (model_uses(m, c->t[i].name)) continue;
        if (n < 4 && at < len) at += (size_t)snprintf(list + at, len - at, "%s%.80s", n ? ", " : "", c->t[i].name);
        n++;
    }
    if (n > 4 && at < len) snprintf(list + at, len - at, " and %d more", n - 4);
    return n;
}
