/* ax_onnx.c — ONNX import (ax_onnx.h): the file through protobuf-c's reader
 * generated from Debian's onnx.proto, the graph sorted, each node turned
 * into axsim nodes through the model builder (ax_build.h), its weights
 * copied into the parameters. */
#define _POSIX_C_SOURCE 200809L
#include "ax_onnx.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_build.h"
#include "ax_net_internal.h"
#include "onnx.pb-c.h"

enum { MAX_NODES = 20000, MAX_BYTES = 1 << 30, KDIMS = 8 };

/* A constant: an initializer, a Constant node's value, or one computed from
 * them (Transpose, Identity). f always; i for integer types (exact). */
typedef struct konst {
    int ndim;
    int64_t dims[KDIMS];
    int64_t count;
    float *f;
    int64_t *i;
} konst_t;

/* A named value of the graph: a tensor of the network (node >= 0, or -1
 * the input), rank 4 (n, c, h, w) or 2 (n, f); or a constant. */
typedef struct value {
    const char *name;
    int node;   /* -2: a constant */
    int rank;
    konst_t *k;
} value_t;

typedef struct imp {
    const char *path;
    Onnx__GraphProto *g;
    value_t *v;
    int nv, nk;
    size_t vcap, kcap;
    konst_t **ks; /* every constant, freed at the end */
    ax_builder_t b;
    char *err;
    size_t errlen;
    char *notes;
    size_t nlen;
    const char *out_name; /* the graph's output */
    unsigned char *folded; /* per graph node: an Add already folded into a bias */
} imp_t;

/* Control bytes of names the file gave, as '?': a quoted ESC or newline
 * would reach the user's terminal. */
static void printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F) *s = '?';
}

static int fail(imp_t *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(imp_t *im, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printable(msg);
    snprintf(im->err, im->errlen, "%s: %s", im->path, msg);
    return -1;
}

/* "node 'n' (Op)" for messages */
static const char *nd(const Onnx__NodeProto *n)
{
    static char b[200];
    snprintf(b, sizeof b, "node '%.80s' (%.40s)", n->name && *n->name ? n->name : "(unnamed)",
             n->op_type ? n->op_type : "?");
    return b;
}

static void note(imp_t *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(imp_t *im, const char *fmt, ...)
{
    if (!im->notes || !im->nlen) return;
    size_t at = strlen(im->notes);
    if (at + 3 >= im->nlen) return;
    if (at) at += (size_t)snprintf(im->notes + at, im->nlen - at, "; ");
    va_list ap;
    va_start(ap, fmt);
    if (at < im->nlen) vsnprintf(im->notes + at, im->nlen - at, fmt, ap);
    va_end(ap);
    printable(im->notes);
}

/* ---- values and constants ------------------------------------------------------ */

static value_t *find(imp_t *im, const char *name)
{
    for (int i = im->nv - 1; i >= 0; i--)
        if (!strcmp(im->v[i].name, name)) return &im->v[i];
    return NULL;
}

static value_t *define(imp_t *im, const char *name, int node, int rank, konst_t *k)
{
    if (find(im, name)) {
        fail(im, "value '%.80s' is produced twice (an ONNX graph assigns each name once)", name);
        return NULL;
    }
    if (ax_net_grow((void **)&im->v, &im->vcap, (size_t)im->nv + 1, sizeof *im->v)) {
        fail(im, "out of memory");
        return NULL;
    }
    value_t *v = &im->v[im->nv++];
    v->name = name, v->node = node, v->rank = rank, v->k = k;
    return v;
}

static konst_t *new_konst(imp_t *im, int ndim, const int64_t *dims, int ints)
{
    konst_t *k = calloc(1, sizeof *k);
    if (!k || ax_net_grow((void **)&im->ks, &im->kcap, (size_t)im->nk + 1, sizeof *im->ks)) {
        free(k);
        fail(im, "out of memory");
        return NULL;
    }
    im->ks[im->nk++] = k;
    k->ndim = ndim;
    if (ndim) memcpy(k->dims, dims, (size_t)ndim * sizeof *dims);
    k->count = ax_net_count(dims, ndim);
    if (k->count < 0) {
        fail(im, "a constant of more than 2^40 values");
        return NULL;
    }
    k->f = malloc((size_t)(k->count ? k->count : 1) * sizeof(float));
    if (ints) k->i = malloc((size_t)(k->count ? k->count : 1) * sizeof(int64_t));
    if (!k->f || (ints && !k->i)) {
        fail(im, "out of memory for a constant of %lld values", (long long)k->count);
        return NULL;
    }
    return k;
}

/* A TensorProto as a constant (what names it in messages). */
static konst_t *read_tensor(imp_t *im, const Onnx__TensorProto *t, const char *what)
{
    const char *nm = t->name && *t->name ? t->name : "(unnamed)";
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        fail(im, "%s '%.80s' keeps its data in an external file; axsim reads weights stored inside the "
                 ".onnx file only (save with onnx.save_model(m, f, save_as_external_data=False))",
             what, nm);
        return NULL;
    }
    if (t->n_dims > KDIMS) {
        fail(im, "%s '%.80s' has rank %zu (at most %d)", what, nm, t->n_dims, KDIMS);
        return NULL;
    }
    for (size_t d = 0; d < t->n_dims; d++)
        if (t->dims[d] < 0) {
            fail(im, "%s '%.80s': dimension %zu is %lld", what, nm, d, (long long)t->dims[d]);
            return NULL;
        }
    /* the dtype: its raw size and ax_net_value kind, and the typed field */
    static const struct { int type; const char *name; char kind; int size; int ints; } types[] = {
        {ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, "float", 'f', 4, 0},
        {ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE, "double", 'f', 8, 0},
        {ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, "float16", 'f', 2, 0},
        {ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, "bfloat16", 'B', 2, 0},
        {ONNX__TENSOR_PROTO__DATA_TYPE__INT64, "int64", 'i', 8, 1},
        {ONNX__TENSOR_PROTO__DATA_TYPE__INT32, "int32", 'i', 4, 1},
        {ONNX__TENSOR_PROTO__DATA_TYPE__INT16, "int16", 'i', 2, 1},
        {ONNX__TENSOR_PROTO__DATA_TYPE__INT8, "int8", 'i', 1, 1},
        {ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, "uint8", 'u', 1, 1},
        {ONNX__TENSOR_PROTO__DATA_TYPE__UINT16, "uint16", 'u', 2, 1},
        {ONNX__TENSOR_PROTO__DATA_TYPE__BOOL, "bool", 'b', 1, 1}};
    int ty = -1;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (t->data_type == types[i].type) ty = (int)i;
    if (ty < 0) {
        fail(im, "%s '%.80s' has data type %d (axsim reads float, double, float16, bfloat16 and "
                 "8- to 64-bit integers and bool)", what, nm, (int)t->data_type);
        return NULL;
    }
    /* the values the file holds, checked against the dims before anything is allocated */
    const int size = types[ty].size;
    const int64_t count = ax_net_count(t->dims, (int)t->n_dims);
    if (count < 0) {
        fail(im, "%s '%.80s': its dims hold more than 2^40 values", what, nm);
        return NULL;
    }
    size_t have;
    if (t->has_raw_data) {
        have = t->raw_data.len / (size_t)size;
        if (t->raw_data.len % (size_t)size) have = (size_t)-1;
    } else {
        switch (t->data_type) {
        case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: have = t->n_float_data; break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: have = t->n_double_data; break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: have = t->n_int64_data; break;
        default: have = t->n_int32_data; break; /* int32 and narrower, float16, bfloat16: bits */
        }
    }
    if (have != (size_t)count) {
        fail(im, "%s '%.80s' holds %s%zu values, its dims need %lld", what, nm,
             have == (size_t)-1 ? "a partial value, not " : "", have == (size_t)-1 ? (size_t)0 : have,
             (long long)count);
        return NULL;
    }
    konst_t *k = new_konst(im, (int)t->n_dims, t->dims, types[ty].ints);
    if (!k) return NULL;
    for (int64_t j = 0; j < k->count; j++) {
        int64_t iv = 0;
        float fv;
        if (t->has_raw_data) {
            const unsigned char *p = t->raw_data.data + (size_t)j * (size_t)size;
            fv = ax_net_value(p, types[ty].kind, size, 0);
            if (types[ty].ints) {
                uint64_t u = 0;
                for (int q = size - 1; q >= 0; q--) u = u << 8 | p[q];
                if (types[ty].kind == 'i' && size < 8 && (u >> (8 * size - 1)))
                    u |= ~UINT64_C(0) << (8 * size); /* sign-extend */
                iv = (int64_t)u;
            }
        } else {
            switch (t->data_type) {
            case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: fv = t->float_data[j]; break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: fv = (float)t->double_data[j]; break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: iv = t->int64_data[j], fv = (float)iv; break;
            case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
            case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: {
                unsigned char p[2] = {(unsigned char)t->int32_data[j], (unsigned char)(t->int32_data[j] >> 8)};
                fv = ax_net_value(p, types[ty].kind, 2, 0);
                break;
            }
            default: iv = t->int32_data[j], fv = (float)iv; break;
            }
        }
        k->f[j] = fv;
        if (k->i) k->i[j] = iv;
    }
    return k;
}

/* ---- attributes ------------------------------------------------------------------ */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name)) return n->attribute[i];
    return NULL;
}

/* An INT attribute (def when absent). 0, or -1 with a message. */
static int attr_int(imp_t *im, const Onnx__NodeProto *n, const char *name, int64_t def, int64_t *v)
{
    const Onnx__AttributeProto *a = attr(n, name);
    *v = def;
    if (!a) return 0;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return fail(im, "%s: attribute %s is not an integer", nd(n), name);
    *v = a->i;
    return 0;
}

static int attr_float(imp_t *im, const Onnx__NodeProto *n, const char *name, float def, float *v)
{
    const Onnx__AttributeProto *a = attr(n, name);
    *v = def;
    if (!a) return 0;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
        return fail(im, "%s: attribute %s is not a float", nd(n), name);
    *v = a->f;
    return 0;
}

/* An INTS attribute of exactly want entries into v (def for each when absent). */
static int attr_ints(imp_t *im, const Onnx__NodeProto *n, const char *name, size_t want, int64_t def,
                     int64_t *v)
{
    const Onnx__AttributeProto *a = attr(n, name);
    for (size_t i = 0; i < want; i++) v[i] = def;
    if (!a) return 0;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints != want)
        return fail(im, "%s: attribute %s must hold %zu integers", nd(n), name, want);
    memcpy(v, a->ints, want * sizeof *v);
    return 0;
}

static int attr_str_is(const Onnx__NodeProto *n, const char *name, const char *def, const char *s)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a || a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING) return !strcmp(def, s);
    return a->s.len == strlen(s) && !memcmp(a->s.data, s, a->s.len);
}

/* ---- helpers for the operators ----------------------------------------------------- */

/* Input i of n as a value (NULL with a message when missing; optional
 * inputs: check n_input first). */
static value_t *in(imp_t *im, const Onnx__NodeProto *n, size_t i)
{
    if (i >= n->n_input || !n->input[i] || !*n->input[i]) {
        fail(im, "%s: input %zu is missing", nd(n), i);
        return NULL;
    }
    value_t *v = find(im, n->input[i]);
    if (!v) fail(im, "%s: input '%.80s' is not known", nd(n), n->input[i]);
    return v;
}

static int has_in(const Onnx__NodeProto *n, size_t i)
{
    return i < n->n_input && n->input[i] && *n->input[i];
}

static value_t *tensor_in(imp_t *im, const Onnx__NodeProto *n, size_t i, int rank)
{
    value_t *v = in(im, n, i);
    if (!v) return NULL;
    if (v->node == -2) {
        fail(im, "%s: input '%.80s' is a constant; axsim computes %s only on the network's tensors",
             nd(n), v->name, n->op_type);
        return NULL;
    }
    if (rank && v->rank != rank) {
        fail(im, "%s: input '%.80s' has rank %d, the operator needs %d here", nd(n), v->name, v->rank,
             rank);
        return NULL;
    }
    return v;
}

static konst_t *const_in(imp_t *im, const Onnx__NodeProto *n, size_t i, const char *what)
{
    value_t *v = in(im, n, i);
    if (!v) return NULL;
    if (v->node != -2) {
        fail(im, "%s: %s '%.80s' must be a constant (an initializer), not computed by the graph",
             nd(n), what, v->name);
        return NULL;
    }
    return v->k;
}

/* Outputs beyond the first must be absent or unused. */
static int only_first_output(imp_t *im, const Onnx__NodeProto *n)
{
    for (size_t o = 1; o < n->n_output; o++) {
        if (!n->output[o] || !*n->output[o]) continue;
        for (size_t j = 0; j < im->g->n_node; j++)
            for (size_t i = 0; i < im->g->node[j]->n_input; i++)
                if (!strcmp(im->g->node[j]->input[i], n->output[o]))
                    return fail(im, "%s: its output %zu ('%.80s') is used; axsim gives only the first",
                                nd(n), o, n->output[o]);
        if (im->out_name && !strcmp(im->out_name, n->output[o]))
            return fail(im, "%s: its output %zu is the graph's output; axsim gives only the first", nd(n), o);
    }
    return 0;
}

/* The name of the axsim node for n: the prefix of its weight's name when
 * that ends in ".weight" (PyTorch's module path), else the node's name with
 * '/' as '.', else op and index; made unique. */
static void node_name(imp_t *im, const Onnx__NodeProto *n, size_t idx, const char *weight, char *out, size_t len)
{
    char base[64];
    size_t wl = weight ? strlen(weight) : 0;
    if (wl > 7 && wl - 7 < sizeof base && !strcmp(weight + wl - 7, ".weight") && !strchr(weight, ':'))
        snprintf(base, sizeof base, "%.*s", (int)(wl - 7), weight);
    else if (n->name && *n->name) {
        const char *s = n->name;
        while (*s == '/') s++;
        snprintf(base, sizeof base, "%s", s);
        for (char *p = base; *p; p++)
            if (*p == '/' || *p == ':' || (unsigned char)*p < 32) *p = '.';
    } else {
        snprintf(base, sizeof base, "%.40s_%zu", n->op_type, idx);
    }
    if (!*base) snprintf(base, sizeof base, "node_%zu", idx);
    snprintf(out, len, "%s", base);
    for (int k = 2;; k++) {
        int taken = 0;
        for (int i = 0; i < im->b.m->nnodes && !taken; i++) taken = !strcmp(im->b.m->node[i].name, out);
        if (!taken) return;
        snprintf(out, len, "%.50s_%d", base, k);
    }
}

static int built(imp_t *im, int i)
{
    if (i >= 0) return 0;
    if (im->b.failed == 1) return fail(im, "out of memory");
    return fail(im, "%s", im->b.err);
}

static void set_param(imp_t *im, int p, const float *src)
{
    ax_param_t *q = &im->b.m->param[p];
    memcpy(q->w, src, (size_t)q->count * sizeof(float));
}

/* The one node that reads value name, or NULL (none, or more than one). */
static const Onnx__NodeProto *sole_consumer(imp_t *im, const char *name, size_t *at)
{
    const Onnx__NodeProto *c = NULL;
    for (size_t j = 0; j < im->g->n_node; j++)
        for (size_t i = 0; i < im->g->node[j]->n_input; i++)
            if (!strcmp(im->g->node[j]->input[i], name)) {
                if (c) return NULL;
                c = im->g->node[j], *at = j;
            }
    if (c && im->out_name && !strcmp(im->out_name, name)) return NULL;
    return c;
}

/* Whether t, a constant, has count c and a shape that adds one value per
 * channel: [c], [1, c] (rank 2), [c, 1, 1] or [1, c, 1, 1]. */
static int per_channel(const konst_t *t, int64_t c, int rank)
{
    if (t->count != c) return 0;
    if (t->ndim == 1) return rank == 2 || c == 1;
    if (t->ndim == 2) return rank == 2 && t->dims[0] == 1;
    if (t->ndim == 3) return rank == 4 && t->dims[1] == 1 && t->dims[2] == 1;
    if (t->ndim == 4) return rank == 4 && t->dims[0] == 1 && t->dims[2] == 1 && t->dims[3] == 1;
    return 0;
}

/* ---- the operators ------------------------------------------------------------------- */

static int op_conv(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    value_t *x = tensor_in(im, n, 0, 4);
    konst_t *w = x ? const_in(im, n, 1, "the weight") : NULL;
    if (!w) return -1;
    konst_t *bias = NULL;
    if (has_in(n, 2) && !(bias = const_in(im, n, 2, "the bias"))) return -1;
    int64_t ic, ih, iw;
    ax_build_shape(&im->b, x->node, &ic, &ih, &iw);
    int64_t group, k[2], s[2], p[4], d[2];
    if (attr_int(im, n, "group", 1, &group) || attr_ints(im, n, "strides", 2, 1, s) ||
        attr_ints(im, n, "pads", 4, 0, p) || attr_ints(im, n, "dilations", 2, 1, d))
        return -1;
    if (w->ndim != 4) return fail(im, "%s: the weight has rank %d; axsim's Conv is 2-D (rank 4)", nd(n), w->ndim);
    if (attr_ints(im, n, "kernel_shape", 2, 0, k)) return -1;
    if ((k[0] && k[0] != w->dims[2]) || (k[1] && k[1] != w->dims[3]))
        return fail(im, "%s: kernel_shape [%lld, %lld] disagrees with the weight's [%lld, %lld]", nd(n),
                    (long long)k[0], (long long)k[1], (long long)w->dims[2], (long long)w->dims[3]);
    k[0] = w->dims[2], k[1] = w->dims[3];
    const int64_t oc = w->dims[0];
    if (group < 1 || ic % group || oc % group || w->dims[1] * group != ic)
        return fail(im, "%s: the weight [%lld, %lld, ...] with group %lld does not fit %lld input channels",
                    nd(n), (long long)oc, (long long)w->dims[1], (long long)group, (long long)ic);
    if (s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || k[0] < 1 || k[1] < 1)
        return fail(im, "%s: strides, dilations and the kernel must be positive", nd(n));
    if (bias && (bias->ndim != 1 || bias->count != oc))
        return fail(im, "%s: the bias has %lld values for %lld output channels", nd(n), (long long)bias->count,
                    (long long)oc);
    if (attr_str_is(n, "auto_pad", "NOTSET", "VALID")) {
        p[0] = p[1] = p[2] = p[3] = 0;
    } else if (attr_str_is(n, "auto_pad", "NOTSET", "SAME_UPPER") || attr_str_is(n, "auto_pad", "NOTSET", "SAME_LOWER")) {
        const int64_t sz[2] = {ih, iw};
        for (int a = 0; a < 2; a++) {
            int64_t out = (sz[a] + s[a] - 1) / s[a], need = (out - 1) * s[a] + d[a] * (k[a] - 1) + 1 - sz[a];
            if (need < 0) need = 0;
            p[a] = need / 2, p[a + 2] = need - need / 2;
        }
    } else if (!attr_str_is(n, "auto_pad", "NOTSET", "NOTSET")) {
        return fail(im, "%s: auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER", nd(n));
    }
    if (p[0] != p[2] || p[1] != p[3] || p[0] < 0 || p[1] < 0)
        return fail(im, "%s: pads [%lld, %lld, %lld, %lld] are not the same on both sides; axsim's "
                        "convolution pads symmetrically (pad the input explicitly, or use an odd kernel)",
                    nd(n), (long long)p[0], (long long)p[1], (long long)p[2], (long long)p[3]);
    const int64_t geo[8] = {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]};
    char name[64];
    node_name(im, n, idx, n->input[1], name, sizeof name);
    int i = ax_build_conv(&im->b, name, x->node, oc, geo, group, bias != NULL);
    if (built(im, i)) return -1;
    set_param(im, im->b.m->node[i].weight, w->f);
    if (bias) set_param(im, im->b.m->node[i].bias, bias->f);
    return define(im, n->output[0], i, 4, NULL) ? 0 : -1;
}

/* Gemm (A x B^T or A x B, + C) and MatMul (A x B, + the bias of the Add that
 * follows it, when that is its only reader and adds a constant per output). */
static int op_linear(imp_t *im, const Onnx__NodeProto *n, size_t idx, int gemm)
{
    value_t *x = tensor_in(im, n, 0, 2);
    konst_t *w = x ? const_in(im, n, 1, "the weight (B)") : NULL;
    if (!w) return -1;
    int64_t ta = 0, tb = 0;
    float alpha = 1, beta = 1;
    if (gemm && (attr_int(im, n, "transA", 0, &ta) || attr_int(im, n, "transB", 0, &tb) ||
                 attr_float(im, n, "alpha", 1, &alpha) || attr_float(im, n, "beta", 1, &beta)))
        return -1;
    if (ta || alpha != 1.0f)
        return fail(im, "%s: transA = 1 or alpha != 1 is not supported (the input is the batch; "
                        "scale the weights instead)", nd(n));
    if (w->ndim != 2) return fail(im, "%s: the weight has rank %d; axsim needs a matrix", nd(n), w->ndim);
    int64_t xc, xh, xw;
    ax_build_shape(&im->b, x->node, &xc, &xh, &xw);
    const int64_t fan = xc * xh * xw;
    const int64_t out = tb ? w->dims[0] : w->dims[1], win = tb ? w->dims[1] : w->dims[0];
    if (win != fan)
        return fail(im, "%s: the weight takes %lld inputs, its input has %lld", nd(n), (long long)win,
                    (long long)fan);
    konst_t *c = NULL;
    const Onnx__NodeProto *add = NULL;
    size_t add_at = 0;
    if (gemm && has_in(n, 2)) {
        if (!(c = const_in(im, n, 2, "the bias (C)"))) return -1;
        if (c->count != out && c->count != 1)
            return fail(im, "%s: C has %lld values for %lld outputs", nd(n), (long long)c->count, (long long)out);
    } else if (!gemm && (add = sole_consumer(im, n->output[0], &add_at)) && add->op_type &&
               !strcmp(add->op_type, "Add") && add->n_input == 2) {
        const char *other = strcmp(add->input[0], n->output[0]) ? add->input[0] : add->input[1];
        value_t *o = find(im, other);
        if (o && o->node == -2 && per_channel(o->k, out, 2)) c = o->k;
        else add = NULL;
    } else {
        add = NULL;
    }
    char name[64];
    node_name(im, n, idx, n->input[1], name, sizeof name);
    int i = ax_build_linear(&im->b, name, x->node, out, c != NULL);
    if (built(im, i)) return -1;
    ax_param_t *q = &im->b.m->param[im->b.m->node[i].weight];
    for (int64_t o = 0; o < out; o++) /* axsim's weight is [out, in] */
        for (int64_t k = 0; k < fan; k++) q->w[o * fan + k] = tb ? w->f[o * fan + k] : w->f[k * out + o];
    if (c) {
        float *bw = im->b.m->param[im->b.m->node[i].bias].w;
        for (int64_t o = 0; o < out; o++) bw[o] = beta * c->f[c->count == 1 ? 0 : o];
    }
    if (add) { /* the Add's output is this node's */
        im->folded[add_at] = 1;
        return define(im, n->output[0], i, 2, NULL) && define(im, add->output[0], i, 2, NULL) ? 0 : -1;
    }
    return define(im, n->output[0], i, 2, NULL) ? 0 : -1;
}

static int same_shape(imp_t *im, const value_t *a, const value_t *b)
{
    int64_t s[2][3];
    ax_build_shape(&im->b, a->node, &s[0][0], &s[0][1], &s[0][2]);
    ax_build_shape(&im->b, b->node, &s[1][0], &s[1][1], &s[1][2]);
    return a->rank == b->rank && !memcmp(s[0], s[1], sizeof s[0]);
}

static int op_add(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    value_t *a = in(im, n, 0), *b = a ? in(im, n, 1) : NULL;
    if (!b) return -1;
    if (a->node == -2 || b->node == -2)
        return fail(im, "%s: adds a constant to '%.80s', which is not the output of a MatMul read by this "
                        "Add alone (axsim folds that case into the layer's bias, and adds constants "
                        "nowhere else)", nd(n), a->node == -2 ? b->name : a->name);
    if (!same_shape(im, a, b))
        return fail(im, "%s: '%.80s' and '%.80s' differ in shape; axsim's Add takes two tensors of one "
                        "shape (no broadcasting)", nd(n), a->name, b->name);
    char name[64];
    node_name(im, n, idx, NULL, name, sizeof name);
    int i = ax_build_add(&im->b, name, a->node, b->node);
    if (built(im, i)) return -1;
    return define(im, n->output[0], i, a->rank, NULL) ? 0 : -1;
}

static int op_pool(imp_t *im, const Onnx__NodeProto *n, size_t idx, ax_layer_t kind, int global)
{
    value_t *x = tensor_in(im, n, 0, 4);
    if (!x || only_first_output(im, n)) return -1;
    int64_t k[2] = {0, 0}, s[2], p[4], d[2], ceil_mode, order;
    if (!global) {
        if (attr_ints(im, n, "kernel_shape", 2, 0, k) || attr_ints(im, n, "strides", 2, 1, s) ||
            attr_ints(im, n, "pads", 4, 0, p) || attr_ints(im, n, "dilations", 2, 1, d) ||
            attr_int(im, n, "ceil_mode", 0, &ceil_mode) || attr_int(im, n, "storage_order", 0, &order))
            return -1;
        if (k[0] < 1 || k[0] != k[1] || s[0] != s[1] || s[0] < 1)
            return fail(im, "%s: kernel [%lld, %lld], strides [%lld, %lld]: axsim pools square windows "
                            "with one stride", nd(n), (long long)k[0], (long long)k[1], (long long)s[0],
                        (long long)s[1]);
        if (p[0] || p[1] || p[2] || p[3] || d[0] != 1 || d[1] != 1 || ceil_mode ||
            !(attr_str_is(n, "auto_pad", "NOTSET", "NOTSET") || attr_str_is(n, "auto_pad", "NOTSET", "VALID")))
            return fail(im, "%s: padding, dilation and ceil_mode are not supported in pooling (axsim's "
                            "pools are unpadded, floor mode)", nd(n));
    }
    char name[64];
    node_name(im, n, idx, NULL, name, sizeof name);
    int i = ax_build_pool(&im->b, kind, name, x->node, k[0], global ? 1 : s[0]);
    if (built(im, i)) return -1;
    return define(im, n->output[0], i, 4, NULL) ? 0 : -1;
}

static int op_bn(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    value_t *x = tensor_in(im, n, 0, 0);
    if (!x || only_first_output(im, n)) return -1;
    konst_t *t[4];
    static const char *what[4] = {"scale", "B", "mean", "var"};
    int64_t c, xh, xw;
    ax_build_shape(&im->b, x->node, &c, &xh, &xw);
    for (int j = 0; j < 4; j++) {
        if (!(t[j] = const_in(im, n, (size_t)j + 1, what[j]))) return -1;
        if (t[j]->count != c)
            return fail(im, "%s: %s has %lld values for %lld channels", nd(n), what[j], (long long)t[j]->count,
                        (long long)c);
    }
    float eps, mom;
    int64_t training;
    if (attr_float(im, n, "epsilon", 1e-5f, &eps) || attr_float(im, n, "momentum", 0.9f, &mom) ||
        attr_int(im, n, "training_mode", 0, &training))
        return -1;
    if (training) return fail(im, "%s: training_mode = 1; export the model in eval mode", nd(n));
    if (!(eps > 0) || !isfinite(eps)) return fail(im, "%s: epsilon %g must be positive", nd(n), (double)eps);
    if (mom != 0.9f)
        note(im, "%s: momentum %g; retraining updates the running statistics with 0.9 (PyTorch's 0.1)",
             nd(n), (double)mom);
    char name[64];
    node_name(im, n, idx, n->input[1], name, sizeof name);
    int i = ax_build_bn(&im->b, name, x->node, eps);
    if (built(im, i)) return -1;
    const ax_node_t *d = &im->b.m->node[i];
    set_param(im, d->weight, t[0]->f), set_param(im, d->bias, t[1]->f);
    set_param(im, d->run_mean, t[2]->f), set_param(im, d->run_var, t[3]->f);
    return define(im, n->output[0], i, x->rank, NULL) ? 0 : -1;
}

static int flatten(imp_t *im, const Onnx__NodeProto *n, size_t idx, value_t *x)
{
    char name[64];
    node_name(im, n, idx, NULL, name, sizeof name);
    int i = ax_build_simple(&im->b, AX_LAYER_FLATTEN, name, x->node);
    if (built(im, i)) return -1;
    return define(im, n->output[0], i, 2, NULL) ? 0 : -1;
}

static int op_reshape(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    value_t *x = tensor_in(im, n, 0, 0);
    konst_t *s = x ? const_in(im, n, 1, "the shape") : NULL;
    if (!s) return -1;
    int64_t xc, xh, xw;
    ax_build_shape(&im->b, x->node, &xc, &xh, &xw);
    const int64_t f = xc * xh * xw;
    if (!s->i || s->count != 2 || !(s->i[1] == -1 || s->i[1] == f) || (s->i[0] == -1 && s->i[1] == -1))
        return fail(im, "%s: axsim reshapes only to [batch, %lld] (a flatten: shape [-1, %lld], [0, -1] or "
                        "[N, -1])", nd(n), (long long)f, (long long)f);
    return flatten(im, n, idx, x);
}

/* Transpose of a constant: a new constant. */
static int op_transpose(imp_t *im, const Onnx__NodeProto *n)
{
    value_t *x = in(im, n, 0);
    if (!x) return -1;
    if (x->node != -2)
        return fail(im, "%s: transposes a tensor of the network; axsim transposes constants (weights) only",
                    nd(n));
    const konst_t *k = x->k;
    int64_t perm[KDIMS];
    for (int i = 0; i < k->ndim; i++) perm[i] = k->ndim - 1 - i;
    const Onnx__AttributeProto *a = attr(n, "perm");
    if (a && attr_ints(im, n, "perm", (size_t)k->ndim, 0, perm)) return -1;
    int seen[KDIMS] = {0};
    int64_t dims[KDIMS], stride[KDIMS];
    for (int i = 0; i < k->ndim; i++) {
        if (perm[i] < 0 || perm[i] >= k->ndim || seen[perm[i]]++)
            return fail(im, "%s: perm is not a permutation of 0..%d", nd(n), k->ndim - 1);
        dims[i] = k->dims[perm[i]];
    }
    konst_t *t = new_konst(im, k->ndim, dims, k->i != NULL);
    if (!t) return -1;
    int64_t st = 1;
    for (int i = k->ndim - 1; i >= 0; i--) stride[i] = st, st *= k->dims[i];
    for (int64_t j = 0; j < t->count; j++) { /* j's index in t, mapped to k */
        int64_t rem = j, src = 0;
        for (int i = k->ndim - 1; i >= 0; i--) {
            int64_t c = rem % dims[i];
            rem /= dims[i];
            src += c * stride[perm[i]];
        }
        t->f[j] = k->f[src];
        if (t->i) t->i[j] = k->i[src];
    }
    return define(im, n->output[0], -2, 0, t) ? 0 : -1;
}

static int op_constant(imp_t *im, const Onnx__NodeProto *n)
{
    const Onnx__AttributeProto *a = n->n_attribute == 1 ? n->attribute[0] : NULL;
    konst_t *k = NULL;
    if (a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && a->t) {
        k = read_tensor(im, a->t, "the value of Constant");
    } else if (a && (a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT ||
                     a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)) {
        k = new_konst(im, 0, NULL, a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
        if (k) {
            k->f[0] = a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT ? (float)a->i : a->f;
            if (k->i) k->i[0] = a->i;
        }
    } else if (a && (a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS ||
                     a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)) {
        const int ints = a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        int64_t d = (int64_t)(ints ? a->n_ints : a->n_floats);
        k = new_konst(im, 1, &d, ints);
        for (int64_t j = 0; k && j < d; j++) {
            k->f[j] = ints ? (float)a->ints[j] : a->floats[j];
            if (ints) k->i[j] = a->ints[j];
        }
    } else {
        return fail(im, "%s: axsim reads Constant with one attribute value, value_float(s) or value_int(s)",
                    nd(n));
    }
    if (!k) return -1;
    return define(im, n->output[0], -2, 0, k) ? 0 : -1;
}

static int op_dropout(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    value_t *x = tensor_in(im, n, 0, 0);
    if (!x || only_first_output(im, n)) return -1;
    float p = 0.5f;
    if (attr_float(im, n, "ratio", 0.5f, &p)) return -1;
    if (has_in(n, 1)) {
        konst_t *r = const_in(im, n, 1, "the ratio");
        if (!r) return -1;
        if (r->count != 1) return fail(im, "%s: the ratio is not a scalar", nd(n));
        p = r->f[0];
    }
    if (!(p >= 0 && p < 1)) return fail(im, "%s: ratio %g is not in [0, 1)", nd(n), (double)p);
    char name[64];
    node_name(im, n, idx, NULL, name, sizeof name);
    int i = ax_build_dropout(&im->b, name, x->node, p);
    if (built(im, i)) return -1;
    return define(im, n->output[0], i, x->rank, NULL) ? 0 : -1;
}

/* Pad: only a zero pad (what PyTorch writes before an AveragePool), an
 * alias; any other padding is refused. */
static int op_pad(imp_t *im, const Onnx__NodeProto *n)
{
    value_t *x = tensor_in(im, n, 0, 0);
    if (!x) return -1;
    int nz = 0;
    const Onnx__AttributeProto *a = attr(n, "pads");
    if (has_in(n, 1)) {
        konst_t *p = const_in(im, n, 1, "the pads");
        if (!p) return -1;
        for (int64_t j = 0; j < p->count; j++) nz |= p->f[j] != 0;
    } else if (a) {
        for (size_t j = 0; j < a->n_ints; j++) nz |= a->ints[j] != 0;
    }
    if (nz)
        return fail(im, "%s: pads that are not all zero; axsim pads only inside Conv (pass the padding "
                        "to the convolution)", nd(n));
    return define(im, n->output[0], x->node, x->rank, NULL) ? 0 : -1;
}

/* Relu, LeakyRelu, Sigmoid, Tanh, Clip: elementwise, of the network's tensors. */
static int op_act(imp_t *im, const Onnx__NodeProto *n, size_t idx, ax_layer_t kind)
{
    value_t *x = tensor_in(im, n, 0, 0);
    if (!x) return -1;
    float p = 0, lo = -INFINITY, hi = INFINITY;
    if (kind == AX_LAYER_LEAKY && attr_float(im, n, "alpha", 0.01f, &p)) return -1;
    if (kind == AX_LAYER_CLIP) {
        if (attr_float(im, n, "min", -INFINITY, &lo) || attr_float(im, n, "max", INFINITY, &hi)) return -1;
        for (size_t i = 1; i <= 2; i++) { /* opset 11 on: min and max are inputs */
            if (!has_in(n, i)) continue;
            konst_t *k = const_in(im, n, i, i == 1 ? "min" : "max");
            if (!k) return -1;
            if (k->count != 1) return fail(im, "%s: %s is not a scalar", nd(n), i == 1 ? "min" : "max");
            *(i == 1 ? &lo : &hi) = k->f[0];
        }
        if (!(lo <= hi)) return fail(im, "%s: min %g is above max %g", nd(n), (double)lo, (double)hi);
    }
    if (!isfinite(p)) return fail(im, "%s: alpha %g is not finite", nd(n), (double)p);
    char name[64];
    node_name(im, n, idx, NULL, name, sizeof name);
    int i = kind == AX_LAYER_RELU ? ax_build_simple(&im->b, kind, name, x->node)
                                  : ax_build_act(&im->b, kind, name, x->node, p, lo, hi);
    if (built(im, i)) return -1;
    return define(im, n->output[0], i, x->rank, NULL) ? 0 : -1;
}

/* Concat along the channels (axis 1) of two or more of the network's
 * tensors of one height and width: a chain of two-input concatenations. */
static int op_concat(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    int64_t axis;
    if (attr_int(im, n, "axis", 1, &axis)) return -1;
    if (n->n_input < 1) return fail(im, "%s: no inputs", nd(n));
    value_t *first = tensor_in(im, n, 0, 0);
    if (!first) return -1;
    if (axis != 1 && axis != 1 - first->rank)
        return fail(im, "%s: axis %lld; axsim concatenates channels (axis 1) only", nd(n), (long long)axis);
    int cur = first->node;
    for (size_t k = 1; k < n->n_input; k++) {
        value_t *v = tensor_in(im, n, k, first->rank);
        if (!v) return -1;
        int64_t c0, h0, w0, c1, h1, w1;
        ax_build_shape(&im->b, cur, &c0, &h0, &w0);
        ax_build_shape(&im->b, v->node, &c1, &h1, &w1);
        if (h0 != h1 || w0 != w1)
            return fail(im, "%s: input %zu is %lldx%lld, the others %lldx%lld", nd(n), k, (long long)h1,
                        (long long)w1, (long long)h0, (long long)w0);
        char name[64];
        node_name(im, n, idx, NULL, name, sizeof name);
        cur = ax_build_concat(&im->b, name, cur, v->node);
        if (built(im, cur)) return -1;
    }
    if (cur < 0) return fail(im, "%s: concatenates the input alone; axsim needs two or more tensors", nd(n));
    return define(im, n->output[0], cur, first->rank, NULL) ? 0 : -1;
}

static const char supported[] =
    "Conv, Gemm, MatMul (+ Add of a bias), Add, Relu, LeakyRelu, Sigmoid, Tanh, Clip, MaxPool, "
    "AveragePool, GlobalAveragePool, Concat (channels), "
    "BatchNormalization, Flatten, Reshape (to a flatten), Transpose of constants, Constant, Identity, "
    "Dropout, Pad of zeros, and a final Softmax or LogSoftmax";

static int op(imp_t *im, const Onnx__NodeProto *n, size_t idx)
{
    const char *t = n->op_type ? n->op_type : "";
    if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx"))
        return fail(im, "%s: operator domain '%.40s'; axsim reads the default ONNX domain only", nd(n), n->domain);
    if (n->n_output < 1 || !n->output[0] || !*n->output[0]) return fail(im, "%s: no output", nd(n));
    if (im->folded[idx]) return 0;
    if (!strcmp(t, "Conv")) return op_conv(im, n, idx);
    if (!strcmp(t, "Gemm")) return op_linear(im, n, idx, 1);
    if (!strcmp(t, "MatMul")) return op_linear(im, n, idx, 0);
    if (!strcmp(t, "Add")) return op_add(im, n, idx);
    if (!strcmp(t, "MaxPool")) return op_pool(im, n, idx, AX_LAYER_MAXPOOL, 0);
    if (!strcmp(t, "AveragePool")) return op_pool(im, n, idx, AX_LAYER_AVGPOOL, 0);
    if (!strcmp(t, "GlobalAveragePool")) return op_pool(im, n, idx, AX_LAYER_AVGPOOL, 1);
    if (!strcmp(t, "BatchNormalization")) return op_bn(im, n, idx);
    if (!strcmp(t, "Reshape")) return op_reshape(im, n, idx);
    if (!strcmp(t, "Transpose")) return op_transpose(im, n);
    if (!strcmp(t, "Constant")) return op_constant(im, n);
    if (!strcmp(t, "Dropout")) return op_dropout(im, n, idx);
    if (!strcmp(t, "Pad")) return op_pad(im, n);
    if (!strcmp(t, "Concat")) return op_concat(im, n, idx);
    if (!strcmp(t, "Relu")) return op_act(im, n, idx, AX_LAYER_RELU);
    if (!strcmp(t, "LeakyRelu")) return op_act(im, n, idx, AX_LAYER_LEAKY);
    if (!strcmp(t, "Sigmoid")) return op_act(im, n, idx, AX_LAYER_SIGMOID);
    if (!strcmp(t, "Tanh")) return op_act(im, n, idx, AX_LAYER_TANH);
    if (!strcmp(t, "Clip")) return op_act(im, n, idx, AX_LAYER_CLIP);
    if (!strcmp(t, "Flatten")) {
        value_t *x = tensor_in(im, n, 0, 0);
        int64_t axis;
        if (!x || attr_int(im, n, "axis", 1, &axis)) return -1;
        if (axis != 1) return fail(im, "%s: axis %lld; axsim flattens all but the batch (axis 1)", nd(n), (long long)axis);
        return flatten(im, n, idx, x);
    }
    if (!strcmp(t, "Identity")) {
        value_t *x = in(im, n, 0);
        if (!x) return -1;
        return define(im, n->output[0], x->node, x->rank, x->k) ? 0 : -1;
    }
    if (!strcmp(t, "Softmax") || !strcmp(t, "LogSoftmax")) {
        value_t *x = tensor_in(im, n, 0, 2);
        if (!x) return -1;
        if (!im->out_name || strcmp(n->output[0], im->out_name))
            return fail(im, "%s: a %s inside the network; axsim takes it only as the last node (left "
                            "out: the logits before it are the output)", nd(n), t);
        note(im, "the final %s is left out: the logits before it are the model's output (the same "
                 "predictions; the loss is the cross-entropy of those logits)", t);
        return define(im, n->output[0], x->node, 2, NULL) ? 0 : -1;
    }
    return fail(im, "%s: operator %s is not supported; axsim imports %s", nd(n), t, supported);
}

/* ---- the graph ----------------------------------------------------------------------- */

/* Whether name is available: the input, an initializer, or an output of a
 * node already done. */
static int available(imp_t *im, const char *name)
{
    return !*name || find(im, name) != NULL;
}

static int import(imp_t *im, Onnx__ModelProto *mp)
{
    if (!mp->graph) return fail(im, "the model has no graph");
    Onnx__GraphProto *g = im->g = mp->graph;
    /* opsets */
    int64_t opset = -1;
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
        if (!o->domain || !*o->domain || !strcmp(o->domain, "ai.onnx")) opset = o->version;
    }
    if (opset < 0) return fail(im, "no opset of the default ONNX domain is imported");
    if (opset < 9 || opset > 17)
        return fail(im, "opset %lld; axsim reads opsets 9 to 17 (export with opset_version in that range)",
                    (long long)opset);
    if (g->n_node > MAX_NODES) return fail(im, "%zu nodes (at most %d)", g->n_node, MAX_NODES);
    if (g->n_output != 1 || !g->output[0]->name)
        return fail(im, "the graph has %zu outputs; axsim needs one, the logits [N, classes]", g->n_output);
    im->out_name = g->output[0]->name;
    if (!(im->folded = calloc(g->n_node + 1, 1))) return fail(im, "out of memory");
    /* initializers */
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *t = g->initializer[i];
        if (!t->name || !*t->name) return fail(im, "initializer %zu has no name", i);
        konst_t *k = read_tensor(im, t, "initializer");
        if (!k || !define(im, t->name, -2, 0, k)) return -1;
    }
    /* the one input that is not an initializer: an image batch [N, C, H, W] */
    const Onnx__ValueInfoProto *inp = NULL;
    for (size_t i = 0; i < g->n_input; i++) {
        if (!g->input[i]->name || find(im, g->input[i]->name)) continue;
        if (inp) return fail(im, "the graph has two inputs ('%.80s', '%.80s'); axsim feeds one image batch",
                             inp->name, g->input[i]->name);
        inp = g->input[i];
    }
    if (!inp) return fail(im, "the graph has no input");
    const Onnx__TypeProto *ty = inp->type;
    const Onnx__TensorShapeProto *sh = ty && ty->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && ty->tensor_type
                                           ? ty->tensor_type->shape : NULL;
    if (!sh || sh->n_dim != 4 || ty->tensor_type->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return fail(im, "the input '%.80s' is not a float tensor of rank 4 (N, C, H, W)", inp->name);
    int64_t chw[3];
    for (int d = 0; d < 3; d++) {
        const Onnx__TensorShapeProto__Dimension *dm = sh->dim[d + 1];
        if (dm->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE || dm->dim_value < 1 ||
            dm->dim_value > 65536)
            return fail(im, "the input '%.80s': dimension %d (C, H, W) must be a fixed size in 1..65536", inp->name,
                        d + 1);
        chw[d] = dm->dim_value;
    }
    ax_model_t *m = im->b.m;
    m->in_c = chw[0], m->in_h = chw[1], m->in_w = chw[2];
    if (!define(im, inp->name, -1, 4, NULL)) return -1;
    /* the nodes, each once its inputs are there (a topological order) */
    unsigned char *done = calloc(g->n_node + 1, 1);
    if (!done) return fail(im, "out of memory");
    size_t left = g->n_node;
    int rc = 0;
    while (left && !rc) {
        size_t progress = 0;
        for (size_t j = 0; j < g->n_node && !rc; j++) {
            const Onnx__NodeProto *n = g->node[j];
            if (done[j]) continue;
            int ready = 1;
            for (size_t i = 0; i < n->n_input && ready; i++) ready = available(im, n->input[i]);
            if (!ready) continue;
            rc = op(im, n, j);
            done[j] = 1, left--, progress++;
        }
        if (!rc && left && !progress) {
            /* a missing input, or a cycle */
            for (size_t j = 0; j < g->n_node && !rc; j++) {
                if (done[j]) continue;
                const Onnx__NodeProto *n = g->node[j];
                for (size_t i = 0; i < n->n_input && !rc; i++) {
                    if (available(im, n->input[i])) continue;
                    int made = 0;
                    for (size_t q = 0; q < g->n_node && !made; q++)
                        for (size_t o = 0; o < g->node[q]->n_output && !made; o++)
                            made = !strcmp(g->node[q]->output[o], n->input[i]);
                    rc = made ? fail(im, "the graph has a cycle through %s", nd(n))
                              : fail(im, "%s: input '%.80s' is produced by no node, initializer or graph input",
                                     nd(n), n->input[i]);
                }
            }
        }
    }
    free(done);
    if (rc) return -1;
    /* the output: the logits of the last node */
    value_t *out = find(im, im->out_name);
    if (!out) return fail(im, "the graph's output '%.80s' is produced by no node", im->out_name);
    if (out->node < 0 || out->rank != 2)
        return fail(im, "the graph's output '%.80s' is not a [N, classes] tensor computed by the network",
                    im->out_name);
    if (out->node != m->nnodes - 1)
        return fail(im, "the graph's output '%.80s' is not the last node axsim computes (a node after it "
                        "leads nowhere)", im->out_name);
    if (m->node[out->node].c < 2 || m->node[out->node].c > 65536)
        return fail(im, "the output has %lld classes (2..65536)", (long long)m->node[out->node].c);
    m->classes = (int)m->node[out->node].c;
    return 0;
}

ax_model_t *ax_onnx_load(const char *path, char *notes, size_t notes_len, char *err, size_t errlen)
{
    if (notes && notes_len) notes[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ax_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    unsigned char *buf = NULL;
    if (len < 0 || len > MAX_BYTES) {
        fclose(f);
        ax_fail(err, errlen, "%s: %s", path, len < 0 ? "cannot seek" : "larger than 1 GiB");
        return NULL;
    }
    rewind(f);
    buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        ax_fail(err, errlen, "%s: cannot read %ld bytes", path, len);
        return NULL;
    }
    fclose(f);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, (size_t)len, buf);
    free(buf);
    if (!mp) {
        ax_fail(err, errlen, "%s: not an ONNX model (the protobuf does not parse as onnx.ModelProto: "
                             "truncated, or another format)", path);
        return NULL;
    }
    imp_t im = {0};
    im.path = path, im.err = err, im.errlen = errlen, im.notes = notes, im.nlen = notes_len;
    ax_model_t *m = calloc(1, sizeof *m);
    int rc = -1;
    if (!m) {
        ax_fail(err, errlen, "out of memory");
    } else {
        snprintf(m->arch, sizeof m->arch, "onnx");
        im.b.m = m, im.b.err = err, im.b.errlen = errlen;
        rc = import(&im, mp);
    }
    for (int i = 0; i < im.nk; i++) free(im.ks[i]->f), free(im.ks[i]->i), free(im.ks[i]);
    free(im.ks);
    free(im.v);
    free(im.folded);
    onnx__model_proto__free_unpacked(mp, NULL);
    if (rc) {
        ax_model_free(m);
        return NULL;
    }
    return m;
}
