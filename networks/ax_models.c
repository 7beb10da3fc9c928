/* ax_models.c — the architectures of ax_nn.h, built node by node with their
 * shapes inferred from the input size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_build.h"
#include "ax_net_internal.h"
#include "ax_nn.h"
#include "ax_rng.h"

const char *const ax_model_archs[] = {"mlp",       "lenet5",  "vgg",      "resnet8", "resnet20",
                                      "mobilenet", "snn-mlp", "snn-conv", NULL};

static const char *const arch_text[] = {
    "LeNet-300-100: 784-300-100-10 fully connected, relu",
    "LeNet-5: conv 6@5x5 (pad 2), maxpool, conv 16@5x5, maxpool, fc 120-84-classes, relu",
    "VGG-style: 2x conv 32@3x3, maxpool, 2x conv 64@3x3, maxpool, fc 256, dropout 0.5, fc",
    "ResNet-8: conv 16@3x3+bn, 3 stages (16, 32, 64) of 1 basic block, global avgpool, fc",
    "ResNet-20: as ResNet-8 with 3 basic blocks per stage (projection shortcuts when the shape changes)",
    "MobileNet-style: conv 32@3x3+bn, 4 depthwise-separable blocks (64, 128/2, 128, 256/2), "
    "global avgpool, fc",
    "spiking MLP: encoder, fc 800 + lif, fc classes, readout (no biases; T steps)",
    "spiking conv net: encoder, conv 32@3x3 (pad 1), maxpool, lif, conv 64@3x3 (pad 1), maxpool, "
    "lif, fc classes, readout (no biases; T steps)",
};

const char *ax_model_describe(const char *arch)
{
    for (int i = 0; ax_model_archs[i]; i++)
        if (!strcmp(arch, ax_model_archs[i])) return arch_text[i];
    return NULL;
}

int ax_model_arch_spiking(const char *arch)
{
    return arch && ax_model_describe(arch) && !strncmp(arch, "snn-", 4);
}

/* ---- the builder ---------------------------------------------------------- */

typedef ax_builder_t builder_t;

static int add_param(builder_t *b, const char *node, const char *what, int ndim, const int64_t *dims,
                     int trainable, int decay)
{
    ax_model_t *m = b->m;
    ax_param_t *p = realloc(m->param, (size_t)(m->nparams + 1) * sizeof *p);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    m->param = p;
    ax_param_t *q = &m->param[m->nparams];
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s.%s", node, what);
    q->ndim = ndim;
    memcpy(q->dims, dims, (size_t)ndim * sizeof *dims);
    q->count = ax_net_count(dims, ndim);
    q->trainable = trainable, q->decay = decay;
    size_t n = (size_t)(q->count ? q->count : 1);
    q->w = calloc(n, sizeof(float));
    q->g = calloc(n, sizeof(float));
    q->m = calloc(n, sizeof(float));
    q->v = calloc(n, sizeof(float));
    m->nparams++;
    if (!q->w || !q->g || !q->m || !q->v) {
        b->failed = 1;
        return -1;
    }
    return m->nparams - 1;
}

void ax_build_shape(const builder_t *b, int in, int64_t *c, int64_t *h, int64_t *w)
{
    if (in < 0) {
        *c = b->m->in_c, *h = b->m->in_h, *w = b->m->in_w;
        return;
    }
    const ax_node_t *d = &b->m->node[in];
    *c = d->c, *h = d->h, *w = d->w;
}

static int add_node(builder_t *b, ax_layer_t kind, const char *name, int in)
{
    if (b->failed) return -1;
    ax_model_t *m = b->m;
    ax_node_t *n = realloc(m->node, (size_t)(m->nnodes + 1) * sizeof *n);
    if (!n) {
        b->failed = 1;
        return -1;
    }
    m->node = n;
    ax_node_t *d = &m->node[m->nnodes];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    snprintf(d->name, sizeof d->name, "%s", name);
    d->in[0] = in, d->in[1] = -1;
    d->weight = d->bias = d->run_mean = d->run_var = -1;
    ax_build_shape(b, in, &d->in_c, &d->in_h, &d->in_w);
    d->c = d->in_c, d->h = d->in_h, d->w = d->in_w;
    return m->nnodes++;
}

static int too_small(builder_t *b, const char *name, int64_t h, int64_t w)
{
    if (b->failed) return 1;
    if (h >= 1 && w >= 1) return 0;
    snprintf(b->err, b->errlen, "model %s: the input %lldx%lld is too small (layer %s)", b->m->arch,
             (long long)b->m->in_h, (long long)b->m->in_w, name);
    b->failed = 2;
    return 1;
}

int ax_build_conv(builder_t *b, const char *name, int in, int64_t oc, const int64_t g[8], int64_t groups,
                  int bias)
{
    int i = add_node(b, AX_LAYER_CONV, name, in);
    if (i < 0) return -1;
    ax_node_t *d = &b->m->node[i];
    d->kh = g[0], d->kw = g[1], d->sh = g[2], d->sw = g[3], d->ph = g[4], d->pw = g[5], d->dh = g[6], d->dw = g[7];
    /* the square, undilated geometry the spiking synapse and the array model read */
    d->k = d->kh, d->stride = d->sh, d->pad = d->ph, d->groups = groups;
    d->c = oc;
    const int64_t eh = d->dh * (d->kh - 1) + 1, ew = d->dw * (d->kw - 1) + 1;
    d->h = (d->in_h + 2 * d->ph - eh) / d->sh + 1;
    d->w = (d->in_w + 2 * d->pw - ew) / d->sw + 1;
    if (d->in_h + 2 * d->ph < eh || d->in_w + 2 * d->pw < ew) d->h = d->w = 0;
    if (too_small(b, name, d->h, d->w)) return -1;
    int64_t wd[4] = {oc, d->in_c / groups, d->kh, d->kw}, bd[1] = {oc};
    d->weight = add_param(b, name, "weight", 4, wd, 1, 1);
    if (bias) b->m->node[i].bias = add_param(b, name, "bias", 1, bd, 1, 0);
    b->m->macs_fwd += oc * b->m->node[i].h * b->m->node[i].w * wd[1] * wd[2] * wd[3];
    return i;
}

static int conv(builder_t *b, const char *name, int in, int64_t oc, int64_t k, int64_t stride,
                int64_t pad, int64_t groups, int bias)
{
    const int64_t g[8] = {k, k, stride, stride, pad, pad, 1, 1};
    return ax_build_conv(b, name, in, oc, g, groups, bias);
}

int ax_build_linear(builder_t *b, const char *name, int in, int64_t out, int bias)
{
    int i = add_node(b, AX_LAYER_LINEAR, name, in);
    if (i < 0) return -1;
    ax_node_t *d = &b->m->node[i];
    int64_t fan = d->in_c * d->in_h * d->in_w;
    d->c = out, d->h = d->w = 1;
    int64_t wd[2] = {out, fan}, bd[1] = {out};
    d->weight = add_param(b, name, "weight", 2, wd, 1, 1);
    if (bias) b->m->node[i].bias = add_param(b, name, "bias", 1, bd, 1, 0);
    b->m->macs_fwd += out * fan;
    return i;
}

static int linear(builder_t *b, const char *name, int in, int64_t out)
{
    return ax_build_linear(b, name, in, out, 1);
}

int ax_build_simple(builder_t *b, ax_layer_t kind, const char *name, int in)
{
    int i = add_node(b, kind, name, in);
    if (i >= 0 && kind == AX_LAYER_FLATTEN) {
        ax_node_t *d = &b->m->node[i];
        d->c = d->in_c * d->in_h * d->in_w, d->h = d->w = 1;
    }
    return i;
}

int ax_build_pool(builder_t *b, ax_layer_t kind, const char *name, int in, int64_t k, int64_t stride)
{
    int i = add_node(b, kind, name, in);
    if (i < 0) return -1;
    ax_node_t *d = &b->m->node[i];
    d->k = k, d->stride = k ? stride : 1;
    d->h = k ? (d->in_h - k) / stride + 1 : 1;
    d->w = k ? (d->in_w - k) / stride + 1 : 1;
    if (k && (d->in_h < k || d->in_w < k)) d->h = 0;
    return too_small(b, name, d->h, d->w) ? -1 : i;
}

int ax_build_bn(builder_t *b, const char *name, int in, float eps)
{
    int i = add_node(b, AX_LAYER_BN, name, in);
    if (i < 0) return -1;
    int64_t c = b->m->node[i].c, dims[1] = {c};
    int g = add_param(b, name, "weight", 1, dims, 1, 0);
    int be = add_param(b, name, "bias", 1, dims, 1, 0);
    int rm = add_param(b, name, "running_mean", 1, dims, 0, 0);
    int rv = add_param(b, name, "running_var", 1, dims, 0, 0);
    if (b->failed) return -1;
    ax_node_t *d = &b->m->node[i];
    d->weight = g, d->bias = be, d->run_mean = rm, d->run_var = rv;
    d->eps = eps;
    d->stat = calloc((size_t)(2 * c), sizeof(double));
    if (!d->stat) b->failed = 1;
    return i;
}

int ax_build_act(builder_t *b, ax_layer_t kind, const char *name, int in, float p, float lo, float hi)
{
    int i = add_node(b, kind, name, in);
    if (i >= 0) b->m->node[i].p = p, b->m->node[i].lo = lo, b->m->node[i].hi = hi;
    return i;
}

int ax_build_concat(builder_t *b, const char *name, int x, int y)
{
    int i = add_node(b, AX_LAYER_CONCAT, name, x);
    if (i < 0) return -1;
    ax_node_t *d = &b->m->node[i];
    int64_t c, h, w;
    ax_build_shape(b, y, &c, &h, &w);
    d->in[1] = y;
    d->c = d->in_c + c;
    return i;
}

int ax_build_dropout(builder_t *b, const char *name, int in, float p)
{
    int i = add_node(b, AX_LAYER_DROPOUT, name, in);
    if (i >= 0) b->m->node[i].p = p;
    return i;
}

int ax_build_add(builder_t *b, const char *name, int x, int y)
{
    int i = add_node(b, AX_LAYER_ADD, name, x);
    if (i >= 0) b->m->node[i].in[1] = y;
    return i;
}

/* conv (no bias) + bn + optional relu, as name.conv / name.bn */
static int conv_bn(builder_t *b, const char *name, int in, int64_t oc, int64_t k, int64_t stride,
                   int64_t groups, int relu)
{
    char n1[64], n2[64], n3[64];
    snprintf(n1, sizeof n1, "%s.conv", name);
    snprintf(n2, sizeof n2, "%s.bn", name);
    snprintf(n3, sizeof n3, "%s.relu", name);
    int x = ax_build_bn(b, n2, conv(b, n1, in, oc, k, stride, k / 2, groups, 0), 1e-5f);
    return relu ? ax_build_simple(b, AX_LAYER_RELU, n3, x) : x;
}

/* ---- architectures --------------------------------------------------------- */

static void build_mlp(builder_t *b)
{
    int x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", -1);
    x = ax_build_simple(b, AX_LAYER_RELU, "relu1", linear(b, "fc1", x, 300));
    x = ax_build_simple(b, AX_LAYER_RELU, "relu2", linear(b, "fc2", x, 100));
    linear(b, "fc3", x, b->m->classes);
}

static void build_lenet5(builder_t *b)
{
    int x = ax_build_simple(b, AX_LAYER_RELU, "relu1", conv(b, "conv1", -1, 6, 5, 1, 2, 1, 1));
    x = ax_build_pool(b, AX_LAYER_MAXPOOL, "pool1", x, 2, 2);
    x = ax_build_simple(b, AX_LAYER_RELU, "relu2", conv(b, "conv2", x, 16, 5, 1, 0, 1, 1));
    x = ax_build_pool(b, AX_LAYER_MAXPOOL, "pool2", x, 2, 2);
    x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", x);
    x = ax_build_simple(b, AX_LAYER_RELU, "relu3", linear(b, "fc1", x, 120));
    x = ax_build_simple(b, AX_LAYER_RELU, "relu4", linear(b, "fc2", x, 84));
    linear(b, "fc3", x, b->m->classes);
}

static void build_vgg(builder_t *b)
{
    int x = ax_build_simple(b, AX_LAYER_RELU, "relu1", conv(b, "conv1", -1, 32, 3, 1, 1, 1, 1));
    x = ax_build_simple(b, AX_LAYER_RELU, "relu2", conv(b, "conv2", x, 32, 3, 1, 1, 1, 1));
    x = ax_build_pool(b, AX_LAYER_MAXPOOL, "pool1", x, 2, 2);
    x = ax_build_simple(b, AX_LAYER_RELU, "relu3", conv(b, "conv3", x, 64, 3, 1, 1, 1, 1));
    x = ax_build_simple(b, AX_LAYER_RELU, "relu4", conv(b, "conv4", x, 64, 3, 1, 1, 1, 1));
    x = ax_build_pool(b, AX_LAYER_MAXPOOL, "pool2", x, 2, 2);
    x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", x);
    x = ax_build_simple(b, AX_LAYER_RELU, "relu5", linear(b, "fc1", x, 256));
    x = ax_build_dropout(b, "dropout", x, 0.5f);
    linear(b, "fc2", x, b->m->classes);
}

static void build_resnet(builder_t *b, int blocks)
{
    int x = conv_bn(b, "stem", -1, 16, 3, 1, 1, 1);
    int64_t width[3] = {16, 32, 64};
    char name[48], n2[48];
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < blocks; k++) {
            int64_t stride = (s > 0 && k == 0) ? 2 : 1;
            snprintf(name, sizeof name, "layer%d.%d.a", s + 1, k);
            int y = conv_bn(b, name, x, width[s], 3, stride, 1, 1);
            snprintf(name, sizeof name, "layer%d.%d.b", s + 1, k);
            y = conv_bn(b, name, y, width[s], 3, 1, 1, 0);
            int sc = x;
            if (b->failed) return;
            if (stride != 1 || b->m->node[x].c != width[s]) {
                snprintf(name, sizeof name, "layer%d.%d.shortcut", s + 1, k);
                sc = conv_bn(b, name, x, width[s], 1, stride, 1, 0);
            }
            snprintf(name, sizeof name, "layer%d.%d.add", s + 1, k);
            snprintf(n2, sizeof n2, "layer%d.%d.relu", s + 1, k);
            x = ax_build_simple(b, AX_LAYER_RELU, n2, ax_build_add(b, name, y, sc));
        }
    x = ax_build_pool(b, AX_LAYER_AVGPOOL, "avgpool", x, 0, 1);
    x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", x);
    linear(b, "fc", x, b->m->classes);
}

static void build_mobilenet(builder_t *b)
{
    int x = conv_bn(b, "stem", -1, 32, 3, 1, 1, 1);
    static const int64_t out[4] = {64, 128, 128, 256}, stride[4] = {1, 2, 1, 2};
    char name[48];
    for (int i = 0; i < 4; i++) {
        if (b->failed) return;
        int64_t c = b->m->node[x].c;
        snprintf(name, sizeof name, "block%d.dw", i + 1);
        x = conv_bn(b, name, x, c, 3, stride[i], c, 1);
        snprintf(name, sizeof name, "block%d.pw", i + 1);
        x = conv_bn(b, name, x, out[i], 1, 1, 1, 1);
    }
    x = ax_build_pool(b, AX_LAYER_AVGPOOL, "avgpool", x, 0, 1);
    x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", x);
    linear(b, "fc", x, b->m->classes);
}

/* Spiking models: an encoder first, a readout last, synapses without biases
 * (a neuromorphic synapse only accumulates; the threshold is the neuron's). */
static void build_snn_mlp(builder_t *b)
{
    int x = ax_build_simple(b, AX_LAYER_ENCODE, "encoder", -1);
    x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", x);
    x = ax_build_simple(b, AX_LAYER_LIF, "lif1", ax_build_linear(b, "fc1", x, 800, 0));
    x = ax_build_linear(b, "fc2", x, b->m->classes, 0);
    ax_build_simple(b, AX_LAYER_READOUT, "readout", x);
}

static void build_snn_conv(builder_t *b)
{
    int x = ax_build_simple(b, AX_LAYER_ENCODE, "encoder", -1);
    x = ax_build_pool(b, AX_LAYER_MAXPOOL, "pool1", conv(b, "conv1", x, 32, 3, 1, 1, 1, 0), 2, 2);
    x = ax_build_simple(b, AX_LAYER_LIF, "lif1", x);
    x = ax_build_pool(b, AX_LAYER_MAXPOOL, "pool2", conv(b, "conv2", x, 64, 3, 1, 1, 1, 0), 2, 2);
    x = ax_build_simple(b, AX_LAYER_LIF, "lif2", x);
    x = ax_build_simple(b, AX_LAYER_FLATTEN, "flatten", x);
    x = ax_build_linear(b, "fc", x, b->m->classes, 0);
    ax_build_simple(b, AX_LAYER_READOUT, "readout", x);
}

ax_model_t *ax_model_create(const char *arch, int64_t c, int64_t h, int64_t w, int classes,
                            char *err, size_t errlen)
{
    if (!ax_model_describe(arch)) {
        ax_fail(err, errlen,
                "unknown model '%s' (mlp, lenet5, vgg, resnet8, resnet20, mobilenet, snn-mlp, "
                "snn-conv)",
                arch);
        return NULL;
    }
    if (c < 1 || h < 1 || w < 1 || classes < 2) {
        ax_fail(err, errlen, "model %s: input %lldx%lldx%lld with %d classes is not usable",
                    arch, (long long)c, (long long)h, (long long)w, classes);
        return NULL;
    }
    ax_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        ax_fail(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(m->arch, sizeof m->arch, "%s", arch);
    m->in_c = c, m->in_h = h, m->in_w = w, m->classes = classes;
    builder_t b = {m, 0, err, errlen};
    if (!strcmp(arch, "mlp")) build_mlp(&b);
    else if (!strcmp(arch, "lenet5")) build_lenet5(&b);
    else if (!strcmp(arch, "vgg")) build_vgg(&b);
    else if (!strcmp(arch, "resnet8")) build_resnet(&b, 1);
    else if (!strcmp(arch, "resnet20")) build_resnet(&b, 3);
    else if (!strcmp(arch, "mobilenet")) build_mobilenet(&b);
    else if (!strcmp(arch, "snn-mlp")) build_snn_mlp(&b);
    else build_snn_conv(&b);
    if (b.failed) {
        if (b.failed == 1) ax_fail(err, errlen, "model %s: out of memory", arch);
        ax_model_free(m);
        return NULL;
    }
    if (ax_model_is_spiking(m)) {
        ax_snn_opts_t o;
        ax_snn_opts_default(&o);
        if (ax_model_set_snn(m, &o, err, errlen)) {
            ax_model_free(m);
            return NULL;
        }
    }
    return m;
}

void ax_model_free(ax_model_t *m)
{
    if (!m) return;
    for (int i = 0; i < m->nnodes; i++) {
        ax_node_t *d = &m->node[i];
        free(d->y), free(d->dy), free(d->aux), free(d->arg), free(d->stat);
    }
    for (int i = 0; i < m->nparams; i++) {
        ax_param_t *q = &m->param[i];
        free(q->w), free(q->g), free(q->m), free(q->v);
    }
    free(m->node), free(m->param), free(m->qa), free(m->qb), free(m->qc), free(m->tmp);
    free(m->spk);
    free(m);
}

void ax_model_init(ax_model_t *m, uint64_t seed)
{
    ax_rng_t r = {seed};
    for (int i = 0; i < m->nnodes; i++) {
        ax_node_t *d = &m->node[i];
        if (d->kind == AX_LAYER_LINEAR || d->kind == AX_LAYER_CONV) {
            ax_param_t *W = &m->param[d->weight];
            int64_t fan = W->count / W->dims[0];
            float bound = (float)sqrt(6.0 / (double)fan);
            for (int64_t j = 0; j < W->count; j++) {
                double u = (double)(ax_rng_next(&r) >> 40) * 0x1p-24; /* [0, 1) */
                W->w[j] = (float)((2.0 * u - 1.0) * bound);
            }
            if (d->bias >= 0) memset(m->param[d->bias].w, 0, (size_t)d->c * sizeof(float));
        } else if (d->kind == AX_LAYER_BN) {
            for (int64_t j = 0; j < d->c; j++) {
                m->param[d->weight].w[j] = 1.0f, m->param[d->bias].w[j] = 0.0f;
                m->param[d->run_mean].w[j] = 0.0f, m->param[d->run_var].w[j] = 1.0f;
            }
        }
    }
    for (int p = 0; p < m->nparams; p++) {
        memset(m->param[p].m, 0, (size_t)m->param[p].count * sizeof(float));
        memset(m->param[p].v, 0, (size_t)m->param[p].count * sizeof(float));
    }
}

int64_t ax_model_param_count(const ax_model_t *m)
{
    int64_t n = 0;
    for (int p = 0; p < m->nparams; p++)
        if (m->param[p].trainable) n += m->param[p].count;
    return n;
}

void ax_model_set_mac(ax_model_t *m, ax_engine_t *eng, const ax_mac_cfg_t *fwd,
                      const ax_mac_cfg_t *bwd)
{
    m->eng = eng;
    m->fwd = *fwd;
    m->bwd = *bwd;
}

const char *ax_model_guess(const ax_ckpt_t *c, char *err, size_t errlen)
{
    const char *best = NULL, *tie = NULL;
    int best_unused = 0;
    for (int a = 0; ax_model_archs[a]; a++) {
        char e[256];
        /* names do not depend on the input's shape or the classes */
        ax_model_t *m = ax_model_create(ax_model_archs[a], 1, 28, 28, 10, e, sizeof e);
        if (!m) continue;
        int all = 1;
        for (int p = 0; all && p < m->nparams; p++) all = ax_ckpt_find(c, m->param[p].name) != NULL;
        int unused = all ? ax_model_ckpt_unused(m, c, NULL, 0) : 0;
        ax_model_free(m);
        if (!all) continue;
        if (!best || unused < best_unused) best = ax_model_archs[a], best_unused = unused, tie = NULL;
        else if (unused == best_unused) tie = ax_model_archs[a];
    }
    if (!best) {
        ax_fail(err, errlen, "its tensor names fit none of the architectures (mlp, lenet5, vgg, resnet8, "
                             "resnet20, mobilenet, snn-mlp, snn-conv; docs/checkpoints.md lists their "
                             "names, and --rename FILE maps others to them)");
        return NULL;
    }
    if (tie) {
        ax_fail(err, errlen, "its tensor names fit %s and %s equally well", best, tie);
        return NULL;
    }
    return best;
}
