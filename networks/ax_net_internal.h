/* ax_net_internal.h — what the readers of networks/ share: error messages,
 * (ax_fail.h), element counts, decoding one stored value to float32. Not installed. */
#ifndef AX_NET_INTERNAL_H
#define AX_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ax_fail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Product of dims, or -1 when a dimension is negative or the product passes
 * 2^40 values. */
int64_t ax_net_count(const int64_t *dims, int ndim);

/* One stored value as float32. kind: 'b' bool, 'u' unsigned, 'i' signed
 * (size 1, 2, 4, 8), 'f' IEEE float (size 2 = binary16, 4, 8), 'B' bfloat16;
 * big: big-endian bytes. Exact, except integers above 2^24 and doubles,
 * which round to nearest even. */
float ax_net_value(const unsigned char *p, char kind, int size, int big);

/* Grows *p (capacity *cap elements of elem bytes) to hold need elements;
 * keeps it when large enough. 0, or -1 (overflow, out of memory; *p kept). */
int ax_net_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- spiking nodes (ax_snn.c), called by ax_nn.c ---- */
struct ax_model;
struct ax_node;
/* Forward of an ENCODE, LIF or READOUT node over n images (x: the input of
 * the node). 0, or -1 with a message (out of memory). */
int ax_snn_node_forward(struct ax_model *m, struct ax_node *d, const float *x, int64_t n,
                        int train, char *err, size_t errlen);
/* Backward of a LIF or READOUT node: the gradient of its input into g. */
void ax_snn_node_backward(struct ax_model *m, struct ax_node *d, int64_t n, float *g);
/* The neuron of cfg over T steps of one element (ax_snn.c): currents
 * x[t*stride]; spiking 0: a readout by membrane (no spike, no reset); spikes
 * into s[t*stride], the membrane before the reset into pre[t*stride] (either
 * may be NULL), the sum over t of the membrane into *msum (may be NULL).
 * native: native fp32 arithmetic, only where ax_snn_native_fp32 says it
 * gives the C model's bits. Returns the spikes. */
struct ax_neuron_cfg;
int64_t ax_snn_neuron_run(const struct ax_neuron_cfg *c, int native, const float *x,
                          int64_t stride, int64_t T, int spiking, float *s, float *pre,
                          double *msum);
int ax_snn_native_fp32(const struct ax_neuron_cfg *c);
/* Accumulates of a synapse node with spike input s (one byte per input
 * value, nb items). */
int64_t ax_snn_synops(const struct ax_node *d, const uint8_t *s, int64_t nb);

#ifdef __cplusplus
}
#endif

#endif
