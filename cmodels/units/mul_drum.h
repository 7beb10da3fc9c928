/* mul_drum — significand stage of DRUM (Hashemi, Bahar, Reda, ICCAD 2015):
 * each (M+1)-bit significand, hidden bit included, is cut to its top k bits
 * and the lowest kept bit is forced to 1 (unbiasing the cut); the two cut
 * significands are multiplied exactly. k >= M+1 cuts nothing (exact). */
#ifndef AX_MUL_DRUM_H
#define AX_MUL_DRUM_H

#include "sig_common.h"

AX_HD uint64_t ax_drum_cut(uint64_t sig, int m, int k)
{
    if (k >= m + 1) return sig;
    int drop = m + 1 - k;
    return ((sig >> drop) | 1) << drop;
}

AX_HD uint64_t ax_sig_mul_drum(uint32_t xa, uint32_t xb, int m, int k)
{
    uint64_t a = ax_drum_cut(xa | (UINT64_C(1) << m), m, k);
    uint64_t b = ax_drum_cut(xb | (UINT64_C(1) << m), m, k);
    return (a * b) << 15;
}

#endif
