// test_mac.cpp — the MAC fold (ax_mac_fold in cmodels/ax_mac.h) against
// references written here: for the all-exact configuration bf16 -> fp32 ->
// fp32 a fold in host float (products of bf16 values are exact in fp32;
// -ffp-contract=off; IEEE flags from <fenv.h> on x86-64, whose SSE unit
// detects tininess after rounding as axsim does), and for approximate
// configurations an ascending fold written out from ax_unit_apply and
// ax_convert. Random vectors of random lengths (0..300) mix special values,
// raw bit patterns and values near 1. Also: the empty sum, where each
// rounding happens (hand example), and the checker shown able to fail.
#include <catch2/catch.hpp>

#include <cfenv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ax_convert.h"
#include "ax_mac.h"
#include "ax_registry.h"
#include "ax_rng.h"
#include "test_util.h"

namespace {

// ---- formats, units, configurations ------------------------------------------

ax_mac_cfg_t mac(const char *mul, const char *in, const char *prod, const char *add,
                 const char *acc)
{
    return ax_mac_cfg_t{unit(mul), fmt(in), fmt(prod), unit(add), fmt(acc), {}};
}

std::string hex(uint32_t v)
{
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

// ---- vectors -----------------------------------------------------------------

struct Vec {
    std::vector<uint32_t> a, b;
};

// Special values of f: zeros, infinities (FN: the largest binade), NaNs
// quiet and signalling, subnormals, max finite, the smallest normals.
uint32_t special(ax_format_t f, ax_rng_t *r)
{
    const uint32_t em = ax_fmt_emask(f), mm = ax_fmt_mmask(f), s = ax_rng_below(r, 2);
    switch (ax_rng_below(r, 9)) {
    case 0: return ax_fmt_zero(s, f);
    case 1: return ax_pack(s, em, 0, f);
    case 2: return ax_pack(s, em, mm, f);
    case 3: return ax_pack(s, em, 1, f);
    case 4: return ax_pack(s, 0, 1, f);
    case 5: return ax_pack(s, 0, mm, f);
    case 6: return ax_pack(s, 0, ax_rng_below(r, mm + 1), f);
    case 7: return ax_fmt_maxfin(s, f);
    default: return ax_pack(s, 1, ax_rng_below(r, mm + 1), f);
    }
}

// count vectors from seed, lengths 0..maxlen, with a per-vector density of
// special values (0 to 1/5) and raw bit patterns (0 to 1/2); the rest have
// exponents within a few binades of 1, so that sums stay finite and cancel.
// First a few hand-made ones: the empty sum, one term, a -0 product.
std::vector<Vec> vectors(ax_format_t f, int count, uint32_t maxlen, uint64_t seed)
{
    static const uint32_t sp_rate[] = {0, 0, 1, 8, 64, 200}, raw_rate[] = {0, 0, 8, 64, 512};
    const uint32_t w = (uint32_t)ax_fmt_width(f), mask = w == 32 ? ~0u : (1u << w) - 1;
    const uint32_t one = ax_pack(0, (uint32_t)f.bias, 0, f), neg_one = one | ax_fmt_signbit(f);
    std::vector<Vec> v = {{{}, {}}, {{one}, {one}}, {{neg_one}, {0}}, {{0, neg_one}, {neg_one, 0}}};
    ax_rng_t r = {seed};
    const int span = f.ebits >= 8 ? 8 : 3;
    while ((int)v.size() < count) {
        Vec x;
        uint32_t n = ax_rng_below(&r, maxlen + 1);
        if (ax_rng_below(&r, 16) == 0) n = ax_rng_below(&r, 3);
        uint32_t sp = sp_rate[ax_rng_below(&r, 6)], raw = raw_rate[ax_rng_below(&r, 5)];
        for (uint32_t k = 0; k < 2 * n; k++) {
            uint32_t u = ax_rng_below(&r, 1024), e;
            if (u < sp) e = special(f, &r);
            else if (u < sp + raw) e = (uint32_t)ax_rng_next(&r) & mask;
            else {
                int ex = f.bias + (int)ax_rng_below(&r, 2 * span + 1) - span;
                e = ax_pack(ax_rng_below(&r, 2), (uint32_t)(ex < 1 ? 1 : ex),
                            ax_rng_below(&r, ax_fmt_mmask(f) + 1), f);
            }
            (k & 1 ? x.b : x.a).push_back(e);
        }
        v.push_back(x);
    }
    return v;
}

// ---- the checker ---------------------------------------------------------------

using Fold = std::function<uint32_t(const Vec &v, uint32_t *flags)>;
using Same = std::function<bool(uint32_t got, uint32_t want)>;

struct Report {
    uint64_t cases = 0, terms = 0, fails = 0;
    uint64_t nan = 0, inf = 0, flagged = 0; // coverage of the expected results
    std::vector<std::string> first;         // the first 10 failures
};

// got (the fold under test) against want, result by same(), flags exactly
// unless !flags.
Report compare(const std::vector<Vec> &vs, const Fold &got, const Fold &want, ax_format_t acc,
               bool flags = true, const Same &same = nullptr)
{
    Report r;
    for (const Vec &v : vs) {
        uint32_t gf = 0, wf = 0;
        uint32_t g = got(v, &gf), w = want(v, &wf);
        r.cases++;
        r.terms += v.a.size();
        r.nan += ax_is_nan(w, acc);
        r.inf += ax_is_inf(w, acc);
        r.flagged += wf != 0;
        bool ok = (same ? same(g, w) : g == w) && (!flags || gf == wf);
        if (!ok && r.fails++ < 10)
            r.first.push_back("n=" + std::to_string(v.a.size()) + ": got " + hex(g) + " flags " +
                              hex(gf) + ", want " + hex(w) + " flags " + hex(wf));
    }
    return r;
}

void require_pass(const Report &r, uint64_t min_cases)
{
    for (const std::string &s : r.first) UNSCOPED_INFO(s);
    CHECK(r.fails == 0);
    REQUIRE(r.cases >= min_cases);
}

Fold model(const ax_mac_cfg_t &c)
{
    return [c](const Vec &v, uint32_t *fl) { return ax_mac_fold(&c, v.a.data(), v.b.data(), v.a.size(), fl); };
}

// ---- the references ------------------------------------------------------------

#if defined(__x86_64__)
constexpr bool host_flags_after_rounding = true; // SSE: tininess after rounding
#else
constexpr bool host_flags_after_rounding = false;
#endif

// bf16 operands, products and sums in host float, ascending k from +0.
uint32_t host_fold_bf16(const Vec &v, uint32_t *flags)
{
    std::feclearexcept(FE_ALL_EXCEPT);
    volatile float acc = 0.0f;
    for (size_t k = 0; k < v.a.size(); k++) {
        volatile float x = u2f(v.a[k] << 16), y = u2f(v.b[k] << 16);
        volatile float p = x * y;
        acc = acc + p;
    }
    *flags = host_flags(std::fetestexcept(FE_ALL_EXCEPT));
    return f2u(acc);
}

// A NaN from the model is fp32's canonical NaN; the host's may be any NaN.
bool same_f32(uint32_t got, uint32_t want)
{
    bool want_nan = (want & 0x7F800000u) == 0x7F800000u && (want & 0x7FFFFFu);
    return want_nan ? got == 0x7FC00000u : got == want;
}

// The contract of DESIGN.md written out: acc = +0; for k ascending,
// acc = ADD(acc, convert(MUL(a, b), prod -> acc)).
uint32_t contract_fold(const ax_mac_cfg_t &c, const Vec &v, uint32_t *flags)
{
    uint32_t acc = 0; // +0: all bits clear in every format
    for (size_t k = 0; k < v.a.size(); k++) {
        uint32_t p = ax_unit_apply(c.mul, v.a[k], v.b[k], c.in, c.prod, flags);
        uint32_t t = ax_convert(p, c.prod, c.acc, flags);
        acc = ax_unit_apply(c.add, acc, t, c.acc, c.acc, flags);
    }
    return acc;
}

Fold contract(const ax_mac_cfg_t &c)
{
    return [c](const Vec &v, uint32_t *fl) { return contract_fold(c, v, fl); };
}

struct Config {
    const char *mul, *in, *prod, *add, *acc;
};

// approximate configurations: the RTL cross-checked ones and more, with
// conversions that round (fp32 -> bf16:rtz, fp16 -> fp8e4m3:sat)
const Config approx_configs[] = {
    {"mul_mbm", "bf16", "bf16", "add_loa:l=8", "bf16"},
    {"mul_mitchell", "fp8e4m3", "fp16", "add_exact", "fp16"},
    {"mul_mitchell", "fp8e4m3", "fp16", "add_eta:l=6", "fp16"},
    {"mul_drum:k=6", "bf16", "fp32", "add_trunc", "bf16:rtz"},
    {"mul_realm", "fp16", "fp16:ftz", "add_loa:l=4", "fp8e4m3:sat"},
    {"mul_trunc", "fp8e5m2", "bf16", "add_eta:l=8", "fp16:ftz"},
};

} // namespace

// ==== exact: the host float fold ===================================================

TEST_CASE("cmodels.mac.exact_bf16_fp32_host_float", "[cmodels][mac]")
{
    const ax_mac_cfg_t c = mac("mul_exact", "bf16", "fp32", "add_exact", "fp32");
    const std::vector<Vec> vs = vectors(c.in, 3000, 300, 0x3AC0001);
    Report r = compare(vs, model(c), host_fold_bf16, c.acc, host_flags_after_rounding, same_f32);
    require_pass(r, 3000);
    // the vectors reach every kind of result
    CHECK(r.nan > 100);
    CHECK(r.inf > 100);
    CHECK(r.flagged > 1000);
    CHECK(r.cases - r.nan - r.inf > 1000);
    // ax_mac_step is one term of the fold
    for (size_t i = 4; i < 50; i++) {
        const Vec &v = vs[i];
        uint32_t fs = 0, ff = 0, acc = 0;
        for (size_t k = 0; k < v.a.size(); k++) acc = ax_mac_step(&c, acc, v.a[k], v.b[k], &fs);
        REQUIRE(acc == ax_mac_fold(&c, v.a.data(), v.b.data(), v.a.size(), &ff));
        REQUIRE(fs == ff);
    }
}

// ==== approximate: the contract written out ==========================================

TEST_CASE("cmodels.mac.approx_matches_contract_fold", "[cmodels][mac]")
{
    uint64_t seed = 0x3AC0100;
    for (const Config &k : approx_configs) {
        const ax_mac_cfg_t c = mac(k.mul, k.in, k.prod, k.add, k.acc);
        INFO(k.mul << " " << k.in << " -> " << k.prod << ", " << k.add << " " << k.acc);
        const std::vector<Vec> vs = vectors(c.in, 1500, 300, seed++);
        Report r = compare(vs, model(c), contract(c), c.acc);
        require_pass(r, 1500);
        CHECK(r.nan > 0);
        CHECK(r.flagged > 0);
        CHECK(r.cases - r.nan > 500);
    }
}

// ==== the empty sum, and where each rounding happens ==================================

TEST_CASE("cmodels.mac.empty_sum_is_positive_zero", "[cmodels][mac]")
{
    const ax_mac_cfg_t cs[] = {mac("mul_exact", "bf16", "fp32", "add_exact", "fp32"),
                               mac("mul_mbm", "bf16", "bf16", "add_loa:l=8", "bf16:rtz"),
                               mac("mul_mitchell", "fp8e4m3", "fp16", "add_exact", "fp8e4m3:sat")};
    const uint32_t a = 0x7F81, b = 0; // would raise invalid if it were read
    for (const ax_mac_cfg_t &c : cs) {
        uint32_t fl = 0;
        REQUIRE(ax_mac_fold(&c, &a, &b, 0, &fl) == 0);
        REQUIRE(ax_mac_fold(&c, nullptr, nullptr, 0, &fl) == 0);
        REQUIRE(fl == 0);
        // flags are ORed in, never cleared
        fl = AX_FLAG_OVERFLOW;
        REQUIRE(ax_mac_fold(&c, nullptr, nullptr, 0, &fl) == 0);
        REQUIRE(fl == AX_FLAG_OVERFLOW);
    }
    // +0 + (-0) = +0: one term whose product is -0
    const ax_mac_cfg_t c = cs[0];
    const uint32_t na = 0xBF80, nb = 0x0000; // -1 * +0
    uint32_t fl = 0;
    REQUIRE(ax_mac_fold(&c, &na, &nb, 1, &fl) == 0);
    REQUIRE(fl == 0);
}

TEST_CASE("cmodels.mac.hand_rounding_places", "[cmodels][mac]")
{
    // 0x3FC1 = 1.5078125 = 193/128; squared 37249 * 2^-14 = 2.27349853515625,
    // exact in fp32: 0x40118100 (fraction 37249 - 2^15 = 0x1181 on 15 bits).
    // bf16 in [2, 4) keeps 7 of those 15: 0x11, remainder 0x81 of 0x100
    // -> RNE up to 0x4012, RTZ 0x4011.
    const uint32_t a = 0x3FC1;
    uint32_t fl = 0;
    REQUIRE(ax_mul(unit("mul_exact"), a, a, fmt("bf16"), fmt("fp32"), &fl) == 0x40118100);
    REQUIRE(fl == 0);
    // the conversion product -> accumulator rounds with the accumulator's mode
    ax_mac_cfg_t c = mac("mul_exact", "bf16", "fp32", "add_exact", "bf16");
    fl = 0;
    REQUIRE(ax_mac_fold(&c, &a, &a, 1, &fl) == 0x4012);
    REQUIRE(fl == AX_FLAG_INEXACT);
    c.acc = fmt("bf16:rtz");
    fl = 0;
    REQUIRE(ax_mac_fold(&c, &a, &a, 1, &fl) == 0x4011);
    REQUIRE(fl == AX_FLAG_INEXACT);
    // the multiplier rounds into the product format with its mode; the
    // conversion to fp32 is then exact
    c = mac("mul_exact", "bf16", "bf16:rtz", "add_exact", "fp32");
    fl = 0;
    REQUIRE(ax_mac_fold(&c, &a, &a, 1, &fl) == 0x40110000);
    REQUIRE(fl == AX_FLAG_INEXACT);
    c.prod = fmt("bf16");
    fl = 0;
    REQUIRE(ax_mac_fold(&c, &a, &a, 1, &fl) == 0x40120000);
    REQUIRE(fl == AX_FLAG_INEXACT);
}

// ==== the checker can fail ==========================================================

TEST_CASE("cmodels.mac.checker_catches_planted_bugs", "[cmodels][mac][verifier]")
{
    const ax_mac_cfg_t c = mac("mul_mbm", "bf16", "bf16", "add_loa:l=8", "bf16");
    const std::vector<Vec> vs = vectors(c.in, 500, 300, 0x3AC0200);
    auto fails = [&](const Fold &bad) {
        Report r = compare(vs, bad, contract(c), c.acc);
        REQUIRE(r.cases == vs.size());
        return r.fails;
    };
    REQUIRE(fails(model(c)) == 0);
    // the fold in descending k: an approximate adder is not associative
    CHECK(fails([&](const Vec &v, uint32_t *fl) {
              Vec rv{{v.a.rbegin(), v.a.rend()}, {v.b.rbegin(), v.b.rend()}};
              return ax_mac_fold(&c, rv.a.data(), rv.b.data(), rv.a.size(), fl);
          }) > 0);
    // starting from -0 (seen where every product is -0)
    CHECK(fails([&](const Vec &v, uint32_t *fl) {
              uint32_t acc = ax_fmt_zero(1, c.acc);
              for (size_t k = 0; k < v.a.size(); k++) acc = ax_mac_step(&c, acc, v.a[k], v.b[k], fl);
              return acc;
          }) > 0);
    // the flags of the last term only
    CHECK(fails([&](const Vec &v, uint32_t *fl) {
              uint32_t acc = 0;
              for (size_t k = 0; k < v.a.size(); k++) {
                  *fl = 0;
                  acc = ax_mac_step(&c, acc, v.a[k], v.b[k], fl);
              }
              return acc;
          }) > 0);
    // the exact adder in place of LOA
    CHECK(fails(model(mac("mul_mbm", "bf16", "bf16", "add_exact", "bf16"))) > 0);
    // the conversion rounding with the product format's mode (fp32 -> bf16:rtz)
    const ax_mac_cfg_t d = mac("mul_drum:k=6", "bf16", "fp32", "add_trunc", "bf16:rtz");
    const std::vector<Vec> ws = vectors(d.in, 300, 300, 0x3AC0201);
    Report r = compare(ws, [&](const Vec &v, uint32_t *fl) {
        uint32_t acc = 0;
        ax_format_t acc_rne = d.acc;
        acc_rne.round = d.prod.round;
        for (size_t k = 0; k < v.a.size(); k++) {
            uint32_t p = ax_unit_apply(d.mul, v.a[k], v.b[k], d.in, d.prod, fl);
            uint32_t t = ax_convert(p, d.prod, acc_rne, fl);
            acc = ax_unit_apply(d.add, acc, t, d.acc, d.acc, fl);
        }
        return acc;
    }, contract(d), d.acc);
    CHECK(r.fails > 0);
    // the host comparison: products rounded to bf16 before the fp32 sum
    const ax_mac_cfg_t h = mac("mul_exact", "bf16", "bf16", "add_exact", "fp32");
    const std::vector<Vec> hs = vectors(h.in, 300, 300, 0x3AC0202);
    CHECK(compare(hs, model(h), host_fold_bf16, h.acc, host_flags_after_rounding, same_f32).fails > 0);
    // ... and, where the host gives flags, a fold that loses inexact
    if (host_flags_after_rounding) {
        const ax_mac_cfg_t e = mac("mul_exact", "bf16", "fp32", "add_exact", "fp32");
        Fold lossy = [&](const Vec &v, uint32_t *fl) {
            uint32_t x = ax_mac_fold(&e, v.a.data(), v.b.data(), v.a.size(), fl);
            *fl &= ~(uint32_t)AX_FLAG_INEXACT;
            return x;
        };
        CHECK(compare(hs, lossy, host_fold_bf16, e.acc, true, same_f32).fails > 0);
    }
}
