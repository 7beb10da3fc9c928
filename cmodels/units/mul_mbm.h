/* mul_mbm — significand stage of the minimally biased multiplier (Saadat,
 * Bokhari, Parameswaran, IEEE TCAD 2018): Mitchell with the constant
 * correction c = 2^-4 + 2^-6 (c/2 when x + y >= 1). The unit truncates
 * (rounds toward zero) into the output format. */
#ifndef AX_MUL_MBM_H
#define AX_MUL_MBM_H

#include "mul_mitchell.h"

AX_HD uint64_t ax_sig_mul_mbm(uint32_t xa, uint32_t xb, int m)
{
    uint64_t c = UINT64_C(5) << (AX_PFRAC(m) - 6); /* 2^-4 + 2^-6 = 5/64 */
    return ax_sig_mitchell_corrected(xa, xb, m, c);
}

#endif
