/* ax_stages.h — the shared stages every unit is built from:
 *   ax_unpack      classify, normalize subnormals (stage 1)
 *   ax_round_pack  normalize, round, overflow, underflow, flags (stage 3)
 * and the labelled exits for special results. The unit-specific significand
 * stage (stage 2) sits between them, in units/. Integer-only. */
#ifndef AX_STAGES_H
#define AX_STAGES_H

#include "ax_flags.h"
#include "ax_format.h"

enum { AX_CLS_ZERO = 0, AX_CLS_FINITE, AX_CLS_INF, AX_CLS_QNAN, AX_CLS_SNAN };

/* A finite value is (-1)^sign * sig * 2^(exp - M), sig in [2^M, 2^(M+1)):
 * exp is the unbiased exponent, sig the significand with its hidden bit. */
typedef struct ax_unpacked {
    uint32_t cls;
    uint32_t sign;
    int32_t exp;
    uint32_t sig;
} ax_unpacked_t;

/* Stage 1: unpack. Subnormals are normalized without loss (or flushed to
 * signed zero when the format is :ftz). */
AX_HD ax_unpacked_t ax_unpack(uint32_t x, ax_format_t f)
{
    ax_unpacked_t u;
    uint32_t e = ax_expf(x, f), m = ax_frac(x, f);
    u.sign = ax_sign(x, f);
    u.exp = 0;
    u.sig = 0;
    if (e == ax_fmt_emask(f) && !(f.flags & AX_FMT_FN)) {
        u.cls = m == 0 ? AX_CLS_INF : ((m >> (f.mbits - 1)) & 1) ? AX_CLS_QNAN : AX_CLS_SNAN;
        return u;
    }
    if ((f.flags & AX_FMT_FN) && e == ax_fmt_emask(f) && m == ax_fmt_mmask(f)) {
        u.cls = AX_CLS_QNAN;
        return u;
    }
    if (e == 0) {
        if (m == 0 || (f.flags & AX_FMT_FTZ)) {
            u.cls = AX_CLS_ZERO;
            return u;
        }
        int shift = f.mbits - ax_msb64(m); /* bring the leading one to bit M */
        u.cls = AX_CLS_FINITE;
        u.sig = m << shift;
        u.exp = ax_fmt_emin(f) - shift;
        return u;
    }
    u.cls = AX_CLS_FINITE;
    u.sig = m | (UINT32_C(1) << f.mbits);
    u.exp = (int32_t)e - f.bias;
    return u;
}

AX_HD int ax_is_nan_cls(uint32_t cls) { return cls == AX_CLS_QNAN || cls == AX_CLS_SNAN; }

/* Exit: NaN result. Invalid when an operand was signaling or the operation
 * itself was invalid (inf*0, inf-inf). Always the canonical NaN of fo. */
AX_HD uint32_t ax_exit_nan(ax_format_t fo, int invalid, uint32_t *flags)
{
    if (invalid) *flags |= AX_FLAG_INVALID;
    return ax_fmt_nan(fo);
}

/* Exit: infinite result. A format without infinities (FN) gives +-max finite
 * when saturating (overflow, inexact) and NaN otherwise (invalid). */
AX_HD uint32_t ax_exit_inf(uint32_t sign, ax_format_t fo, uint32_t *flags)
{
    if (!(fo.flags & AX_FMT_FN)) return ax_fmt_inf(sign, fo);
    if (fo.flags & AX_FMT_SAT) {
        *flags |= AX_FLAG_OVERFLOW | AX_FLAG_INEXACT;
        return ax_fmt_maxfin(sign, fo);
    }
    *flags |= AX_FLAG_INVALID;
    return ax_fmt_nan(fo);
}

/* Rounds sig right by shift bits (shift in 1..62) in mode rm; sets *inexact.
 * A tie goes up when the kept lsb, XORed with flip, is odd: flip = 1 makes
 * a format without mantissa bits (M = 0, whose kept significand is always 1)
 * break ties toward the even encoding, i.e. the even exponent field. */
AX_HD uint64_t ax_round_shift(uint64_t sig, int shift, int rm, uint32_t flip, uint32_t *inexact)
{
    uint64_t q = sig >> shift, rem = sig & ((UINT64_C(1) << shift) - 1);
    uint64_t half = UINT64_C(1) << (shift - 1);
    *inexact = rem != 0;
    if (rm == AX_RNE && (rem > half || (rem == half && ((q ^ flip) & 1)))) q++;
    return q;
}

/* flip for ax_round_shift at unbiased exponent e: only M = 0 normals need it
 * (encoding lsb = lsb of the biased exponent, kept significand = 1). */
AX_HD uint32_t ax_tie_flip(ax_format_t fo, int32_t e)
{
    return fo.mbits == 0 ? (uint32_t)(e + fo.bias + 1) & 1 : 0;
}

/* Stage 3: round and pack (-1)^sign * sig * 2^exp into fo with rounding mode
 * rm (the format's, or one the unit forces). Decision table:
 *   - leading one at e = exp + msb(sig); below emin the result is subnormal:
 *     the rounding point moves up by emin - e bits.
 *   - RNE: up when the remainder is above half, or exactly half and the kept
 *     encoding is odd (for M = 0: the exponent field is odd). RTZ: never up.
 *   - tiny: e < emin and rounding at full precision with an unbounded
 *     exponent does not reach 2^emin (tininess after rounding);
 *     underflow = tiny and inexact. :ftz turns any tiny result into signed
 *     zero with underflow and inexact.
 *   - overflow: the rounded biased exponent is above the largest finite one
 *     (or, FN, the rounded pattern is the NaN pattern): +-inf in RNE, +-max
 *     finite in RTZ or :sat, NaN in RNE for an FN format; overflow and
 *     inexact either way. */
AX_HD uint32_t ax_round_pack(uint32_t sign, int32_t exp, uint64_t sig, ax_format_t fo, int rm,
                             uint32_t *flags)
{
    if (sig == 0) return ax_fmt_zero(sign, fo);
    int n = ax_msb64(sig);
    if (n > 61) { /* keep two spare bits on top; the jam lands far below the round bit */
        sig = ax_shr_jam64(sig, n - 61);
        exp += n - 61;
        n = 61;
    }
    const int M = fo.mbits;
    const int32_t emin = ax_fmt_emin(fo);
    int32_t e = exp + n;
    int shift = n - M;
    int tiny = 0;
    uint32_t inexact = 0, flip = ax_tie_flip(fo, e);
    if (e < emin) {
        tiny = 1;
        if (e == emin - 1 && shift > 0) {
            uint32_t ix;
            if (ax_round_shift(sig, shift, rm, ax_tie_flip(fo, e), &ix) >> (M + 1)) tiny = 0;
        }
        shift += emin - e;
        e = emin;
        flip = 0; /* subnormal range: the kept bits are the encoding's */
    }
    uint64_t q;
    if (shift <= 0) {
        q = sig << -shift;
    } else {
        if (shift > 62) { /* value below half an ulp: only the sticky survives */
            sig = 1;
            shift = 2;
        }
        q = ax_round_shift(sig, shift, rm, flip, &inexact);
    }
    if (q >> (M + 1)) { /* rounding carried into a new binade */
        q >>= 1;
        e++;
    }
    if (tiny && (fo.flags & AX_FMT_FTZ)) {
        *flags |= AX_FLAG_UNDERFLOW | AX_FLAG_INEXACT;
        return ax_fmt_zero(sign, fo);
    }
    uint32_t be = (q >> M) ? (uint32_t)(e + fo.bias) : 0;
    uint32_t mant = (uint32_t)q & ax_fmt_mmask(fo);
    int ovf = (int32_t)be > (int32_t)ax_fmt_emax_field(fo) ||
              ((fo.flags & AX_FMT_FN) && be == ax_fmt_emask(fo) && mant == ax_fmt_mmask(fo));
    if (ovf) {
        *flags |= AX_FLAG_OVERFLOW | AX_FLAG_INEXACT;
        if (rm == AX_RTZ || (fo.flags & AX_FMT_SAT)) return ax_fmt_maxfin(sign, fo);
        return (fo.flags & AX_FMT_FN) ? ax_fmt_nan(fo) : ax_fmt_inf(sign, fo);
    }
    if (inexact) *flags |= AX_FLAG_INEXACT | (tiny ? AX_FLAG_UNDERFLOW : 0);
    return ax_pack(sign, be, mant, fo);
}

/* Finite unpacked value re-rounded into fo (x + 0, conversions). */
AX_HD uint32_t ax_round_unpacked(ax_unpacked_t u, int32_t m_in, ax_format_t fo, int rm,
                                 uint32_t *flags)
{
    return ax_round_pack(u.sign, u.exp - m_in, u.sig, fo, rm, flags);
}

#endif /* AX_STAGES_H */
