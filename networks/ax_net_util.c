/* ax_net_util.c — shared pieces of the networks/ readers (ax_net_internal.h). */
#include "ax_net_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_convert.h"

int64_t ax_net_count(const int64_t *dims, int ndim)
{
    int64_t c = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0 || (dims[i] && c > (INT64_C(1) << 40) / dims[i])) return -1;
        c *= dims[i];
    }
    return c;
}

float ax_net_value(const unsigned char *p, char kind, int size, int big)
{
    uint64_t u = 0;
    for (int i = 0; i < size; i++) u = u << 8 | p[big ? i : size - 1 - i];
    uint32_t b;
    float f;
    switch (kind) {
    case 'b': return u ? 1.0f : 0.0f;
    case 'u': return (float)u;
    case 'i': {
        int64_t s = size == 8 ? (int64_t)u
                              : (int64_t)(u ^ (UINT64_C(1) << (8 * size - 1))) - (INT64_C(1) << (8 * size - 1));
        return (float)s;
    }
    case 'B': b = (uint32_t)u << 16; break;
    default:
        if (size == 8) {
            double d;
            memcpy(&d, &u, 8);
            return (float)d;
        }
        b = size == 2 ? ax_to_f32bits((uint32_t)u, ax_format_make(5, 10)) : (uint32_t)u;
        break;
    }
    memcpy(&f, &b, 4);
    return f;
}

int ax_net_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    if (elem && need > SIZE_MAX / elem) return -1;
    void *q = realloc(*p, need * elem);
    if (!q) return -1;
    *p = q;
    *cap = need;
    return 0;
}
