// test_daa.cpp — dynamic asymmetric precision (cmodels/ax_daa.h, the DAA
// GEMM of the fast path): the configuration string and its refusals; the
// controller's rules, written out here from docs/units.md section 15; a pair
// worked by hand; the pair's step against each stream's own fold; DAA that
// must reduce to plain MACs (lo = hi; static: stream 0 all hi, stream 1
// all lo); the GEMM on ref and cpu against a direct loop here, with
// transposes, batches, chunks and pair segments; convolutions that pair
// pixels within one image; the high-precision counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "test_util.h"

extern "C" {
#include "ax_convert.h"
#include "ax_daa.h"
#include "ax_metrics.h"
#include "ax_rng.h"
}

namespace {

std::string parse_err(const char *spec)
{
    ax_mac_cfg_t c;
    char err[512] = "";
    if (ax_mac_parse(spec, &c, err, sizeof err) == 0) return "";
    return err;
}

// a random operand of f: mostly ordinary values around 1, some zeros, a
// few subnormals and specials
uint32_t operand(ax_rng_t *r, ax_format_t f, bool specials)
{
    const uint32_t u = ax_rng_below(r, 100);
    if (u < 12) return ax_fmt_zero(u & 1, f);
    if (specials && u < 14) return ax_fmt_inf(u & 1, f);
    if (specials && u < 15) return ax_fmt_nan(f);
    if (u < 18) return (uint32_t)(ax_rng_next(r) & ax_fmt_mmask(f)) | ((u & 1) ? ax_fmt_signbit(f) : 0);
    const float x = (float)((ax_rng_uniform(r) * 4 - 2) * std::ldexp(1.0, (int)ax_rng_below(r, 9) - 4));
    uint32_t fl = 0;
    return ax_from_f32bits(f2u(x), f, &fl);
}

} // namespace

TEST_CASE("daa: the configuration string", "[daa]")
{
    ax_mac_cfg_t c = mac("daa:hi=exact,lo=mitchell,in=bf16,prod=fp32,add=exact,acc=fp32");
    CHECK(ax_mac_is_daa(&c));
    CHECK(c.daa.policy == AX_DAA_VALUE); // the default policy
    CHECK(ax_fmt_eq(c.daa.lo_in, c.in)); // lo_in defaults to in
    char name[512];
    CHECK(std::string(ax_mac_name(&c, name, sizeof name)) ==
          "daa:hi=mul_exact,lo=mul_mitchell,lo_in=bf16,policy=value,in=bf16,prod=fp32,"
          "add=add_exact,acc=fp32");
    ax_mac_cfg_t r = mac("daa:lo=drum:k=4,lo_in=fp8e4m3,policy=random,seed=7,in=bf16,add=loa:l=4");
    CHECK(r.daa.policy == AX_DAA_RANDOM);
    CHECK(r.daa.seed == 7);
    CHECK(r.daa.lo.p[0] == 4);
    ax_mac_cfg_t back = mac(ax_mac_name(&r, name, sizeof name)); // the name reads back
    CHECK(std::memcmp(&back, &r, sizeof r) == 0);
    CHECK_FALSE(ax_mac_is_daa(&(c = mac("mul=mitchell,in=bf16"))));

    CHECK(parse_err("daa:hi=exact,in=bf16").find("lo (the low-precision multiplier) is missing") !=
          std::string::npos);
    CHECK(parse_err("daa:lo=exact,lo_in=fp32,in=bf16").find("lo_in=fp32 is wider than in=bf16") !=
          std::string::npos);
    CHECK(parse_err("daa:lo=exact,lo_in=e8m9,in=fp16").find("wider") != std::string::npos);
    CHECK(parse_err("daa:lo=exact,policy=greedy").find("unknown DAA policy 'greedy'") !=
          std::string::npos);
    CHECK(parse_err("daa:lo=exact,seed=3").find("seed is for policy=random") != std::string::npos);
    CHECK(parse_err("daa:lo=exact,policy=random,seed=-1").find("seed '-1'") != std::string::npos);
    CHECK(parse_err("daa:lo=exact,policy=random,seed=4294967296").find("seed") != std::string::npos);
    CHECK(parse_err("daa:lo=loa:l=4").find("lo") != std::string::npos); // an adder as lo
    CHECK(parse_err("daa:mul=exact,lo=exact") != "");                   // hi is hi= here
    CHECK(parse_err("daa:").find("empty") != std::string::npos);
}

TEST_CASE("daa: the controller's rules", "[daa]")
{
    const ax_format_t f = fmt("bf16");
    uint32_t fl = 0;
    auto v = [&](float x) { return ax_from_f32bits(f2u(x), f, &fl); };
    const uint32_t zero = 0, nzero = ax_fmt_signbit(f), inf = ax_fmt_inf(0, f), nan = ax_fmt_nan(f);
    const uint32_t sub = 1; // the smallest subnormal
    ax_mac_cfg_t c = mac("daa:lo=mitchell,in=bf16");
    auto decide = [&](int policy, uint32_t a0, uint32_t a1, uint32_t b) {
        c.daa.policy = policy;
        return ax_daa_decide(&c, 5, a0, a1, b);
    };
    // static: stream 0 always
    CHECK(decide(AX_DAA_STATIC, zero, v(3), v(1)) == 0);
    // zero: stream 0's product zero and stream 1's not -> 1; else 0
    CHECK(decide(AX_DAA_ZERO, zero, v(3), v(1)) == 1);
    CHECK(decide(AX_DAA_ZERO, nzero, v(3), v(1)) == 1);
    CHECK(decide(AX_DAA_ZERO, v(3), zero, v(1)) == 0);
    CHECK(decide(AX_DAA_ZERO, v(2), v(3), v(1)) == 0);  // both non-zero: 0
    CHECK(decide(AX_DAA_ZERO, v(2), v(3), zero) == 0);  // both zero: 0
    CHECK(decide(AX_DAA_ZERO, zero, v(3), inf) == 0);   // 0 x inf is NaN, not zero: both non-zero
    CHECK(decide(AX_DAA_ZERO, sub, v(3), v(1)) == 0);   // a subnormal is not zero...
    ax_mac_cfg_t z = mac("daa:lo=mitchell,in=bf16:ftz,lo_in=bf16:ftz,policy=zero");
    CHECK(ax_daa_decide(&z, 0, sub, v(3), v(1)) == 1); // ...unless the format flushes it
    // value: exponents of the products; ties to 0; zero smallest; inf, NaN largest
    CHECK(decide(AX_DAA_VALUE, v(1.5f), v(2.5f), v(1)) == 1);   // 2^0 vs 2^1
    CHECK(decide(AX_DAA_VALUE, v(3.9f), v(2.0f), v(1)) == 0);   // a tie by exponent: 0
    CHECK(decide(AX_DAA_VALUE, v(2.0f), v(3.9f), v(1)) == 0);
    CHECK(decide(AX_DAA_VALUE, zero, v(1e-30f), v(1)) == 1);    // any non-zero beats zero
    CHECK(decide(AX_DAA_VALUE, v(1e30f), inf, v(1)) == 1);
    CHECK(decide(AX_DAA_VALUE, nan, inf, v(1)) == 0);           // both largest: a tie
    CHECK(decide(AX_DAA_VALUE, sub, v(1e-38f), v(1)) == 1);     // subnormals normalized: 2^-133 < 2^-127
    CHECK(decide(AX_DAA_VALUE, v(-8), v(4), v(-1)) == 0);       // magnitudes: signs do not count
    // random: bit 31 of the hash, about half each way, seeded
    int ones = 0, differ = 0;
    ax_rng_t r = {11};
    for (int i = 0; i < 2000; i++) {
        const uint32_t a0 = operand(&r, f, false), a1 = operand(&r, f, false), b = operand(&r, f, false);
        c.daa.policy = AX_DAA_RANDOM, c.daa.seed = 1;
        const int d1 = ax_daa_decide(&c, (uint64_t)i, a0, a1, b);
        CHECK(d1 == (int)(ax_daa_hash(1, (uint64_t)i, a0, a1, b) >> 31));
        c.daa.seed = 2;
        ones += d1;
        differ += d1 != ax_daa_decide(&c, (uint64_t)i, a0, a1, b);
    }
    CHECK(ones > 900);
    CHECK(ones < 1100);
    CHECK(differ > 900); // another seed, other decisions
}

TEST_CASE("daa: a pair worked by hand (docs/units.md section 15)", "[daa]")
{
    // hi exact bf16 -> fp32, lo exact on operands rounded to fp8e4m3 (3
    // mantissa bits), value policy, fp32 accumulators. Stream 0: a0 = (3,
    // 0.5), stream 1: a1 = (0.5, 3), shared b = (1.1015625, 1.1015625).
    //   k = 0: |3 x b| > |0.5 x b| -> stream 0 hi: 3 x 1.1015625 = 3.3046875;
    //          stream 1 lo: 0.5 x round_e4m3(1.1015625) = 0.5 x 1.125 = 0.5625
    //   k = 1: stream 1 hi: 3.3046875; stream 0 lo: 0.5625
    //   both accumulators: 3.3046875 + 0.5625 = 3.8671875 (exact in fp32)
    ax_mac_cfg_t c = mac("daa:hi=exact,lo=exact,lo_in=fp8e4m3,policy=value,in=bf16,prod=fp32,"
                         "add=exact,acc=fp32");
    const ax_format_t f = fmt("bf16");
    uint32_t fl = 0;
    auto v = [&](float x) { return ax_from_f32bits(f2u(x), f, &fl); };
    const uint32_t a0[2] = {v(3), v(0.5f)}, a1[2] = {v(0.5f), v(3)}, b[2] = {v(1.1015625f), v(1.1015625f)};
    uint32_t acc0 = 0, acc1 = 0, flags = 0;
    CHECK(ax_daa_pair_step(&c, 0, &acc0, &acc1, a0[0], a1[0], b[0], &flags) == 0);
    CHECK(u2f(acc0) == 3.3046875f);
    CHECK(u2f(acc1) == 0.5625f);
    CHECK(ax_daa_pair_step(&c, 1, &acc0, &acc1, a0[1], a1[1], b[1], &flags) == 1);
    CHECK(u2f(acc0) == 3.8671875f);
    CHECK(u2f(acc1) == 3.8671875f);
    CHECK((flags & AX_FLAG_INEXACT)); // rounding 1.1015625 to fp8e4m3
    // all high precision: 2 x 3.3046875 would be 6.609375
    ax_daa_count_t n = {0, 0};
    uint32_t f0 = 0;
    CHECK(u2f(ax_daa_fold(&c, a0, a1, 0, b, 1, 1, 0, 2, &f0, &n)) == 3.8671875f);
    CHECK(n.nonzero == 2);
    CHECK(n.hi == 1);
}

TEST_CASE("daa: the pair's step equals each stream's fold; DAA reduces to plain MACs", "[daa]")
{
    const char *specs[] = {
        "daa:hi=exact,lo=mitchell,policy=%s,in=bf16,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=drum:k=3,lo_in=fp8e4m3,policy=%s,in=bf16,prod=bf16,add=loa:l=4,acc=bf16",
        "daa:hi=mbm,lo=exact,lo_in=e4m2,policy=%s,in=fp16,prod=fp16,add=eta:l=3,acc=fp16",
    };
    const char *policies[] = {"static", "zero", "value", "random,seed=9"};
    ax_rng_t r = {77};
    for (const char *sp : specs)
        for (const char *po : policies) {
            char spec[512];
            snprintf(spec, sizeof spec, sp, po);
            INFO(spec);
            const ax_mac_cfg_t c = mac(spec);
            for (int t = 0; t < 40; t++) {
                const int n = (int)ax_rng_below(&r, 40);
                std::vector<uint32_t> a0(n + 1), a1(n + 1), b(n + 1);
                for (int k = 0; k < n; k++)
                    a0[k] = operand(&r, c.in, true), a1[k] = operand(&r, c.in, true),
                    b[k] = operand(&r, c.in, true);
                uint32_t acc0 = ax_fmt_zero(0, c.acc), acc1 = acc0, fp = 0, f0 = 0, f1 = 0;
                uint64_t hi0 = 0, hi1 = 0;
                for (int k = 0; k < n; k++) {
                    const int s = ax_daa_pair_step(&c, (uint64_t)k, &acc0, &acc1, a0[k], a1[k], b[k], &fp);
                    hi0 += s == 0 && !ax_daa_zero_product(a0[k], b[k], c.in);
                    hi1 += s == 1 && !ax_daa_zero_product(a1[k], b[k], c.in);
                }
                ax_daa_count_t n0 = {0, 0}, n1 = {0, 0};
                CHECK(ax_daa_fold(&c, a0.data(), a1.data(), 0, b.data(), 1, 1, 0, n, &f0, &n0) == acc0);
                CHECK(ax_daa_fold(&c, a1.data(), a0.data(), 1, b.data(), 1, 1, 0, n, &f1, &n1) == acc1);
                CHECK((f0 | f1) == fp);
                CHECK(n0.hi == hi0);
                CHECK(n1.hi == hi1);
                // lo = hi on the same operands: every policy gives the plain MAC
                ax_mac_cfg_t same = c;
                same.daa.lo = c.mul, same.daa.lo_in = c.in;
                ax_mac_cfg_t plain = c;
                plain.daa.policy = AX_DAA_NONE;
                uint32_t g = 0, h = 0;
                CHECK(ax_daa_fold(&same, a1.data(), a0.data(), 1, b.data(), 1, 1, 0, n, &g, nullptr) ==
                      ax_mac_fold(&plain, a1.data(), b.data(), (size_t)n, &h));
                CHECK(g == h);
                // static: stream 0 is the plain MAC of hi, stream 1 of lo on rounded operands
                if (c.daa.policy == AX_DAA_STATIC) {
                    uint32_t q = 0;
                    CHECK(acc0 == ax_mac_fold(&plain, a0.data(), b.data(), (size_t)n, &q));
                    ax_mac_cfg_t lo = plain;
                    lo.mul = c.daa.lo, lo.in = c.daa.lo_in;
                    std::vector<uint32_t> ra(n + 1), rb(n + 1);
                    for (int k = 0; k < n; k++)
                        ra[k] = ax_convert(a1[k], c.in, c.daa.lo_in, &q),
                        rb[k] = ax_convert(b[k], c.in, c.daa.lo_in, &q);
                    CHECK(acc1 == ax_mac_fold(&lo, ra.data(), rb.data(), (size_t)n, &q));
                }
            }
        }
}

namespace {

// C = op(A) op(B) under DAA, directly: per element its row, partner row
// and column copied out, then ax_daa_fold_chunked
void daa_direct(const ax_mac_cfg_t &c, const ax_gemm_shape_t &s, const std::vector<uint32_t> &A,
                const std::vector<uint32_t> &B, std::vector<uint32_t> &C, uint32_t *flags,
                ax_daa_count_t *cnt)
{
    std::vector<uint32_t> a(s.k + 1), p(s.k + 1), b(s.k + 1);
    for (int64_t bi = 0; bi < s.batch; bi++)
        for (int64_t i = 0; i < s.m; i++) {
            // the pairing, from its definition: segments of pair_rows rows
            const int64_t seg = s.pair_rows ? s.pair_rows : s.m, q = i % seg;
            const int64_t pi = (q % 2 == 0) ? (q + 1 < seg && i + 1 < s.m ? i + 1 : -1) : i - 1;
            for (int64_t k = 0; k < s.k; k++) {
                auto at = [&](int64_t row) {
                    return A[bi * s.stride_a + (s.trans_a ? k * s.lda + row : row * s.lda + k)];
                };
                a[k] = at(i);
                if (pi >= 0) p[k] = at(pi);
            }
            for (int64_t j = 0; j < s.n; j++) {
                for (int64_t k = 0; k < s.k; k++)
                    b[k] = B[bi * s.stride_b + (s.trans_b ? j * s.ldb + k : k * s.ldb + j)];
                C[bi * s.stride_c + i * s.ldc + j] =
                    ax_daa_fold_chunked(&c, a.data(), pi >= 0 ? p.data() : nullptr, (int)(q & 1),
                                        b.data(), 1, 1, s.k, s.chunk, flags, cnt);
            }
        }
}

} // namespace

TEST_CASE("daa: the GEMM on ref and cpu", "[daa][fastpath]")
{
    engine ref(AX_BACKEND_REF), cpu(AX_BACKEND_CPU, 2);
    const char *specs[] = {
        "daa:hi=exact,lo=mitchell,policy=value,in=bf16,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=drum:k=3,lo_in=fp8e4m3,policy=zero,in=bf16,prod=bf16,add=loa:l=4,acc=bf16",
        "daa:hi=exact,lo=trunc,policy=random,seed=3,in=fp16,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=exact,lo_in=e5m2,policy=static,in=fp16,prod=fp32,add=exact,acc=fp32",
    };
    ax_rng_t r = {5};
    for (const char *sp : specs)
        for (int t = 0; t < 12; t++) {
            const ax_mac_cfg_t c = mac(sp);
            ax_gemm_shape_t s = ax_gemm_shape(1 + ax_rng_below(&r, 9), 1 + ax_rng_below(&r, 7),
                                              ax_rng_below(&r, 30));
            s.trans_a = (int)ax_rng_below(&r, 2), s.trans_b = (int)ax_rng_below(&r, 2);
            s.lda = (s.trans_a ? s.m : s.k) + ax_rng_below(&r, 3) + 1;
            s.ldb = (s.trans_b ? s.k : s.n) + ax_rng_below(&r, 3) + 1;
            s.ldc = s.n + ax_rng_below(&r, 2);
            s.batch = 1 + ax_rng_below(&r, 3);
            s.stride_a = (s.trans_a ? s.k : s.m) * s.lda + 1;
            s.stride_b = ax_rng_below(&r, 2) ? 0 : (s.trans_b ? s.n : s.k) * s.ldb;
            s.stride_c = s.m * s.ldc + 2;
            s.chunk = ax_rng_below(&r, 3) ? 0 : 1 + ax_rng_below(&r, 6);
            s.pair_rows = ax_rng_below(&r, 2) ? 0 : 1 + ax_rng_below(&r, 4);
            INFO(sp << " m " << s.m << " n " << s.n << " k " << s.k << " pair_rows " << s.pair_rows
                    << " chunk " << s.chunk);
            std::vector<uint32_t> A(s.batch * s.stride_a + s.lda * (s.k + s.m) + 1),
                B(s.batch * (s.stride_b + 1) + s.ldb * (s.k + s.n) + 1);
            for (auto &x : A) x = operand(&r, c.in, t % 3 == 0);
            for (auto &x : B) x = operand(&r, c.in, t % 3 == 0);
            const size_t nc = (size_t)(s.batch * s.stride_c);
            std::vector<uint32_t> want(nc, 0xdeadbeef), got_ref(nc, 0xdeadbeef), got_cpu(nc, 0xdeadbeef);
            uint32_t fw = 0, fr = 0, fc = 0;
            ax_daa_count_t cw = {0, 0};
            daa_direct(c, s, A, B, want, &fw, &cw);
            char err[256];
            uint64_t nz0, hi0, nz1, hi1;
            ax_engine_daa_counts(ref.e, &nz0, &hi0);
            REQUIRE(ax_gemm(ref.e, &c, &s, A.data(), B.data(), got_ref.data(), &fr, err, sizeof err) == 0);
            ax_engine_daa_counts(ref.e, &nz1, &hi1);
            CHECK(std::string(ax_engine_last_path(ref.e)) == "ref daa");
            CHECK(got_ref == want);
            CHECK(fr == fw);
            CHECK(nz1 - nz0 == cw.nonzero);
            CHECK(hi1 - hi0 == cw.hi);
            ax_engine_daa_counts(cpu.e, &nz0, &hi0);
            REQUIRE(ax_gemm(cpu.e, &c, &s, A.data(), B.data(), got_cpu.data(), &fc, err, sizeof err) == 0);
            ax_engine_daa_counts(cpu.e, &nz1, &hi1);
            CHECK(got_cpu == want);
            CHECK(fc == fw);
            CHECK(hi1 - hi0 == cw.hi);
        }
    // static policy, no zero products, even rows: exactly half through hi
    const ax_mac_cfg_t c = mac("daa:lo=mitchell,policy=static,in=bf16");
    ax_gemm_shape_t s = ax_gemm_shape(6, 3, 5);
    std::vector<uint32_t> A(30, 0x3f80), B(15, 0x4000), C(18);
    char err[256];
    uint64_t nz0, hi0, nz1, hi1;
    ax_engine_daa_counts(cpu.e, &nz0, &hi0);
    REQUIRE(ax_gemm(cpu.e, &c, &s, A.data(), B.data(), C.data(), nullptr, err, sizeof err) == 0);
    ax_engine_daa_counts(cpu.e, &nz1, &hi1);
    CHECK(nz1 - nz0 == 90);
    CHECK(hi1 - hi0 == 45);
    // seven rows: the last has no partner and gets hi on every product
    s.m = 7;
    A.resize(35, 0x3f80);
    C.resize(21);
    ax_engine_daa_counts(cpu.e, &nz0, &hi0);
    REQUIRE(ax_gemm(cpu.e, &c, &s, A.data(), B.data(), C.data(), nullptr, err, sizeof err) == 0);
    ax_engine_daa_counts(cpu.e, &nz1, &hi1);
    CHECK(hi1 - hi0 == 45 + 15);
    // the synapse of spikes has no multiplier to share
    uint8_t spk[4] = {1, 0, 1, 1};
    uint32_t w[8] = {0}, y[2];
    CHECK(ax_spike_linear_fwd(cpu.e, &c, 1, 4, 2, spk, w, y, nullptr, err, sizeof err) == -1);
    CHECK(std::string(err).find("DAA") != std::string::npos);
}

TEST_CASE("daa: the cpu backend's fp32 path equals the direct loop", "[daa][fastpath]")
{
    // hi and lo mul_exact, fp32 product and accumulator, add_exact, no flags:
    // the fast path (ax_cpu_daa.c). Operands with zeros, subnormals and
    // values that overflow lo_in (an fp8e4m3 NaN, an e5m2 inf); with an inf
    // or NaN the generic path runs, with the same bits.
    engine cpu(AX_BACKEND_CPU, 2);
    const char *specs[] = {
        "daa:hi=exact,lo=exact,lo_in=fp8e4m3,policy=%s,in=bf16,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=exact,lo_in=e5m2,policy=%s,in=fp16:ftz,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=exact,lo_in=bf16:rtz,policy=%s,in=fp32,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=exact,policy=%s,in=bf16,prod=fp32,add=exact,acc=fp32",
        "daa:hi=exact,lo=exact,lo_in=e3m2,policy=%s,in=fp8e4m3,prod=fp32,add=exact,acc=fp32",
    };
    const char *policies[] = {"static", "zero", "value", "random,seed=11"};
    ax_rng_t r = {23};
    for (const char *sp : specs)
        for (const char *po : policies) {
            char spec[512];
            snprintf(spec, sizeof spec, sp, po);
            const ax_mac_cfg_t c = mac(spec);
            for (int t = 0; t < 10; t++) {
                ax_gemm_shape_t s = ax_gemm_shape(1 + ax_rng_below(&r, 11), 1 + ax_rng_below(&r, 19),
                                                  1 + ax_rng_below(&r, 40));
                s.trans_a = (int)ax_rng_below(&r, 2), s.trans_b = (int)ax_rng_below(&r, 2);
                s.lda = (s.trans_a ? s.m : s.k) + ax_rng_below(&r, 3);
                s.ldb = (s.trans_b ? s.k : s.n) + ax_rng_below(&r, 3);
                s.ldc = s.n + ax_rng_below(&r, 2);
                s.batch = 1 + ax_rng_below(&r, 3);
                s.stride_a = (s.trans_a ? s.k : s.m) * s.lda + 1;
                s.stride_b = ax_rng_below(&r, 2) ? 0 : (s.trans_b ? s.n : s.k) * s.ldb;
                s.stride_c = s.m * s.ldc + 2;
                s.chunk = ax_rng_below(&r, 3) ? 0 : 1 + ax_rng_below(&r, 9);
                s.pair_rows = ax_rng_below(&r, 2) ? 0 : 1 + ax_rng_below(&r, 5);
                const bool specials = t == 9;
                INFO(spec << " m " << s.m << " n " << s.n << " k " << s.k << " chunk " << s.chunk
                          << " pair_rows " << s.pair_rows << " specials " << specials);
                std::vector<uint32_t> A(s.batch * s.stride_a + s.lda * (s.k + s.m) + 1),
                    B(s.batch * (s.stride_b + 1) + s.ldb * (s.k + s.n) + 1);
                uint32_t fl = 0;
                for (auto *v : {&A, &B})
                    for (auto &x : *v) {
                        x = operand(&r, c.in, false);
                        // beyond lo_in's reach, within in's: fp8e4m3 448, e5m2
                        // 57344 (-6.2e4 rounds to -inf), e3m2 28
                        const float big = c.in.ebits == 4 ? 40.0f : ax_rng_below(&r, 2) ? 600.0f : -6.2e4f;
                        if (ax_rng_below(&r, 20) == 0) x = ax_from_f32bits(f2u(big), c.in, &fl);
                    }
                if (specials) A[ax_rng_below(&r, (uint32_t)A.size())] = ax_fmt_nan(c.in);
                const size_t nc = (size_t)(s.batch * s.stride_c);
                std::vector<uint32_t> want(nc, 0xdeadbeef), got(nc, 0xdeadbeef);
                uint32_t fw = 0;
                ax_daa_count_t cw = {0, 0};
                daa_direct(c, s, A, B, want, &fw, &cw);
                char err[256];
                uint64_t nz0, hi0, nz1, hi1;
                ax_engine_daa_counts(cpu.e, &nz0, &hi0);
                REQUIRE(ax_gemm(cpu.e, &c, &s, A.data(), B.data(), got.data(), nullptr, err, sizeof err) == 0);
                ax_engine_daa_counts(cpu.e, &nz1, &hi1);
                const std::string path = ax_engine_last_path(cpu.e);
                if (!specials) CHECK(path == "cpu daa native fp32 (mul_exact)");
                CHECK(got == want);
                CHECK(nz1 - nz0 == cw.nonzero);
                CHECK(hi1 - hi0 == cw.hi);
            }
        }
    // the value policy between subnormals and the smallest normals, with
    // products near 1 and a 1-bit lo: every decision shows in the bits
    {
        const ax_mac_cfg_t c = mac("daa:hi=exact,lo=exact,lo_in=e8m1,policy=value,in=bf16,prod=fp32,acc=fp32");
        ax_gemm_shape_t s = ax_gemm_shape(2, 3, 64);
        std::vector<uint32_t> A(2 * 64), B(64 * 3), want(6), got(6);
        for (int q = 0; q < 64; q++) {
            // exponent field 0 (subnormal) or 1..6 (tiny normals), any fraction
            for (int i = 0; i < 2; i++)
                A[i * 64 + q] = ax_pack(0, ax_rng_below(&r, 7), (uint32_t)ax_rng_below(&r, 128), c.in);
            for (int j = 0; j < 3; j++) B[q * 3 + j] = ax_pack(0, 127 + 120, (uint32_t)ax_rng_below(&r, 128), c.in);
        }
        uint32_t fw = 0;
        ax_daa_count_t cw = {0, 0};
        daa_direct(c, s, A, B, want, &fw, &cw);
        char err[256];
        REQUIRE(ax_gemm(cpu.e, &c, &s, A.data(), B.data(), got.data(), nullptr, err, sizeof err) == 0);
        CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu daa native fp32 (mul_exact)");
        CHECK(got == want);
    }
    // other multipliers, adders or formats, or flags asked for: the generic path
    const ax_mac_cfg_t c = mac("daa:hi=exact,lo=mitchell,in=bf16");
    ax_gemm_shape_t s = ax_gemm_shape(4, 3, 5);
    std::vector<uint32_t> A(20, 0x3f80), B(15, 0x4000), C(12);
    char err[256];
    REQUIRE(ax_gemm(cpu.e, &c, &s, A.data(), B.data(), C.data(), nullptr, err, sizeof err) == 0);
    CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu daa generic");
    const ax_mac_cfg_t e = mac("daa:hi=exact,lo=exact,lo_in=fp8e4m3,in=bf16");
    uint32_t f = 0;
    REQUIRE(ax_gemm(cpu.e, &e, &s, A.data(), B.data(), C.data(), &f, err, sizeof err) == 0);
    CHECK(std::string(ax_engine_last_path(cpu.e)) == "cpu daa generic");
}

TEST_CASE("daa: a convolution pairs pixels within one image, whatever the batch", "[daa][fastpath]")
{
    // 7x7 outputs (49 pixels: an odd count) for 3 images: each image's
    // pixels pair among themselves, so a batch gives each image's own result
    engine cpu(AX_BACKEND_CPU, 2);
    const ax_mac_cfg_t c = mac("daa:lo=mitchell,lo_in=e5m3,policy=value,in=bf16");
    ax_conv_shape_t s = {3, 2, 9, 9, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1};
    ax_rng_t r = {21};
    std::vector<uint32_t> x(3 * 2 * 81), w(4 * 2 * 9), y(3 * 4 * 49), y1(4 * 49), dx(x.size()),
        dx1(2 * 81), dw(w.size());
    for (auto &v : x) v = operand(&r, c.in, false);
    for (auto &v : w) v = operand(&r, c.in, false);
    char err[256];
    REQUIRE(ax_conv2d_fwd(cpu.e, &c, &s, x.data(), w.data(), y.data(), nullptr, err, sizeof err) == 0);
    REQUIRE(ax_conv2d_bwd_data(cpu.e, &c, &s, y.data(), w.data(), dx.data(), nullptr, err, sizeof err) == 0);
    for (int b = 0; b < 3; b++) {
        ax_conv_shape_t one = s;
        one.n = 1;
        REQUIRE(ax_conv2d_fwd(cpu.e, &c, &one, x.data() + b * 162, w.data(), y1.data(), nullptr, err,
                              sizeof err) == 0);
        CHECK(std::equal(y1.begin(), y1.end(), y.begin() + b * 196));
        REQUIRE(ax_conv2d_bwd_data(cpu.e, &c, &one, y.data() + b * 196, w.data(), dx1.data(), nullptr,
                                   err, sizeof err) == 0);
        CHECK(std::equal(dx1.begin(), dx1.end(), dx.begin() + b * 162));
    }
    // and the weight gradient runs through the pair too (ref = cpu)
    engine ref(AX_BACKEND_REF);
    std::vector<uint32_t> dw2(w.size());
    REQUIRE(ax_conv2d_bwd_weight(cpu.e, &c, &s, x.data(), y.data(), dw.data(), nullptr, err, sizeof err) == 0);
    REQUIRE(ax_conv2d_bwd_weight(ref.e, &c, &s, x.data(), y.data(), dw2.data(), nullptr, err, sizeof err) == 0);
    CHECK(dw == dw2);
}

TEST_CASE("daa: a policy's error metrics", "[daa]")
{
    // the distribution of docs/units.md (ReLU-like activations, normal
    // weights): lo = hi on the same operands is the plain MAC whatever the
    // policy; with a worse lo, the value policy loses least, random most,
    // and zero and value serve the same share through hi
    ax_daa_metrics_t m[4], same;
    const char *pol[] = {"static", "zero", "value", "random"};
    for (int p = 0; p < 4; p++) {
        const std::string spec = std::string("daa:hi=exact,lo=drum:k=3,in=bf16,policy=") + pol[p];
        const ax_mac_cfg_t c = mac(spec);
        REQUIRE(ax_daa_metrics_compute(&c, 300, 128, 5, &m[p]) == 0);
        INFO(spec);
        CHECK(m[p].n == 600);
        CHECK(m[p].ned_hi < 1e-6);            // exact bf16 products, fp32 sums
        CHECK(m[p].ned > m[p].ned_hi);
        CHECK(m[p].ned < m[p].ned_lo);
        const ax_mac_cfg_t s = mac(std::string("daa:hi=drum:k=3,lo=drum:k=3,in=bf16,policy=") + pol[p]);
        REQUIRE(ax_daa_metrics_compute(&s, 300, 128, 5, &same) == 0);
        CHECK(same.ned == same.ned_hi);
        CHECK(same.ned_lo == same.ned_hi);
    }
    CHECK(m[2].ned < m[1].ned); // value < zero
    CHECK(m[1].ned < m[0].ned); // zero < static
    CHECK(m[0].ned < m[3].ned); // static < random
    CHECK(m[1].hi_fraction == m[2].hi_fraction);
    CHECK(m[1].hi_fraction > 0.7); // half the activations are zero: 3/4 through hi
    CHECK(m[0].hi_fraction == Approx(0.5).margin(0.02));
    const ax_mac_cfg_t plain = mac("mul=mitchell,in=bf16");
    CHECK(ax_daa_metrics_compute(&plain, 10, 10, 1, &same) == -1);
}
