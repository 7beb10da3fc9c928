/* ax_format.h — floating-point format descriptors.
 *
 * A value is a bit pattern in a uint32_t, right-aligned:
 *   [ sign (1) | exponent (E) | mantissa (M) ],  1 + E + M <= 32.
 * IEEE-like unless AX_FMT_FN is set: the all-ones exponent encodes infinity
 * (mantissa 0) and NaN (mantissa != 0, quiet when the mantissa's top bit is 1).
 * AX_FMT_FN ("finite", as OCP's E4M3FN): no infinities, and the only NaN is
 * S.11..1.11..1; every other all-ones-exponent pattern is a normal number.
 * Formats with M = 0 have no room for both, and are always FN. */
#ifndef AX_FORMAT_H
#define AX_FORMAT_H

#include <stddef.h>
#include "ax_hd.h"

enum { AX_RNE = 0, AX_RTZ = 1 };

enum {
    AX_FMT_FN  = 1, /* finite only: no inf; NaN only all-ones */
    AX_FMT_FTZ = 2, /* subnormal inputs and results become signed zero */
    AX_FMT_SAT = 4  /* overflow gives +-max finite; inf too where there is no inf */
};

typedef struct ax_format {
    uint8_t ebits; /* E, 1..8 */
    uint8_t mbits; /* M, 0..23 */
    uint8_t flags; /* AX_FMT_* */
    uint8_t round; /* AX_RNE or AX_RTZ */
    int32_t bias;  /* 2^(E-1) - 1 */
} ax_format_t;

AX_HD int ax_fmt_width(ax_format_t f) { return 1 + f.ebits + f.mbits; }
AX_HD uint32_t ax_fmt_mmask(ax_format_t f) { return (UINT32_C(1) << f.mbits) - 1; }
AX_HD uint32_t ax_fmt_emask(ax_format_t f) { return (UINT32_C(1) << f.ebits) - 1; }
AX_HD uint32_t ax_fmt_signbit(ax_format_t f) { return UINT32_C(1) << (f.ebits + f.mbits); }
AX_HD int32_t ax_fmt_emin(ax_format_t f) { return 1 - f.bias; }
/* The same format: fields, flags and rounding (the bias follows from E). */
AX_HD int ax_fmt_eq(ax_format_t a, ax_format_t b)
{
    return a.ebits == b.ebits && a.mbits == b.mbits && a.flags == b.flags && a.round == b.round;
}

/* Field access on a bit pattern. */
AX_HD uint32_t ax_sign(uint32_t x, ax_format_t f) { return (x >> (f.ebits + f.mbits)) & 1; }
AX_HD uint32_t ax_expf(uint32_t x, ax_format_t f) { return (x >> f.mbits) & ax_fmt_emask(f); }
AX_HD uint32_t ax_frac(uint32_t x, ax_format_t f) { return x & ax_fmt_mmask(f); }
AX_HD uint32_t ax_pack(uint32_t s, uint32_t e, uint32_t m, ax_format_t f)
{
    return (s << (f.ebits + f.mbits)) | (e << f.mbits) | m;
}

/* Largest biased exponent field of a finite number. */
AX_HD uint32_t ax_fmt_emax_field(ax_format_t f)
{
    return (f.flags & AX_FMT_FN) && f.mbits > 0 ? ax_fmt_emask(f) : ax_fmt_emask(f) - 1;
}

/* Special encodings. The canonical NaN (the only NaN any unit returns) is
 * positive with the top mantissa bit set (IEEE) or all ones (FN). */
AX_HD uint32_t ax_fmt_nan(ax_format_t f)
{
    if (f.flags & AX_FMT_FN) return ax_pack(0, ax_fmt_emask(f), ax_fmt_mmask(f), f);
    return ax_pack(0, ax_fmt_emask(f), UINT32_C(1) << (f.mbits - 1), f);
}
AX_HD uint32_t ax_fmt_inf(uint32_t s, ax_format_t f) { return ax_pack(s, ax_fmt_emask(f), 0, f); }
AX_HD uint32_t ax_fmt_maxfin(uint32_t s, ax_format_t f)
{
    uint32_t m = ax_fmt_mmask(f);
    if ((f.flags & AX_FMT_FN) && f.mbits > 0) m -= 1; /* all ones is NaN */
    return ax_pack(s, ax_fmt_emax_field(f), m, f);
}
AX_HD uint32_t ax_fmt_zero(uint32_t s, ax_format_t f) { return s ? ax_fmt_signbit(f) : 0; }

AX_HD int ax_is_nan(uint32_t x, ax_format_t f)
{
    if (ax_expf(x, f) != ax_fmt_emask(f)) return 0;
    if (f.flags & AX_FMT_FN) return ax_frac(x, f) == ax_fmt_mmask(f);
    return ax_frac(x, f) != 0;
}
AX_HD int ax_is_inf(uint32_t x, ax_format_t f)
{
    return !(f.flags & AX_FMT_FN) && ax_expf(x, f) == ax_fmt_emask(f) && ax_frac(x, f) == 0;
}

#ifdef __cplusplus
extern "C" {
#endif

/* Builds an IEEE-like descriptor (FN implied when m == 0); no validation. */
ax_format_t ax_format_make(int ebits, int mbits);

/* Parses "fp32", "tf32", "fp16", "bf16", "fp8e4m3", "fp8e5m2", "eXmY", each
 * optionally followed by suffixes ":rtz", ":ftz", ":sat", ":fn". Returns 0 on
 * success; on failure returns -1 and writes a message to err. */
int ax_format_parse(const char *name, ax_format_t *out, char *err, size_t errlen);

/* The name of the i-th named format ("fp32", ...; i from 0), NULL past the
 * last: for tables generated from this list (scripts/gen_unit_table.c). */
const char *ax_format_named(int i);

/* Canonical name of a format, suffixes included (e.g. "bf16:rtz"). */
const char *ax_format_name(ax_format_t f, char *buf, size_t len);

/* Names of the flags set in flags (AX_FLAG_*, ax_flags.h), as
 * "inexact|underflow", or "none". */
const char *ax_flags_name(uint32_t flags, char *buf, size_t len);

/* One line per named format, for `axsim formats`. */
extern const char *const ax_format_help;

#ifdef __cplusplus
}
#endif

#endif /* AX_FORMAT_H */
