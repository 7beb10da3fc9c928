/* ax_layer_check.h — the checks every layer entry point of the fast path
 * starts with (ax_conv.c defines them; ax_spike.c shares them), so that
 * convolution, linear and spiking layers refuse bad input with the same
 * messages. Private to cuda_fastpath/. */
#ifndef AX_LAYER_CHECK_H
#define AX_LAYER_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "ax_fastpath.h"

/* An engine and a valid MAC configuration for op. 0, or -1 with a message. */
int ax_layer_begin(const ax_engine_t *e, const ax_mac_cfg_t *cfg, const char *op, char *err,
                   size_t errlen);
/* ptr may be NULL only when count is 0. 0, or -1 naming op and name. */
int ax_layer_need(const void *ptr, int64_t count, const char *op, const char *name, char *err,
                  size_t errlen);
/* n, in, out >= 0 and every product of two of them an element count the
 * fast path can hold (so n*in, out*in, n*out may then be formed). 0, or -1. */
int ax_linear_check(int64_t n, int64_t in, int64_t out, const char *op, char *err,
                    size_t errlen);

#endif
