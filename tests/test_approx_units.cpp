// test_approx_units.cpp — every approximate unit against its defining
// formula, evaluated here and independently of cmodels/: multiplier
// significands in long double from the formulas of the spec (REALM's s_ij
// read as data from realm_table.h, quantized here), the adders' datapath
// re-modelled bit by bit on 64-bit integers from the spec text; the real
// value is then rounded by tests/oracle.h (brute-force nearest encoding).
// Result bits and flags compared exactly. Also: properties from the
// literature (Mitchell never overestimates, at most 1/9 low; MBM and REALM
// less biased), hand-worked examples, and the checker shown able to fail.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ax_format.h"
#include "ax_metrics.h"
#include "ax_registry.h"
#include "ax_units.h"
#include "oracle.h"
#include "test_util.h"
#include "units/realm_table.h" // data only: s_ij, 0.32 fixed point

namespace {

// ---- formats, units, operands ----------------------------------------------

std::string fname(ax_format_t f)
{
    char buf[64];
    return ax_format_name(f, buf, sizeof buf);
}

uint32_t pack(ax_format_t f, uint32_t s, uint32_t e, uint32_t m)
{
    return (s << (f.ebits + f.mbits)) | (e << f.mbits) | m;
}

// An operand decoded through the oracle's field values (ldexpl), not through
// ax_unpack: value = (-1)^neg * sig * 2^(exp - M), sig in [2^M, 2^(M+1)),
// i.e. a subnormal comes out normalized with a lowered exponent.
enum Cls { C_ZERO, C_FIN, C_INF, C_QNAN, C_SNAN };
struct Op {
    Cls cls;
    bool neg;
    uint32_t sig;
    int exp;
    long double val;
};

Op decode(uint32_t x, const Oracle &o)
{
    const ax_format_t f = o.f;
    const int M = f.mbits;
    Op r{};
    r.neg = (x & o.sign_bit()) != 0;
    if (o.is_nan(x)) {
        bool quiet = (f.flags & AX_FMT_FN) || ((x >> (M - 1)) & 1);
        r.cls = quiet ? C_QNAN : C_SNAN;
        r.val = NAN;
        return r;
    }
    if (o.is_inf(x)) {
        r.cls = C_INF;
        r.val = r.neg ? -INFINITY : INFINITY;
        return r;
    }
    uint32_t mag = x & (o.sign_bit() - 1);
    if (mag == 0 || ((f.flags & AX_FMT_FTZ) && (mag >> M) == 0)) {
        r.cls = C_ZERO;
        r.val = r.neg ? -0.0L : 0.0L;
        return r;
    }
    long double v = o.field_value(mag);
    int e;
    long double fr = frexpl(v, &e); // v = fr * 2^e, fr in [0.5, 1)
    r.cls = C_FIN;
    r.sig = (uint32_t)ldexpl(fr, M + 1);
    r.exp = e - 1;
    r.val = r.neg ? -v : v;
    return r;
}

// ---- multiplier formulas (value of the significand product, in [1, 5)) ----

using SigFn = std::function<long double(uint32_t xa, uint32_t xb, int M)>;

struct MulRef {
    std::string spec; // the unit under test
    SigFn sig;        // its defining formula
    bool rtz;         // the unit always rounds toward zero
};

long double fracv(uint32_t x, int M) { return ldexpl((long double)x, -M); }

long double f_exact(uint32_t xa, uint32_t xb, int M)
{
    return (1 + fracv(xa, M)) * (1 + fracv(xb, M));
}

long double f_mitchell(uint32_t xa, uint32_t xb, int M)
{
    long double s = fracv(xa, M) + fracv(xb, M);
    return s < 1 ? 1 + s : 2 * s;
}

// Mitchell plus c (c/2 when x + y >= 1), none where it would carry out.
long double corrected(long double x, long double y, long double c)
{
    long double s = x + y;
    if (s < 1) return (s + c >= 1) ? 1 + s : 1 + s + c;
    return ((s - 1) + c / 2 >= 1) ? 2 * s : 2 * (s + c / 2);
}

SigFn f_mbm(long double c = 1.0L / 16 + 1.0L / 64)
{
    return [c](uint32_t xa, uint32_t xb, int M) {
        return corrected(fracv(xa, M), fracv(xb, M), c);
    };
}

// DRUM: (M+1)-bit significand cut to its top k bits, lowest kept bit set.
SigFn f_drum(int k)
{
    return [k](uint32_t xa, uint32_t xb, int M) {
        auto cut = [&](uint32_t x) -> long double {
            long double s = 1 + fracv(x, M); // in [1, 2): k bits = k-1 fraction bits
            if (k >= M + 1) return s;
            long double t = floorl(ldexpl(s, k - 1)); // top k bits as an integer
            if (fmodl(t, 2.0L) == 0) t += 1;
            return ldexpl(t, 1 - k);
        };
        return cut(xa) * cut(xb);
    };
}

// REALM: s_ij of segment (floor(x*S), floor(y*S)), rounded half up to q bits.
long double realm_c(int segs, int q, long double x, long double y)
{
    int lg = 0;
    while ((1 << lg) < segs) lg++;
    int i = (int)floorl(x * segs), j = (int)floorl(y * segs);
    uint32_t s32 = ax_realm_s32[AX_REALM_OFFSET(lg) + (uint32_t)(i * segs + j)];
    long double s = ldexpl((long double)s32, -32);
    return ldexpl(floorl(ldexpl(s, q) + 0.5L), -q);
}

// REALM adds s on the product's scale ALWAYS (s to the fraction sum, s/2 of
// it when x + y >= 1), with no carry-out suppression: the product may pass 2
// or 4 and move up a binade.
SigFn f_realm(int segs, int q)
{
    return [segs, q](uint32_t xa, uint32_t xb, int M) {
        long double x = fracv(xa, M), y = fracv(xb, M);
        return f_mitchell(xa, xb, M) + realm_c(segs, q, x, y);
    };
}

MulRef ref_trunc() { return {"mul_trunc", f_exact, true}; }
MulRef ref_drum(int k) { return {"mul_drum:k=" + std::to_string(k), f_drum(k), false}; }
MulRef ref_mitchell() { return {"mul_mitchell", f_mitchell, false}; }
MulRef ref_mbm() { return {"mul_mbm", f_mbm(), true}; }
MulRef ref_realm(int m, int q)
{
    return {"mul_realm:m=" + std::to_string(m) + ",q=" + std::to_string(q), f_realm(m, q), true};
}

const int drum_ks[] = {2, 3, 4, 6, 8, 24};
const int realm_ms[] = {1, 2, 4, 8, 16};
const int realm_qs[] = {3, 6, 8, 15};
const int add_ls[] = {0, 1, 3, 8, 12};

// Expected result of a multiplier: IEEE specials, else the formula's value
// scaled by 2^(ea + eb), rounded by the oracle.
uint32_t mul_expect(const MulRef &r, uint32_t a, uint32_t b, const Oracle &oi, const Oracle &oo,
                    uint32_t *fl)
{
    Op A = decode(a, oi), B = decode(b, oi);
    const int rm = r.rtz ? (int)AX_RTZ : (int)oo.f.round;
    const bool neg = A.neg != B.neg;
    if (A.cls == C_QNAN || A.cls == C_SNAN || B.cls == C_QNAN || B.cls == C_SNAN) {
        if (A.cls == C_SNAN || B.cls == C_SNAN) *fl |= AX_FLAG_INVALID;
        return oo.nan_bits();
    }
    if (A.cls == C_INF || B.cls == C_INF) {
        if (A.cls == C_ZERO || B.cls == C_ZERO) return *fl |= AX_FLAG_INVALID, oo.nan_bits();
        return oo.round(neg ? -(long double)INFINITY : (long double)INFINITY, rm, fl);
    }
    if (A.cls == C_ZERO || B.cls == C_ZERO) return oo.round(neg ? -0.0L : 0.0L, rm, fl);
    const int M = oi.f.mbits;
    const uint32_t hid = 1u << M;
    long double p = r.sig(A.sig - hid, B.sig - hid, M);
    long double v = ldexpl(p, A.exp + B.exp);
    return oo.round(neg ? -v : v, rm, fl);
}

// ---- adder datapath, from the spec text --------------------------------------

enum AddOp { PLAIN, LOA, ETA };
struct AddRef {
    std::string spec;
    AddOp op;
    int l;    // approximate low bits
    int g;    // bits below the P-bit datapath
    bool jam; // shifted-out bits ORed into the lowest (else dropped)
    bool rtz;
};

AddRef ref_add_trunc() { return {"add_trunc", PLAIN, 0, 0, false, true}; }
AddRef ref_loa(int l) { return {"add_loa:l=" + std::to_string(l), LOA, l, 3, true, false}; }
AddRef ref_eta(int l) { return {"add_eta:l=" + std::to_string(l), ETA, l, 3, true, false}; }

uint64_t bit(uint64_t x, int i) { return (x >> i) & 1; }

// LOA on W-bit x, y: low L bits x_i | y_i; upper (x>>L)+(y>>L)+(x_(L-1)&y_(L-1)).
uint64_t loa(uint64_t x, uint64_t y, int w, int l)
{
    if (l > w) l = w;
    uint64_t low = 0;
    for (int i = 0; i < l; i++) low |= (bit(x, i) | bit(y, i)) << i;
    uint64_t cin = l > 0 ? bit(x, l - 1) & bit(y, l - 1) : 0;
    return (((x >> l) + (y >> l) + cin) << l) | low;
}

// ETA-I: upper (x>>L)+(y>>L); low bits from L-1 down x_i ^ y_i until the
// first i with x_i & y_i, which and every bit below it are 1.
uint64_t eta(uint64_t x, uint64_t y, int w, int l)
{
    if (l > w) l = w;
    uint64_t low = 0;
    bool ones = false;
    for (int i = l - 1; i >= 0; i--) {
        if (!ones && (bit(x, i) & bit(y, i))) ones = true;
        low |= (ones ? 1 : (bit(x, i) ^ bit(y, i))) << i;
    }
    return (((x >> l) + (y >> l)) << l) | low;
}

uint32_t add_expect(const AddRef &r, uint32_t a, uint32_t b, const Oracle &oi, const Oracle &oo,
                    uint32_t *fl)
{
    Op A = decode(a, oi), B = decode(b, oi);
    const int rm = r.rtz ? (int)AX_RTZ : (int)oo.f.round;
    if (A.cls == C_QNAN || A.cls == C_SNAN || B.cls == C_QNAN || B.cls == C_SNAN) {
        if (A.cls == C_SNAN || B.cls == C_SNAN) *fl |= AX_FLAG_INVALID;
        return oo.nan_bits();
    }
    if (A.cls == C_INF && B.cls == C_INF && A.neg != B.neg)
        return *fl |= AX_FLAG_INVALID, oo.nan_bits();
    if (A.cls == C_INF || B.cls == C_INF) return oo.round(A.cls == C_INF ? A.val : B.val, rm, fl);
    if (A.cls == C_ZERO && B.cls == C_ZERO)
        return oo.round((A.neg && B.neg) ? -0.0L : 0.0L, rm, fl);
    if (A.cls == C_ZERO) return oo.round(B.val, rm, fl);
    if (B.cls == C_ZERO) return oo.round(A.val, rm, fl);
    // order by magnitude
    const Op &big = (B.exp > A.exp || (B.exp == A.exp && B.sig > A.sig)) ? B : A;
    const Op &sml = (&big == &A) ? B : A;
    const int mi = oi.f.mbits, mo = oo.f.mbits;
    const int p = (mi > mo ? mi : mo) + 1, w = p + r.g;
    const int up = p - 1 - mi + r.g; // the larger's MSB at the top of the P bits
    const int d = big.exp - sml.exp;
    uint64_t x = (uint64_t)big.sig << up, ys = (uint64_t)sml.sig << up, y;
    if (d >= 64) {
        y = (r.jam && ys) ? 1 : 0;
    } else {
        y = ys >> d;
        if (r.jam && (ys & ((UINT64_C(1) << d) - 1))) y |= 1;
    }
    uint64_t s;
    if (big.neg != sml.neg) {
        s = x - y; // exact on the datapath for every adder
        if (s == 0) return oo.round(0.0L, rm, fl);
    } else {
        s = r.op == LOA ? loa(x, y, w, r.l) : r.op == ETA ? eta(x, y, w, r.l) : x + y;
    }
    long double v = ldexpl((long double)s, big.exp - (p - 1) - r.g);
    return oo.round(big.neg ? -v : v, rm, fl);
}

// ---- the checker ---------------------------------------------------------------

using Pairs = std::vector<std::pair<uint32_t, uint32_t>>;
using Device = std::function<uint32_t(uint32_t a, uint32_t b, uint32_t *flags)>;
using Expect = std::function<uint32_t(uint32_t a, uint32_t b, uint32_t *flags)>;

struct Fail {
    uint32_t a, b, got, gotf, want, wantf;
};
struct Report {
    std::string what;
    uint64_t cases = 0, fails = 0;
    std::vector<Fail> first; // the first 10
};

Report compare(const std::string &what, const Pairs &pairs, const Device &dev, const Expect &exp)
{
    Report r;
    r.what = what;
    for (const auto &pr : pairs) {
        uint32_t gf = 0, wf = 0;
        uint32_t got = dev(pr.first, pr.second, &gf);
        uint32_t want = exp(pr.first, pr.second, &wf);
        r.cases++;
        if (got != want || gf != wf) {
            if (r.fails++ < 10) r.first.push_back({pr.first, pr.second, got, gf, want, wf});
        }
    }
    return r;
}

Device model(const std::string &spec, ax_format_t fi, ax_format_t fo)
{
    ax_unit_t u = unit(spec);
    return [u, fi, fo](uint32_t a, uint32_t b, uint32_t *fl) {
        return ax_unit_apply(u, a, b, fi, fo, fl);
    };
}

Report check_mul(const MulRef &r, ax_format_t fi, ax_format_t fo, const Pairs &pairs,
                 Device dev = nullptr)
{
    auto oi = std::make_shared<Oracle>(fi), oo = std::make_shared<Oracle>(fo);
    if (!dev) dev = model(r.spec, fi, fo);
    return compare(r.spec + " " + fname(fi) + "->" + fname(fo), pairs, dev,
                   [&r, oi, oo](uint32_t a, uint32_t b, uint32_t *fl) {
                       return mul_expect(r, a, b, *oi, *oo, fl);
                   });
}

Report check_add(const AddRef &r, ax_format_t fi, ax_format_t fo, const Pairs &pairs,
                 Device dev = nullptr)
{
    auto oi = std::make_shared<Oracle>(fi), oo = std::make_shared<Oracle>(fo);
    if (!dev) dev = model(r.spec, fi, fo);
    return compare(r.spec + " " + fname(fi) + "->" + fname(fo), pairs, dev,
                   [&r, oi, oo](uint32_t a, uint32_t b, uint32_t *fl) {
                       return add_expect(r, a, b, *oi, *oo, fl);
                   });
}

std::string describe(const Report &r)
{
    std::ostringstream s;
    s << r.what << ": " << r.fails << " of " << r.cases << " differ" << std::hex;
    for (const Fail &f : r.first)
        s << "\n  a=0x" << f.a << " b=0x" << f.b << " got=0x" << f.got << " flags=0x" << f.gotf
          << " want=0x" << f.want << " flags=0x" << f.wantf;
    return s.str();
}

void require_clean(const Report &r)
{
    INFO(describe(r));
    REQUIRE(r.cases > 0);
    REQUIRE(r.fails == 0);
}

// ---- operand sets ------------------------------------------------------------

// Every pair of 8-bit patterns: specials, zeros, subnormals, both signs.
const Pairs &fp8_all()
{
    static const Pairs p = [] {
        Pairs v;
        for (uint32_t a = 0; a < 256; a++)
            for (uint32_t b = 0; b < 256; b++) v.push_back({a, b});
        return v;
    }();
    return p;
}

// Every significand pair under each biased exponent-field pair; signs vary
// with the fractions so all four sign combinations occur.
Pairs sig_grid(ax_format_t f, const std::vector<std::pair<uint32_t, uint32_t>> &eps)
{
    Pairs v;
    const uint32_t n = 1u << f.mbits;
    for (const auto &ep : eps)
        for (uint32_t xa = 0; xa < n; xa++)
            for (uint32_t xb = 0; xb < n; xb++)
                v.push_back({pack(f, (xb >> 2) & 1, ep.first, xa),
                             pack(f, (xa >> 1) & 1, ep.second, xb)});
    return v;
}

// bf16 multiplier exponent fields (bias 127, emin -126; product in [1, 4)).
const std::vector<std::pair<uint32_t, uint32_t>> bf16_mul_eps = {
    {127, 127}, {127, 128}, {100, 60}, {1, 254}, {254, 1}, // normal results
    {64, 63},   {63, 64},                                  // 2^-127: tininess edge
    {63, 63},   {40, 80},   {20, 100},                     // subnormal results
    {1, 1},     {10, 3},                                   // far below: 0 or min subnormal
    {200, 181}, {181, 200}, {254, 127},                    // 2^127: overflow edge
    {200, 182}, {254, 254},                                // overflow
    {0, 127},   {127, 0},   {0, 133},   {0, 134},          // subnormal operands ...
    {0, 200},   {0, 254},   {0, 0},                        // ... normal/huge/zero results
};

// bf16 operands into fp8e4m3 (emin -6, max 448 = 1.75 * 2^8).
const std::vector<std::pair<uint32_t, uint32_t>> bf16_to_e4m3_mul_eps = {
    {127, 127}, {127, 130}, {124, 126}, // normal
    {130, 132}, {130, 133}, {127, 137}, // 2^8..2^10: overflow edge, overflow
    {124, 123}, {122, 124}, {120, 123}, // 2^-7 tininess edge, subnormal
    {120, 124}, {110, 110},             // below the smallest subnormal
    {0, 254},   {0, 250},               // subnormal operands
};

// Adder grid: for each biased base exponent and difference d, every
// significand pair, an effective addition and an effective subtraction;
// operand order and the common sign vary with the fractions.
Pairs add_grid(ax_format_t f, const std::vector<uint32_t> &bases, const std::vector<int> &ds,
               const std::vector<std::pair<uint32_t, uint32_t>> &extra)
{
    std::vector<std::pair<uint32_t, uint32_t>> eps = extra;
    for (uint32_t base : bases)
        for (int d : ds)
            if ((int)base - d >= 1) eps.push_back({base, base - (uint32_t)d});
    Pairs v;
    const uint32_t n = 1u << f.mbits;
    for (const auto &ep : eps)
        for (uint32_t xa = 0; xa < n; xa++)
            for (uint32_t xb = 0; xb < n; xb++)
                for (uint32_t diff = 0; diff < 2; diff++) {
                    uint32_t sa = (xa >> 1) & 1, sb = sa ^ diff;
                    uint32_t a = pack(f, sa, ep.first, xa), b = pack(f, sb, ep.second, xb);
                    if ((xa ^ xb) & 1) std::swap(a, b);
                    v.push_back({a, b});
                }
    return v;
}

std::vector<int> diffs()
{
    std::vector<int> d;
    for (int i = 0; i <= 12; i++) d.push_back(i);
    d.push_back(40);
    return d;
}

const std::vector<std::pair<uint32_t, uint32_t>> bf16_add_sub_eps = {
    {0, 0}, {1, 0}, {2, 0}, {3, 0}, {12, 0}, // subnormal operands, subnormal results
};

const Pairs &bf16_add_pairs()
{
    static const Pairs p = add_grid(fmt("bf16"), {127, 254, 13}, diffs(), bf16_add_sub_eps);
    return p;
}

const Pairs &bf16_mul_pairs()
{
    static const Pairs p = sig_grid(fmt("bf16"), bf16_mul_eps);
    return p;
}

// Formats and format pairs of the multiplier and adder sweeps.
struct FmtPair {
    const char *fi, *fo;
};
const FmtPair fp8_pairs[] = {
    {"fp8e4m3", "fp8e4m3"}, {"fp8e5m2", "fp8e5m2"}, // same format
    {"fp8e4m3", "bf16"},    {"fp8e5m2", "fp16"},    // wider output
    {"fp8e5m2:rtz", "fp8e5m2:rtz"},                 // the format's rounding mode
    {"fp8e5m2:ftz", "fp8e5m2:ftz"},                 // subnormals flushed
    {"fp8e4m3:sat", "fp8e4m3:sat"},                 // saturating
};

// suffixes = false: the first four pairs only (the suffixes exercise the
// shared rounding policy, which no unit parameter changes).
void mul_fp8(const MulRef &r, bool suffixes = true)
{
    for (const FmtPair &fp : fp8_pairs) {
        if (!suffixes && (std::string(fp.fi).find(':') != std::string::npos)) continue;
        require_clean(check_mul(r, fmt(fp.fi), fmt(fp.fo), fp8_all()));
    }
}

void mul_bf16(const MulRef &r)
{
    const ax_format_t bf16 = fmt("bf16"), e4m3 = fmt("fp8e4m3");
    static const Pairs narrow = sig_grid(bf16, bf16_to_e4m3_mul_eps);
    require_clean(check_mul(r, bf16, bf16, bf16_mul_pairs()));
    require_clean(check_mul(r, bf16, e4m3, narrow));
}

void add_fp8(const AddRef &r)
{
    for (const FmtPair &fp : fp8_pairs)
        require_clean(check_add(r, fmt(fp.fi), fmt(fp.fo), fp8_all()));
}

void add_bf16(const AddRef &r)
{
    const ax_format_t bf16 = fmt("bf16"), e4m3 = fmt("fp8e4m3");
    static const Pairs narrow = add_grid(bf16, {127, 135, 120}, diffs(), {});
    require_clean(check_add(r, bf16, bf16, bf16_add_pairs()));
    require_clean(check_add(r, bf16, e4m3, narrow));
}

// One application, for the hand-worked examples.
uint32_t run1(const char *spec, uint32_t a, uint32_t b, const char *fi, const char *fo,
              uint32_t *fl)
{
    *fl = 0;
    return ax_unit_apply(unit(spec), a, b, fmt(fi), fmt(fo), fl);
}

} // namespace

// ==== multipliers: formula, every significand pair ============================

TEST_CASE("cmodels.mul_trunc.formula_fp8", "[cmodels][approx]") { mul_fp8(ref_trunc()); }
TEST_CASE("cmodels.mul_trunc.formula_bf16", "[cmodels][approx]") { mul_bf16(ref_trunc()); }

TEST_CASE("cmodels.mul_drum.formula_fp8", "[cmodels][approx]")
{
    for (int k : drum_ks) mul_fp8(ref_drum(k), k == 3);
}
TEST_CASE("cmodels.mul_drum.formula_bf16", "[cmodels][approx]")
{
    for (int k : drum_ks) mul_bf16(ref_drum(k));
}

TEST_CASE("cmodels.mul_mitchell.formula_fp8", "[cmodels][approx]") { mul_fp8(ref_mitchell()); }
TEST_CASE("cmodels.mul_mitchell.formula_bf16", "[cmodels][approx]") { mul_bf16(ref_mitchell()); }

TEST_CASE("cmodels.mul_mbm.formula_fp8", "[cmodels][approx]") { mul_fp8(ref_mbm()); }
TEST_CASE("cmodels.mul_mbm.formula_bf16", "[cmodels][approx]") { mul_bf16(ref_mbm()); }

TEST_CASE("cmodels.mul_realm.formula_fp8", "[cmodels][approx]")
{
    for (int m : realm_ms)
        for (int q : realm_qs) mul_fp8(ref_realm(m, q), (m == 8 && q == 6) || (m == 1 && q == 3));
}
TEST_CASE("cmodels.mul_realm.formula_bf16", "[cmodels][approx]")
{
    for (int m : realm_ms)
        for (int q : realm_qs) mul_bf16(ref_realm(m, q));
}

// The default parameters are the documented ones (drum k=6, realm m=8,q=6).
TEST_CASE("cmodels.mul_approx.default_params", "[cmodels][approx]")
{
    const ax_format_t bf16 = fmt("bf16");
    Pairs pairs = sig_grid(bf16, {{127, 127}});
    Device d = [bf16](uint32_t a, uint32_t b, uint32_t *fl) {
        return ax_unit_apply(ax_unit_default(AX_MUL_DRUM), a, b, bf16, bf16, fl);
    };
    require_clean(check_mul(ref_drum(6), bf16, bf16, pairs, d));
    d = [bf16](uint32_t a, uint32_t b, uint32_t *fl) {
        return ax_unit_apply(ax_unit_default(AX_MUL_REALM), a, b, bf16, bf16, fl);
    };
    require_clean(check_mul(ref_realm(8, 6), bf16, bf16, pairs, d));
}

// ==== multipliers: properties from the literature ==============================

// Mitchell's approximation never exceeds the exact product, so neither does
// its rounding (rounding is monotone); and it is at most 1/9 below it
// (attained at x = y = 1/2), plus one ulp of slack for the two roundings.
TEST_CASE("cmodels.mul_mitchell.never_over_at_most_one_ninth_low", "[cmodels][approx]")
{
    for (const char *fname_ : {"bf16", "fp16"}) {
        const ax_format_t f = fmt(fname_);
        const Oracle o(f);
        const ax_unit_t mit = unit("mul_mitchell"), ex = unit("mul_exact");
        std::vector<std::pair<uint32_t, uint32_t>> eps = {{(uint32_t)f.bias, (uint32_t)f.bias}};
        if (f.ebits == 8) eps = {{127, 127}, {127, 128}, {100, 60}, {64, 63}, {40, 80},
                                 {0, 133},   {200, 181}, {254, 254}, {1, 254}};
        // positive operands only
        Pairs pairs;
        const uint32_t n = 1u << f.mbits;
        for (const auto &ep : eps)
            for (uint32_t xa = 0; xa < n; xa++)
                for (uint32_t xb = 0; xb < n; xb++)
                    pairs.push_back({pack(f, 0, ep.first, xa), pack(f, 0, ep.second, xb)});
        const long double bound = 1.0L / 9 + ldexpl(1.0L, -f.mbits);
        const long double minnorm = ldexpl(1.0L, 1 - f.bias);
        uint64_t over = 0, above = 0, normal = 0;
        long double worst = 0;
        for (const auto &pr : pairs) {
            uint32_t fl = 0;
            long double vm = o.value(ax_unit_apply(mit, pr.first, pr.second, f, f, &fl));
            long double ve = o.value(ax_unit_apply(ex, pr.first, pr.second, f, f, &fl));
            if (vm > ve) over++;
            if (std::isfinite(ve) && ve >= minnorm) {
                normal++;
                long double rel = (ve - vm) / ve;
                if (rel > worst) worst = rel;
                if (rel > bound) above++;
            }
        }
        INFO(fname_ << ": worst relative error " << (double)worst);
        REQUIRE(pairs.size() > 0);
        REQUIRE(normal > 0);
        REQUIRE(over == 0);
        REQUIRE(above == 0);
        REQUIRE(worst >= 1.0L / 9); // the bound is tight
    }
    // x = y = 1/2 exactly: 2.0 against 2.25, error 1/9
    uint32_t fl;
    REQUIRE(run1("mul_mitchell", 0x3FC0, 0x3FC0, "bf16", "bf16", &fl) == 0x4000);
    REQUIRE(run1("mul_exact", 0x3FC0, 0x3FC0, "bf16", "bf16", &fl) == 0x4010);
}

namespace {
// Mean signed relative error of a formula over every significand pair at
// exponent 0 (bf16), rounded as the unit rounds, against the correctly
// rounded exact product — ax_metrics' definition, computed independently.
double bias_indep(const MulRef &r)
{
    const ax_format_t f = fmt("bf16");
    const Oracle o(f);
    const uint32_t n = 1u << f.mbits;
    double sum = 0;
    for (uint32_t xb = 0; xb < n; xb++)
        for (uint32_t xa = 0; xa < n; xa++) {
            uint32_t fl = 0;
            long double va = o.value(o.round(r.sig(xa, xb, f.mbits), r.rtz ? AX_RTZ : AX_RNE, &fl));
            long double ve = o.value(o.round(f_exact(xa, xb, f.mbits), AX_RNE, &fl));
            sum += (double)((va - ve) / ve);
        }
    return sum / (double)(n * n);
}

ax_metrics_t metrics(const char *spec, const char *f)
{
    ax_metrics_t m;
    REQUIRE(ax_metrics_compute(unit(spec), fmt(f), fmt(f), AX_METRICS_MAX_ENUM, AX_METRICS_SAMPLE, 1, &m) ==
            0);
    REQUIRE(m.sampled == 0);
    REQUIRE(m.n == m.domain);
    return m;
}
} // namespace

TEST_CASE("cmodels.mul_mbm.bias_below_mitchell", "[cmodels][approx]")
{
    for (const char *f : {"bf16", "fp16"}) {
        ax_metrics_t mit = metrics("mul_mitchell", f), mbm = metrics("mul_mbm", f);
        INFO(f << ": bias mitchell " << mit.bias << " mbm " << mbm.bias);
        REQUIRE(mit.bias < 0); // Mitchell underestimates
        REQUIRE(std::fabs(mbm.bias) < std::fabs(mit.bias));
    }
    double bm = bias_indep(ref_mitchell()), bb = bias_indep(ref_mbm());
    ax_metrics_t mit = metrics("mul_mitchell", "bf16"), mbm = metrics("mul_mbm", "bf16");
    INFO("independent bias: mitchell " << bm << " mbm " << bb);
    REQUIRE(std::fabs(bb) < std::fabs(bm));
    REQUIRE(bm == Approx(mit.bias).margin(1e-12));
    REQUIRE(bb == Approx(mbm.bias).margin(1e-12));
}

TEST_CASE("cmodels.mul_realm.bias_below_mitchell", "[cmodels][approx]")
{
    for (const char *f : {"bf16", "fp16"}) {
        ax_metrics_t mit = metrics("mul_mitchell", f), realm = metrics("mul_realm:m=8,q=6", f);
        INFO(f << ": bias mitchell " << mit.bias << " realm " << realm.bias);
        REQUIRE(std::fabs(realm.bias) < std::fabs(mit.bias));
    }
    double bm = bias_indep(ref_mitchell()), br = bias_indep(ref_realm(8, 6));
    ax_metrics_t realm = metrics("mul_realm:m=8,q=6", "bf16");
    INFO("independent bias: mitchell " << bm << " realm " << br);
    REQUIRE(std::fabs(br) < std::fabs(bm));
    REQUIRE(br == Approx(realm.bias).margin(1e-12));
}

// ==== multipliers: hand-worked examples ==========================================

TEST_CASE("cmodels.mul_approx.hand_examples", "[cmodels][approx]")
{
    uint32_t fl;
    // mul_trunc bf16 0x3FC1 * 0x3FC1: (193/128)^2 = 37249/16384 = 2.27349853515625;
    // in [2,4) ulp 2^-6: 145.50390625 ulps -> RTZ 145 = 2 * (1 + 17/128) = 0x4011
    // (RNE, mul_exact: 146 -> 0x4012).
    REQUIRE(run1("mul_trunc", 0x3FC1, 0x3FC1, "bf16", "bf16", &fl) == 0x4011);
    REQUIRE(fl == AX_FLAG_INEXACT);
    REQUIRE(run1("mul_exact", 0x3FC1, 0x3FC1, "bf16", "bf16", &fl) == 0x4012);

    // mul_drum:k=4 bf16 0x3FAB * 0x3F80: 1.0101011b -> top 4 bits 1010, lsb
    // forced: 1011 = 1.375; 1.0000000b -> 1001 = 1.125; 1.546875 = 1.1000110b
    // exactly = 0x3FC6, no flags (exact would be 0x3FAB).
    REQUIRE(run1("mul_drum:k=4", 0x3FAB, 0x3F80, "bf16", "bf16", &fl) == 0x3FC6);
    REQUIRE(fl == 0);
    // k=24 cuts nothing: 0x3FC1^2 rounds as mul_exact, 0x4012.
    REQUIRE(run1("mul_drum:k=24", 0x3FC1, 0x3FC1, "bf16", "bf16", &fl) == 0x4012);

    // mul_mitchell bf16 1.5 * 1.5: x + y = 1 -> 2(x + y) = 2.0 = 0x4000 (exact 2.25).
    REQUIRE(run1("mul_mitchell", 0x3FC0, 0x3FC0, "bf16", "bf16", &fl) == 0x4000);
    REQUIRE(fl == 0);
    // 1.25 * 1.5: x + y = 0.75 < 1 -> 1.75 = 0x3FE0 (exact 1.875).
    REQUIRE(run1("mul_mitchell", 0x3FA0, 0x3FC0, "bf16", "bf16", &fl) == 0x3FE0);
    // fp8e4m3 (bias 7) 1.5 = 0x3C; 1.5 * 1.5 -> 2.0 = 0 1000 000 = 0x40.
    REQUIRE(run1("mul_mitchell", 0x3C, 0x3C, "fp8e4m3", "fp8e4m3", &fl) == 0x40);

    // mul_mbm bf16 c = 5/64. 1 * 1: 1 + 5/64 = 1 + 10/128 = 0x3F8A.
    REQUIRE(run1("mul_mbm", 0x3F80, 0x3F80, "bf16", "bf16", &fl) == 0x3F8A);
    REQUIRE(fl == 0);
    // 1.5 * 1.5: x + y = 1: 2(1 + 5/128) = 2.078125 = 0x4005.
    REQUIRE(run1("mul_mbm", 0x3FC0, 0x3FC0, "bf16", "bf16", &fl) == 0x4005);
    // x = 63/128, y = 60/128: x + y + c = 133/128 >= 1, no correction:
    // 1 + 123/128 = 0x3FFB.
    REQUIRE(run1("mul_mbm", 0x3FBF, 0x3FBC, "bf16", "bf16", &fl) == 0x3FFB);
    // x = y = 127/128: (x + y - 1) + c/2 = 131/128 >= 1: 2(x + y) = 3.96875 = 0x407E.
    REQUIRE(run1("mul_mbm", 0x3FFF, 0x3FFF, "bf16", "bf16", &fl) == 0x407E);
    // fp8e4m3: 1.0 * 1.0 + c = 1.078125 (3 fraction bits), RTZ: 1.0 = 0x38.
    REQUIRE(run1("mul_mbm", 0x38, 0x38, "fp8e4m3", "fp8e4m3", &fl) == 0x38);
    REQUIRE(fl == AX_FLAG_INEXACT);

    // mul_realm:m=8,q=6 bf16 1.5 * 1.5: segment (4, 4), s32 = 0x312FDA45;
    // (0x312FDA45 + 2^25) >> 26 = 12: c = 12/64; x + y = 1: 2(1 + 6/64)
    // = 2.1875 = 2 * (1 + 12/128) = 0x400C.
    REQUIRE(run1("mul_realm:m=8,q=6", 0x3FC0, 0x3FC0, "bf16", "bf16", &fl) == 0x400C);
    REQUIRE(fl == 0);
    // mul_realm:m=1,q=3 bf16 1 * 1: s32 = 0x1481F077, (s32 + 2^28) >> 29 = 1:
    // c = 1/8: 1.125 = 0x3F90.
    REQUIRE(run1("mul_realm:m=1,q=3", 0x3F80, 0x3F80, "bf16", "bf16", &fl) == 0x3F90);
    // m=1,q=3, 1 * 1.875 (0x3FF0): 1 + 0.875 + 1/8 = 2.0 = 0x4000 — the term
    // is added even though it carries out (MBM's rule would give 0x3FF0).
    REQUIRE(run1("mul_realm:m=1,q=3", 0x3F80, 0x3FF0, "bf16", "bf16", &fl) == 0x4000);
    REQUIRE(fl == 0);
    // m=1,q=3, x = y = 127/128: 2 * 254/128 + 1/8 = 4.09375 = 4 * (1 + 3/128)
    // = 0x4083, past 4 into the next binade, exact.
    REQUIRE(run1("mul_realm:m=1,q=3", 0x3FFF, 0x3FFF, "bf16", "bf16", &fl) == 0x4083);
    REQUIRE(fl == 0);
    // m=8,q=6, 1 * 1: segment (0, 0) s32 = 0x00F60CD4 rounds to 0 at 6 bits: 0x3F80.
    REQUIRE(run1("mul_realm:m=8,q=6", 0x3F80, 0x3F80, "bf16", "bf16", &fl) == 0x3F80);
    REQUIRE(fl == 0);
}

// The operand sets reach what they claim to: subnormal operands, normal,
// subnormal (tiny), flushed-to-zero, underflowing and overflowing results,
// and the tininess edge: a value below 2^emin rounded up to 2^emin (with
// underflow when it is still tiny at full precision; without, when rounding
// at full precision already reaches 2^emin — only a full-width product such
// as DRUM with k >= M+1 can land there).
TEST_CASE("cmodels.mul_approx.operand_set_coverage", "[cmodels][approx]")
{
    const ax_format_t bf16 = fmt("bf16");
    const Oracle o(bf16);
    const long double minnorm = ldexpl(1.0L, -126);
    for (const MulRef &r : {ref_mitchell(), ref_mbm(), ref_realm(8, 6), ref_drum(4), ref_drum(8)}) {
        uint64_t sub_op = 0, normal = 0, tiny = 0, uf = 0, of = 0, zero = 0;
        uint64_t edge = 0, edge_nouf = 0;
        for (const auto &pr : bf16_mul_pairs()) {
            uint32_t fl = 0;
            uint32_t w = mul_expect(r, pr.first, pr.second, o, o, &fl) & 0x7FFF;
            Op a = decode(pr.first, o), b = decode(pr.second, o);
            if (a.cls == C_FIN && ((pr.first >> 7) & 0xFF) == 0) sub_op++;
            if (w >= 0x80 && w < 0x7F80) normal++;
            if (w > 0 && w < 0x80) tiny++;
            if (w == 0 && a.cls == C_FIN && b.cls == C_FIN) zero++;
            if (fl & AX_FLAG_UNDERFLOW) uf++;
            if (fl & AX_FLAG_OVERFLOW) of++;
            if (w == 0x80 && a.cls == C_FIN && b.cls == C_FIN) {
                long double v = ldexpl(r.sig(a.sig & 0x7F, b.sig & 0x7F, 7), a.exp + b.exp);
                if (v < minnorm) {
                    edge++;
                    if (!(fl & AX_FLAG_UNDERFLOW)) edge_nouf++;
                }
            }
        }
        INFO(r.spec << ": subnormal operands " << sub_op << ", normal " << normal << ", subnormal "
                    << tiny << ", flushed to 0 " << zero << ", underflow " << uf << ", overflow "
                    << of << ", rounded up to 2^emin " << edge << " (" << edge_nouf
                    << " without underflow)");
        CHECK(sub_op > 0);
        CHECK(normal > 0);
        CHECK(tiny > 0);
        CHECK(zero > 0);
        CHECK(uf > 0);
        CHECK(of > 0);
        // RTZ never rounds up; DRUM k=4 products have at most 6 fraction bits
        // below 2, too few to come within half a subnormal ulp of 2^emin.
        if (r.spec == "mul_mitchell" || r.spec == "mul_drum:k=8") CHECK(edge > 0);
        if (r.spec == "mul_drum:k=8") CHECK(edge_nouf > 0);
    }
}

// Every parameter with every fp8 format pair, and a denser bf16 adder grid
// (every difference 0..24 and far ones, four bases).
TEST_CASE("cmodels.approx.formula_extended", "[cmodels][approx][slow]")
{
    for (int k : drum_ks) mul_fp8(ref_drum(k));
    for (int m : realm_ms)
        for (int q : realm_qs) mul_fp8(ref_realm(m, q));
    const ax_format_t bf16 = fmt("bf16");
    std::vector<int> ds;
    for (int d = 0; d <= 24; d++) ds.push_back(d);
    for (int d : {31, 64, 100, 200}) ds.push_back(d);
    const Pairs pairs = add_grid(bf16, {127, 254, 30, 240}, ds, bf16_add_sub_eps);
    std::vector<AddRef> refs = {ref_add_trunc()};
    for (int l : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 27}) {
        refs.push_back(ref_loa(l));
        refs.push_back(ref_eta(l));
    }
    for (const AddRef &r : refs) require_clean(check_add(r, bf16, bf16, pairs));
}

// ==== adders ======================================================================

TEST_CASE("cmodels.add_trunc.datapath_fp8", "[cmodels][approx]") { add_fp8(ref_add_trunc()); }
TEST_CASE("cmodels.add_trunc.datapath_bf16", "[cmodels][approx]") { add_bf16(ref_add_trunc()); }

TEST_CASE("cmodels.add_loa.datapath_fp8", "[cmodels][approx]")
{
    for (int l : add_ls) add_fp8(ref_loa(l));
}
TEST_CASE("cmodels.add_loa.datapath_bf16", "[cmodels][approx]")
{
    for (int l : add_ls) add_bf16(ref_loa(l));
}

TEST_CASE("cmodels.add_eta.datapath_fp8", "[cmodels][approx]")
{
    for (int l : add_ls) add_fp8(ref_eta(l));
}
TEST_CASE("cmodels.add_eta.datapath_bf16", "[cmodels][approx]")
{
    for (int l : add_ls) add_bf16(ref_eta(l));
}

// l = 0: the plain datapath adder with guard, round, sticky is correctly
// rounded, i.e. add_exact (here compared with the model's add_exact).
TEST_CASE("cmodels.add_approx.l0_equals_add_exact", "[cmodels][approx]")
{
    const ax_format_t bf16 = fmt("bf16");
    const Pairs sub = add_grid(bf16, {127}, diffs(), bf16_add_sub_eps);
    struct Case {
        const char *f;
        const Pairs *pairs;
    };
    for (Case c : {Case{"fp8e4m3", &fp8_all()}, Case{"fp8e5m2", &fp8_all()}, Case{"bf16", &sub}})
        for (const char *spec : {"add_loa:l=0", "add_eta:l=0"}) {
            const ax_format_t f = fmt(c.f);
            Device ex = model("add_exact", f, f);
            Report r = compare(std::string(spec) + " vs add_exact " + c.f, *c.pairs,
                               model(spec, f, f), ex);
            require_clean(r);
        }
}

// A consequence of the datapath: the larger operand is shifted up by
// u = P-1-Min+G bits, so its low u bits are zero, no position there has both
// bits set and the lower part of LOA and ETA is exact: at l <= u both equal
// add_exact (u = 3 for fo = fi; 7 for fp8e4m3 -> bf16; 11 for fp8e5m2 ->
// fp16). One bit more and they are approximate.
TEST_CASE("cmodels.add_approx.low_part_below_larger_lsb_is_exact", "[cmodels][approx]")
{
    struct Case {
        const char *fi, *fo;
        int u;
    };
    for (Case c : {Case{"fp8e4m3", "fp8e4m3", 3}, Case{"fp8e5m2", "fp8e5m2", 3},
                   Case{"fp8e4m3", "bf16", 7}, Case{"fp8e5m2", "fp16", 11}})
        for (const char *name : {"add_loa", "add_eta"}) {
            const ax_format_t fi = fmt(c.fi), fo = fmt(c.fo);
            Device ex = model("add_exact", fi, fo);
            std::string at = std::string(name) + ":l=" + std::to_string(c.u);
            std::string above = std::string(name) + ":l=" + std::to_string(c.u + 1);
            require_clean(compare(at + " vs add_exact " + c.fi + "->" + c.fo, fp8_all(),
                                  model(at, fi, fo), ex));
            INFO(above << " " << c.fi << "->" << c.fo);
            REQUIRE(compare(above, fp8_all(), model(above, fi, fo), ex).fails > 0);
        }
}

TEST_CASE("cmodels.add_approx.hand_examples", "[cmodels][approx]")
{
    uint32_t fl;
    // bf16, P = 8, W = 11 with G = 3.
    // add_loa:l=5 0x3F87 + 0x3F83: x = 0x87 << 3 = 100 0011 1000b,
    // y = 0x83 << 3 = 100 0001 1000b. low 5: 11000 | 11000 = 11000; carry
    // x4 & y4 = 1; upper 0x21 + 0x20 + 1 = 0x42; sum 0x858 * 2^-10 =
    // 2.0859375 = 133.5 ulps of 2^-6 -> RNE 134 = 2 * (1 + 6/128) = 0x4006, inexact.
    REQUIRE(run1("add_loa:l=5", 0x3F87, 0x3F83, "bf16", "bf16", &fl) == 0x4006);
    REQUIRE(fl == AX_FLAG_INEXACT);
    // exact: 1.0546875 + 1.0234375 = 2.078125 = 0x4005, exact.
    REQUIRE(run1("add_exact", 0x3F87, 0x3F83, "bf16", "bf16", &fl) == 0x4005);
    REQUIRE(fl == 0);
    // add_eta:l=5, same: upper (0x21 + 0x20) << 5 = 0x820; low: bit 4 is 1&1,
    // so 11111: 0x83F * 2^-10 = 131.9375 ulps -> 132 = 2.0625 = 0x4004, inexact.
    REQUIRE(run1("add_eta:l=5", 0x3F87, 0x3F83, "bf16", "bf16", &fl) == 0x4004);
    REQUIRE(fl == AX_FLAG_INEXACT);
    // add_trunc 1.0 - 1.5 * 2^-8 (0x3BC0): d = 8, the smaller is shifted out
    // entirely and dropped: 1.0 = 0x3F80, no flags (exact: 0x3F7E).
    REQUIRE(run1("add_trunc", 0x3F80, 0xBBC0, "bf16", "bf16", &fl) == 0x3F80);
    REQUIRE(fl == 0);
    REQUIRE(run1("add_exact", 0x3F80, 0xBBC0, "bf16", "bf16", &fl) == 0x3F7E);
    // add_trunc 0x3FFF + 0x3F01 (1.9921875 + 0.50390625): d = 1,
    // 0xFF + (0x81 >> 1 = 0x40) = 0x13F * 2^-7 = 2.4921875; RTZ to 2^-6 ulps:
    // 159 = 2 * (1 + 31/128) = 0x401F, inexact (exact 2.49609375 -> RNE 0x4020).
    REQUIRE(run1("add_trunc", 0x3FFF, 0x3F01, "bf16", "bf16", &fl) == 0x401F);
    REQUIRE(fl == AX_FLAG_INEXACT);
    REQUIRE(run1("add_exact", 0x3FFF, 0x3F01, "bf16", "bf16", &fl) == 0x4020);
}

// ==== the checker can fail ==========================================================

TEST_CASE("cmodels.approx.checker_catches_planted_bugs", "[cmodels][approx][verifier]")
{
    const ax_format_t bf16 = fmt("bf16"), e4m3 = fmt("fp8e4m3");
    const Pairs &mp = bf16_mul_pairs();
    // wrong rounding mode: Mitchell rounds with the format, not toward zero
    MulRef r = ref_mitchell();
    r.rtz = true;
    Report rep = check_mul(r, bf16, bf16, mp);
    REQUIRE(rep.cases > 0);
    REQUIRE(rep.fails > 0);
    // wrong constant: MBM with c = 2^-4 alone
    r = ref_mbm();
    r.sig = f_mbm(1.0L / 16);
    REQUIRE(check_mul(r, bf16, bf16, mp).fails > 0);
    // REALM quantized to one bit fewer
    r = ref_realm(8, 6);
    r.sig = f_realm(8, 5);
    REQUIRE(check_mul(r, e4m3, e4m3, fp8_all()).fails > 0);
    // REALM with MBM's carry-out suppression (the pre-10:20 semantics)
    r.sig = [](uint32_t xa, uint32_t xb, int M) {
        long double x = fracv(xa, M), y = fracv(xb, M);
        return corrected(x, y, realm_c(8, 6, x, y));
    };
    REQUIRE(check_mul(r, bf16, bf16, mp).fails > 0);
    // DRUM without forcing the lowest kept bit
    r = ref_drum(4);
    r.sig = [](uint32_t xa, uint32_t xb, int M) {
        auto cut = [&](uint32_t x) { return ldexpl(floorl(ldexpl(1 + fracv(x, M), 3)), -3); };
        return cut(xa) * cut(xb);
    };
    REQUIRE(check_mul(r, bf16, bf16, mp).fails > 0);
    // a device that loses the underflow flag
    Device dev = model("mul_mitchell", bf16, bf16);
    Device lossy = [dev](uint32_t a, uint32_t b, uint32_t *fl) {
        uint32_t x = dev(a, b, fl);
        *fl &= ~(uint32_t)AX_FLAG_UNDERFLOW;
        return x;
    };
    rep = check_mul(ref_mitchell(), bf16, bf16, mp, lossy);
    REQUIRE(rep.fails > 0);
    REQUIRE(rep.first.size() > 0);
    REQUIRE((rep.first[0].wantf & AX_FLAG_UNDERFLOW) != 0);
    REQUIRE(rep.first[0].got == rep.first[0].want);
    // adders: LOA's datapath against ETA; trunc with a sticky bit
    AddRef a = ref_loa(8);
    REQUIRE(check_add(a, bf16, bf16, bf16_add_pairs(), model("add_eta:l=8", bf16, bf16)).fails > 0);
    a = ref_add_trunc();
    a.jam = true;
    REQUIRE(check_add(a, e4m3, e4m3, fp8_all()).fails > 0);
    // ETA's datapath against LOA (no carry-in, different low bits). l = 5:
    // at l <= 3 = G the larger operand's low l bits are all zero when
    // fo = fi, so LOA, ETA and the exact adder cannot differ there.
    a = ref_loa(5);
    a.op = ETA;
    REQUIRE(check_add(a, e4m3, e4m3, fp8_all()).fails > 0);
}
