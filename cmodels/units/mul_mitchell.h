/* mul_mitchell — significand stage of Mitchell's logarithmic multiplier
 * (IRE Trans. Electronic Computers, 1962): log2(1+x) ~ x, so
 *   (1+x)(1+y) ~ 1 + x + y     when x + y < 1
 *              ~ 2 (x + y)     when x + y >= 1 (exponent raised by one).
 * Never above the exact product; at most 1/9 below it (x = y = 1/2). */
#ifndef AX_MUL_MITCHELL_H
#define AX_MUL_MITCHELL_H

#include "sig_common.h"

AX_HD uint64_t ax_sig_mul_mitchell(uint32_t xa, uint32_t xb, int m)
{
    uint64_t s = (uint64_t)xa + xb; /* x + y, M fraction bits */
    uint64_t one = UINT64_C(1) << m;
    uint64_t v = s < one ? one + s : 2 * s;
    return v << (m + 15);
}

/* Mitchell plus a correction c (in AX_PFRAC units) added to the fraction sum
 * when x + y < 1, and c/2 when x + y >= 1 (the same c on the product's
 * scale); no correction where adding it would carry out of the fraction
 * (MBM's rule). */
AX_HD uint64_t ax_sig_mitchell_corrected(uint32_t xa, uint32_t xb, int m, uint64_t c)
{
    const uint64_t one = ax_sig_one(m);
    uint64_t s = ((uint64_t)xa + xb) << (m + 15); /* x + y in AX_PFRAC units */
    if (s < one) return (s + c < one) ? one + s + c : one + s;
    uint64_t f = s - one + c / 2; /* fraction of 2(x+y) = 2(1 + f) */
    return (f < one) ? 2 * (one + f) : 2 * s;
}

#endif
