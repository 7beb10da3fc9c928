/* ax_build.h — building a model node by node (ax_models.c): the built-in
 * architectures and the ONNX importer (ax_onnx.c) use it. Not installed.
 * Each call appends a node reading node in (-1: the network input) and its
 * parameters (zero), and returns the node's index; after a failure
 * (b->failed: 1 out of memory, 2 with the reason in b->err) every later call
 * returns -1 and does nothing. */
#ifndef AX_BUILD_H
#define AX_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "ax_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ax_builder {
    ax_model_t *m;
    int failed;
    char *err;
    size_t errlen;
} ax_builder_t;

/* The per-image output shape of node in (-1: the network input). */
void ax_build_shape(const ax_builder_t *b, int in, int64_t *c, int64_t *h, int64_t *w);
/* conv2d: g = {kh, kw, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w}
 * (pads on both sides), weights name.weight [oc, in_c/groups, kh, kw], with
 * bias name.bias [oc]. */
int ax_build_conv(ax_builder_t *b, const char *name, int in, int64_t oc, const int64_t g[8],
                  int64_t groups, int bias);
/* linear over in's c*h*w values: name.weight [out, c*h*w], name.bias [out]. */
int ax_build_linear(ax_builder_t *b, const char *name, int in, int64_t out, int bias);
/* relu, flatten (and the spiking nodes): no parameters. */
int ax_build_simple(ax_builder_t *b, ax_layer_t kind, const char *name, int in);
/* max or average pooling k x k, stride s, no padding; k = 0: global. */
int ax_build_pool(ax_builder_t *b, ax_layer_t kind, const char *name, int in, int64_t k, int64_t stride);
/* batchnorm with epsilon eps: name.weight, .bias, .running_mean, .running_var. */
int ax_build_bn(ax_builder_t *b, const char *name, int in, float eps);
int ax_build_dropout(ax_builder_t *b, const char *name, int in, float p);
/* An activation of ax_nn.h's imported kinds (leaky: slope p; clip: lo, hi). */
int ax_build_act(ax_builder_t *b, ax_layer_t kind, const char *name, int in, float p, float lo, float hi);
/* The channels of x, then those of y2 (same height and width). */
int ax_build_concat(ax_builder_t *b, const char *name, int x, int y2);
/* y = x + y2 (same shapes). */
int ax_build_add(ax_builder_t *b, const char *name, int x, int y2);

#ifdef __cplusplus
}
#endif

#endif
