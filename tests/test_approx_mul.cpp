// test_approx_mul.cpp — every approximate multiplier against its defining
// formula (approx_refs.h), bits and flags, on every significand pair of fp8
// and bf16; properties from the literature (Mitchell never overestimates, at
// most 1/9 low; MBM and REALM less biased); hand-worked examples.
#include "approx_refs.h"

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
