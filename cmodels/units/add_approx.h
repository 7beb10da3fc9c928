/* add_approx.h — significand stages of the adders, on aligned significands
 * x >= y of a w-bit datapath (alignment: ax_align in ax_units.h). Each returns
 * the (w+1)-bit sum of an effective addition; effective subtractions are
 * exact on the datapath for every adder (ax_add in ax_units.h).
 *   add_exact / add_trunc : x + y
 *   add_loa:l   lower-part OR adder (Mahdiani et al., IEEE TCAS-I 2010):
 *               low l bits x_i | y_i, carry into the exact upper part
 *               x_(l-1) & y_(l-1).
 *   add_eta:l   ETA-I (Zhu et al., IEEE TVLSI 2010): exact upper part with no
 *               carry-in; low l bits x_i ^ y_i from the top down to the first
 *               position where both are 1, that bit and all below set to 1.
 * l is clamped to w. */
#ifndef AX_ADD_APPROX_H
#define AX_ADD_APPROX_H

#include "../ax_hd.h"

AX_HD uint64_t ax_sig_add_exact(uint64_t x, uint64_t y) { return x + y; }

AX_HD uint64_t ax_low_mask(int l) { return l >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << l) - 1; }

AX_HD uint64_t ax_sig_add_loa(uint64_t x, uint64_t y, int w, int l)
{
    if (l > w) l = w;
    if (l == 0) return x + y;
    uint64_t mask = ax_low_mask(l);
    uint64_t carry = (x >> (l - 1)) & (y >> (l - 1)) & 1;
    uint64_t hi = ((x >> l) + (y >> l) + carry) << l;
    return hi | ((x | y) & mask);
}

AX_HD uint64_t ax_sig_add_eta(uint64_t x, uint64_t y, int w, int l)
{
    if (l > w) l = w;
    if (l == 0) return x + y;
    uint64_t mask = ax_low_mask(l);
    uint64_t hi = ((x >> l) + (y >> l)) << l;
    uint64_t both = x & y & mask;
    uint64_t lo = (x ^ y) & mask;
    if (both) lo |= (UINT64_C(2) << ax_msb64(both)) - 1;
    return hi | lo;
}

#endif
