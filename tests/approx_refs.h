// approx_refs.h — what the approximate-unit tests share (test_approx_mul.cpp,
// test_approx_add.cpp): every approximate unit's defining formula, evaluated
// here and independently of cmodels/: multiplier significands in long double
// from the formulas of the spec (REALM's s_ij read as data from
// realm_table.h, quantized here), the adders' datapath re-modelled bit by bit
// on 64-bit integers from the spec text, rounded by tests/oracle.h; and the
// checker that compares them with the units, bits and flags.
#ifndef AX_APPROX_REFS_H
#define AX_APPROX_REFS_H

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

inline std::string fname(ax_format_t f)
{
    char buf[64];
    return ax_format_name(f, buf, sizeof buf);
}

inline uint32_t pack(ax_format_t f, uint32_t s, uint32_t e, uint32_t m)
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

inline Op decode(uint32_t x, const Oracle &o)
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

inline long double fracv(uint32_t x, int M) { return ldexpl((long double)x, -M); }

inline long double f_exact(uint32_t xa, uint32_t xb, int M)
{
    return (1 + fracv(xa, M)) * (1 + fracv(xb, M));
}

inline long double f_mitchell(uint32_t xa, uint32_t xb, int M)
{
    long double s = fracv(xa, M) + fracv(xb, M);
    return s < 1 ? 1 + s : 2 * s;
}

// Mitchell plus c (c/2 when x + y >= 1), none where it would carry out.
inline long double corrected(long double x, long double y, long double c)
{
    long double s = x + y;
    if (s < 1) return (s + c >= 1) ? 1 + s : 1 + s + c;
    return ((s - 1) + c / 2 >= 1) ? 2 * s : 2 * (s + c / 2);
}

inline SigFn f_mbm(long double c = 1.0L / 16 + 1.0L / 64)
{
    return [c](uint32_t xa, uint32_t xb, int M) {
        return corrected(fracv(xa, M), fracv(xb, M), c);
    };
}

// DRUM: (M+1)-bit significand cut to its top k bits, lowest kept bit set.
inline SigFn f_drum(int k)
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
inline long double realm_c(int segs, int q, long double x, long double y)
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
inline SigFn f_realm(int segs, int q)
{
    return [segs, q](uint32_t xa, uint32_t xb, int M) {
        long double x = fracv(xa, M), y = fracv(xb, M);
        return f_mitchell(xa, xb, M) + realm_c(segs, q, x, y);
    };
}

inline MulRef ref_trunc() { return {"mul_trunc", f_exact, true}; }
inline MulRef ref_drum(int k) { return {"mul_drum:k=" + std::to_string(k), f_drum(k), false}; }
inline MulRef ref_mitchell() { return {"mul_mitchell", f_mitchell, false}; }
inline MulRef ref_mbm() { return {"mul_mbm", f_mbm(), true}; }
inline MulRef ref_realm(int m, int q)
{
    return {"mul_realm:m=" + std::to_string(m) + ",q=" + std::to_string(q), f_realm(m, q), true};
}

const int drum_ks[] = {2, 3, 4, 6, 8, 24};
const int realm_ms[] = {1, 2, 4, 8, 16};
const int realm_qs[] = {3, 6, 8, 15};
const int add_ls[] = {0, 1, 3, 8, 12};

// Expected result of a multiplier: IEEE specials, else the formula's value
// scaled by 2^(ea + eb), rounded by the oracle.
inline uint32_t mul_expect(const MulRef &r, uint32_t a, uint32_t b, const Oracle &oi, const Oracle &oo,
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

inline AddRef ref_add_trunc() { return {"add_trunc", PLAIN, 0, 0, false, true}; }
inline AddRef ref_loa(int l) { return {"add_loa:l=" + std::to_string(l), LOA, l, 3, true, false}; }
inline AddRef ref_eta(int l) { return {"add_eta:l=" + std::to_string(l), ETA, l, 3, true, false}; }

inline uint64_t bit(uint64_t x, int i) { return (x >> i) & 1; }

// LOA on W-bit x, y: low L bits x_i | y_i; upper (x>>L)+(y>>L)+(x_(L-1)&y_(L-1)).
inline uint64_t loa(uint64_t x, uint64_t y, int w, int l)
{
    if (l > w) l = w;
    uint64_t low = 0;
    for (int i = 0; i < l; i++) low |= (bit(x, i) | bit(y, i)) << i;
    uint64_t cin = l > 0 ? bit(x, l - 1) & bit(y, l - 1) : 0;
    return (((x >> l) + (y >> l) + cin) << l) | low;
}

// ETA-I: upper (x>>L)+(y>>L); low bits from L-1 down x_i ^ y_i until the
// first i with x_i & y_i, which and every bit below it are 1.
inline uint64_t eta(uint64_t x, uint64_t y, int w, int l)
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

inline uint32_t add_expect(const AddRef &r, uint32_t a, uint32_t b, const Oracle &oi, const Oracle &oo,
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

inline Report compare(const std::string &what, const Pairs &pairs, const Device &dev, const Expect &exp)
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

inline Device model(const std::string &spec, ax_format_t fi, ax_format_t fo)
{
    ax_unit_t u = unit(spec);
    return [u, fi, fo](uint32_t a, uint32_t b, uint32_t *fl) {
        return ax_unit_apply(u, a, b, fi, fo, fl);
    };
}

// The unit of r (or dev) against its reference expect (mul_expect, add_expect).
template <class Ref, class ExpectFn>
inline Report check_unit(const Ref &r, ExpectFn expect, ax_format_t fi, ax_format_t fo, const Pairs &pairs,
                                Device dev)
{
    auto oi = std::make_shared<Oracle>(fi), oo = std::make_shared<Oracle>(fo);
    if (!dev) dev = model(r.spec, fi, fo);
    return compare(r.spec + " " + fname(fi) + "->" + fname(fo), pairs, dev,
                   [&r, expect, oi, oo](uint32_t a, uint32_t b, uint32_t *fl) {
                       return expect(r, a, b, *oi, *oo, fl);
                   });
}

inline Report check_mul(const MulRef &r, ax_format_t fi, ax_format_t fo, const Pairs &pairs,
                               Device dev = nullptr)
{
    return check_unit(r, mul_expect, fi, fo, pairs, dev);
}

inline Report check_add(const AddRef &r, ax_format_t fi, ax_format_t fo, const Pairs &pairs,
                               Device dev = nullptr)
{
    return check_unit(r, add_expect, fi, fo, pairs, dev);
}

inline std::string describe(const Report &r)
{
    std::ostringstream s;
    s << r.what << ": " << r.fails << " of " << r.cases << " differ" << std::hex;
    for (const Fail &f : r.first)
        s << "\n  a=0x" << f.a << " b=0x" << f.b << " got=0x" << f.got << " flags=0x" << f.gotf
          << " want=0x" << f.want << " flags=0x" << f.wantf;
    return s.str();
}

inline void require_clean(const Report &r)
{
    INFO(describe(r));
    REQUIRE(r.cases > 0);
    REQUIRE(r.fails == 0);
}

// ---- operand sets ------------------------------------------------------------

// Every pair of 8-bit patterns: specials, zeros, subnormals, both signs.
inline const Pairs &fp8_all()
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
inline Pairs sig_grid(ax_format_t f, const std::vector<std::pair<uint32_t, uint32_t>> &eps)
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
inline Pairs add_grid(ax_format_t f, const std::vector<uint32_t> &bases, const std::vector<int> &ds,
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

inline std::vector<int> diffs()
{
    std::vector<int> d;
    for (int i = 0; i <= 12; i++) d.push_back(i);
    d.push_back(40);
    return d;
}

const std::vector<std::pair<uint32_t, uint32_t>> bf16_add_sub_eps = {
    {0, 0}, {1, 0}, {2, 0}, {3, 0}, {12, 0}, // subnormal operands, subnormal results
};

inline const Pairs &bf16_add_pairs()
{
    static const Pairs p = add_grid(fmt("bf16"), {127, 254, 13}, diffs(), bf16_add_sub_eps);
    return p;
}

inline const Pairs &bf16_mul_pairs()
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
inline void mul_fp8(const MulRef &r, bool suffixes = true)
{
    for (const FmtPair &fp : fp8_pairs) {
        if (!suffixes && (std::string(fp.fi).find(':') != std::string::npos)) continue;
        require_clean(check_mul(r, fmt(fp.fi), fmt(fp.fo), fp8_all()));
    }
}

inline void mul_bf16(const MulRef &r)
{
    const ax_format_t bf16 = fmt("bf16"), e4m3 = fmt("fp8e4m3");
    static const Pairs narrow = sig_grid(bf16, bf16_to_e4m3_mul_eps);
    require_clean(check_mul(r, bf16, bf16, bf16_mul_pairs()));
    require_clean(check_mul(r, bf16, e4m3, narrow));
}

inline void add_fp8(const AddRef &r)
{
    for (const FmtPair &fp : fp8_pairs)
        require_clean(check_add(r, fmt(fp.fi), fmt(fp.fo), fp8_all()));
}

inline void add_bf16(const AddRef &r)
{
    const ax_format_t bf16 = fmt("bf16"), e4m3 = fmt("fp8e4m3");
    static const Pairs narrow = add_grid(bf16, {127, 135, 120}, diffs(), {});
    require_clean(check_add(r, bf16, bf16, bf16_add_pairs()));
    require_clean(check_add(r, bf16, e4m3, narrow));
}

// One application, for the hand-worked examples.
inline uint32_t run1(const char *spec, uint32_t a, uint32_t b, const char *fi, const char *fo,
                     uint32_t *fl)
{
    *fl = 0;
    return ax_unit_apply(unit(spec), a, b, fmt(fi), fmt(fo), fl);
}

} // namespace

#endif // AX_APPROX_REFS_H
