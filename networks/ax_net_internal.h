/* ax_net_internal.h — what the readers of networks/ share: error messages,
 * (ax_fail.h), element counts, decoding one stored value to float32. Not installed. */
#ifndef AX_NET_INTERNAL_H
#define AX_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ax_fail.h"

/* Product of dims, or -1 when a dimension is negative or the product passes
 * 2^40 values. */
int64_t ax_net_count(const int64_t *dims, int ndim);

/* One stored value as float32. kind: 'b' bool, 'u' unsigned, 'i' signed
 * (size 1, 2, 4, 8), 'f' IEEE float (size 2 = binary16, 4, 8), 'B' bfloat16;
 * big: big-endian bytes. Exact, except integers above 2^24 and doubles,
 * which round to nearest even. */
float ax_net_value(const unsigned char *p, char kind, int size, int big);

#endif
