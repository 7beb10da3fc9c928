// conv_oracle.h — what the convolution and linear tests share (test_conv.cpp,
// test_linear.cpp): an oracle written here (direct loops that build each
// output element's operand vectors in the fold order ax_fastpath.h documents,
// +0 for padding positions and stride holes, and call ax_mac_fold), the
// engines compared (ref, cpu, and cuda when a device answers), operands, the
// MAC configurations and shapes, and the comparison.
#ifndef AX_CONV_ORACLE_H
#define AX_CONV_ORACLE_H

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ax_convert.h"
#include "ax_fastpath.h"
#include "ax_mac.h"
#include "ax_rng.h"
#include "test_util.h"

namespace {

using Tensor = std::vector<uint32_t>;

struct Config {
    const char *spec;
    bool native; // the cpu backend takes its native path when no flags are asked for
    bool native_with_specials; // also when the operands hold infinities and NaNs (else
                               // the path depends on whether this case's operands do)
};

// native function (mul_mbm), native LUT (mul_realm), native mul_exact, the
// native kernels' add_loa into narrow formats, generic (approximate
// multiplier, truncating adder, narrow product)
const Config configs[] = {
    {"mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32", true, true},
    {"mul=realm,in=bf16", true, true},
    {"mul=exact,in=fp16", true, true},
    {"mul=drum:k=4,in=fp8e4m3,prod=fp16,add=loa:l=6,acc=fp16", true, false}, // (strict operands)
    {"mul=drum:k=4,in=fp8e4m3,prod=fp16,add=trunc,acc=fp16", false, false},
};

// ---- engines -------------------------------------------------------------------

struct EngineFree {
    void operator()(ax_engine_t *e) const { ax_engine_free(e); }
};
using Engine = std::unique_ptr<ax_engine_t, EngineFree>;

inline Engine make_engine(ax_backend_t b, int threads)
{
    char err[256];
    ax_engine_t *e = ax_engine_create(b, threads, err, sizeof err);
    if (!e) throw std::runtime_error(err);
    return Engine(e);
}

// ref (1 thread), cpu (2 threads), and cuda when a device answers.
inline std::vector<Engine> &engines()
{
    static std::vector<Engine> v;
    if (v.empty()) {
        v.push_back(make_engine(AX_BACKEND_REF, 1));
        v.push_back(make_engine(AX_BACKEND_CPU, 2));
        char why[256];
        if (ax_cuda_available(why, sizeof why)) v.push_back(make_engine(AX_BACKEND_CUDA, 0));
        else std::printf("test_conv: cuda backend not compared (%s)\n", why);
    }
    return v;
}

// ---- operands ------------------------------------------------------------------

// count values of f: |v| in [2^-4, 4), random sign and fraction, quantized by
// ax_from_f32bits; zeros (either sign) at 1 in 8; with specials, NaN, +inf
// and -inf (what f makes of them) at 1 in 256.
inline Tensor tensor(size_t count, ax_format_t f, ax_rng_t *r, bool specials = false)
{
    static const uint32_t special[] = {0x7FC00000u, 0x7F800000u, 0xFF800000u};
    Tensor t(count);
    for (auto &v : t) {
        uint32_t bits;
        if (ax_rng_below(r, 8) == 0) bits = ax_rng_below(r, 2) << 31;
        else if (specials && ax_rng_below(r, 256) == 0)
            bits = special[ax_rng_below(r, 3)];
        else
            bits = ax_rng_below(r, 2) << 31 | (127 - 4 + ax_rng_below(r, 6)) << 23 |
                   (uint32_t)(ax_rng_next(r) >> 41);
        uint32_t fl = 0;
        v = ax_from_f32bits(bits, f, &fl);
    }
    return t;
}

// ---- the oracle ----------------------------------------------------------------

enum class Bug {
    none,
    pad_shift,  // forward, weight grad: the input read one column to the right
    reversed,   // every fold in descending order
    floor_holes // input grad: stride holes taken as oy = floor(...), not +0
};

struct Shape {
    int64_t n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g;
    int64_t oh() const { return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }
    int64_t ow() const { return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }
    int64_t cg() const { return c / g; }
    int64_t ocg() const { return oc / g; }
    size_t nx() const { return (size_t)(n * c * h * w); }
    size_t nw() const { return (size_t)(oc * cg() * kh * kw); }
    size_t ny() const { return (size_t)(n * oc * oh() * ow()); }
    ax_conv_shape_t api() const { return {n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g}; }
};

inline std::string describe(const Shape &s)
{
    char b[256];
    std::snprintf(b, sizeof b,
                  "n=%lld c=%lld h=%lld w=%lld oc=%lld k=%lldx%lld stride=%lld,%lld "
                  "pad=%lld,%lld dil=%lld,%lld groups=%lld",
                  (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w, (long long)s.oc,
                  (long long)s.kh, (long long)s.kw, (long long)s.sh, (long long)s.sw,
                  (long long)s.ph, (long long)s.pw, (long long)s.dh, (long long)s.dw,
                  (long long)s.g);
    return b;
}

struct Fold {
    const ax_mac_cfg_t &cfg;
    Bug bug;
    uint32_t *flags;
    Tensor a, b;
    void clear() { a.clear(), b.clear(); }
    void term(uint32_t x, uint32_t y) { a.push_back(x), b.push_back(y); }
    uint32_t result()
    {
        if (bug == Bug::reversed) std::reverse(a.begin(), a.end()), std::reverse(b.begin(), b.end());
        return ax_mac_fold(&cfg, a.data(), b.data(), a.size(), flags);
    }
};

const uint32_t PAD = 0; // +0 in every format

// x[n, c, iy, ix] or +0 outside the image
inline uint32_t xat(const Shape &s, const Tensor &x, int64_t n, int64_t c, int64_t iy, int64_t ix)
{
    if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) return PAD;
    return x[(size_t)(((n * s.c + c) * s.h + iy) * s.w + ix)];
}

// y[n,o,oy,ox] = fold over (ci, ky, kx) of x[n, g*Cg+ci, oy*s-p+ky*d, ox*s-p+kx*d] * w[o,ci,ky,kx]
inline Tensor oracle_fwd(const ax_mac_cfg_t &cfg, const Shape &s, const Tensor &x, const Tensor &w,
                         uint32_t *flags, Bug bug = Bug::none)
{
    Tensor y(s.ny());
    Fold f{cfg, bug, flags, {}, {}};
    const int64_t shift = bug == Bug::pad_shift ? 1 : 0;
    size_t at = 0;
    for (int64_t n = 0; n < s.n; n++)
        for (int64_t o = 0; o < s.oc; o++)
            for (int64_t oy = 0; oy < s.oh(); oy++)
                for (int64_t ox = 0; ox < s.ow(); ox++) {
                    f.clear();
                    const int64_t g = o / s.ocg();
                    for (int64_t ci = 0; ci < s.cg(); ci++)
                        for (int64_t ky = 0; ky < s.kh; ky++)
                            for (int64_t kx = 0; kx < s.kw; kx++)
                                f.term(xat(s, x, n, g * s.cg() + ci, oy * s.sh - s.ph + ky * s.dh,
                                           ox * s.sw - s.pw + kx * s.dw + shift),
                                       w[(size_t)(((o * s.cg() + ci) * s.kh + ky) * s.kw + kx)]);
                    y[at++] = f.result();
                }
    return y;
}

// dx[n,c,iy,ix] = fold over (o in group, ky, kx) of dy[n,o,oy,ox] * w[o,c',ky,kx],
// oy = (iy + p - ky*d) / s where that divides and is in range, else +0
inline Tensor oracle_bwd_data(const ax_mac_cfg_t &cfg, const Shape &s, const Tensor &dy, const Tensor &w,
                              uint32_t *flags, Bug bug = Bug::none)
{
    Tensor dx(s.nx());
    Fold f{cfg, bug, flags, {}, {}};
    const int64_t oh = s.oh(), ow = s.ow();
    auto source = [&](int64_t t, int64_t stride, int64_t out) -> int64_t {
        if (t < 0) return -1;
        if (t % stride && bug != Bug::floor_holes) return -1;
        return t / stride < out ? t / stride : -1;
    };
    size_t at = 0;
    for (int64_t n = 0; n < s.n; n++)
        for (int64_t c = 0; c < s.c; c++)
            for (int64_t iy = 0; iy < s.h; iy++)
                for (int64_t ix = 0; ix < s.w; ix++) {
                    f.clear();
                    const int64_t g = c / s.cg(), cc = c % s.cg();
                    for (int64_t o = g * s.ocg(); o < (g + 1) * s.ocg(); o++)
                        for (int64_t ky = 0; ky < s.kh; ky++)
                            for (int64_t kx = 0; kx < s.kw; kx++) {
                                const int64_t oy = source(iy + s.ph - ky * s.dh, s.sh, oh);
                                const int64_t ox = source(ix + s.pw - kx * s.dw, s.sw, ow);
                                f.term(oy < 0 || ox < 0
                                           ? PAD
                                           : dy[(size_t)(((n * s.oc + o) * oh + oy) * ow + ox)],
                                       w[(size_t)(((o * s.cg() + cc) * s.kh + ky) * s.kw + kx)]);
                            }
                    dx[at++] = f.result();
                }
    return dx;
}

// dw[o,ci,ky,kx] = fold over (n, oy, ox) of dy[n,o,oy,ox] * x[n, g*Cg+ci, oy*s-p+ky*d, ...]
inline Tensor oracle_bwd_weight(const ax_mac_cfg_t &cfg, const Shape &s, const Tensor &x,
                                const Tensor &dy, uint32_t *flags, Bug bug = Bug::none)
{
    Tensor dw(s.nw());
    Fold f{cfg, bug, flags, {}, {}};
    const int64_t oh = s.oh(), ow = s.ow(), shift = bug == Bug::pad_shift ? 1 : 0;
    size_t at = 0;
    for (int64_t o = 0; o < s.oc; o++)
        for (int64_t ci = 0; ci < s.cg(); ci++)
            for (int64_t ky = 0; ky < s.kh; ky++)
                for (int64_t kx = 0; kx < s.kw; kx++) {
                    f.clear();
                    const int64_t g = o / s.ocg();
                    for (int64_t n = 0; n < s.n; n++)
                        for (int64_t oy = 0; oy < oh; oy++)
                            for (int64_t ox = 0; ox < ow; ox++)
                                f.term(dy[(size_t)(((n * s.oc + o) * oh + oy) * ow + ox)],
                                       xat(s, x, n, g * s.cg() + ci, oy * s.sh - s.ph + ky * s.dh,
                                           ox * s.sw - s.pw + kx * s.dw + shift));
                    dw[at++] = f.result();
                }
    return dw;
}

// linear: x[n][in], w[out][in], y[n][out]
inline Tensor oracle_linear(const ax_mac_cfg_t &cfg, int op, int64_t n, int64_t in, int64_t out,
                            const Tensor &p, const Tensor &q, uint32_t *flags)
{
    Fold f{cfg, Bug::none, flags, {}, {}};
    Tensor r;
    if (op == 0) // y[b,o] = fold over i of x[b,i] * w[o,i]; p = x, q = w
        for (int64_t b = 0; b < n; b++)
            for (int64_t o = 0; o < out; o++) {
                f.clear();
                for (int64_t i = 0; i < in; i++) f.term(p[b * in + i], q[o * in + i]);
                r.push_back(f.result());
            }
    else if (op == 1) // dx[b,i] = fold over o of dy[b,o] * w[o,i]; p = dy, q = w
        for (int64_t b = 0; b < n; b++)
            for (int64_t i = 0; i < in; i++) {
                f.clear();
                for (int64_t o = 0; o < out; o++) f.term(p[b * out + o], q[o * in + i]);
                r.push_back(f.result());
            }
    else // dw[o,i] = fold over b of dy[b,o] * x[b,i]; p = x, q = dy
        for (int64_t o = 0; o < out; o++)
            for (int64_t i = 0; i < in; i++) {
                f.clear();
                for (int64_t b = 0; b < n; b++) f.term(q[b * out + o], p[b * in + i]);
                r.push_back(f.result());
            }
    return r;
}

// ---- comparison ----------------------------------------------------------------

// Mismatching elements of got against want; the first few are described.
inline size_t mismatches(const Tensor &want, const Tensor &got, std::string *first = nullptr)
{
    size_t bad = 0;
    for (size_t i = 0; i < want.size(); i++)
        if (want[i] != got[i] && bad++ < 3 && first) {
            char b[96];
            std::snprintf(b, sizeof b, "[%zu] want 0x%x got 0x%x; ", i, want[i], got[i]);
            *first += b;
        }
    return bad;
}

enum Op { FWD, BWD_DATA, BWD_WEIGHT };
const char *const op_names[] = {"forward", "input grad", "weight grad"};

// Runs op on e; the result and the call's return code.
inline int run_conv(ax_engine_t *e, const ax_mac_cfg_t &cfg, Op op, const Shape &s, const Tensor &p,
                    const Tensor &q, Tensor &out, uint32_t *flags, std::string &err)
{
    char msg[256] = "";
    ax_conv_shape_t cs = s.api();
    int rc;
    switch (op) {
    case FWD:
        out.assign(s.ny(), 0xDEADBEEF);
        rc = ax_conv2d_fwd(e, &cfg, &cs, p.data(), q.data(), out.data(), flags, msg, sizeof msg);
        break;
    case BWD_DATA:
        out.assign(s.nx(), 0xDEADBEEF);
        rc = ax_conv2d_bwd_data(e, &cfg, &cs, p.data(), q.data(), out.data(), flags, msg,
                                sizeof msg);
        break;
    default:
        out.assign(s.nw(), 0xDEADBEEF);
        rc = ax_conv2d_bwd_weight(e, &cfg, &cs, p.data(), q.data(), out.data(), flags, msg,
                                  sizeof msg);
        break;
    }
    err = msg;
    return rc;
}

// Operands of op (p, q in argument order), the oracle's answer and flags.
struct Case {
    Tensor p, q, want;
    uint32_t flags = 0;
};

inline Case make_case(const ax_mac_cfg_t &cfg, Op op, const Shape &s, uint64_t seed, bool specials,
                      Bug bug = Bug::none)
{
    ax_rng_t r = {seed};
    Case k;
    switch (op) {
    case FWD:
        k.p = tensor(s.nx(), cfg.in, &r, specials), k.q = tensor(s.nw(), cfg.in, &r, specials);
        k.want = oracle_fwd(cfg, s, k.p, k.q, &k.flags, bug);
        break;
    case BWD_DATA:
        k.p = tensor(s.ny(), cfg.in, &r, specials), k.q = tensor(s.nw(), cfg.in, &r, specials);
        k.want = oracle_bwd_data(cfg, s, k.p, k.q, &k.flags, bug);
        break;
    default:
        k.p = tensor(s.nx(), cfg.in, &r, specials), k.q = tensor(s.ny(), cfg.in, &r, specials);
        k.want = oracle_bwd_weight(cfg, s, k.p, k.q, &k.flags, bug);
        break;
    }
    return k;
}

const Shape shapes[] = {
    // n  c  h  w  oc kh kw sh sw ph pw dh dw  g
    {1, 3, 7, 9, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1}, // plain, odd sizes, non-square image
    {3, 3, 8, 6, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1}, // stride 2, pad 1, non-square kernel, batch 3
    {1, 4, 9, 7, 6, 3, 3, 2, 1, 2, 1, 2, 1, 2}, // groups 2, dilation 2, pad 2
    {3, 5, 6, 6, 5, 3, 3, 1, 2, 1, 0, 1, 2, 5}, // depthwise, dilation 2 in x
    {1, 3, 7, 8, 6, 3, 2, 2, 2, 2, 2, 2, 2, 3}, // grouped, channel multiplier 2
    {3, 6, 7, 5, 4, 2, 3, 3, 2, 2, 1, 2, 1, 2}, // stride 3 (holes), groups 2
    {2, 2, 5, 5, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1}, // 1x1, batch 2
    {3, 1, 4, 4, 1, 4, 4, 1, 1, 0, 0, 1, 1, 1}, // kernel = image: 1x1 output
    {1, 2, 3, 4, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1}, // padding wider than the kernel
    {3, 8, 12, 11, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1}, // many native-kernel tiles
    {3, 2, 7, 9, 3, 3, 3, 1, 1, 2, 3, 2, 2, 1},   // stride 1 with dilation 2, batch 3
    {2, 3, 5, 6, 4, 3, 3, 1, 1, 4, 4, 1, 1, 1},   // outputs made of padding only
};

// Every shape and configuration, with and without flags, on every engine.
// Returns how many of the oracle's results are NaN.
inline size_t check_op(Op op, bool specials, uint64_t seed)
{
    size_t nans = 0;
    const bool forced_generic = std::getenv("AXSIM_CPU_PATH") != nullptr;
    size_t compared = 0;
    for (const Config &c : configs) {
        const ax_mac_cfg_t cfg = mac(c.spec);
        for (const Shape &s : shapes) {
            INFO(op_names[op] << ", " << c.spec << ", " << describe(s));
            Case k = make_case(cfg, op, s, seed++, specials);
            for (uint32_t v : k.want) nans += ax_is_nan(v, cfg.acc);
            for (auto &e : engines())
                for (bool with_flags : {false, true}) {
                    INFO(ax_engine_describe(e.get()) << (with_flags ? ", flags" : ", no flags"));
                    Tensor got;
                    std::string err, first;
                    uint32_t fl = 0;
                    REQUIRE(run_conv(e.get(), cfg, op, s, k.p, k.q, got, with_flags ? &fl : nullptr,
                                     err) == 0);
                    const size_t bad = mismatches(k.want, got, &first);
                    INFO(first);
                    CHECK(bad == 0);
                    if (with_flags) CHECK(fl == k.flags);
                    const bool path_known = !specials || c.native_with_specials || !c.native;
                    if (ax_engine_backend(e.get()) == AX_BACKEND_CPU && !forced_generic && path_known) {
                        const std::string path = ax_engine_last_path(e.get());
                        INFO("cpu path: " << path);
                        CHECK((path.find("native") != std::string::npos) == (c.native && !with_flags));
                    }
                    compared += got.size();
                }
        }
    }
    REQUIRE(compared > 10000);
    return nans;
}

} // namespace

#endif // AX_CONV_ORACLE_H
