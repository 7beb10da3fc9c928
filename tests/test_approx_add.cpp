// test_approx_add.cpp — every approximate adder against its datapath
// re-modelled bit by bit (approx_refs.h), bits and flags; l = 0 is add_exact;
// hand-worked examples; and the checker shown able to fail on planted bugs.
#include "approx_refs.h"

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
