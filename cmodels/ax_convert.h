/* ax_convert.h — exact reference conversions between formats, float32 and
 * double, on bit patterns. Rounding follows the target format (RNE unless
 * :rtz); NaN becomes the target's canonical NaN (invalid if signaling);
 * infinity follows ax_exit_inf. Every format's values are exact float32
 * values, so decoding to float32 or double never rounds. */
#ifndef AX_CONVERT_H
#define AX_CONVERT_H

#include <string.h>

#include "ax_stages.h"

AX_HD ax_format_t ax_fmt_fp32(void)
{
    ax_format_t f;
    f.ebits = 8, f.mbits = 23, f.flags = 0, f.round = AX_RNE, f.bias = 127;
    return f;
}

/* The float32 whose bit pattern is b, and back (no conversion). */
AX_HD float ax_f32_of(uint32_t b)
{
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}
AX_HD uint32_t ax_bits_of(float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Format fi -> format fo (the MAC's product -> accumulator conversion too). */
AX_HD uint32_t ax_convert(uint32_t x, ax_format_t fi, ax_format_t fo, uint32_t *flags)
{
    ax_unpacked_t u = ax_unpack(x, fi);
    switch (u.cls) {
    case AX_CLS_QNAN: return ax_exit_nan(fo, 0, flags);
    case AX_CLS_SNAN: return ax_exit_nan(fo, 1, flags);
    case AX_CLS_INF: return ax_exit_inf(u.sign, fo, flags);
    case AX_CLS_ZERO: return ax_fmt_zero(u.sign, fo);
    default: return ax_round_unpacked(u, fi.mbits, fo, fo.round, flags);
    }
}

/* float32 bit pattern -> format. */
AX_HD uint32_t ax_from_f32bits(uint32_t x, ax_format_t fo, uint32_t *flags)
{
    return ax_convert(x, ax_fmt_fp32(), fo, flags);
}

/* double bit pattern -> format, correctly rounded in one step. */
AX_HD uint32_t ax_from_f64bits(uint64_t x, ax_format_t fo, uint32_t *flags)
{
    uint32_t s = (uint32_t)(x >> 63);
    uint32_t be = (uint32_t)(x >> 52) & 0x7FF;
    uint64_t m = x & ((UINT64_C(1) << 52) - 1);
    if (be == 0x7FF) {
        if (m == 0) return ax_exit_inf(s, fo, flags);
        return ax_exit_nan(fo, !((m >> 51) & 1), flags);
    }
    if (be == 0 && m == 0) return ax_fmt_zero(s, fo);
    uint64_t sig = be ? (m | (UINT64_C(1) << 52)) : m;
    int32_t e = (be ? (int32_t)be : 1) - 1023 - 52;
    return ax_round_pack(s, e, sig, fo, fo.round, flags);
}

/* Format -> double bit pattern, exact. The encoding's own value: :ftz does
 * not apply to decoding. NaN decodes to a quiet NaN of the same sign. */
AX_HD uint64_t ax_to_f64bits(uint32_t x, ax_format_t f)
{
    f.flags &= (uint8_t)~AX_FMT_FTZ;
    ax_unpacked_t u = ax_unpack(x, f);
    uint64_t s = (uint64_t)u.sign << 63;
    switch (u.cls) {
    case AX_CLS_QNAN:
    case AX_CLS_SNAN: return s | UINT64_C(0x7FF8000000000000);
    case AX_CLS_INF: return s | UINT64_C(0x7FF0000000000000);
    case AX_CLS_ZERO: return s;
    default:
        return s | ((uint64_t)(u.exp + 1023) << 52) |
               (((uint64_t)u.sig << (52 - f.mbits)) & ((UINT64_C(1) << 52) - 1));
    }
}

/* The value of x as a double (ax_to_f64bits), exact. */
AX_HD double ax_to_double(uint32_t x, ax_format_t f)
{
    uint64_t b = ax_to_f64bits(x, f);
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Format -> float32 bit pattern, exact (NaN -> quiet NaN of the same sign). */
AX_HD uint32_t ax_to_f32bits(uint32_t x, ax_format_t f)
{
    f.flags &= (uint8_t)~AX_FMT_FTZ;
    ax_unpacked_t u = ax_unpack(x, f);
    if (ax_is_nan_cls(u.cls)) return (u.sign << 31) | UINT32_C(0x7FC00000);
    uint32_t flags = 0;
    return ax_convert(x, f, ax_fmt_fp32(), &flags);
}

#endif /* AX_CONVERT_H */
