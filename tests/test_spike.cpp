// test_spike.cpp — the synapse of spiking networks on the fast path
// (ax_spike_linear_fwd, ax_spike_conv2d_fwd; docs/fastpath.md, "The synapse
// of spiking networks"):
//   - every backend here (ref; cpu native fp32 on the AVX-512 and the
//     portable kernel; cpu generic; cuda when a device answers) equals an
//     oracle written here from ax_syn_step over every k (not an event list),
//     bits and flags, on random linear and convolution shapes (stride,
//     padding, dilation, groups), spike densities 0, ~10, 50 and 100 %, MAC
//     configurations with exact and approximate adders, narrow, :ftz and wide
//     formats, and weights with +-0, subnormals, infinities and NaNs;
//   - event-driven equals dense: with an exact multiplier whose product format
//     holds the input format, the synapse equals ax_linear_fwd /
//     ax_conv2d_fwd on spikes given as 0.0 / 1.0 operands (finite weights);
//     the facts that argument rests on are checked exhaustively;
//   - a planted bug (one output bit flipped) is reported by the comparison;
//   - bad input is an error with a message, never a crash.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ax_convert.h"
#include "ax_fastpath.h"
#include "ax_mac.h"
#include "ax_rng.h"
#include "fastpath_operands.h"
#include "test_util.h"

namespace {

using Tensor = std::vector<uint32_t>;
using Spikes = std::vector<uint8_t>;

// ---- shapes --------------------------------------------------------------------

struct Shape { // a convolution; a linear layer is n x in x 1 x 1, 1 x 1 kernels, oc = out
    int64_t n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g;
    bool linear;
    int64_t oh() const { return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }
    int64_t ow() const { return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }
    int64_t cg() const { return c / g; }
    int64_t ocg() const { return oc / g; }
    int64_t kf() const { return cg() * kh * kw; }
    size_t ns() const { return (size_t)(n * c * h * w); }
    size_t nw() const { return (size_t)(oc * kf()); }
    size_t ny() const { return (size_t)(n * oc * oh() * ow()); }
    ax_conv_shape_t api() const { return {n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g}; }
};

Shape linear(int64_t n, int64_t in, int64_t out)
{
    return {n, in, 1, 1, out, 1, 1, 1, 1, 0, 0, 1, 1, 1, true};
}

std::string describe(const Shape &s)
{
    char b[300];
    if (s.linear)
        std::snprintf(b, sizeof b, "linear n=%lld in=%lld out=%lld", (long long)s.n, (long long)s.c,
                      (long long)s.oc);
    else
        std::snprintf(b, sizeof b,
                      "conv n=%lld c=%lld h=%lld w=%lld oc=%lld k=%lldx%lld stride=%lld,%lld "
                      "pad=%lld,%lld dil=%lld,%lld groups=%lld",
                      (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w,
                      (long long)s.oc, (long long)s.kh, (long long)s.kw, (long long)s.sh,
                      (long long)s.sw, (long long)s.ph, (long long)s.pw, (long long)s.dh,
                      (long long)s.dw, (long long)s.g);
    return b;
}

int64_t pick(ax_rng_t *r, int64_t lo, int64_t hi) { return lo + (int64_t)ax_rng_below(r, (uint32_t)(hi - lo + 1)); }

// A random convolution with an output of at least 1 x 1.
Shape random_conv(ax_rng_t *r)
{
    for (;;) {
        Shape s{};
        s.g = pick(r, 1, 3);
        s.n = pick(r, 1, 2), s.c = s.g * pick(r, 1, 3), s.oc = s.g * pick(r, 1, 5);
        s.h = pick(r, 1, 7), s.w = pick(r, 1, 7), s.kh = pick(r, 1, 3), s.kw = pick(r, 1, 3);
        s.sh = pick(r, 1, 2), s.sw = pick(r, 1, 2), s.ph = pick(r, 0, 2), s.pw = pick(r, 0, 2);
        s.dh = pick(r, 1, 2), s.dw = pick(r, 1, 2);
        if (s.dh * (s.kh - 1) + 1 <= s.h + 2 * s.ph && s.dw * (s.kw - 1) + 1 <= s.w + 2 * s.pw) return s;
    }
}

// ---- operands ------------------------------------------------------------------

enum Weights { W_NEAR_ONE, W_SPECIALS, W_WIDE, W_RAW, W_FINITE };
const char *const weight_names[] = {"near-one", "specials", "wide", "raw", "finite"};

// A weight of f: near 1 with +-0 and subnormals sprinkled in (and, rarely,
// inf and NaN: most folds must stay finite to test anything); zeros,
// infinities, NaNs and subnormals often; any exponent; any bit pattern
// (signaling NaNs too); finite only (near one, wide, +-0, subnormals).
uint32_t weight(ax_rng_t *r, ax_format_t f, Weights d)
{
    const uint32_t s = ax_rng_next(r) & 1, pick16 = ax_rng_below(r, 64);
    const uint32_t sub = ax_pack(s, 0, ((uint32_t)ax_rng_next(r) & ax_fmt_mmask(f)) | 1, f);
    switch (d) {
    case W_NEAR_ONE:
        if (pick16 < 3) return ax_fmt_zero(s, f);
        if (pick16 < 5) return sub;
        if (ax_rng_below(r, 400) == 0) return ax_rng_below(r, 2) ? ax_fmt_nan(f) : ax_fmt_inf(s, f);
        return operand(r, f, NEAR_ONE);
    case W_SPECIALS: return operand(r, f, SPECIALS);
    case W_WIDE: return operand(r, f, WIDE);
    case W_RAW: return operand(r, f, RAW);
    case W_FINITE:
    default:
        if (pick16 < 4) return ax_fmt_zero(s, f);
        if (pick16 < 8) return sub;
        return operand(r, f, pick16 < 16 ? WIDE : NEAR_ONE);
    }
}

Tensor weights(ax_rng_t *r, ax_format_t f, Weights d, size_t n)
{
    Tensor t(n);
    for (auto &x : t) x = weight(r, f, d);
    return t;
}

// Spikes at density permille / 1000: any nonzero byte is a spike.
Spikes spikes(ax_rng_t *r, uint32_t permille, size_t n)
{
    Spikes s(n);
    for (auto &b : s) b = ax_rng_below(r, 1000) < permille ? (uint8_t)(1 + ax_rng_below(r, 255)) : 0;
    return s;
}

// ---- the oracle: ax_syn_step over every k of every fold, in order ------------------

Tensor oracle(const ax_mac_cfg_t &c, const Shape &s, const Spikes &sp, const Tensor &w, uint32_t *fl)
{
    Tensor y(s.ny());
    const int64_t oh = s.oh(), ow = s.ow(), cg = s.cg(), ocg = s.ocg();
    for (int64_t n = 0; n < s.n; n++)
        for (int64_t o = 0; o < s.oc; o++)
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    uint32_t acc = ax_fmt_zero(0, c.acc);
                    const int64_t g = o / ocg;
                    for (int64_t ci = 0; ci < cg; ci++)
                        for (int64_t ky = 0; ky < s.kh; ky++)
                            for (int64_t kx = 0; kx < s.kw; kx++) {
                                const int64_t iy = oy * s.sh - s.ph + ky * s.dh;
                                const int64_t ix = ox * s.sw - s.pw + kx * s.dw;
                                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue; // padding
                                if (!sp[(size_t)(((n * s.c + g * cg + ci) * s.h + iy) * s.w + ix)]) continue;
                                acc = ax_syn_step(&c, acc, w[(size_t)(((o * cg + ci) * s.kh + ky) * s.kw + kx)], fl);
                            }
                    y[(size_t)(((n * s.oc + o) * oh + oy) * ow + ox)] = acc;
                }
    return y;
}

// ---- running and comparing -----------------------------------------------------------

int run(ax_engine_t *e, const ax_mac_cfg_t &c, const Shape &s, const Spikes &sp, const Tensor &w,
        Tensor &y, uint32_t *fl, char *err, size_t errlen)
{
    if (s.linear) return ax_spike_linear_fwd(e, &c, s.n, s.c, s.oc, sp.data(), w.data(), y.data(), fl, err, errlen);
    const ax_conv_shape_t a = s.api();
    return ax_spike_conv2d_fwd(e, &c, &a, sp.data(), w.data(), y.data(), fl, err, errlen);
}

std::string show(const ax_mac_cfg_t &c, const Shape &s, const std::string &what)
{
    char name[200];
    ax_mac_name(&c, name, sizeof name);
    return std::string(name) + " " + describe(s) + " (" + what + ")";
}

// e against the oracle, with or without flags; the number of differing
// elements (+1 when the flags differ), the first one reported. plant: flip
// one output bit of e's result first (the comparison must see it).
int compare(ax_engine_t *e, const ax_mac_cfg_t &c, const Shape &s, const Spikes &sp, const Tensor &w,
            bool want_flags, const std::string &what, bool plant = false)
{
    uint32_t fo = 0, fe = 0;
    const Tensor yo = oracle(c, s, sp, w, &fo);
    Tensor ye(s.ny(), 0xDEADBEEFu);
    char err[256] = "";
    const int rc = run(e, c, s, sp, w, ye, want_flags ? &fe : nullptr, err, sizeof err);
    INFO(show(c, s, what) << ": " << err);
    REQUIRE(rc == 0);
    if (plant && !ye.empty()) ye[ye.size() / 2] ^= 1u;
    int bad = 0;
    for (size_t i = 0; i < yo.size(); i++)
        if (yo[i] != ye[i] && bad++ == 0)
            UNSCOPED_INFO(show(c, s, what) << ": element " << i << " oracle 0x" << std::hex << yo[i] << ", "
                                           << ax_engine_last_path(e) << " 0x" << ye[i]);
    if (want_flags && fo != fe) {
        UNSCOPED_INFO(show(c, s, what) << ": flags oracle 0x" << std::hex << fo << ", " << ax_engine_last_path(e)
                                       << " 0x" << fe);
        bad++;
    }
    return bad;
}

// A MAC configuration and the cpu path it takes without flags (with flags, or
// under AXSIM_CPU_PATH=generic: generic): native, the dense GEMM (an
// approximate adder on an fp32 accumulator, finite weights), or generic.
enum Path { GENERIC, NATIVE, DENSE };
struct Cfg {
    const char *spec;
    Path path;
};

const Cfg cfgs[] = {
    {"in=fp32,add=exact,acc=fp32", NATIVE},                 // fp32 exact
    {"mul=mbm,in=bf16,add=exact,acc=fp32", NATIVE},         // bf16 in, fp32 acc (the multiplier is unused)
    {"in=fp16:ftz,acc=fp32", NATIVE},                       // :ftz input: subnormal weights are zeros
    {"in=fp8e4m3,acc=fp32", NATIVE},                        // a format without inf
    {"in=tf32,acc=fp32", NATIVE},                           // 19 bits: converted one by one
    {"in=bf16,add=loa:l=6,acc=bf16", GENERIC},              // approximate adders, narrow accumulators
    {"in=fp16,add=loa:l=6,acc=fp16", GENERIC},
    {"in=bf16,add=trunc,acc=bf16", GENERIC},
    {"in=fp16,add=trunc,acc=fp16", GENERIC},
    {"in=fp32,add=trunc,acc=bf16", GENERIC},                // conversion rounds (inexact, overflow)
    {"in=bf16,add=eta:l=4,acc=fp32", DENSE},              // fp32 accumulator, approximate adder
    {"in=bf16,add=loa:l=8,acc=fp32", DENSE},
    {"in=fp16,add=trunc,acc=fp32", DENSE},
    {"in=bf16,add=exact,acc=fp32:ftz", GENERIC},            // :ftz accumulator
    {"in=fp8e5m2,add=exact,acc=fp16:rtz", GENERIC},
};

const uint32_t densities[] = {0, 100, 500, 1000}; // permille

struct EngineFree {
    void operator()(ax_engine_t *e) const { ax_engine_free(e); }
};

// The ways to run the synapse here: name, backend, environment overrides, and
// whether the cpu's native path may run.
struct Way {
    const char *name;
    ax_backend_t b;
    const char *kernel, *path; // AXSIM_CPU_KERNEL, AXSIM_CPU_PATH
};

const Way ways[] = {
    {"ref", AX_BACKEND_REF, "", ""},
    {"cpu", AX_BACKEND_CPU, "", ""},
    {"cpu scalar", AX_BACKEND_CPU, "scalar", ""},
    {"cpu generic", AX_BACKEND_CPU, "", "generic"},
    {"cuda", AX_BACKEND_CUDA, "", ""},
};

bool g_said_cuda = false;

// Runs body(engine, way) for every way available here.
template <class F> void each_way(F body)
{
    char why[256];
    const bool cuda = ax_cuda_available(why, sizeof why);
    for (const Way &wy : ways) {
        if (wy.b == AX_BACKEND_CUDA && !cuda) {
            if (!g_said_cuda) std::printf("test_spike: cuda backend not compared (%s)\n", why);
            g_said_cuda = true;
            continue;
        }
        engine e(wy.b, 2);
        engine_env k(e.e, "AXSIM_CPU_KERNEL", wy.kernel);
        engine_env p(e.e, "AXSIM_CPU_PATH", wy.path);
        body(e.e, wy);
    }
}

// The path way takes for c (finite: every weight is finite); "dense": the
// dense GEMM's, whatever it names itself.
std::string expected_path(const Way &wy, const Cfg &c, bool want_flags, bool finite)
{
    if (wy.b == AX_BACKEND_REF) return "ref";
    if (wy.b == AX_BACKEND_CUDA) return "cuda synapse generic";
    const bool generic_asked = !std::string(wy.path).empty();
    if (c.path == DENSE && finite && !want_flags && !generic_asked) return "dense";
    if (c.path != NATIVE || want_flags || generic_asked) return "cpu synapse generic";
    if (!std::string(wy.kernel).empty() || !__builtin_cpu_supports("avx512f"))
        return "cpu synapse native fp32 (portable C)";
    return "cpu synapse native fp32 (AVX-512)";
}

bool all_finite(const ax_mac_cfg_t &c, const Tensor &w)
{
    for (uint32_t x : w)
        if (ax_unpack(x, c.in).cls >= AX_CLS_INF) return false;
    return true;
}

// The path e took against the one expected.
void check_path(ax_engine_t *e, const std::string &want)
{
    const std::string got = ax_engine_last_path(e);
    if (want == "dense")
        CHECK(got.rfind("cpu synapse", 0) == std::string::npos); // not the event-driven kernels
    else
        CHECK(got == want);
}

} // namespace

TEST_CASE("spike: every backend equals the oracle (linear)", "[spike]")
{
    ax_rng_t r{7001};
    // random small shapes, and some with more than one native chunk of 128
    // outputs, inputs not a multiple of 8, empty batches and folds
    std::vector<Shape> shapes = {linear(3, 37, 5), linear(1, 1, 1), linear(2, 64, 150), linear(5, 203, 300),
                                 linear(0, 5, 3), linear(3, 0, 4), linear(4, 9, 0), linear(17, 33, 17)};
    for (int i = 0; i < 4; i++) shapes.push_back(linear(pick(&r, 1, 6), pick(&r, 1, 70), pick(&r, 1, 40)));
    each_way([&](ax_engine_t *e, const Way &wy) {
        for (const Cfg &cc : cfgs) {
            const ax_mac_cfg_t c = mac(cc.spec);
            for (const Shape &s : shapes)
                for (uint32_t d : densities)
                    for (Weights wd : {W_NEAR_ONE, W_SPECIALS, W_WIDE, W_RAW}) {
                        if (wd != W_NEAR_ONE && (d == 100 || s.nw() > 4000)) continue; // keep it quick
                        const Spikes sp = spikes(&r, d, s.ns());
                        const Tensor w = weights(&r, c.in, wd, s.nw());
                        const std::string what = std::string(wy.name) + ", density " + std::to_string(d / 10) +
                                                 " %, weights " + weight_names[wd];
                        for (bool fl : {false, true}) {
                            CHECK(compare(e, c, s, sp, w, fl, what) == 0);
                            if (s.ny() > 0 && s.c > 0) {
                                INFO(show(c, s, what));
                                check_path(e, expected_path(wy, cc, fl, all_finite(c, w)));
                            }
                        }
                    }
        }
    });
}

TEST_CASE("spike: every backend equals the oracle (conv2d: stride, padding, dilation, groups)", "[spike]")
{
    ax_rng_t r{7002};
    std::vector<Shape> shapes;
    for (int i = 0; i < 10; i++) shapes.push_back(random_conv(&r));
    // depthwise, a 1 x 1 convolution, more outputs per group than a native chunk
    shapes.push_back({2, 6, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6, false});
    shapes.push_back({1, 4, 3, 4, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1, false});
    shapes.push_back({1, 2, 4, 4, 2 * 131, 3, 2, 2, 1, 1, 0, 1, 2, 2, false});
    shapes.push_back({2, 3, 6, 5, 4, 3, 3, 2, 2, 2, 1, 2, 1, 1, false});
    // 1 x 1 images and kernels with padding: the single output reads only padding (+0)
    shapes.push_back({2, 2, 1, 1, 3, 1, 1, 3, 3, 1, 1, 1, 1, 1, false});
    shapes.push_back({1, 3, 1, 1, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, false});
    each_way([&](ax_engine_t *e, const Way &wy) {
        for (const Cfg &cc : cfgs) {
            const ax_mac_cfg_t c = mac(cc.spec);
            for (const Shape &s : shapes)
                for (uint32_t d : densities)
                    for (Weights wd : {W_NEAR_ONE, W_SPECIALS, W_RAW}) {
                        if (wd != W_NEAR_ONE && d == 100) continue;
                        const Spikes sp = spikes(&r, d, s.ns());
                        const Tensor w = weights(&r, c.in, wd, s.nw());
                        const std::string what = std::string(wy.name) + ", density " + std::to_string(d / 10) +
                                                 " %, weights " + weight_names[wd];
                        for (bool fl : {false, true}) {
                            CHECK(compare(e, c, s, sp, w, fl, what) == 0);
                            INFO(show(c, s, what));
                            check_path(e, expected_path(wy, cc, fl, all_finite(c, w)));
                        }
                    }
        }
    });
}

TEST_CASE("spike: long folds and several blocks of event lists", "[spike]")
{
    // the cpu backend builds its lists for blocks of rows of about 2^22
    // entries: 80 rows of 60000 inputs take two blocks
    ax_rng_t r{7003};
    const Shape s = linear(80, 60000, 3);
    each_way([&](ax_engine_t *e, const Way &wy) {
        for (const char *spec : {"in=bf16", "in=fp16,add=loa:l=6,acc=fp16"}) {
            const ax_mac_cfg_t c = mac(spec);
            const Spikes sp = spikes(&r, 100, s.ns());
            const Tensor w = weights(&r, c.in, W_NEAR_ONE, s.nw());
            CHECK(compare(e, c, s, sp, w, false, wy.name) == 0);
        }
    });
    // a convolution whose rows hold many inputs
    const Shape cs{2, 40, 9, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, false};
    each_way([&](ax_engine_t *e, const Way &wy) {
        const ax_mac_cfg_t c = mac("in=bf16");
        const Spikes sp = spikes(&r, 500, cs.ns());
        const Tensor w = weights(&r, c.in, W_NEAR_ONE, cs.nw());
        CHECK(compare(e, c, cs, sp, w, false, wy.name) == 0);
    });
}

TEST_CASE("spike: a planted bug is reported by the comparison", "[spike]")
{
    ax_rng_t r{7004};
    for (const Shape &s : {linear(4, 50, 20), Shape{1, 2, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2, false}})
        for (const char *spec : {"in=bf16", "in=bf16,add=loa:l=6,acc=bf16"}) {
            engine cpu(AX_BACKEND_CPU, 2);
            const ax_mac_cfg_t c = mac(spec);
            const Spikes sp = spikes(&r, 500, s.ns());
            const Tensor w = weights(&r, c.in, W_NEAR_ONE, s.nw());
            REQUIRE(compare(cpu.e, c, s, sp, w, false, "clean") == 0);
            CHECK(compare(cpu.e, c, s, sp, w, false, "planted", true) > 0);
            CHECK(compare(cpu.e, c, s, sp, w, true, "planted", true) > 0);
        }
}

// Event-driven = dense. The dense MAC fold over all inputs, with the spikes
// given as operands 1.0 (a spike) and 0.0 (none) in cfg->in, computes per term
//   ADD(acc, convert(MUL(s, w), prod -> acc)),
// the synapse only ADD(acc, convert(w, in -> acc)) for the spikes. They agree
// for an exact multiplier whose product format holds every value of the input
// format, and finite weights:
//   - MUL(1, w) = w exactly, without flags (exact and representable), so
//     convert(MUL(1, w)) is the conversion of the same value, the same bits
//     and flags as convert(w, in -> acc);
//   - MUL(0, w) = +-0 without flags for a finite w, and convert(+-0) = +-0;
//   - ADD(acc, +-0) = acc without flags, for every value a fold's accumulator
//     holds (it starts at +0 and only ever holds results of ADD: +0, never -0,
//     finite, inf, the canonical NaN): checked below, exhaustively for 16-bit
//     accumulators and on samples of fp32, for add_exact, add_trunc,
//     add_loa:l=6 and add_eta:l=4.
// An infinite or NaN weight breaks it: MUL(0, inf) is NaN (invalid), while
// the synapse never touches an input without a spike. So do approximate
// multipliers (MUL(1, w) need not be w, e.g. mul_drum cuts w) and product
// formats narrower than the input (MUL(1, w) rounds). The configurations
// below are therefore the mul_exact ones with prod containing in, and the
// weights are finite.
TEST_CASE("spike: the facts that make event-driven equal dense hold for every adder used", "[spike]")
{
    // ADD(x, +-0) = x, no flags
    for (const char *acc : {"bf16", "fp16", "fp16:rtz", "fp32", "fp32:ftz"})
        for (const char *add : {"add_exact", "add_trunc", "add_loa:l=6", "add_eta:l=4"}) {
            const ax_format_t f = fmt(acc);
            const ax_unit_t u = unit(add);
            ax_rng_t r{11};
            const uint32_t n = ax_fmt_width(f) <= 16 ? 1u << ax_fmt_width(f) : 200000u;
            int bad = 0;
            // fp32: the corners, then random bit patterns
            static const uint32_t corners[] = {0u,          1u,          0x7F800000u, 0xFF800000u,
                                               0x7F7FFFFFu, 0x80000001u, 0x00800000u, 0x7FC00000u};
            for (uint32_t i = 0; i < n; i++) {
                const uint32_t x = ax_fmt_width(f) <= 16 ? i : i < 8 ? corners[i] : (uint32_t)ax_rng_next(&r);
                if (x == ax_fmt_zero(1, f)) continue;                   // never in a fold's accumulator
                if (ax_is_nan(x, f) && x != ax_fmt_nan(f)) continue;    // only the canonical NaN is
                if ((f.flags & AX_FMT_FTZ) && ax_unpack(x, f).cls == AX_CLS_ZERO && x != ax_fmt_zero(0, f))
                    continue; // :ftz: a subnormal pattern is never a result (nor -0)
                for (uint32_t s : {0u, 1u}) {
                    uint32_t fl = 0, y = ax_unit_apply(u, x, ax_fmt_zero(s, f), f, f, &fl);
                    if ((y != x || fl) && bad++ == 0)
                        UNSCOPED_INFO(add << " in " << acc << ": 0x" << std::hex << x << " + " << (s ? "-0" : "+0")
                                          << " = 0x" << y << " flags 0x" << fl);
                }
            }
            CHECK(bad == 0);
        }
    // MUL(1, w) = w and MUL(0, w) = +-0, no flags, every finite w (mul_exact, prod holding in)
    for (auto io : {std::make_pair("bf16", "fp32"), std::make_pair("fp16", "fp32"),
                    std::make_pair("fp8e4m3", "fp16"), std::make_pair("fp16:ftz", "fp32")}) {
        const ax_format_t in = fmt(io.first), prod = fmt(io.second);
        const ax_unit_t u = unit("mul_exact");
        uint32_t f0 = 0;
        const uint32_t one = ax_from_f32bits(0x3F800000u, in, &f0), zero = ax_fmt_zero(0, in);
        int bad = 0;
        for (uint32_t w = 0; w < 1u << ax_fmt_width(in); w++) {
            const ax_unpacked_t uw = ax_unpack(w, in);
            if (uw.cls != AX_CLS_ZERO && uw.cls != AX_CLS_FINITE) continue;
            uint32_t fa = 0, fb = 0, fc = 0;
            const uint32_t p1 = ax_mul(u, one, w, in, prod, &fa), p0 = ax_mul(u, zero, w, in, prod, &fb);
            const uint32_t want = ax_convert(w, in, prod, &fc);
            const bool ok = p1 == want && fa == 0 && fc == 0 && ax_unpack(p0, prod).cls == AX_CLS_ZERO && fb == 0;
            if (!ok && bad++ == 0)
                UNSCOPED_INFO(io.first << " -> " << io.second << ": w 0x" << std::hex << w << " 1*w 0x" << p1
                                       << " 0*w 0x" << p0 << " flags 0x" << fa << "/0x" << fb);
        }
        CHECK(bad == 0);
    }
}

TEST_CASE("spike: event-driven equals the dense MAC fold on 0/1 spike operands", "[spike]")
{
    // mul_exact with prod holding in (see above); exact and approximate adders
    const char *const specs[] = {
        "mul=exact,in=fp32,prod=fp32,add=exact,acc=fp32",
        "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp32",
        "mul=exact,in=bf16,prod=fp32,add=loa:l=6,acc=bf16",
        "mul=exact,in=bf16,prod=fp32,add=trunc,acc=bf16",
        "mul=exact,in=fp16,prod=fp32,add=trunc,acc=fp16",
        "mul=exact,in=fp16,prod=fp32,add=loa:l=6,acc=fp16",
        "mul=exact,in=bf16,prod=fp32,add=eta:l=4,acc=fp32",
        "mul=exact,in=fp8e4m3,prod=fp16,add=loa:l=6,acc=fp16",
        "mul=exact,in=fp16:ftz,prod=fp32,add=exact,acc=fp32:ftz",
    };
    ax_rng_t r{7005};
    std::vector<Shape> shapes = {linear(3, 45, 7), linear(2, 130, 140)};
    for (int i = 0; i < 4; i++) shapes.push_back(random_conv(&r));
    engine ref(AX_BACKEND_REF, 1), cpu(AX_BACKEND_CPU, 2);
    for (const char *spec : specs) {
        const ax_mac_cfg_t c = mac(spec);
        uint32_t f0 = 0;
        const uint32_t one = ax_from_f32bits(0x3F800000u, c.in, &f0), zero = ax_fmt_zero(0, c.in);
        for (const Shape &s : shapes)
            for (uint32_t d : densities) {
                const Spikes sp = spikes(&r, d, s.ns());
                const Tensor w = weights(&r, c.in, W_FINITE, s.nw());
                Tensor x(s.ns());
                for (size_t i = 0; i < x.size(); i++) x[i] = sp[i] ? one : zero;
                for (ax_engine_t *e : {ref.e, cpu.e})
                    for (bool want_flags : {false, true}) {
                        Tensor yd(s.ny(), 1), ys(s.ny(), 2);
                        uint32_t fd = 0, fs = 0;
                        char err[256] = "";
                        const ax_conv_shape_t a = s.api();
                        const int rd = s.linear ? ax_linear_fwd(e, &c, s.n, s.c, s.oc, x.data(), w.data(), yd.data(),
                                                                want_flags ? &fd : nullptr, err, sizeof err)
                                                : ax_conv2d_fwd(e, &c, &a, x.data(), w.data(), yd.data(),
                                                                want_flags ? &fd : nullptr, err, sizeof err);
                        REQUIRE(rd == 0);
                        REQUIRE(run(e, c, s, sp, w, ys, want_flags ? &fs : nullptr, err, sizeof err) == 0);
                        INFO(show(c, s, std::string(ax_backend_name(ax_engine_backend(e))) + ", density " +
                                            std::to_string(d / 10) + " %"));
                        CHECK(yd == ys);
                        CHECK(fd == fs);
                    }
            }
    }
}

TEST_CASE("spike: bad input is an error, not a crash", "[spike]")
{
    engine cpu(AX_BACKEND_CPU, 1), ref(AX_BACKEND_REF, 1);
    char err[256];
    const ax_mac_cfg_t c = mac("in=bf16");
    uint8_t s[64] = {1};
    uint32_t w[64] = {0}, y[64];
    auto fails_linear = [&](ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in, int64_t out,
                            const uint8_t *sp, const uint32_t *wp, uint32_t *yp, const char *what) {
        err[0] = 0;
        CHECK(ax_spike_linear_fwd(e, cfg, n, in, out, sp, wp, yp, nullptr, err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains(what));
    };
    for (ax_engine_t *e : {cpu.e, ref.e}) {
        fails_linear(e, &c, -1, 2, 2, s, w, y, "n=-1 must be >= 0");
        fails_linear(e, &c, 2, -3, 2, s, w, y, "in=-3 must be >= 0");
        fails_linear(e, &c, 2, 2, -1, s, w, y, "out=-1 must be >= 0");
        fails_linear(e, &c, INT64_MAX / 2, 4, 2, s, w, y, "too large");
        fails_linear(e, &c, 2, 2, 2, nullptr, w, y, "s is NULL");
        fails_linear(e, &c, 2, 2, 2, s, nullptr, y, "w is NULL");
        fails_linear(e, &c, 2, 2, 2, s, w, nullptr, "y is NULL");
        fails_linear(e, nullptr, 2, 2, 2, s, w, y, "configuration is NULL");
        fails_linear(nullptr, &c, 2, 2, 2, s, w, y, "engine is NULL");
        ax_mac_cfg_t swapped = c;
        swapped.add = c.mul; // a multiplier in the add slot
        fails_linear(e, &swapped, 2, 2, 2, s, w, y, "'add' is not an adder");
        swapped = c;
        swapped.mul = c.add;
        fails_linear(e, &swapped, 2, 2, 2, s, w, y, "'mul' is not a multiplier");

        auto fails_conv = [&](ax_conv_shape_t sh, const ax_mac_cfg_t *cfg, const char *what) {
            err[0] = 0;
            CHECK(ax_spike_conv2d_fwd(e, cfg, &sh, s, w, y, nullptr, err, sizeof err) == -1);
            CHECK_THAT(std::string(err), Catch::Contains(what));
        };
        const ax_conv_shape_t ok = {1, 2, 3, 3, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1};
        ax_conv_shape_t b = ok;
        b.n = -1;
        fails_conv(b, &c, "n=-1 must be >= 0");
        b = ok, b.c = 0;
        fails_conv(b, &c, "c=0 must be >= 1");
        b = ok, b.pad_h = -1;
        fails_conv(b, &c, "pad_h=-1");
        b = ok, b.groups = 2, b.oc = 3;
        fails_conv(b, &c, "does not divide oc=3");
        b = ok, b.groups = 3;
        fails_conv(b, &c, "does not divide c=2");
        b = ok, b.kh = 5;
        fails_conv(b, &c, "output height < 1");
        b = ok, b.h = INT32_MAX, b.w = INT32_MAX, b.c = INT32_MAX;
        fails_conv(b, &c, "too large");
        ax_mac_cfg_t swapped2 = c;
        swapped2.add = c.mul;
        fails_conv(ok, &swapped2, "'add' is not an adder");
        err[0] = 0;
        CHECK(ax_spike_conv2d_fwd(e, &c, nullptr, s, w, y, nullptr, err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains("shape is NULL"));
        err[0] = 0;
        CHECK(ax_spike_conv2d_fwd(e, &c, &ok, nullptr, w, y, nullptr, err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains("s is NULL"));

        // empty problems: nothing to read; an empty fold is +0 without flags
        uint32_t fl = 0;
        CHECK(ax_spike_linear_fwd(e, &c, 0, 5, 5, nullptr, w, nullptr, &fl, err, sizeof err) == 0);
        y[0] = y[1] = 0xDEADBEEFu;
        CHECK(ax_spike_linear_fwd(e, &c, 1, 0, 2, nullptr, nullptr, y, &fl, err, sizeof err) == 0);
        CHECK(y[0] == ax_fmt_zero(0, c.acc));
        CHECK(y[1] == ax_fmt_zero(0, c.acc));
        CHECK(fl == 0);
    }
}
