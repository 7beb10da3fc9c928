/* sig_common.h — conventions of the multiplier significand stage.
 *
 * Inputs: xa, xb, the M-bit fractions of the normalized significands 1.xa and
 * 1.xb (the LUT index is (xa << M) | xb). Output: the approximate product of
 * the significands as an unsigned fixed-point number with AX_PFRAC(M) = 2M+15
 * fraction bits and up to 3 integer bits (value in [1, 5): Mitchell-based
 * products with a REALM term may pass 4). Exact products need 2M fraction
 * bits; the 15 further bits hold the MBM/REALM corrections exactly. For
 * M = 23 that is 61 + 3 = 64 bits. */
#ifndef AX_SIG_COMMON_H
#define AX_SIG_COMMON_H

#include "../ax_hd.h"

#define AX_PFRAC(m) (2 * (m) + 15)

AX_HD uint64_t ax_sig_one(int m) { return UINT64_C(1) << AX_PFRAC(m); }

#endif
