/* ax_snn.c — the spiking nodes of ax_nn.h (docs/snn.md): the encoder, the
 * neurons over T time steps with their surrogate-gradient backward, the
 * readout; the options of a spiking model.
 *
 * Layout: a node between the encoder and the readout holds T x n items,
 * time-major (step t of image b is item t*n + b), so a synapse (linear or
 * conv) runs all T steps of a batch as one GEMM: each output element is its
 * own fold, so the bits are those of T separate steps. A neuron is a
 * recurrence over t per element, run here on the host with the C model of
 * ax_neuron.h (or, where tests prove the bits equal, native fp32). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_net_internal.h"
#include "ax_nn.h"
#include "ax_rng.h"

/* ---- options ----------------------------------------------------------------- */

static const char *const enc_names[] = {"direct", "rate", "latency"};
static const char *const readout_names[] = {"membrane", "count"};

void ax_snn_opts_default(ax_snn_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->steps = 4;
    o->encoding = AX_ENC_DIRECT;
    o->readout = AX_READOUT_MEMBRANE;
    char err[256];
    if (ax_neuron_parse("neuron=lif", &o->neuron, err, sizeof err)) abort(); /* a constant */
    o->surrogate = AX_SURR_ATAN;
    o->surrogate_param = 2.0f;
}

static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

int ax_encoding_parse(const char *s, ax_encoding_t *out, char *err, size_t errlen)
{
    int i = pick(s, enc_names, 3);
    if (i < 0)
        return ax_fail(err, errlen, "unknown encoding '%s'; choose direct, rate or latency", s);
    *out = (ax_encoding_t)i;
    return 0;
}

int ax_readout_parse(const char *s, ax_readout_t *out, char *err, size_t errlen)
{
    int i = pick(s, readout_names, 2);
    if (i < 0) return ax_fail(err, errlen, "unknown readout '%s'; choose membrane or count", s);
    *out = (ax_readout_t)i;
    return 0;
}

const char *ax_encoding_name(ax_encoding_t e) { return enc_names[e]; }
const char *ax_readout_name(ax_readout_t r) { return readout_names[r]; }

int ax_surrogate_parse(const char *s, ax_surrogate_t *kind, float *param, char *err,
                       size_t errlen)
{
    static const char *const names[] = {"atan", "fsigmoid"}, *const keys[] = {"alpha", "k"};
    static const float defaults[] = {2.0f, 25.0f};
    size_t n = strcspn(s, ":");
    int i = -1;
    for (int j = 0; j < 2; j++)
        if (strlen(names[j]) == n && !strncmp(s, names[j], n)) i = j;
    if (i < 0)
        return ax_fail(err, errlen,
                       "unknown surrogate '%s'; choose atan[:alpha=A] (default alpha 2) or "
                       "fsigmoid[:k=K] (default k 25)",
                       s);
    float v = defaults[i];
    if (s[n]) {
        const char *p = s + n + 1;
        size_t kl = strlen(keys[i]);
        char *end;
        double d = 0;
        if (strncmp(p, keys[i], kl) || p[kl] != '=' ||
            (d = strtod(p + kl + 1, &end), end == p + kl + 1 || *end) || !(d > 0 && d < 1e6))
            return ax_fail(err, errlen, "surrogate '%s': give %s:%s=<positive number>", s,
                           names[i], keys[i]);
        v = (float)d;
    }
    *kind = (ax_surrogate_t)i;
    *param = v;
    return 0;
}

const char *ax_surrogate_name(ax_surrogate_t kind, float param, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%s=%.9g", kind == AX_SURR_ATAN ? "atan" : "fsigmoid",
             kind == AX_SURR_ATAN ? "alpha" : "k", (double)param);
    return buf;
}

const char *ax_snn_describe(const ax_snn_opts_t *o, char *buf, size_t len)
{
    char nb[320], sb[64];
    snprintf(buf, len, "T=%lld encoding=%s readout=%s surrogate=%s %s", (long long)o->steps,
             enc_names[o->encoding], readout_names[o->readout],
             ax_surrogate_name(o->surrogate, o->surrogate_param, sb, sizeof sb),
             ax_neuron_name(&o->neuron, nb, sizeof nb));
    return buf;
}

int ax_model_is_spiking(const ax_model_t *m)
{
    return m->nnodes > 0 && m->node[0].kind == AX_LAYER_ENCODE;
}

/* Whether node i's output is spikes (0/1 only). */
static int carries_spikes(const ax_model_t *m, int i)
{
    if (i < 0) return 0;
    const ax_node_t *d = &m->node[i];
    switch (d->kind) {
    case AX_LAYER_ENCODE: return m->snn.encoding != AX_ENC_DIRECT;
    case AX_LAYER_LIF: return 1;
    case AX_LAYER_MAXPOOL:
    case AX_LAYER_FLATTEN: return carries_spikes(m, d->in[0]);
    default: return 0;
    }
}

int ax_model_set_snn(ax_model_t *m, const ax_snn_opts_t *o, char *err, size_t errlen)
{
    if (!ax_model_is_spiking(m))
        return ax_fail(err, errlen,
                       "model %s is not a spiking model: time steps, encodings, neurons and "
                       "readouts apply to snn-mlp and snn-conv",
                       m->arch);
    if (o->steps < 1 || o->steps > 4096)
        return ax_fail(err, errlen, "model %s: %lld time steps; give 1 to 4096", m->arch,
                       (long long)o->steps);
    m->snn = *o;
    m->steps = o->steps;
    for (int i = 0; i < m->nnodes; i++) {
        ax_node_t *d = &m->node[i];
        d->steps = i == m->nnodes - 1 ? 1 : o->steps; /* the readout folds time away */
        d->in_steps = d->in[0] < 0 ? 1 : m->node[d->in[0]].steps;
        d->spike_in = (d->kind == AX_LAYER_LINEAR || d->kind == AX_LAYER_CONV) &&
                      carries_spikes(m, d->in[0]);
    }
    m->batch_cap = 0; /* the buffers are reallocated for T at the next forward */
    return 0;
}

/* ---- the neuron ---------------------------------------------------------------- */

/* Native fp32 gives the C model's bits (tests/test_snn.cpp): fp32 RNE
 * without :ftz, :sat or FN, the exact multiplier and adder. IEEE products
 * and sums of fp32 values rounded to nearest even with subnormals are what
 * mul_exact and add_exact compute; the only difference is a NaN's payload
 * and sign, and a NaN result is made the canonical NaN. */
int ax_snn_native_fp32(const ax_neuron_cfg_t *c)
{
    ax_format_t f = c->fmt, r = ax_fmt_fp32();
    return ax_fmt_eq(f, r) && c->add.id == AX_ADD_EXACT &&
           (c->model == AX_NEURON_IF || c->mul.id == AX_MUL_EXACT);
}

static float canon(float v) { return v == v ? v : ax_f32_of(UINT32_C(0x7FC00000)); }

/* One element's T steps: currents x[t*stride]; spiking = 0 is a readout by
 * membrane, which neither spikes nor resets. Spikes into s[t*stride] and the
 * membrane before the reset into pre[t*stride] (either may be NULL).
 * Returns the spikes, and the sum over t of the membrane in *msum. */
int64_t ax_snn_neuron_run(const ax_neuron_cfg_t *c, int native, const float *x, int64_t stride,
                          int64_t T, int spiking, float *s, float *pre, double *msum)
{
    int64_t spikes = 0;
    double sum = 0;
    if (native) {
        const float beta = ax_f32_of(c->beta), theta = ax_f32_of(c->theta);
        const int lif = c->model == AX_NEURON_LIF;
        float u = 0.0f;
        for (int64_t t = 0; t < T; t++) {
            float leak = lif ? beta * u : u;
            float v = canon(leak + x[t * stride]);
            if (pre) pre[t * stride] = v;
            int sp = spiking && v >= theta;
            if (s) s[t * stride] = (float)sp;
            spikes += sp;
            if (sp && c->reset == AX_RESET_SUBTRACT) v = canon(v - theta);
            else if (sp && c->reset == AX_RESET_ZERO) v = 0.0f;
            u = v;
            sum += (double)v;
        }
    } else {
        uint32_t u = ax_fmt_zero(0, c->fmt), flags = 0;
        for (int64_t t = 0; t < T; t++) {
            uint32_t in = ax_from_f32bits(ax_bits_of(x[t * stride]), c->fmt, &flags), v;
            int sp = 0;
            if (spiking) {
                u = ax_neuron_step(c, u, in, &sp, &v, &flags);
            } else {
                uint32_t leak = c->model == AX_NEURON_IF
                                    ? u
                                    : ax_unit_apply(c->mul, c->beta, u, c->fmt, c->fmt, &flags);
                u = v = ax_unit_apply(c->add, leak, in, c->fmt, c->fmt, &flags);
            }
            if (pre) pre[t * stride] = ax_f32_of(ax_to_f32bits(v, c->fmt));
            if (s) s[t * stride] = (float)sp;
            spikes += sp;
            sum += (double)ax_f32_of(ax_to_f32bits(u, c->fmt));
        }
    }
    if (msum) *msum = sum;
    return spikes;
}

/* d(spike)/d(membrane) of the surrogate at membrane v. */
static float surrogate(const ax_snn_opts_t *o, float v, float theta)
{
    double x = (double)v - theta, a = o->surrogate_param;
    if (o->surrogate == AX_SURR_ATAN) {
        double y = 1.5707963267948966 * a * x; /* pi/2 alpha x */
        return (float)(a / 2 / (1 + y * y));
    }
    double y = 1 + a * fabs(x);
    return (float)(1 / (y * y));
}

/* ---- forward ------------------------------------------------------------------- */

static void encode(ax_model_t *m, ax_node_t *d, const float *x, int64_t n, int train)
{
    const int64_t sz = d->c * d->h * d->w, T = d->steps;
    for (int64_t t = 0; t < T; t++) {
        float *y = d->y + t * n * sz;
        if (m->snn.encoding == AX_ENC_DIRECT) {
            memcpy(y, x, (size_t)(n * sz) * sizeof(float));
            continue;
        }
        if (m->snn.encoding == AX_ENC_LATENCY) {
            for (int64_t j = 0; j < n * sz; j++) {
                double v = x[j] > 1 ? 1.0 : (double)x[j];
                int64_t tf = v > 0 ? (int64_t)floor((1.0 - v) * (double)T) : T;
                if (v > 0 && tf > T - 1) tf = T - 1;
                y[j] = tf == t ? 1.0f : 0.0f;
            }
        }
    }
    if (m->snn.encoding != AX_ENC_RATE) return;
    /* rate: image b draws T x sz uniforms in (t, pixel) order from its own
     * stream, so its spikes do not depend on the batch it is in */
    uint64_t seed = train ? m->dropout_seed : m->enc_seed;
    int64_t base = train ? 0 : m->enc_base;
    for (int64_t b = 0; b < n; b++) {
        ax_rng_t r = {seed ^ (UINT64_C(0xD1B54A32D192ED03) * (uint64_t)(base + b + 1))};
        for (int64_t t = 0; t < T; t++)
            for (int64_t j = 0; j < sz; j++) {
                double p = (double)x[b * sz + j];
                d->y[(t * n + b) * sz + j] = ax_rng_uniform(&r) < p ? 1.0f : 0.0f;
            }
    }
}

int ax_snn_node_forward(ax_model_t *m, ax_node_t *d, const float *x, int64_t n, int train,
                        char *err, size_t errlen)
{
    (void)err, (void)errlen;
    const ax_neuron_cfg_t *c = &m->snn.neuron;
    const int native = ax_snn_native_fp32(c);
    const int64_t T = m->steps, ne = n * d->c * d->h * d->w; /* elements per step */
    d->spikes = 0;
    switch (d->kind) {
    case AX_LAYER_ENCODE: encode(m, d, x, n, train); break;
    case AX_LAYER_LIF:
        for (int64_t e = 0; e < ne; e++)
            d->spikes += ax_snn_neuron_run(c, native, x + e, ne, T, 1, d->y + e, d->aux + e, NULL);
        break;
    case AX_LAYER_READOUT:
        for (int64_t e = 0; e < ne; e++) {
            if (m->snn.readout == AX_READOUT_COUNT) {
                int64_t s = ax_snn_neuron_run(c, native, x + e, ne, T, 1, NULL, d->aux + e, NULL);
                d->spikes += s;
                d->y[e] = (float)s;
            } else {
                double sum;
                ax_snn_neuron_run(c, native, x + e, ne, T, 0, NULL, NULL, &sum);
                d->y[e] = (float)(sum / (double)T);
            }
        }
        break;
    default: break;
    }
    return 0;
}

/* ---- backward ------------------------------------------------------------------ */

/* Through one element's T steps, last to first. dS[t*dstride] the gradient
 * of the spike (NULL: none, a readout by membrane), dm the gradient reaching
 * every step's membrane directly (a membrane readout's 1/T share), pre the
 * membrane before each reset; g[t*stride] the gradient of the input current.
 * The reset is not differentiated (its spike is taken as a constant, as
 * snnTorch does): U'' = U' - theta S passes dU'' to dU' unchanged; reset to
 * zero passes it only where the neuron did not fire (fired: pre >= theta,
 * the forward's exact compare). */
static void neuron_back(const ax_snn_opts_t *o, float beta, float theta, const float *dS,
                        int64_t dstride, float dm, const float *pre, int64_t stride, int64_t T,
                        float *g)
{
    const ax_neuron_cfg_t *c = &o->neuron;
    float carry = 0.0f; /* gradient of the membrane after the reset of step t */
    for (int64_t t = T - 1; t >= 0; t--) {
        float gv = carry + dm;
        if (dS) {
            float p = pre[t * stride];
            if (c->reset == AX_RESET_ZERO) {
                uint32_t fl = 0;
                if (ax_fmt_ge(ax_from_f32bits(ax_bits_of(p), c->fmt, &fl), c->theta, c->fmt))
                    gv = dm;
            }
            gv += dS[t * dstride] * surrogate(o, p, theta);
        }
        g[t * stride] = gv;
        carry = beta * gv;
    }
}

void ax_snn_node_backward(ax_model_t *m, ax_node_t *d, int64_t n, float *g)
{
    const ax_neuron_cfg_t *c = &m->snn.neuron;
    const int64_t T = m->steps, ne = n * d->c * d->h * d->w;
    const float beta = c->model == AX_NEURON_IF ? 1.0f : ax_f32_of(ax_to_f32bits(c->beta, c->fmt));
    const float theta = ax_f32_of(ax_to_f32bits(c->theta, c->fmt));
    for (int64_t e = 0; e < ne; e++) {
        if (d->kind == AX_LAYER_LIF) /* dy: the spikes' gradient, T x n */
            neuron_back(&m->snn, beta, theta, d->dy + e, ne, 0.0f, d->aux + e, ne, T, g + e);
        else if (m->snn.readout == AX_READOUT_COUNT) /* every step's spike counts once */
            neuron_back(&m->snn, beta, theta, d->dy + e, 0, 0.0f, d->aux + e, ne, T, g + e);
        else /* the logit is the mean membrane */
            neuron_back(&m->snn, beta, theta, NULL, 0, d->dy[e] / (float)T, NULL, ne, T, g + e);
    }
}

/* ---- statistics ------------------------------------------------------------------ */

int64_t ax_snn_synops(const ax_node_t *d, const uint8_t *s, int64_t nb)
{
    int64_t ops = 0;
    if (d->kind == AX_LAYER_LINEAR) {
        int64_t in = d->in_c * d->in_h * d->in_w;
        for (int64_t i = 0; i < nb * in; i++) ops += s[i] != 0;
        return ops * d->c;
    }
    /* conv: every output element adds the active inputs of its window */
    const int64_t cg = d->in_c / d->groups, og = d->c / d->groups, H = d->in_h, W = d->in_w;
    int64_t *cnt = malloc((size_t)(H * W) * sizeof *cnt);
    if (!cnt) return -1;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t g = 0; g < d->groups; g++) {
            memset(cnt, 0, (size_t)(H * W) * sizeof *cnt);
            for (int64_t ci = 0; ci < cg; ci++) {
                const uint8_t *p = s + ((b * d->in_c) + g * cg + ci) * H * W;
                for (int64_t j = 0; j < H * W; j++) cnt[j] += p[j] != 0;
            }
            for (int64_t oy = 0; oy < d->h; oy++)
                for (int64_t ox = 0; ox < d->w; ox++)
                    for (int64_t ky = 0; ky < d->k; ky++)
                        for (int64_t kx = 0; kx < d->k; kx++) {
                            int64_t iy = oy * d->stride - d->pad + ky;
                            int64_t ix = ox * d->stride - d->pad + kx;
                            if (iy >= 0 && iy < H && ix >= 0 && ix < W) ops += cnt[iy * W + ix] * og;
                        }
        }
    free(cnt);
    return ops;
}

void ax_model_stats_reset(ax_model_t *m)
{
    m->stat_images = 0;
    for (int i = 0; i < m->nnodes; i++) {
        ax_node_t *d = &m->node[i];
        d->spikes_total = d->synops_total = 0;
        d->daa_nonzero = d->daa_hi = 0;
    }
}

int64_t ax_node_spiking_neurons(const ax_model_t *m, const ax_node_t *d)
{
    if (d->kind == AX_LAYER_LIF || (d->kind == AX_LAYER_READOUT && m->snn.readout == AX_READOUT_COUNT))
        return d->c * d->h * d->w;
    return 0;
}

double ax_model_spikes_per_neuron(const ax_model_t *m)
{
    int64_t spikes = 0, neurons = 0;
    for (int i = 0; i < m->nnodes; i++) {
        spikes += m->node[i].spikes_total;
        neurons += ax_node_spiking_neurons(m, &m->node[i]);
    }
    return m->stat_images && neurons ? (double)spikes / ((double)neurons * (double)m->stat_images) : 0.0;
}

double ax_model_synops_per_image(const ax_model_t *m)
{
    double ops = 0;
    for (int i = 0; i < m->nnodes; i++) ops += (double)m->node[i].synops_total;
    return m->stat_images ? ops / (double)m->stat_images : 0.0;
}
