// test_fastpath.cpp — the fast path (cuda_fastpath/): the ref backend against
// a fold written out here, the cpu backend against ref bit for bit (both
// kernels, native and generic paths, flags), the significand LUT against the
// models (every fp8 pair here; every bf16/fp16 pair under [slow]), the LUT
// disk cache rejecting stale and corrupt files, quantization, errors, and a
// planted LUT bug that the comparison must catch.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "ax_convert.h"
#include "ax_fastpath.h"
#include "ax_backend.h"
#include "ax_lut.h"
#include "ax_rng.h"
#include "fastpath_compare.h"
#include "fastpath_operands.h"
#include "test_util.h"

namespace {

// The documented semantics written out: element (i, j) of batch item b is
// the chunked fold of row i of op(A) and column j of op(B).
std::vector<uint32_t> oracle(const ax_mac_cfg_t &c, const ax_gemm_shape_t &s,
                             const std::vector<uint32_t> &A, const std::vector<uint32_t> &B,
                             uint32_t *flags)
{
    std::vector<uint32_t> C((size_t)(s.stride_c * (s.batch - 1) + s.m * s.ldc), 0xDEADBEEF);
    for (int64_t b = 0; b < s.batch; b++)
        for (int64_t i = 0; i < s.m; i++)
            for (int64_t j = 0; j < s.n; j++) {
                int64_t chunk = s.chunk > 0 ? s.chunk : (s.k > 0 ? s.k : 1);
                uint32_t total = 0;
                for (int64_t k0 = 0; k0 < s.k || (k0 == 0 && s.k == 0); k0 += chunk) {
                    uint32_t acc = 0;
                    for (int64_t p = k0; p < k0 + chunk && p < s.k; p++) {
                        uint32_t a = A[b * s.stride_a + (s.trans_a ? p * s.lda + i : i * s.lda + p)];
                        uint32_t bb = B[b * s.stride_b + (s.trans_b ? j * s.ldb + p : p * s.ldb + j)];
                        acc = ax_mac_step(&c, acc, a, bb, flags);
                    }
                    total = ax_unit_apply(c.add, total, acc, c.acc, c.acc, flags);
                    if (s.k == 0) break;
                }
                C[b * s.stride_c + i * s.ldc + j] = total;
            }
    return C;
}

} // namespace

TEST_CASE("fastpath: the ref backend is the documented fold", "[fastpath]")
{
    engine ref(AX_BACKEND_REF);
    ax_rng_t r{11};
    for (const char *spec : {"mul=mbm,in=bf16", "mul=drum:k=3,in=fp8e5m2,prod=fp16,add=eta:l=5,acc=fp16"})
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int64_t chunk : {0, 5}) {
                    ax_mac_cfg_t c = mac(spec);
                    ax_gemm_shape_t s = shape(5, 7, 23, ta, tb, 3, tb == 1, chunk);
                    auto A = matrix(&r, c.in, SPECIALS, a_size(s)), B = matrix(&r, c.in, SPECIALS, b_size(s));
                    uint32_t fo = 0, fr = 0;
                    auto want = oracle(c, s, A, B, &fo);
                    std::vector<uint32_t> got(want.size(), 0xDEADBEEF);
                    char err[256];
                    REQUIRE(ax_gemm(ref.e, &c, &s, A.data(), B.data(), got.data(), &fr, err, sizeof err) == 0);
                    INFO(show(c, s));
                    CHECK(got == want);
                    CHECK(fr == fo);
                }
}

TEST_CASE("fastpath: cpu equals ref bit for bit", "[fastpath]")
{
    struct cfg_case {
        const char *spec;
        const char *native; // the path a near-one matrix takes without flags
    } cases[] = {
        {"mul=mbm,in=bf16", "cpu native fp32 (mul_mbm)"},
        {"mul=mbm,in=fp16", "cpu native fp32 (mul_mbm)"},
        {"mul=mbm,in=e5m20", "cpu native fp32 (mul_mbm)"},
        {"mul=mbm,in=e5m21", "cpu generic"},                        // no function path, no LUT
        {"mul=realm:m=4,q=5,in=fp16", "cpu native fp32 (mul_realm)"},
        {"mul=realm,in=bf16", "cpu native fp32 (mul_realm)"},
        {"mul=realm:m=16,q=15,in=e4m21", "cpu native fp32 (mul_realm)"},
        {"mul=realm:m=1,q=1,in=fp8e5m2", "cpu native fp32 (mul_realm)"},
        {"mul=realm,in=e4m22", "cpu generic"},
        {"mul=drum:k=4,in=bf16", "cpu native fp32 (mul_drum)"},
        {"mul=drum:k=3,in=fp8e4m3", "cpu native fp32 (mul_drum)"},
        {"mul=drum:k=16,in=fp32", "cpu native fp32 (mul_drum)"},
        {"mul=mitchell,in=fp8e4m3", "cpu native fp32 (mul_mitchell)"},
        {"mul=mitchell,in=bf16", "cpu native fp32 (mul_mitchell)"},
        {"mul=mitchell,in=e8m20", "cpu native fp32 (mul_mitchell)"},
        {"mul=trunc,in=fp8e5m2", "cpu native fp32 (mul_trunc)"},
        {"mul=trunc,in=fp16", "cpu native fp32 (mul_trunc)"},
        {"mul=trunc,in=e5m11", "cpu native fp32 (mul_trunc)"},
        {"mul=trunc,in=e5m12", "cpu generic"},                      // exact product may not fit
        {"mul=exact,in=bf16", "cpu native fp32 (mul_exact)"},
        {"mul=exact,in=fp32", "cpu native fp32 (mul_exact)"},
        {"mul=exact,in=fp8e4m3:ftz", "cpu native fp32 (mul_exact)"},
        {"mul=realm,in=e6m9", "cpu native fp32 (mul_realm)"},
        {"mul=mitchell,in=fp32", "cpu generic"},                    // no LUT above 10 bits
        {"mul=mbm,in=bf16,add=loa:l=8", "cpu fp32 adder"},          // approximate adder (cpu/ax_cpu_add.c)
        {"mul=realm,in=fp16,prod=fp16,acc=fp16", "cpu native narrow (mul_realm)"}, // narrow product
        {"mul=drum:k=5,in=bf16,prod=bf16,add=trunc,acc=fp32:rtz", "cpu generic"},
        {"mul=exact,in=fp16,prod=fp32,add=eta:l=6,acc=fp32", "cpu fp32 adder"},
        {"mul=mitchell,in=fp8e5m2,prod=fp8e4m3:sat,add=exact,acc=fp16:ftz", "cpu native narrow (mul_mitchell)"},
        {"mul=exact,in=fp16,prod=fp16,add=exact,acc=fp16:rtz", "cpu generic"}, // an inf product into RTZ
    };
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{2026};
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        // and every unit with a LUT once more through the LUT (gathers for
        // M > 7, 128-entry permutes below, rows padded to 128 for M < 7)
        auto lut = std::make_unique<engine_env>(cpu.e, "AXSIM_CPU_PATH", "lut");
        for (const char *spec : {"mul=mbm,in=bf16", "mul=realm:m=4,q=5,in=fp16", "mul=drum:k=3,in=fp8e4m3",
                                 "mul=mitchell,in=e6m9", "mul=exact,in=fp8e5m2", "mul=trunc,in=bf16"}) {
            ax_mac_cfg_t c = mac(spec);
            for (dist d : {NEAR_ONE, SPECIALS, WIDE}) {
                ax_gemm_shape_t s = shape(13, 70, 41, 0, 1, 2, false, d == SPECIALS ? 9 : 0);
                auto A = matrix(&r, c.in, d, a_size(s)), B = matrix(&r, c.in, d, b_size(s));
                CHECK(compare(cpu.e, c, s, A, B, false) == 0);
                if (d == NEAR_ONE) {
                    INFO(spec);
                    CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu native fp32 (LUT)");
                }
            }
        }
        lut.reset();
        for (const auto &cc : cases) {
            ax_mac_cfg_t c = mac(cc.spec);
            for (dist d : {NEAR_ONE, SPECIALS, RAW, WIDE})
                for (int variant = 0; variant < 3; variant++) {
                    int ta = variant & 1, tb = variant >> 1 & 1;
                    ax_gemm_shape_t s = variant == 0 ? shape(13, 70, 41, 0, 0, 1, false, 0)
                                                     : shape(7, 33, 29, ta, !tb, 2, variant == 2, variant == 2 ? 6 : 0);
                    auto A = matrix(&r, c.in, d, a_size(s)), B = matrix(&r, c.in, d, b_size(s));
                    CHECK(compare(cpu.e, c, s, A, B, false) == 0);
                    if (d == NEAR_ONE) {
                        INFO(cc.spec);
                        // the fp32 adder path names its kernel and product source after this prefix
                        CHECK(std::string(ax_engine_last_path(cpu.e)).rfind(cc.native, 0) == 0);
                    }
                    CHECK(compare(cpu.e, c, s, A, B, true) == 0); // flags: generic path
                }
        }
    }
}

TEST_CASE("fastpath: cpu equals ref on huge K, empty K, single elements and thin shapes", "[fastpath]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{5};
    // exact fp32 reads A and (for at most 24 rows) B in place: tall, thin, and
    // around the 24-row and 32-column edges, on both kernels
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        // (at most 16 columns: the 12x16 tiles of the value-product kinds)
        for (const char *spec : {"mul=mbm,in=bf16", "mul=exact,in=fp16", "mul=realm,in=fp16,add=loa:l=4",
                                 "mul=exact,in=fp32", "mul=trunc,in=fp16", "mul=drum:k=4,in=bf16"}) {
            ax_mac_cfg_t c = mac(spec);
            for (auto mnk : {std::vector<int64_t>{3, 5, 5000}, {1, 1, 1}, {4, 3, 0}, {1, 40, 7},
                             {6, 25, 3001}, {24, 32, 9}, {25, 33, 17}, {200, 6, 25}, {37, 16, 300},
                             {13, 17, 40}}) {
                ax_gemm_shape_t s = shape(mnk[0], mnk[1], mnk[2], 0, 0, 1, false, mnk[2] == 300 ? 64 : 0);
                auto A = matrix(&r, c.in, SPECIALS, a_size(s) + 1), B = matrix(&r, c.in, NEAR_ONE, b_size(s) + 1);
                INFO(spec << " " << mnk[0] << "x" << mnk[1] << "x" << mnk[2] << " kernel '" << kernel << "'");
                CHECK(compare(cpu.e, c, s, A, B, false) == 0);
            }
        }
    }
}

TEST_CASE("fastpath: batch items decoded together, in groups when their buffers are large", "[fastpath]")
{
    // Native batches run their items together, as many as fit 2^22 decoded
    // elements: 64 small items (one group), and 5 of 880k to 944k elements
    // (groups of 2, 2 and 1); B per item and shared.
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{17};
    for (const char *spec : {"mul=exact,in=fp32", "mul=mbm,in=bf16"})
        for (bool share : {false, true})
            for (auto mnkb : {std::vector<int64_t>{9, 1, 9, 64}, {200, 1, 4000, 5}}) {
                ax_mac_cfg_t c = mac(spec);
                ax_gemm_shape_t s = shape(mnkb[0], mnkb[1], mnkb[2], 0, 0, mnkb[3], share, 0);
                // (MBM's native path needs exponents within [-62, 62])
                auto A = matrix(&r, c.in, c.mul.id == AX_MUL_EXACT ? SPECIALS : NEAR_ONE, a_size(s));
                auto B = matrix(&r, c.in, NEAR_ONE, b_size(s));
                INFO(spec << (share ? " shared B" : ""));
                CHECK(compare(cpu.e, c, s, A, B, false) == 0);
                CHECK(std::string(ax_engine_last_path(cpu.e)).rfind("cpu native", 0) == 0);
            }
}

TEST_CASE("fastpath: a corrupted LUT entry is caught by the comparison (planted bug)", "[fastpath]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    engine_env lut(cpu.e, "AXSIM_CPU_PATH", "lut");
    ax_mac_cfg_t c = mac("mul=realm,in=fp8e4m3");
    ax_gemm_shape_t s = shape(8, 8, 16, 0, 0, 1, false, 0);
    ax_rng_t r{3};
    auto A = matrix(&r, c.in, NEAR_ONE, a_size(s)), B = matrix(&r, c.in, NEAR_ONE, b_size(s));
    REQUIRE(compare(cpu.e, c, s, A, B, false) == 0);
    ax_lut_t *l = ax_lut_get(&ax_engine_ctx(cpu.e)->luts, c.mul, c.in.mbits);
    REQUIRE(l);
    REQUIRE(ax_lut_f32(l));
    uint32_t xa = ax_frac(A[0], c.in), xb = ax_frac(B[0], c.in); // used by element (0, 0)
    size_t at = (xa << c.in.mbits) | xb;
    l->f32[at] = std::nextafter(l->f32[at], 8.0f);
    if (ax_lut_f32_rows128(l)) l->f32p[(xa << 7) | xb] = l->f32[at]; // the permute kernel's copy
    l->sig[at] += 1u << 20;
    CHECK(compare(cpu.e, c, s, A, B, false) > 0); // native LUT path
    CHECK(compare(cpu.e, c, s, A, B, true) > 0);  // generic path
}

// ---- the significand LUT against the models ---------------------------------

namespace {

// Every pair (a, b) of in: the LUT path (unpack, specials, table entry,
// ax_lut_finish) against ax_mul, bits and flags. Pairs [lo, hi) of the
// 2^(2w) index space; returns mismatches.
uint64_t lut_pairs(const ax_lut_t &l, ax_unit_t u, ax_format_t in, ax_format_t prod, uint64_t lo,
                   uint64_t hi, uint64_t stride = 1)
{
    const int w = ax_fmt_width(in);
    const uint32_t mm = ax_fmt_mmask(in);
    uint64_t bad = 0;
    for (uint64_t i = lo; i < hi; i += stride) {
        uint32_t a = (uint32_t)(i >> w), b = (uint32_t)(i & ((1u << w) - 1));
        uint32_t f1 = 0, f2 = 0, r1 = ax_mul(u, a, b, in, prod, &f1), r2;
        ax_unpacked_t ua = ax_unpack(a, in), ub = ax_unpack(b, in);
        if (!ax_mul_special(ua, ub, prod, &r2, &f2))
            r2 = ax_lut_finish(u, ua, ub, l.sig[((ua.sig & mm) << in.mbits) | (ub.sig & mm)], in.mbits,
                               l.shift, prod, &f2);
        bad += r1 != r2 || f1 != f2;
    }
    return bad;
}

const char *lut_units[] = {"mul_exact", "mul_trunc", "mul_drum:k=3", "mul_drum:k=6", "mul_mitchell",
                           "mul_mbm", "mul_realm:m=8,q=6", "mul_realm:m=2,q=3", "mul_realm:m=16,q=15"};

} // namespace

TEST_CASE("lut: table path equals the model for every fp8 pair", "[lut]")
{
    for (const char *in_name : {"fp8e4m3", "fp8e5m2", "e3m4", "e2m5:ftz"})
        for (const char *un : lut_units)
            for (const char *prod_name : {"fp32", "fp16", "bf16", "fp8e4m3:sat", "e5m2:rtz"}) {
                ax_format_t in = fmt(in_name), prod = fmt(prod_name);
                ax_unit_t u = unit(un);
                ax_lut_t l;
                REQUIRE(ax_lut_build(&l, u, in.mbits) == 0);
                REQUIRE(ax_lut_fits(&l, prod));
                INFO(un << " " << in_name << " -> " << prod_name);
                CHECK(lut_pairs(l, u, in, prod, 0, 1u << 16) == 0);
                ax_lut_free(&l);
            }
}

TEST_CASE("lut: table path equals the model, bf16/fp16 sampled pairs", "[lut]")
{
    // every 4099th of the 2^32 pairs: all exponent pairs, a spread of significands
    for (const char *in_name : {"bf16", "fp16"})
        for (const char *un : lut_units) {
            ax_format_t in = fmt(in_name);
            ax_unit_t u = unit(un);
            ax_lut_t l;
            REQUIRE(ax_lut_build(&l, u, in.mbits) == 0);
            INFO(un << " " << in_name);
            for (const char *prod_name : {"fp32", in_name})
                CHECK(lut_pairs(l, u, in, fmt(prod_name), 0, UINT64_C(1) << 32, 4099) == 0);
            ax_lut_free(&l);
        }
}

TEST_CASE("lut: table path equals the model for every bf16 and fp16 pair", "[lut][slow]")
{
    for (const char *in_name : {"bf16", "fp16"})
        for (const char *un : {"mul_exact", "mul_trunc", "mul_drum:k=6", "mul_mitchell", "mul_mbm", "mul_realm:m=8,q=6"}) {
            ax_format_t in = fmt(in_name), prod = fmt("fp32");
            ax_unit_t u = unit(un);
            ax_lut_t l;
            REQUIRE(ax_lut_build(&l, u, in.mbits) == 0);
            uint64_t bad[2] = {0, 0};
            const uint64_t half = UINT64_C(1) << 31;
            std::thread t([&] { bad[1] = lut_pairs(l, u, in, prod, half, 2 * half); });
            bad[0] = lut_pairs(l, u, in, prod, 0, half);
            t.join();
            INFO(un << " " << in_name);
            CHECK(bad[0] + bad[1] == 0);
            ax_lut_free(&l);
        }
}

// ---- the disk cache -------------------------------------------------------------

namespace {

void patch(const std::string &path, long at, const void *bytes, size_t n)
{
    FILE *f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, at, SEEK_SET);
    std::fwrite(bytes, 1, n, f);
    std::fclose(f);
}

std::string load_error(const std::string &path, ax_unit_t u, int m)
{
    ax_lut_t l;
    char err[256] = "";
    if (ax_lut_load(&l, path.c_str(), u, m, err, sizeof err) == 0) {
        ax_lut_free(&l);
        return "loaded";
    }
    return err;
}

} // namespace

TEST_CASE("lut cache: round trip, stale, corrupt, truncated and foreign files", "[lut]")
{
    temp_dir d;
    ax_unit_t u = unit("mul_realm:m=4,q=5");
    ax_lut_t l;
    REQUIRE(ax_lut_build(&l, u, 7) == 0);
    std::string p = d.path + "/t.lut";
    char err[256];
    REQUIRE(ax_lut_save(&l, p.c_str(), err, sizeof err) == 0);
    ax_lut_t back;
    REQUIRE(ax_lut_load(&back, p.c_str(), u, 7, err, sizeof err) == 0);
    CHECK(std::memcmp(back.sig, l.sig, sizeof(uint32_t) << 14) == 0);
    CHECK(back.min_msb == l.min_msb);
    ax_lut_free(&back);

    CHECK_THAT(load_error(p, unit("mul_realm:m=4,q=6"), 7), Catch::Contains("another unit"));
    CHECK_THAT(load_error(p, u, 8), Catch::Contains("another unit or format"));

    std::string q = d.path + "/q.lut";
    std::system(("cp " + p + " " + q).c_str());
    uint32_t v = AX_MODEL_VERSION + 1;
    patch(q, 12, &v, 4); // model_version
    CHECK_THAT(load_error(q, u, 7), Catch::Contains("stale") && Catch::Contains("model version"));

    std::system(("cp " + p + " " + q).c_str());
    unsigned char x = 0x5A;
    patch(q, 128 + 1000, &x, 1);
    CHECK_THAT(load_error(q, u, 7), Catch::Contains("corrupt"));

    std::system(("head -c 5000 " + p + " > " + q).c_str());
    CHECK_THAT(load_error(q, u, 7), Catch::Contains("truncated"));
    std::system(("head -c 20 " + p + " > " + q).c_str());
    CHECK_THAT(load_error(q, u, 7), Catch::Contains("shorter than its header"));
    std::system(("echo hello > " + q).c_str());
    CHECK_THAT(load_error(q, u, 7), Catch::Contains("bad magic") || Catch::Contains("shorter"));
    std::system(("cp " + p + " " + q + "; echo x >> " + q).c_str());
    CHECK_THAT(load_error(q, u, 7), Catch::Contains("longer"));
    ax_lut_free(&l);
}

TEST_CASE("lut cache: ax_lut_get writes, reuses and regenerates a bad file", "[lut]")
{
    temp_dir d;
    setenv("AXSIM_CACHE_DIR", d.path.c_str(), 1);
    ax_unit_t u = unit("mul_mbm");
    char path[4096];
    ax_lut_path(path, sizeof path, d.path.c_str(), u, 7);
    {
        ax_lut_cache_t c{};
        REQUIRE(ax_lut_get(&c, u, 7));
        CHECK(access(path, F_OK) == 0);
        ax_lut_cache_free(&c);
    }
    unsigned char x = 0xFF;
    patch(path, 200, &x, 1);
    CHECK_THAT(load_error(path, u, 7), Catch::Contains("corrupt"));
    {
        ax_lut_cache_t c{};
        ax_lut_t *l = ax_lut_get(&c, u, 7); // reports, regenerates, rewrites
        REQUIRE(l);
        ax_lut_t fresh;
        REQUIRE(ax_lut_build(&fresh, u, 7) == 0);
        CHECK(std::memcmp(fresh.sig, l->sig, sizeof(uint32_t) << 14) == 0);
        ax_lut_free(&fresh);
        ax_lut_cache_free(&c);
    }
    CHECK(load_error(path, u, 7) == "loaded");
    unsetenv("AXSIM_CACHE_DIR");
}

// ---- quantization, errors ---------------------------------------------------------

TEST_CASE("fastpath: quantize is the reference conversion, dequantize is exact", "[fastpath]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{9};
    std::vector<float> x(300000);
    for (size_t i = 0; i < x.size(); i++)
        x[i] = i % 7 == 0 ? u2f((uint32_t)ax_rng_next(&r)) : (float)((double)(int64_t)ax_rng_next(&r) * 1e-19);
    x[0] = INFINITY, x[1] = -0.0f, x[2] = NAN, x[3] = 1e-40f;
    x[4] = u2f(0x7F800001u), x[5] = u2f(0xFFC12345u), x[6] = u2f(0x80000001u), x[7] = -INFINITY;
    // fp32 itself takes a copying path that must keep NaN canonicalization and flags
    for (const char *fn : {"fp32", "fp32:ftz", "fp32:rtz", "bf16", "fp16", "fp8e4m3",
                           "fp8e5m2:sat", "e6m9:rtz", "fp16:ftz"}) {
        ax_format_t f = fmt(fn);
        std::vector<uint32_t> q(x.size());
        uint32_t fl = 0, want_fl = 0;
        ax_quantize(cpu.e, f, x.data(), q.data(), x.size(), &fl);
        size_t bad = 0;
        for (size_t i = 0; i < x.size(); i++) bad += q[i] != ax_from_f32bits(f2u(x[i]), f, &want_fl);
        INFO(fn);
        CHECK(bad == 0);
        CHECK(fl == want_fl);
        std::vector<float> y(x.size());
        ax_dequantize(cpu.e, f, q.data(), y.data(), q.size());
        bad = 0;
        for (size_t i = 0; i < x.size(); i++) bad += f2u(y[i]) != ax_to_f32bits(q[i], f);
        CHECK(bad == 0);
    }
}

TEST_CASE("fastpath: bad shapes, configurations and backends give clear errors", "[fastpath]")
{
    engine cpu(AX_BACKEND_CPU, 1);
    char err[256];
    ax_mac_cfg_t c = mac("mul=mbm,in=bf16");
    uint32_t A[16] = {0}, B[16] = {0}, C[16];
    auto fails = [&](ax_gemm_shape_t s, const char *what) {
        err[0] = 0;
        CHECK(ax_gemm(cpu.e, &c, &s, A, B, C, nullptr, err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains(what));
    };
    ax_gemm_shape_t s = ax_gemm_shape(2, 2, 2);
    s.m = -1;
    fails(s, "must be >= 0");
    s = ax_gemm_shape(2, 2, 2), s.lda = 1;
    fails(s, "lda=1");
    s = ax_gemm_shape(2, 2, 2), s.trans_b = 1, s.ldb = 1;
    fails(s, "ldb=1");
    s = ax_gemm_shape(2, 3, 2), s.ldc = 2;
    fails(s, "ldc=2");
    s = ax_gemm_shape(2, 2, 2), s.batch = 0;
    fails(s, "batch=0");
    s = ax_gemm_shape(2, 2, 2), s.batch = 2, s.stride_c = 1;
    fails(s, "overlap");
    s = ax_gemm_shape(2, 2, 2), s.chunk = -1;
    fails(s, "chunk=-1");
    ax_mac_cfg_t swapped = c;
    swapped.mul = c.add;
    s = ax_gemm_shape(2, 2, 2);
    CHECK(ax_gemm(cpu.e, &swapped, &s, A, B, C, nullptr, err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("not a multiplier"));

    ax_backend_t b;
    CHECK(ax_backend_parse("gpu", &b, err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("unknown backend 'gpu'") && Catch::Contains("auto, ref, cpu or cuda"));
    REQUIRE(ax_backend_parse("cuda", &b, err, sizeof err) == 0);
    char why[256];
    if (!ax_cuda_available(why, sizeof why)) {
        CHECK(ax_engine_create(AX_BACKEND_CUDA, 0, err, sizeof err) == nullptr);
        CHECK_THAT(std::string(err), Catch::Contains("backend cuda"));
        engine a(AX_BACKEND_AUTO);
        CHECK(ax_engine_backend(a.e) == AX_BACKEND_CPU);
        CHECK_THAT(std::string(ax_engine_describe(a.e)), Catch::Contains("backend cpu (auto"));
    }
}
