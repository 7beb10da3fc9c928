// test_fastpath_adders.cpp — the cpu backend's fp32 adder path
// (cuda_fastpath/cpu/ax_cpu_add.c) against ref, bit for bit and flag for
// flag: every adder (add_trunc, add_loa:l, add_eta:l, add_exact with flags)
// x multipliers x input formats x operand distributions (specials,
// subnormals, huge and tiny exponents, cancellation), K small and large,
// chunks, transposes, batches, both kernels (AVX-512 and portable C), both
// product sources (values and LUT); that the path is taken; and a planted
// rounding bug (AXSIM_PLANT_BUG=cpu-adder-tie) that the comparison must catch.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ax_fastpath.h"
#include "ax_rng.h"
#include "fastpath_compare.h"
#include "fastpath_operands.h"
#include "test_util.h"

namespace {

// Environment variables set for one scope.
struct env {
    std::string name;
    env(const char *n, const char *v) : name(n) { setenv(n, v, 1); }
    ~env() { unsetenv(name.c_str()); }
};

// Distributions beyond fastpath_operands.h: exponents at the top or the
// bottom of the fast lanes' range [-62, 62] (sums that overflow, results
// and accumulators that are subnormal), and cancellation (op(B)'s rows in
// pairs of opposite sign, some an ulp apart).
enum extra_dist { HUGE_EXP = 100, TINY_EXP, CANCEL };

std::vector<uint32_t> operands(ax_rng_t *r, ax_format_t f, int d, size_t n)
{
    if (d < HUGE_EXP) return matrix(r, f, (dist)d, n);
    std::vector<uint32_t> v(n);
    for (size_t i = 0; i < n; i++) {
        const uint32_t mant = (uint32_t)ax_rng_next(r) & ax_fmt_mmask(f), s = ax_rng_next(r) & 1;
        int32_t e;
        if (d == HUGE_EXP) e = 62 - (int32_t)ax_rng_below(r, 3);
        else if (d == TINY_EXP) e = -62 + (int32_t)ax_rng_below(r, 3);
        else e = (int32_t)ax_rng_below(r, 5) - 2;
        v[i] = normal_operand(f, s, e + f.bias, mant);
    }
    if (d == CANCEL) cancel_pairs(v, f);
    return v;
}

const char *dist_name(int d)
{
    if (d == HUGE_EXP) return "huge-exponents";
    if (d == TINY_EXP) return "tiny-exponents";
    if (d == CANCEL) return "cancellation";
    return dist_names[d];
}

bool starts_with(const std::string &s, const std::string &p) { return s.compare(0, p.size(), p) == 0; }

const char *const adders[] = {"trunc", "loa:l=8", "loa:l=1", "loa:l=4", "loa:l=27", "eta:l=8",
                              "eta:l=1", "eta:l=5", "eta:l=27", "loa:l=0", "exact"};

// Multipliers and input formats: products from the decoded values
// (exact, trunc, drum) or from the LUT (permutes for M <= 7, indexed above);
// e5m0 has no mantissa bits (and no inf), :ftz inputs flush subnormals.
const char *const muls[] = {"mul=exact,in=bf16", "mul=mbm,in=bf16", "mul=mitchell,in=fp8e4m3",
                            "mul=realm:m=4,q=5,in=fp16", "mul=drum:k=3,in=fp8e5m2", "mul=trunc,in=fp16",
                            "mul=exact,in=fp8e4m3:ftz", "mul=realm,in=bf16", "mul=mbm,in=e5m0",
                            "mul=trunc,in=bf16:ftz"};

std::string spec(const char *mul, const char *add) { return std::string(mul) + ",prod=fp32,add=" + add + ",acc=fp32"; }

} // namespace

TEST_CASE("fastpath adders: the fp32 adder path equals ref, bits and flags", "[fastpath][adders]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{4242};
    int runs = 0;
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        for (const char *add : adders)
            for (const char *mul : muls) {
                const ax_mac_cfg_t c = mac(spec(mul, add));
                const bool bf16 = c.in.ebits == 8;
                for (int d : {(int)NEAR_ONE, (int)SPECIALS, (int)SPECIALS_NORMAL, (int)RAW, (int)WIDE, (int)ZEROS,
                              (int)ONE_HUGE, (int)CANCEL, (int)HUGE_EXP, (int)TINY_EXP}) {
                    if ((d == HUGE_EXP || d == TINY_EXP) && !bf16) continue; // fp16, fp8: WIDE covers their range
                    // variants 4 and 5 are thin (n < 8): the lanes run along m
                    const int variant = runs % 6;
                    const int ta = variant & 1, tb = variant >> 1 & 1;
                    ax_gemm_shape_t s = variant == 0 ? shape(7, 33, 29, 0, 0, 1, false, 0)
                                      : variant == 4 ? shape(70, 5, 23, 1, 0, 2, false, 0)
                                      : variant == 5 ? shape(45, 3, 31, 0, 1, 1, false, 6)
                                                     : shape(5, 35, 23, ta, tb, 2, variant == 2, variant == 3 ? 4 : 0);
                    auto A = operands(&r, c.in, d == CANCEL ? NEAR_ONE : d, a_size(s));
                    auto B = operands(&r, c.in, d, b_size(s));
                    if (d == CANCEL && !s.trans_b) // pairs along k: B's rows as stored
                        for (int64_t p = 1; p < s.k; p += 2)
                            for (int64_t j = 0; j < s.n; j++)
                                B[p * s.ldb + j] = B[(p - 1) * s.ldb + j] ^ ax_fmt_signbit(c.in);
                    std::string what = std::string(dist_name(d)) + (kernel[0] ? ", portable C" : "");
                    CHECK(compare(cpu.e, c, s, A, B, false, what.c_str()) == 0); // add_exact: native
                    CHECK(compare(cpu.e, c, s, A, B, true, what.c_str()) == 0);
                    runs++;
                    INFO(spec(mul, add) << " " << what); // with flags, every one takes the path
                    CHECK(starts_with(ax_engine_last_path(cpu.e), "cpu fp32 adder"));
                }
            }
    }
    CHECK(runs > 1000);
}

TEST_CASE("fastpath adders: the path and product source taken", "[fastpath][adders]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{7};
    struct {
        const char *spec, *avx512, *portable;
        bool thin; // n = 6: the lanes run along m (specials in A, flags asked for)
    } cases[] = {
        {"mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32", "cpu fp32 adder (AVX-512, product: value)",
         "cpu fp32 adder (portable C, product: value)", false},
        {"mul=mbm,in=bf16,prod=fp32,add=eta:l=8,acc=fp32", "cpu fp32 adder (AVX-512, product: LUT permute)",
         "cpu fp32 adder (portable C, product: LUT)", false},
        {"mul=mbm,in=fp8e5m2,prod=fp32,add=trunc,acc=fp32", "cpu fp32 adder (AVX-512, product: LUT permute)",
         "cpu fp32 adder (portable C, product: LUT)", false},
        {"mul=realm,in=fp16,prod=fp32,add=loa:l=4,acc=fp32", "cpu fp32 adder (AVX-512, product: LUT gather)",
         "cpu fp32 adder (portable C, product: LUT)", false},
        {"mul=drum:k=4,in=fp16,prod=fp32,add=eta:l=5,acc=fp32", "cpu fp32 adder (AVX-512, product: value)",
         "cpu fp32 adder (portable C, product: value)", false},
        {"mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32", "cpu fp32 adder (AVX-512, product: value, lanes along m)",
         "cpu fp32 adder (portable C, product: value, lanes along m)", true},
        {"mul=mbm,in=bf16,prod=fp32,add=eta:l=8,acc=fp32", "cpu fp32 adder (AVX-512, product: LUT gather, lanes along m)",
         "cpu fp32 adder (portable C, product: LUT, lanes along m)", true},
    };
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd");
    for (const auto &cc : cases)
        for (const char *kernel : {"", "scalar"}) {
            engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
            ax_mac_cfg_t c = mac(cc.spec);
            ax_gemm_shape_t s = cc.thin ? shape(100, 6, 25, 0, 0, 1, false, 0) : shape(9, 40, 17, 0, 0, 1, false, 0);
            auto A = operands(&r, c.in, cc.thin ? SPECIALS : NEAR_ONE, a_size(s)),
                 B = operands(&r, c.in, NEAR_ONE, b_size(s));
            CHECK(compare(cpu.e, c, s, A, B, cc.thin, kernel) == 0);
            INFO(cc.spec << " kernel '" << kernel << "'");
            CHECK(std::string(ax_engine_last_path(cpu.e)) == (avx512 && !kernel[0] ? cc.avx512 : cc.portable));
        }
    // add_exact without flags keeps the native path; with flags it takes this one
    ax_mac_cfg_t c = mac("mul=mbm,in=bf16");
    ax_gemm_shape_t s = shape(9, 40, 17, 0, 0, 1, false, 0);
    auto A = operands(&r, c.in, NEAR_ONE, a_size(s)), B = operands(&r, c.in, NEAR_ONE, b_size(s));
    CHECK(compare(cpu.e, c, s, A, B, false, "native") == 0);
    CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu native fp32 (mul_mbm)");
    CHECK(compare(cpu.e, c, s, A, B, true, "flags") == 0);
    CHECK(starts_with(ax_engine_last_path(cpu.e), "cpu fp32 adder"));
    {   // the LUT for a unit with a value product, when forced
        engine_env p(cpu.e, "AXSIM_CPU_PATH", "lut");
        ax_mac_cfg_t x = mac("mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32");
        for (int d : {(int)NEAR_ONE, (int)SPECIALS, (int)WIDE, (int)CANCEL}) {
            auto A2 = operands(&r, x.in, d, a_size(s)), B2 = operands(&r, x.in, d, b_size(s));
            CHECK(compare(cpu.e, x, s, A2, B2, true, dist_name(d)) == 0);
            CHECK(starts_with(ax_engine_last_path(cpu.e), "cpu fp32 adder"));
            CHECK(std::string(ax_engine_last_path(cpu.e)).find("LUT") != std::string::npos);
        }
    }
    {   // and the model's stages when forced (AXSIM_CPU_PATH=generic), or outside the path
        engine_env p(cpu.e, "AXSIM_CPU_PATH", "generic");
        ax_mac_cfg_t x = mac("mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32");
        CHECK(compare(cpu.e, x, s, A, B, true, "generic") == 0);
        CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu generic");
    }
    for (const char *other : {"mul=mbm,in=bf16,prod=bf16,add=loa:l=8,acc=fp32", "mul=mbm,in=bf16,prod=fp32,add=loa:l=8,acc=fp32:rtz",
                              "mul=mbm,in=bf16,prod=fp32,add=eta:l=8,acc=fp16", "mul=exact,in=fp32,prod=fp32,add=trunc,acc=fp32"}) {
        ax_mac_cfg_t x = mac(other);
        auto A2 = operands(&r, x.in, SPECIALS, a_size(s)), B2 = operands(&r, x.in, SPECIALS, b_size(s));
        CHECK(compare(cpu.e, x, s, A2, B2, true, "outside") == 0);
        INFO(other);
        CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu generic");
    }
}

TEST_CASE("fastpath adders: huge K, chunks and larger problems", "[fastpath][adders]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{99};
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        for (const char *sp : {"mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32",
                               "mul=mbm,in=bf16,prod=fp32,add=eta:l=8,acc=fp32",
                               "mul=realm,in=fp16,prod=fp32,add=trunc,acc=fp32",
                               "mul=mitchell,in=fp8e4m3,prod=fp32,add=exact,acc=fp32"}) {
            ax_mac_cfg_t c = mac(sp);
            for (int64_t chunk : {0, 7, 1000, 4999}) {
                ax_gemm_shape_t s = shape(3, 37, 5000, 0, 1, 1, false, chunk);
                for (int d : {(int)NEAR_ONE, (int)SPECIALS_NORMAL, (int)CANCEL}) {
                    auto A = operands(&r, c.in, d == CANCEL ? NEAR_ONE : d, a_size(s));
                    auto B = operands(&r, c.in, d, b_size(s)); // transposed: CANCEL pairs along k
                    CHECK(compare(cpu.e, c, s, A, B, chunk != 7, dist_name(d)) == 0);
                }
            }
            // a larger square problem: a million adder steps of every kind of lane
            ax_gemm_shape_t s = shape(64, 64, 256, 1, 0, 1, false, 0);
            auto A = operands(&r, c.in, SPECIALS_NORMAL, a_size(s)), B = operands(&r, c.in, NEAR_ONE, b_size(s));
            CHECK(compare(cpu.e, c, s, A, B, true, "64x64x256") == 0);
            // thin: the lanes along m, a long fold
            ax_gemm_shape_t thin = shape(200, 6, 700, 1, 1, 1, false, 90);
            auto At = operands(&r, c.in, SPECIALS, a_size(thin)), Bt = operands(&r, c.in, CANCEL, b_size(thin));
            CHECK(compare(cpu.e, c, thin, At, Bt, true, "200x6x700") == 0);
            // single elements, one row, one column
            for (auto mnk : {std::vector<int64_t>{1, 1, 1}, {1, 40, 7}, {33, 1, 9}, {2, 2, 2}}) {
                ax_gemm_shape_t t = shape(mnk[0], mnk[1], mnk[2], 0, 0, 1, false, 0);
                auto A1 = operands(&r, c.in, SPECIALS, a_size(t)), B1 = operands(&r, c.in, SPECIALS, b_size(t));
                CHECK(compare(cpu.e, c, t, A1, B1, true, "small") == 0);
            }
        }
    }
}

TEST_CASE("fastpath adders: results do not depend on the number of threads", "[fastpath][adders]")
{
    ax_rng_t r{5};
    ax_mac_cfg_t c = mac("mul=mbm,in=bf16,prod=fp32,add=eta:l=8,acc=fp32");
    ax_gemm_shape_t s = shape(29, 70, 130, 0, 0, 3, true, 50);
    auto A = operands(&r, c.in, SPECIALS, a_size(s)), B = operands(&r, c.in, NEAR_ONE, b_size(s));
    std::vector<uint32_t> C1((size_t)(s.stride_c * 2 + s.m * s.ldc), 0), C2 = C1;
    uint32_t f1 = 0, f2 = 0;
    char err[256];
    engine one(AX_BACKEND_CPU, 1), two(AX_BACKEND_CPU, 2);
    REQUIRE(ax_gemm(one.e, &c, &s, A.data(), B.data(), C1.data(), &f1, err, sizeof err) == 0);
    REQUIRE(ax_gemm(two.e, &c, &s, A.data(), B.data(), C2.data(), &f2, err, sizeof err) == 0);
    CHECK(C1 == C2);
    CHECK(f1 == f2);
}

TEST_CASE("fastpath adders: a planted rounding bug is caught (AXSIM_PLANT_BUG=cpu-adder-tie)", "[fastpath][adders]")
{
    // The bug rounds ties of an even lsb up in the fast lanes: one rounding
    // decision. Every kernel and product source must show it.
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{17};
    for (const char *kernel : {"", "scalar"})
        for (const char *sp : {"mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32",
                               "mul=mbm,in=bf16,prod=fp32,add=eta:l=8,acc=fp32",
                               "mul=realm,in=fp16,prod=fp32,add=exact,acc=fp32"}) {
            engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
            ax_mac_cfg_t c = mac(sp);
            ax_gemm_shape_t s = shape(8, 40, 41, 0, 0, 1, false, 0);
            auto A = operands(&r, c.in, NEAR_ONE, a_size(s)), B = operands(&r, c.in, NEAR_ONE, b_size(s));
            INFO(sp << " kernel '" << kernel << "'");
            CHECK(compare(cpu.e, c, s, A, B, true, "no bug") == 0);
            {
                env bug("AXSIM_PLANT_BUG", "cpu-adder-tie"); // read by a new engine (test builds)
                engine buggy(AX_BACKEND_CPU, 2);
                CHECK(compare(buggy.e, c, s, A, B, true, "planted bug") > 0);
                CHECK(starts_with(ax_engine_last_path(buggy.e), "cpu fp32 adder"));
            }
            CHECK(compare(cpu.e, c, s, A, B, true, "no bug again") == 0);
        }
}
