/* ax_units.h — every arithmetic unit: shared unpack, a unit-specific
 * significand stage (units/), shared round-and-pack. One source for the
 * reference, the CPU fast path and, under nvcc, the GPU.
 *
 *   r = ax_unit_apply(u, a, b, fi, fo, &flags)
 *
 * maps operands a, b in format fi to a result in format fo and ORs IEEE
 * status flags into flags. Special operands are resolved by shared code as
 * IEEE 754 multiplication and addition do; NaN results are the canonical NaN
 * of fo. The registry (names, parameters, parsing) is in ax_registry.h. */
#ifndef AX_UNITS_H
#define AX_UNITS_H

#include "ax_stages.h"
#include "units/add_approx.h"
#include "units/mul_drum.h"
#include "units/mul_exact.h"
#include "units/mul_mbm.h"
#include "units/mul_mitchell.h"
#include "units/mul_realm.h"

/* Version of the models' arithmetic. Bump it whenever any unit's bits can
 * change: cached LUTs (cuda_fastpath/ax_lut.h) of another version are
 * rejected and regenerated. */
#define AX_MODEL_VERSION 1

typedef enum ax_unit_id {
    AX_MUL_EXACT = 0,
    AX_MUL_TRUNC,
    AX_MUL_DRUM,     /* p[0] = k */
    AX_MUL_MITCHELL,
    AX_MUL_MBM,
    AX_MUL_REALM,    /* p[0] = segments (power of two), p[1] = q */
    AX_ADD_EXACT,
    AX_ADD_TRUNC,
    AX_ADD_LOA,      /* p[0] = l */
    AX_ADD_ETA,      /* p[0] = l */
    AX_UNIT_COUNT
} ax_unit_id_t;

enum { AX_KIND_MUL = 0, AX_KIND_ADD = 1 };

/* The units that round toward zero whatever the output format says. Stated
 * once, here, because the models run on the device; the registry exports it
 * (ax_unit_truncates) and rtl/ax_units.vh, generated from the registry,
 * carries it to the RTL. */
#define AX_TRUNCATING_UNITS                                                          \
    ((1u << AX_MUL_TRUNC) | (1u << AX_MUL_MBM) | (1u << AX_MUL_REALM) | (1u << AX_ADD_TRUNC))
enum { AX_UNIT_MAX_PARAMS = 2 };

typedef struct ax_unit {
    int32_t id;
    int32_t p[AX_UNIT_MAX_PARAMS];
} ax_unit_t;

AX_HD int ax_unit_kind(ax_unit_t u) { return u.id >= AX_ADD_EXACT ? AX_KIND_ADD : AX_KIND_MUL; }

AX_HD int ax_unit_truncates(ax_unit_t u) { return (int)((AX_TRUNCATING_UNITS >> u.id) & 1u); }

/* The rounding a unit applies into the output format. */
AX_HD int ax_unit_rm(ax_unit_t u, ax_format_t fo)
{
    return ax_unit_truncates(u) ? (int)AX_RTZ : (int)fo.round;
}

/* ---- multipliers -------------------------------------------------------- */

/* Stage 2: the unit's significand product (see units/sig_common.h). This is
 * what a LUT indexed by (xa << M) | xb replaces. */
AX_HD uint64_t ax_sig_mul(ax_unit_t u, uint32_t xa, uint32_t xb, int m)
{
    switch (u.id) {
    case AX_MUL_DRUM: return ax_sig_mul_drum(xa, xb, m, u.p[0]);
    case AX_MUL_MITCHELL: return ax_sig_mul_mitchell(xa, xb, m);
    case AX_MUL_MBM: return ax_sig_mul_mbm(xa, xb, m);
    case AX_MUL_REALM: return ax_sig_mul_realm(xa, xb, m, ax_msb64((uint64_t)u.p[0]), u.p[1]);
    default: return ax_sig_mul_exact(xa, xb, m); /* mul_exact, mul_trunc */
    }
}

/* The rounding a multiplier applies into the output format (the LUT path's
 * name for ax_unit_rm). */
AX_HD int ax_mul_rm(ax_unit_t u, ax_format_t fo) { return ax_unit_rm(u, fo); }

/* Special operands of a multiplication; returns 1 and sets *r when resolved. */
AX_HD int ax_mul_special(ax_unpacked_t a, ax_unpacked_t b, ax_format_t fo, uint32_t *r,
                         uint32_t *flags)
{
    uint32_t s = a.sign ^ b.sign;
    if (ax_is_nan_cls(a.cls) || ax_is_nan_cls(b.cls)) {
        *r = ax_exit_nan(fo, a.cls == AX_CLS_SNAN || b.cls == AX_CLS_SNAN, flags);
    } else if (a.cls == AX_CLS_INF || b.cls == AX_CLS_INF) {
        if (a.cls == AX_CLS_ZERO || b.cls == AX_CLS_ZERO) *r = ax_exit_nan(fo, 1, flags);
        else *r = ax_exit_inf(s, fo, flags);
    } else if (a.cls == AX_CLS_ZERO || b.cls == AX_CLS_ZERO) {
        *r = ax_fmt_zero(s, fo);
    } else {
        return 0;
    }
    return 1;
}

/* Stage 3 of a multiplier, from a significand product p (AX_PFRAC(m) units):
 * the part the LUT path shares with the reference. */
AX_HD uint32_t ax_mul_finish(ax_unit_t u, ax_unpacked_t a, ax_unpacked_t b, uint64_t p, int m,
                             ax_format_t fo, uint32_t *flags)
{
    return ax_round_pack(a.sign ^ b.sign, a.exp + b.exp - AX_PFRAC(m), p, fo, ax_mul_rm(u, fo),
                         flags);
}

AX_HD uint32_t ax_mul(ax_unit_t u, uint32_t a, uint32_t b, ax_format_t fi, ax_format_t fo,
                      uint32_t *flags)
{
    ax_unpacked_t ua = ax_unpack(a, fi), ub = ax_unpack(b, fi);
    uint32_t r;
    if (ax_mul_special(ua, ub, fo, &r, flags)) return r;
    const int m = fi.mbits;
    const uint32_t mm = ax_fmt_mmask(fi);
    uint64_t p = ax_sig_mul(u, ua.sig & mm, ub.sig & mm, m);
    return ax_mul_finish(u, ua, ub, p, m, fo, flags);
}

/* ---- adders ------------------------------------------------------------- */

/* Stage 2a (shared by all adders): order by magnitude and align. The larger
 * operand's significand is widened to p bits with g bits below; the smaller
 * is shifted right by the exponent difference, bits shifted below the
 * datapath jammed into bit 0 (a sticky bit) when jam, dropped otherwise.
 * value(big) = big * 2^exp. */
typedef struct ax_aligned {
    uint64_t big, small;
    int32_t exp;
    uint32_t sign; /* sign of the larger magnitude */
    int sub;       /* effective subtraction */
} ax_aligned_t;

AX_HD ax_aligned_t ax_align(ax_unpacked_t a, ax_unpacked_t b, int m_in, int p, int g, int jam)
{
    ax_aligned_t r;
    if (b.exp > a.exp || (b.exp == a.exp && b.sig > a.sig)) {
        ax_unpacked_t t = a;
        a = b;
        b = t;
    }
    int up = p - 1 - m_in + g;
    int d = a.exp - b.exp;
    uint64_t small = (uint64_t)b.sig << up;
    r.big = (uint64_t)a.sig << up;
    r.small = jam ? ax_shr_jam64(small, d) : (d >= 64 ? 0 : small >> d);
    r.exp = a.exp - (p - 1) - g;
    r.sign = a.sign;
    r.sub = a.sign != b.sign;
    return r;
}

/* Special operands of an addition; returns 1 and sets *r when resolved.
 * x + 0 re-rounds x into fo with the unit's rounding mode rm. */
AX_HD int ax_add_special(ax_unpacked_t a, ax_unpacked_t b, int m_in, ax_format_t fo, int rm,
                         uint32_t *r, uint32_t *flags)
{
    if (ax_is_nan_cls(a.cls) || ax_is_nan_cls(b.cls)) {
        *r = ax_exit_nan(fo, a.cls == AX_CLS_SNAN || b.cls == AX_CLS_SNAN, flags);
    } else if (a.cls == AX_CLS_INF && b.cls == AX_CLS_INF && a.sign != b.sign) {
        *r = ax_exit_nan(fo, 1, flags);
    } else if (a.cls == AX_CLS_INF || b.cls == AX_CLS_INF) {
        *r = ax_exit_inf(a.cls == AX_CLS_INF ? a.sign : b.sign, fo, flags);
    } else if (a.cls == AX_CLS_ZERO && b.cls == AX_CLS_ZERO) {
        *r = ax_fmt_zero(a.sign & b.sign, fo);
    } else if (a.cls == AX_CLS_ZERO || b.cls == AX_CLS_ZERO) {
        *r = ax_round_unpacked(a.cls == AX_CLS_ZERO ? b : a, m_in, fo, rm, flags);
    } else {
        return 0;
    }
    return 1;
}

AX_HD uint32_t ax_add(ax_unit_t u, uint32_t a, uint32_t b, ax_format_t fi, ax_format_t fo,
                      uint32_t *flags)
{
    const int rm = ax_unit_rm(u, fo);
    ax_unpacked_t ua = ax_unpack(a, fi), ub = ax_unpack(b, fi);
    uint32_t r;
    if (ax_add_special(ua, ub, fi.mbits, fo, rm, &r, flags)) return r;
    /* Datapath: add_exact is wide enough to be exact up to a sticky bit far
     * below any rounding point; the others work on max(Min, Mout) + 1
     * significand bits, with guard, round and sticky (loa, eta) or nothing
     * (trunc) below. */
    int p, g, jam;
    if (u.id == AX_ADD_EXACT) {
        p = fi.mbits + 1, g = 60 - fi.mbits, jam = 1;
    } else {
        p = (fi.mbits > fo.mbits ? fi.mbits : fo.mbits) + 1;
        g = u.id == AX_ADD_TRUNC ? 0 : 3;
        jam = g != 0;
    }
    ax_aligned_t al = ax_align(ua, ub, fi.mbits, p, g, jam);
    uint64_t s;
    if (al.sub) {
        s = al.big - al.small;
        if (s == 0) return ax_fmt_zero(0, fo); /* exact cancellation: +0 */
    } else {
        switch (u.id) {
        case AX_ADD_LOA: s = ax_sig_add_loa(al.big, al.small, p + g, u.p[0]); break;
        case AX_ADD_ETA: s = ax_sig_add_eta(al.big, al.small, p + g, u.p[0]); break;
        default: s = ax_sig_add_exact(al.big, al.small); break;
        }
    }
    return ax_round_pack(al.sign, al.exp, s, fo, rm, flags);
}

/* ---- any unit ----------------------------------------------------------- */

AX_HD uint32_t ax_unit_apply(ax_unit_t u, uint32_t a, uint32_t b, ax_format_t fi,
                             ax_format_t fo, uint32_t *flags)
{
    return ax_unit_kind(u) == AX_KIND_ADD ? ax_add(u, a, b, fi, fo, flags)
                                          : ax_mul(u, a, b, fi, fo, flags);
}

#endif /* AX_UNITS_H */
