// verify_plan.cpp — what the verifier checks (verify_impl.h): the vector
// plan of a configuration at each level, vector number i of a plan, the terms
// of MAC dot product number i. Pure functions of the plan, the seed and i.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "verify_impl.h"

extern "C" {
#include "ax_registry.h"
#include "ax_rng.h"
}

namespace axv {

uint64_t mix(uint64_t seed, uint64_t i)
{
    ax_rng_t r = {seed * UINT64_C(0xD1342543DE82EF95) ^ i};
    ax_rng_next(&r);
    return ax_rng_next(&r);
}

namespace {

// Exponent-field pairs that reach normal, subnormal, underflow, overflow and
// special operands for a multiplier or an adder (clamped, deduplicated).
std::vector<uint32_t> exponent_pairs(const Job &j)
{
    const int B = j.fi.bias, X = (int)ax_fmt_emask(j.fi), M = j.fi.mbits;
    const int bo = j.fo.bias, emax_o = (int)ax_fmt_emax_field(j.fo) - bo;
    std::vector<std::pair<int, int>> e;
    if (j.op == AX_DUT_MUL) {
        e = {{B, B}, {B, 1}, {1, B}, {0, B}, {B, 0}, {0, 0}, {0, B + M + 1}, {B / 2, B / 2},
             {X, B}, {X, 0}, {X, X}, {0, X}, {X - 1, X - 1}};
        // products whose unbiased exponent lands on the output's underflow
        // and overflow thresholds
        for (int t : {1 - bo, -bo, 1 - bo - j.fo.mbits, emax_o, emax_o + 1}) {
            int ua = t / 2, ub = t - ua;
            e.push_back({ua + B, ub + B});
        }
    } else {
        e = {{B, B}, {B, B - 1}, {B, B - 2}, {B, B - M - 1}, {B, B - M - 3}, {B, 0}, {0, 0},
             {1, 0}, {1, 1}, {X - 1, X - 1}, {X - 1, X - 2}, {X, B}, {X, X}, {0, X}};
    }
    std::vector<uint32_t> out;
    for (auto [ea, eb] : e) {
        ea = std::clamp(ea, 0, X);
        eb = std::clamp(eb, 0, X);
        for (uint32_t s = 0; s < 2; s++) { // mul: sign of a; add: sign of b
            uint32_t sa = j.op == AX_DUT_MUL ? s : 0, sb = j.op == AX_DUT_MUL ? 0 : s;
            bool dup = false;
            for (size_t k = 0; k < out.size(); k += 4)
                dup |= out[k] == sa && out[k + 1] == (uint32_t)ea && out[k + 2] == sb &&
                       out[k + 3] == (uint32_t)eb;
            if (!dup) out.insert(out.end(), {sa, (uint32_t)ea, sb, (uint32_t)eb});
        }
    }
    return out;
}

std::vector<uint32_t> special_values(ax_format_t f)
{
    std::vector<uint32_t> sp;
    const uint32_t X = ax_fmt_emask(f), mm = ax_fmt_mmask(f);
    for (uint32_t s = 0; s < 2; s++)
        for (uint32_t e : {0u, 1u, 2u, (uint32_t)f.bias, (uint32_t)f.bias + 1, X - 1, X})
            for (uint32_t m : {0u, 1u, 2u, mm, mm - 1, mm >> 1, (mm >> 1) + 1u, 0x555555u & mm})
                sp.push_back(ax_pack(s, e, m & mm, f));
    std::sort(sp.begin(), sp.end());
    sp.erase(std::unique(sp.begin(), sp.end()), sp.end());
    return sp;
}

// Weighted random pair: half uniform bit patterns, half with exponents chosen
// near the output's underflow and overflow thresholds (multipliers) or close
// to each other and near the range ends (adders).
void random_pair(const Job &j, uint64_t i, uint32_t *a, uint32_t *b)
{
    const uint32_t mask = wmask(width(j.fi));
    uint64_t z = mix(j.seed, i);
    *a = (uint32_t)z & mask;
    *b = (uint32_t)(z >> 32) & mask;
    if (!(i & 1)) return;
    ax_rng_t r = {z};
    const int B = j.fi.bias, X = (int)ax_fmt_emask(j.fi);
    int ea = (int)ax_rng_below(&r, X + 1), eb;
    if (j.op == AX_DUT_MUL) {
        const int bo = j.fo.bias, emax_o = (int)ax_fmt_emax_field(j.fo) - bo;
        int t = ax_rng_below(&r, 2) ? 1 - bo - (int)ax_rng_below(&r, j.fo.mbits + 4) + 1
                                    : emax_o - 2 + (int)ax_rng_below(&r, 4);
        eb = t - (ea - B) + B;
        if (eb < 0 || eb > X) eb = (int)ax_rng_below(&r, X + 1);
    } else {
        if (ax_rng_below(&r, 2)) {
            const int ends[] = {0, 1, 2, X - 1, X - 2};
            ea = ends[ax_rng_below(&r, 5)];
        }
        eb = std::clamp(ea + (int)ax_rng_below(&r, 2 * j.fi.mbits + 9) - (j.fi.mbits + 4), 0, X);
    }
    *a = ax_pack(ax_sign(*a, j.fi), (uint32_t)ea, ax_frac(*a, j.fi), j.fi);
    *b = ax_pack(ax_sign(*b, j.fi), (uint32_t)eb, ax_frac(*b, j.fi), j.fi);
}

} // namespace

int setup_job(const AxDut &d, Job &j)
{
    char err[512];
    j.dut = &d;
    if (ax_format_parse(d.fi, &j.fi, err, sizeof err) ||
        ax_format_parse(d.fo, &j.fo, err, sizeof err)) {
        printf("%s: %s\n", d.name, err);
        return 1;
    }
    if (d.kind == AX_DUT_DAA) {
        if (ax_mac_parse(d.daa, &j.daa, err, sizeof err)) {
            printf("%s: %s\n", d.name, err);
            return 1;
        }
        if (!ax_mac_is_daa(&j.daa)) {
            printf("%s: '%s' is not a DAA configuration\n", d.name, d.daa);
            return 1;
        }
        j.fi = j.daa.in, j.fp = j.daa.prod, j.fo = j.daa.acc;
        j.mul = j.daa.mul, j.add = j.daa.add;
        j.op = AX_DUT_DAA;
    } else if (d.kind == AX_DUT_MAC) {
        if (ax_format_parse(d.prod, &j.fp, err, sizeof err) ||
            ax_unit_parse(d.mul, &j.mul, err, sizeof err) ||
            ax_unit_parse(d.add, &j.add, err, sizeof err)) {
            printf("%s: %s\n", d.name, err);
            return 1;
        }
        j.op = AX_DUT_MAC;
    } else if (!d.cfn) {
        if (ax_unit_parse(d.unit, &j.unit, err, sizeof err)) {
            printf("%s: %s\n", d.name, err);
            return 1;
        }
        j.op = ax_unit_kind(j.unit) == AX_KIND_ADD ? AX_DUT_ADD : AX_DUT_MUL;
    } else {
        j.op = d.kind;
    }
    return 0;
}

void make_plan(Job &j, bool full)
{
    Plan &p = j.plan;
    const int w = width(j.fi), M = j.fi.mbits;
    if (j.dut->kind == AX_DUT_MAC || j.dut->kind == AX_DUT_DAA) {
        p.segs.push_back({SEG_RANDOM, full ? 200000ull : 20000ull, {}, {}});
        p.what = j.dut->kind == AX_DUT_MAC ? "random dot products" : "random pairs of dot products";
    } else if (w <= 8) {
        p.segs.push_back({SEG_EXHAUSTIVE, uint64_t(1) << (2 * w), {}, {}});
        p.what = "exhaustive";
    } else if (w <= 16 && full) {
        p.segs.push_back({SEG_EXHAUSTIVE, uint64_t(1) << (2 * w), {}, {}});
        p.what = "exhaustive";
    } else if (w <= 16) {
        Seg s{SEG_SIGPAIRS, 0, exponent_pairs(j), {}};
        s.sigbits = std::min(M, 11);
        s.n = (s.pairs.size() / 4) << (2 * s.sigbits);
        p.segs.push_back(s);
        p.segs.push_back({SEG_RANDOM, 1000000, {}, {}});
        p.what = s.sigbits == M ? "significand pairs x exponent pairs + random"
                                : "sampled significand pairs x exponent pairs + random";
    } else {
        Seg s{SEG_CROSS, 0, {}, special_values(j.fi)};
        s.n = (uint64_t)s.sp.size() * s.sp.size();
        p.segs.push_back(s);
        p.segs.push_back({SEG_RANDOM, full ? 100000000ull : 1000000ull, {}, {}});
        p.what = "special values crossed + weighted random";
    }
    for (const Seg &s : p.segs) p.total += s.n;
}

void vector_at(const Job &j, const Seg &s, uint64_t i, uint64_t gi, uint32_t *a, uint32_t *b)
{
    const int w = width(j.fi);
    switch (s.type) {
    case SEG_EXHAUSTIVE:
        *a = (uint32_t)(i >> w);
        *b = (uint32_t)(i & wmask(w));
        break;
    case SEG_SIGPAIRS: {
        const int sb = s.sigbits, M = j.fi.mbits;
        const uint64_t k = (i >> (2 * sb)) * 4;
        uint32_t fa = (uint32_t)(i >> sb) & wmask(sb), fb = (uint32_t)i & wmask(sb);
        if (sb < M) { // wider significands: the enumerated bits on top, random below
            uint64_t z = mix(j.seed ^ 0x5157, i);
            fa = fa << (M - sb) | ((uint32_t)z & wmask(M - sb));
            fb = fb << (M - sb) | ((uint32_t)(z >> 32) & wmask(M - sb));
        }
        *a = ax_pack(s.pairs[k], s.pairs[k + 1], fa, j.fi);
        *b = ax_pack(s.pairs[k + 2], s.pairs[k + 3], fb, j.fi);
        break;
    }
    case SEG_CROSS:
        *a = s.sp[i / s.sp.size()];
        *b = s.sp[i % s.sp.size()];
        break;
    case SEG_RANDOM:
        random_pair(j, gi, a, b);
        break;
    }
}

// Dot product number i: a random length (mostly short, sometimes up to 300)
// and terms that are mostly moderate normal values, with zeros, subnormals,
// extremes, infinities and NaNs mixed in.
uint32_t mac_terms(const Job &j, uint64_t i, std::vector<uint32_t> &a, std::vector<uint32_t> &b)
{
    ax_rng_t r = {mix(j.seed, i)};
    uint32_t n = ax_rng_below(&r, 8) ? ax_rng_below(&r, 40) : ax_rng_below(&r, 301);
    a.resize(n);
    b.resize(n);
    const ax_format_t f = j.fi;
    const uint32_t mask = wmask(width(f)), X = ax_fmt_emask(f);
    const bool wild = ax_rng_below(&r, 4) == 0; // a quarter of the sums see extremes
    for (uint32_t k = 0; k < n; k++)
        for (uint32_t *x : {&a[k], &b[k]}) {
            uint32_t z = (uint32_t)ax_rng_next(&r) & mask, pick = ax_rng_below(&r, 64);
            uint32_t e;
            if (wild && pick < 2)
                e = X; // inf / NaN (or max-exponent finite in FN formats)
            else if (wild && pick < 5)
                e = ax_rng_below(&r, 2); // zero / subnormal / smallest normal
            else if (wild && pick < 8)
                e = X - 1 - ax_rng_below(&r, 2);
            else if (pick < 10)
                e = ax_rng_below(&r, X + 1);
            else {
                int d = (int)ax_rng_below(&r, 9) - 4;
                e = (uint32_t)std::clamp(f.bias + d, 1, (int)X - 1);
            }
            *x = ax_pack(ax_sign(z, f), e, ax_frac(z, f), f);
        }
    // half the sums start from +0 (seed_i tied low, a plain MAC), the other
    // half from a partial sum in the accumulator format, any bit pattern
    if (ax_rng_below(&r, 2)) return 0;
    return (uint32_t)ax_rng_next(&r) & wmask(width(j.fo));
}

// Pair number i: stream 0 and b as mac_terms draws dot product i; stream 1
// from another draw, with the controller's corner cases mixed in: a copy of
// stream 0's operand (equal magnitudes), a zero of either sign, an operand
// with stream 0's exponent (a tie for the value policy).
void daa_terms(const Job &j, uint64_t i, std::vector<uint32_t> &a0, std::vector<uint32_t> &a1,
               std::vector<uint32_t> &b, uint32_t init[2])
{
    std::vector<uint32_t> x, y;
    init[0] = mac_terms(j, i, a0, b);
    init[1] = mac_terms(j, ~i, x, y);
    ax_rng_t r = {mix(j.seed ^ 0xDAAull, i)};
    const ax_format_t f = j.fi;
    a1.resize(a0.size());
    for (size_t k = 0; k < a0.size(); k++) {
        const uint32_t z = (uint32_t)ax_rng_next(&r);
        switch (ax_rng_below(&r, 8)) {
        case 0: a1[k] = a0[k]; break;
        case 1: a1[k] = ax_fmt_zero(z & 1, f); break;
        case 2: a1[k] = ax_pack(ax_sign(z, f), ax_expf(a0[k], f), ax_frac(z, f), f); break;
        default: a1[k] = x.empty() ? a0[k] ^ (1u << (f.ebits + f.mbits)) : x[k % x.size()];
        }
    }
}

} // namespace axv
