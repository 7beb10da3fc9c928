// test_exact.cpp — the exact units exhaustively on the 8-bit formats
// against tests/oracle.h (brute-force nearest encoding), and :ftz on inputs
// and results by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "ax_convert.h"
#include "ax_format.h"
#include "ax_registry.h"
#include "ax_units.h"
#include "format_helpers.h"
#include "oracle.h"
#include "test_util.h"

namespace {

long double in_value(const Oracle &oi, uint32_t x)
{
    long double v = oi.value(x);
    if ((oi.f.flags & AX_FMT_FTZ) && std::isfinite(v) && v != 0 &&
        fabsl(v) < ldexpl(1.0L, 1 - oi.f.bias))
        v = std::signbit(v) ? -0.0L : 0.0L;
    return v;
}

bool is_snan(const Oracle &o, uint32_t x)
{
    if (o.f.flags & AX_FMT_FN) return false; // the only NaN is quiet
    return o.is_nan(x) && !((x >> (o.f.mbits - 1)) & 1);
}

// Every pair (a, b) of an <= 8-bit input format through an exact unit,
// against Oracle(fo).round of the exact product or sum.
void exhaustive_exact(const char *unit, const char *fin, const char *fout)
{
    ax_unit_t u = U(unit);
    ax_format_t fi = F(fin), fo = F(fout);
    REQUIRE(ax_fmt_width(fi) <= 8);
    Oracle oi(fi), oo(fo);
    bool mul = ax_unit_kind(u) == AX_KIND_MUL;
    Sweep st;
    const uint32_t n = 1u << ax_fmt_width(fi);
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t b = 0; b < n; b++) {
            long double va = in_value(oi, a), vb = in_value(oi, b);
            uint32_t want, want_fl = 0, fl = 0;
            if (std::isnan(va) || std::isnan(vb)) {
                want = oo.nan_bits();
                want_fl = (is_snan(oi, a) || is_snan(oi, b)) ? AX_FLAG_INVALID : 0;
            } else {
                long double x = mul ? va * vb : va + vb; // exact in long double
                if (std::isnan(x)) want = oo.nan_bits(), want_fl = AX_FLAG_INVALID; // inf*0, inf-inf
                else want = oo.round(x, fo.round, &want_fl);
            }
            uint32_t got = ax_unit_apply(u, a, b, fi, fo, &fl);
            st.cases++;
            if (got != want || fl != want_fl)
                st.fail(std::string(unit) + " " + fin + " -> " + fout + ": " + hex(a) + " (" + num(va) +
                        "), " + hex(b) + " (" + num(vb) + "): got " + hex(got) + " " + flag_str(fl) +
                        ", want " + hex(want) + " " + flag_str(want_fl));
        }
    INFO(unit << " " << fin << " -> " << fout);
    st.require((uint64_t)n * n);
}

} // namespace

// ============================================================================
// 3. Exact units, exhaustively on 8-bit formats
// ============================================================================

TEST_CASE("cmodels.exact.fp8_exhaustive_oracle", "[cmodels][formats]")
{
    for (const char *unit : {"mul_exact", "add_exact"}) {
        exhaustive_exact(unit, "fp8e4m3", "fp8e4m3");
        exhaustive_exact(unit, "fp8e5m2", "fp8e5m2");
    }
}

TEST_CASE("cmodels.exact.fp8_variants_exhaustive_oracle", "[cmodels][formats]")
{
    for (const char *unit : {"mul_exact", "add_exact"}) {
        exhaustive_exact(unit, "fp8e5m2:rtz", "fp8e5m2:rtz");
        exhaustive_exact(unit, "fp8e5m2:ftz", "fp8e5m2:ftz");
        exhaustive_exact(unit, "e3m4", "e3m4");
        exhaustive_exact(unit, "e3m4:rtz:ftz", "e3m4:rtz:ftz");
        exhaustive_exact(unit, "fp8e4m3", "fp16");      // output format != input
        exhaustive_exact(unit, "fp8e4m3", "fp8e4m3:sat");
        exhaustive_exact(unit, "fp8e5m2", "fp8e4m3");   // inf inputs into an FN output
        exhaustive_exact(unit, "fp8e5m2", "fp8e4m3:sat");
        exhaustive_exact(unit, "e2m1", "e2m1:fn");
    }
}

// ============================================================================
// 4. :ftz
// ============================================================================

TEST_CASE("cmodels.ftz.inputs_and_results_by_hand", "[cmodels][formats]")
{
    ax_format_t h = F("fp16"), z = F("fp16:ftz");
    ax_unit_t mul = U("mul_exact"), add = U("add_exact");
    const uint32_t NX = AX_FLAG_INEXACT, UF = AX_FLAG_UNDERFLOW;
    struct Case {
        ax_unit_t u;
        uint32_t a, b;
        ax_format_t f;
        uint32_t want, flags;
        const char *why;
    } cases[] = {
        // subnormal inputs read as signed zero
        {mul, 0x0001, 0x4000, z, 0x0000, 0, "2^-24 * 2: input flushed, +0, no flags"},
        {mul, 0x0001, 0x4000, h, 0x0002, 0, "2^-24 * 2 = 2^-23 without :ftz"},
        {mul, 0x8001, 0x4000, z, 0x8000, 0, "-2^-24 * 2: -0"},
        {mul, 0x03FF, 0x7BFF, z, 0x0000, 0, "largest subnormal * max: still 0"},
        {add, 0x0001, 0x3C00, z, 0x3C00, 0, "2^-24 + 1 = 1 exactly (input is 0)"},
        {add, 0x0001, 0x3C00, h, 0x3C00, NX, "2^-24 + 1 rounds to 1 without :ftz"},
        {add, 0x8001, 0x8002, z, 0x8000, 0, "(-0) + (-0) = -0"},
        {add, 0x8001, 0x0002, z, 0x0000, 0, "(-0) + (+0) = +0"},
        // tiny results flush to signed zero with underflow | inexact
        {mul, 0x0400, 0x3800, z, 0x0000, UF | NX, "2^-14 * 0.5 = 2^-15 is tiny"},
        {mul, 0x0400, 0x3800, h, 0x0200, 0, "2^-14 * 0.5 = 2^-15 exact subnormal"},
        {mul, 0x8400, 0x3800, z, 0x8000, UF | NX, "-2^-14 * 0.5: -0"},
        {add, 0x0401, 0x8400, z, 0x0000, UF | NX, "2^-14(1+2^-10) - 2^-14 = 2^-24: tiny"},
        {add, 0x8401, 0x0400, z, 0x8000, UF | NX, "negative tiny difference: -0"},
        {add, 0x0401, 0x8400, h, 0x0001, 0, "the same, exact without :ftz"},
        // tininess after rounding: 63/64 * 2^-14 * 65/64 = 2^-14 (1 - 2^-12) is
        // the tie at 11 bits, rounds (to even) to 2^-14: not tiny, not flushed
        {mul, 0x3BE0, 0x0410, z, 0x0400, NX, "2^-14(1-2^-12): rounds to 2^-14, not tiny"},
        {mul, 0x3BE0, 0x0410, h, 0x0400, NX, "same without :ftz"},
        // 63/64 * 2^-14 (1 + 15/1024) = 2^-14 (1 - 79/65536): tiny
        {mul, 0x3BE0, 0x040F, z, 0x0000, UF | NX, "2^-14(1-79/2^16): tiny, flushed"},
        {mul, 0x3BE0, 0x040F, h, 0x03FF, UF | NX, "same without :ftz: 2^-14 - 2^-24"},
    };
    for (const Case &c : cases) {
        uint32_t fl = 0;
        uint32_t got = ax_unit_apply(c.u, c.a, c.b, c.f, c.f, &fl);
        INFO(c.why << ": " << hex(c.a) << ", " << hex(c.b) << " in " << fname(c.f) << " -> got "
                   << hex(got) << " " << flag_str(fl));
        CHECK(got == c.want);
        CHECK(fl == c.flags);
    }
    // conversions: float 2^-20 is a normal float but an fp16 subnormal
    uint32_t fl = 0;
    REQUIRE(ax_from_f32bits(0x35800000u, z, &fl) == 0x0000);
    REQUIRE(fl == (UF | NX));
    fl = 0;
    REQUIRE(ax_from_f32bits(0xB5800000u, z, &fl) == 0x8000);
    REQUIRE(fl == (UF | NX));
    fl = 0;
    REQUIRE(ax_from_f32bits(0x35800000u, h, &fl) == 0x0010);
    REQUIRE(fl == 0);
    // an :ftz source reads its subnormals as zero; decoding does not
    REQUIRE(ax_convert(0x0001, z, F("fp32"), &fl) == 0);
    REQUIRE(ax_convert(0x8001, z, F("fp32"), &fl) == 0x80000000u);
    REQUIRE(fl == 0);
    REQUIRE(u2d(ax_to_f64bits(0x0001, z)) == std::ldexp(1.0, -24));
}
