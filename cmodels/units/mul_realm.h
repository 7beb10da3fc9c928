/* mul_realm — significand stage of REALM (Saadat, Javaid, Ignjatovic,
 * Parameswaran, DATE 2020): the unit square of fractions (x, y) is cut into
 * segs x segs segments; segment (i, j) = (floor(x*segs), floor(y*segs)) has
 * its own error-reduction term s_ij, added like MBM's c. s_ij makes the mean
 * relative error over its segment zero (derivation: scripts/gen_realm_table.c,
 * table: realm_table.h); it is rounded to q fraction bits (half up). Unlike
 * MBM the term is always added, as the derivation assumes (product = Mitchell
 * + s on the product's scale, i.e. s to the fraction sum, s/2 when x+y >= 1):
 * a sum that reaches the next power of two moves the product up a binade.
 * The unit truncates into the output format, as MBM. */
#ifndef AX_MUL_REALM_H
#define AX_MUL_REALM_H

#include "mul_mitchell.h"
#include "realm_table.h"

/* s_ij rounded to q fraction bits, as an integer (units of 2^-q). */
AX_HD uint32_t ax_realm_term(int lg, uint32_t i, uint32_t j, int q)
{
#if defined(__CUDA_ARCH__)
    const uint32_t *t = ax_realm_s32_dev;
#else
    const uint32_t *t = ax_realm_s32;
#endif
    uint32_t s32 = t[AX_REALM_OFFSET(lg) + (i << lg) + j];
    return (uint32_t)(((uint64_t)s32 + (UINT64_C(1) << (31 - q))) >> (32 - q));
}

/* lg = log2(segs), 0..4; q in 1..15. */
AX_HD uint64_t ax_sig_mul_realm(uint32_t xa, uint32_t xb, int m, int lg, int q)
{
    uint32_t i = (xa << lg) >> m, j = (xb << lg) >> m;
    return ax_sig_mul_mitchell(xa, xb, m) + ((uint64_t)ax_realm_term(lg, i, j, q) << (AX_PFRAC(m) - q));
}

#endif
