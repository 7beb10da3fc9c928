// test_fastpath_narrow.cpp — the cpu backend's narrow path
// (cuda_fastpath/cpu/ax_cpu_native.c, "narrow formats"): products and
// accumulators in bf16, fp16, fp8, tf32 and fp32 with :rtz, :ftz, :sat and FN,
// against ref bit for bit; operand distributions that reach the accumulator's
// subnormals, its overflow, ties and cancellation; both kernels (AVX-512 and
// portable C), both tile shapes, chunks, transposes, batches; that the path
// is taken where docs/fastpath.md says and refused where it says; and a
// planted bug (AXSIM_PLANT_BUG=cpu-narrow-tie: ties away from zero) that the
// comparison must catch.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "ax_fastpath.h"
#include "ax_rng.h"
#include "fastpath_compare.h"
#include "fastpath_operands.h"
#include "test_util.h"

namespace {

// Distributions beyond fastpath_operands.h's: exponents over a range that
// takes products from below the accumulator's subnormals to its overflow;
// mantissas with only their top two bits (sums and products land on ties);
// every operand positive (sums grow: overflow, stagnation); cancellation.
enum narrow_dist { RANGE = 100, SPARSE, POSITIVE, CANCEL };

const char *dist_name(int d)
{
    switch (d) {
    case RANGE: return "range";
    case SPARSE: return "sparse-mantissas";
    case POSITIVE: return "positive";
    case CANCEL: return "cancellation";
    default: return dist_names[d];
    }
}

std::vector<uint32_t> operands(ax_rng_t *r, ax_format_t f, int d, size_t n)
{
    if (d < RANGE) return matrix(r, f, (dist)d, n);
    std::vector<uint32_t> v(n);
    // RANGE: bf16-like formats over [-62, 62] (the path's operand range);
    // narrower ones over their whole normal range
    const int32_t lo = f.ebits == 8 ? -62 : 1 - f.bias, hi = f.ebits == 8 ? 62 : f.bias;
    for (size_t i = 0; i < n; i++) {
        uint32_t mant = (uint32_t)ax_rng_next(r) & ax_fmt_mmask(f), s = ax_rng_next(r) & 1;
        int32_t e = (int32_t)ax_rng_below(r, 7) - 3;
        if (d == RANGE) e = lo + (int32_t)ax_rng_below(r, (uint32_t)(hi - lo + 1));
        if (d == SPARSE && f.mbits >= 2) mant &= 3u << (f.mbits - 2);
        if (d == POSITIVE) s = 0, e = (int32_t)ax_rng_below(r, 5);
        v[i] = normal_operand(f, s, e + f.bias, mant);
    }
    if (d == CANCEL) cancel_pairs(v, f);
    return v;
}

// op(A) and op(B) of one case: distribution d for both, except that a
// cancelling B (its pairs along k) meets an A near one
struct case_ops {
    std::vector<uint32_t> A, B;
};
case_ops case_operands(ax_rng_t *r, ax_format_t f, int d, const ax_gemm_shape_t &s)
{
    case_ops o;
    o.A = operands(r, f, d == CANCEL ? NEAR_ONE : d, a_size(s));
    o.B = operands(r, f, d, b_size(s));
    return o;
}

// A case's name in messages: its distribution and the kernel
std::string what_of(int d, const char *kernel)
{
    return std::string(dist_name(d)) + (kernel[0] ? ", portable C" : "");
}

bool narrow_path(ax_engine_t *e) { return std::string(ax_engine_last_path(e)).find("cpu native narrow") == 0; }

// Configurations the narrow path takes (docs/fastpath.md): bf16, fp16, fp8,
// tf32 and fp32 accumulators with their suffixes; narrow products; every
// product kind (values, Mitchell, MBM, REALM, DRUM, trunc); wide inputs.
const char *const taken[] = {
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16:rtz",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16:ftz",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp16",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp16:rtz",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp16:ftz",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp16:sat",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp8e5m2",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp8e5m2:rtz:ftz",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp8e4m3",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp8e4m3:sat",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=tf32",
    "mul=exact,in=fp16,prod=fp16,add=exact,acc=fp16",
    "mul=exact,in=fp16,prod=fp16:rtz,add=exact,acc=fp16:rtz",
    "mul=exact,in=fp16,prod=fp16:ftz,add=exact,acc=fp16:ftz",
    "mul=exact,in=bf16,prod=bf16,add=exact,acc=bf16",
    "mul=exact,in=fp8e4m3,prod=fp16,add=exact,acc=fp32",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp32:rtz",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp32:ftz",
    "mul=mbm,in=bf16,prod=fp32,add=exact,acc=bf16",
    "mul=mitchell,in=fp8e4m3,prod=fp32,add=exact,acc=fp16",
    "mul=realm,in=fp16,prod=fp32,add=exact,acc=fp16",
    "mul=drum:k=4,in=fp8e4m3,prod=fp16,add=exact,acc=fp16",
    "mul=trunc,in=fp16,prod=fp16,add=exact,acc=fp16",
    "mul=exact,in=fp16,prod=fp16:rtz,add=exact,acc=fp16",
    "mul=mbm,in=fp16,prod=fp16,add=exact,acc=fp16:rtz",
    "mul=exact,in=fp16:ftz,prod=fp32,add=exact,acc=bf16",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=e4m3",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=e6m5:ftz:sat",
    "mul=exact,in=fp16,prod=e5m6:sat,add=exact,acc=fp16",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=fp8e4m3:rtz",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16:sat",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16:fn",
    "mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16:fn:rtz",
    "mul=exact,in=fp8e5m2,prod=e3m4,add=exact,acc=e3m4",
    "mul=exact,in=fp8e5m2,prod=e3m4:fn,add=exact,acc=e4m5:ftz",
    "mul=mbm,in=fp16,prod=fp16,add=exact,acc=fp16",
    "mul=exact,in=fp16,prod=fp32,add=exact,acc=e5m1",
};

// Shapes: square-ish, thin (n <= 16: the 12 x 16 tiles of the value kinds),
// transposed and batched with a shared B, chunked, and a long K.
ax_gemm_shape_t shape_of(int v)
{
    switch (v % 5) {
    case 0: return shape(7, 33, 29, 0, 0, 1, false, 0);
    case 1: return shape(27, 5, 40, 1, 0, 2, false, 0);
    case 2: return shape(13, 35, 23, 1, 1, 2, true, 0);
    case 3: return shape(9, 40, 37, 0, 1, 1, false, 6);
    default: return shape(3, 20, 700, 0, 0, 1, false, 0);
    }
}

} // namespace

TEST_CASE("fastpath narrow: products and accumulators in narrow formats equal ref", "[fastpath][narrow]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{2718};
    int runs = 0;
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        for (const char *spec : taken) {
            const ax_mac_cfg_t c = mac(spec);
            for (int d : {(int)NEAR_ONE, (int)RANGE, (int)SPARSE, (int)POSITIVE, (int)CANCEL, (int)ZEROS,
                          (int)SPECIALS}) {
                const ax_gemm_shape_t s = shape_of(runs++);
                const case_ops o = case_operands(&r, c.in, d, s);
                const std::string what = what_of(d, kernel);
                INFO(spec << " " << what);
                CHECK(compare(cpu.e, c, s, o.A, o.B, false, what.c_str()) == 0);
                // operands within the path's range take it; specials go to the generic path
                CHECK(narrow_path(cpu.e) == (d != SPECIALS));
            }
        }
    }
    CHECK(runs > 300);
}

TEST_CASE("fastpath narrow: forced LUT products, and the product of every kind into fp16", "[fastpath][narrow]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    engine_env lut(cpu.e, "AXSIM_CPU_PATH", "lut");
    ax_rng_t r{31};
    for (const char *spec : {"mul=mbm,in=bf16,prod=fp16,add=exact,acc=fp16",
                             "mul=realm,in=fp8e4m3,prod=fp32,add=exact,acc=bf16",
                             "mul=mitchell,in=fp16,prod=fp32,add=exact,acc=fp16:ftz"}) {
        const ax_mac_cfg_t c = mac(spec);
        for (int d : {(int)NEAR_ONE, (int)RANGE, (int)POSITIVE}) {
            const ax_gemm_shape_t s = shape(11, 37, 50, 0, 1, 1, false, 0);
            const case_ops o = case_operands(&r, c.in, d, s);
            INFO(spec << " " << dist_name(d));
            CHECK(compare(cpu.e, c, s, o.A, o.B, false, dist_name(d)) == 0);
            CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu native narrow (LUT)");
        }
    }
}

TEST_CASE("fastpath narrow: configurations it does not prove go elsewhere, still equal to ref",
          "[fastpath][narrow]")
{
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{99};
    // inexact fp32 products summed toward zero; an fp16 product's inf into an
    // RTZ accumulator (the models keep inf, overflow would give max finite);
    // 13 significand bits rounded twice; approximate adders (the adder paths)
    for (const char *spec : {"mul=exact,in=fp32,prod=fp32,add=exact,acc=bf16:rtz",
                             "mul=exact,in=fp16,prod=fp16,add=exact,acc=fp16:rtz",
                             "mul=exact,in=fp16,prod=fp32,add=exact,acc=e5m12",
                             "mul=exact,in=bf16,prod=fp32,add=trunc,acc=bf16"}) {
        const ax_mac_cfg_t c = mac(spec);
        const ax_gemm_shape_t s = shape(9, 21, 33, 0, 0, 1, false, 0);
        const case_ops o = case_operands(&r, c.in, RANGE, s);
        INFO(spec);
        CHECK(compare(cpu.e, c, s, o.A, o.B, false) == 0);
        CHECK_FALSE(narrow_path(cpu.e));
    }
    // and a wide input format: inexact products are fine under RNE
    const ax_mac_cfg_t c = mac("mul=exact,in=fp32,prod=fp32,add=exact,acc=bf16");
    const ax_gemm_shape_t s = shape(9, 21, 33, 1, 0, 1, false, 0);
    const case_ops o = case_operands(&r, c.in, NEAR_ONE, s);
    CHECK(compare(cpu.e, c, s, o.A, o.B, false) == 0);
    CHECK(narrow_path(cpu.e));
}

TEST_CASE("fastpath narrow: a planted rounding bug is caught on both kernels", "[fastpath][narrow]")
{
    setenv("AXSIM_PLANT_BUG", "cpu-narrow-tie", 1);
    engine cpu(AX_BACKEND_CPU, 2); // reads the planted bug when it is created
    unsetenv("AXSIM_PLANT_BUG");
    ax_rng_t r{5};
    for (const char *kernel : {"", "scalar"})
        for (const char *spec : {"mul=exact,in=bf16,prod=fp32,add=exact,acc=bf16",
                                 "mul=exact,in=fp16,prod=fp16,add=exact,acc=fp16"}) {
            engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
            const ax_mac_cfg_t c = mac(spec);
            const ax_gemm_shape_t s = shape(16, 32, 64, 0, 0, 1, false, 0);
            const case_ops o = case_operands(&r, c.in, SPARSE, s);
            INFO(spec << (kernel[0] ? " portable C" : " AVX-512"));
            CHECK(compare(cpu.e, c, s, o.A, o.B, false) > 0);
            CHECK(narrow_path(cpu.e));
        }
}

TEST_CASE("fastpath narrow: approximate adders into narrow accumulators equal ref", "[fastpath][narrow]")
{
    // the fp32 adder path's integer datapath shifted by the accumulator's
    // missing mantissa bits (cuda_fastpath/cpu/ax_cpu_add.c, narrow)
    const char *const adders[] = {"trunc", "loa:l=4", "loa:l=1", "loa:l=11", "loa:l=27", "eta:l=3",
                                  "eta:l=8", "eta:l=27", "exact"};
    const char *const muls[] = {"mul=mbm,in=bf16", "mul=exact,in=fp16", "mul=drum:k=3,in=fp8e5m2",
                                "mul=realm,in=fp16", "mul=mitchell,in=fp8e4m3", "mul=exact,in=bf16"};
    const char *const accs[] = {"bf16", "fp16", "fp8e5m2", "bf16:rtz", "fp16:sat", "fp8e4m3", "tf32", "e5m12", "fp32:rtz"};
    engine cpu(AX_BACKEND_CPU, 2);
    ax_rng_t r{1618};
    int runs = 0;
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        for (const char *acc : accs)
            for (const char *add : adders) {
                const std::string spec = std::string(muls[runs % 6]) + ",prod=fp32,add=" + add + ",acc=" + acc;
                const ax_mac_cfg_t c = mac(spec);
                for (int d : {(int)NEAR_ONE, (int)RANGE, (int)SPARSE, (int)POSITIVE, (int)CANCEL, (int)SPECIALS}) {
                    const ax_gemm_shape_t s = shape_of(runs++);
                    const case_ops o = case_operands(&r, c.in, d, s);
                    const std::string what = what_of(d, kernel);
                    INFO(spec << " " << what);
                    CHECK(compare(cpu.e, c, s, o.A, o.B, false, what.c_str()) == 0);
                    // add_loa and add_eta with l <= 3 are exact adders: the narrow path; add_loa
                    // with 4 <= l <= M + 3 its own sum on the native kernels; the rest this path
                    const std::string path = ax_engine_last_path(cpu.e);
                    const int l = c.add.p[0] < (int)c.acc.mbits + 4 ? c.add.p[0] : (int)c.acc.mbits + 4;
                    const bool loa_or_eta = c.add.id == AX_ADD_LOA || c.add.id == AX_ADD_ETA;
                    // (e5m12 rounds to nearest with 13 bits: not the native kernels')
                    const bool native_acc = c.acc.round == AX_RTZ || c.acc.mbits <= 10;
                    const bool exact_like = c.add.id == AX_ADD_EXACT || (loa_or_eta && l <= 3);
                    const bool loa = c.add.id == AX_ADD_LOA && l >= 4 && l <= (int)c.acc.mbits + 3 && c.acc.mbits <= 22;
                    if (native_acc && d != SPECIALS && exact_like) CHECK(path.find("cpu native narrow") == 0);
                    else if (native_acc && d != SPECIALS && loa) CHECK(path.find("cpu native add_loa") == 0);
                    else if (!exact_like && !loa) CHECK(path.find("cpu narrow adder") == 0);
                    CHECK(compare(cpu.e, c, s, o.A, o.B, true, what.c_str()) == 0); // flags: generic
                }
            }
    }
    CHECK(runs > 800);
    // an :ftz accumulator goes to the generic path (a flushed -0 is not left alone by x + 0)
    const ax_mac_cfg_t c = mac("mul=exact,in=bf16,prod=fp32,add=loa:l=4,acc=bf16:ftz");
    const ax_gemm_shape_t s = shape(9, 21, 33, 0, 0, 1, false, 0);
    const case_ops o = case_operands(&r, c.in, RANGE, s);
    CHECK(compare(cpu.e, c, s, o.A, o.B, false) == 0);
    CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu generic");
}

TEST_CASE("fastpath narrow: the adder path's planted tie bug shows in narrow accumulators", "[fastpath][narrow]")
{
    setenv("AXSIM_PLANT_BUG", "cpu-adder-tie", 1);
    engine cpu(AX_BACKEND_CPU, 2);
    unsetenv("AXSIM_PLANT_BUG");
    ax_rng_t r{6};
    for (const char *kernel : {"", "scalar"}) {
        engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
        const ax_mac_cfg_t c = mac("mul=exact,in=bf16,prod=fp32,add=eta:l=5,acc=bf16");
        const ax_gemm_shape_t s = shape(16, 32, 64, 0, 0, 1, false, 0);
        const case_ops o = case_operands(&r, c.in, SPARSE, s);
        INFO((kernel[0] ? "portable C" : "AVX-512"));
        CHECK(compare(cpu.e, c, s, o.A, o.B, false) > 0);
        CHECK(std::string(ax_engine_last_path(cpu.e)).find("cpu narrow adder") == 0);
    }
}

TEST_CASE("fastpath narrow: add_loa on the native kernels, and a planted carry bug it must show",
          "[fastpath][narrow]")
{
    ax_rng_t r{8};
    const char *const specs[] = {"mul=exact,in=bf16,prod=fp32,add=loa:l=6,acc=bf16",
                                 "mul=mbm,in=bf16,prod=fp32,add=loa:l=4,acc=bf16",
                                 "mul=exact,in=fp16,prod=fp32,add=loa:l=13,acc=fp16",
                                 "mul=exact,in=fp16,prod=fp16,add=loa:l=9,acc=fp16:ftz",
                                 "mul=exact,in=bf16,prod=fp32,add=loa:l=10,acc=bf16:rtz"};
    {
        engine cpu(AX_BACKEND_CPU, 2);
        for (const char *kernel : {"", "scalar"}) {
            engine_env k(cpu.e, "AXSIM_CPU_KERNEL", kernel);
            for (const char *spec : specs) {
                const ax_mac_cfg_t c = mac(spec);
                for (int d : {(int)NEAR_ONE, (int)RANGE, (int)SPARSE, (int)POSITIVE, (int)CANCEL}) {
                    const ax_gemm_shape_t s = shape_of(d);
                    const case_ops o = case_operands(&r, c.in, d, s);
                    INFO(spec << " " << what_of(d, kernel));
                    CHECK(compare(cpu.e, c, s, o.A, o.B, false) == 0);
                    CHECK(std::string(ax_engine_last_path(cpu.e)).find("cpu native add_loa") == 0);
                }
            }
        }
    }
    if (!__builtin_cpu_supports("avx512f")) return; // the portable kernel runs the model's adder
    setenv("AXSIM_PLANT_BUG", "cpu-loa-carry", 1);
    engine bad(AX_BACKEND_CPU, 2);
    unsetenv("AXSIM_PLANT_BUG");
    for (const char *spec : specs) { // the AVX-512 kernels (the portable one runs the model's adder)
        const ax_mac_cfg_t c = mac(spec);
        const ax_gemm_shape_t s = shape(16, 32, 64, 0, 0, 1, false, 0);
        const case_ops o = case_operands(&r, c.in, POSITIVE, s);
        INFO(spec);
        CHECK(compare(bad.e, c, s, o.A, o.B, false) > 0);
    }
}
