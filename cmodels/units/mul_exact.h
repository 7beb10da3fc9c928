/* mul_exact — significand stage: the exact product (1.xa) * (1.xb).
 * mul_trunc uses the same stage and forces round-toward-zero. */
#ifndef AX_MUL_EXACT_H
#define AX_MUL_EXACT_H

#include "sig_common.h"

AX_HD uint64_t ax_sig_mul_exact(uint32_t xa, uint32_t xb, int m)
{
    uint64_t a = xa | (UINT64_C(1) << m), b = xb | (UINT64_C(1) << m);
    return (a * b) << 15;
}

#endif
