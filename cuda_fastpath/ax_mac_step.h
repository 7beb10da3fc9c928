/* ax_mac_step.h — the generic MAC step of the fast path, written once and
 * compiled for the cpu backend (C) and the cuda backend (device code): the
 * product of two unpacked operands through the multiplier (its significand
 * LUT when the caller has one, else the unit's function), converted to the
 * accumulator format when it differs, added by the adder. The same stages as
 * ax_mac_fold (ax_mac.h), in the same order. Not installed. */
#ifndef AX_MAC_STEP_H
#define AX_MAC_STEP_H

#include "ax_lut.h"
#include "ax_mac.h"

/* fp32 exactly as the hardware's: RNE, subnormals kept, no :sat. */
AX_HD int ax_fmt_plain_fp32(ax_format_t f)
{
    return f.ebits == 8 && f.mbits == 23 && f.flags == 0 && f.round == AX_RNE;
}

/* One LUT entry; ldg: read through the read-only cache (device code, global
 * memory only). */
AX_HD uint32_t ax_step_lut_entry(const uint32_t *lut, uint32_t i, int ldg)
{
#ifdef __CUDA_ARCH__
    if (ldg) return __ldg(&lut[i]);
#else
    (void)ldg;
#endif
    return lut[i];
}

/* The product ua x ub in c->prod: the special cases, then the significand
 * from lut (shift: its ax_lut_t shift) or, when lut is NULL, ax_sig_mul. */
AX_HD uint32_t ax_step_mul(const ax_mac_cfg_t *c, ax_unpacked_t ua, ax_unpacked_t ub,
                           const uint32_t *lut, int shift, int ldg, uint32_t *fl)
{
    uint32_t r;
    if (ax_mul_special(ua, ub, c->prod, &r, fl)) return r;
    const int m = c->in.mbits;
    const uint32_t mm = ax_fmt_mmask(c->in);
    if (lut)
        return ax_lut_finish(c->mul, ua, ub,
                             ax_step_lut_entry(lut, ((ua.sig & mm) << m) | (ub.sig & mm), ldg), m,
                             shift, c->prod, fl);
    return ax_mul_finish(c->mul, ua, ub, ax_sig_mul(c->mul, ua.sig & mm, ub.sig & mm, m), m,
                         c->prod, fl);
}

/* acc + ua x ub: the product, converted when conv (prod and acc differ),
 * added by the adder in c->acc. */
AX_HD uint32_t ax_step_mac(const ax_mac_cfg_t *c, int conv, uint32_t acc, ax_unpacked_t ua,
                           ax_unpacked_t ub, const uint32_t *lut, int shift, int ldg, uint32_t *fl)
{
    uint32_t t = ax_step_mul(c, ua, ub, lut, shift, ldg, fl);
    if (conv) t = ax_convert(t, c->prod, c->acc, fl);
    return ax_unit_apply(c->add, acc, t, c->acc, c->acc, fl);
}

#endif /* AX_MAC_STEP_H */
