// test_conv.cpp — conv2d (forward, input gradient, weight gradient) of
// cuda_fastpath/ax_conv.c against an oracle written here (conv_oracle.h:
// direct loops that build each output element's operand vectors in the fold
// order ax_fastpath.h documents, +0 for padding positions and stride holes,
// and call ax_mac_fold). Every output bit of the ref and cpu backends (and
// cuda, when a device answers) is compared, for MAC configurations that take
// the cpu backend's native path and its generic path (an approximate
// multiplier and adder, or flags asked for), over shapes with strides,
// padding, dilation, groups, depthwise, non-square kernels and batches.
// Also: special values, the padded-zero-times-inf rule, planted oracle bugs
// that must be caught, and bad shapes that must be refused by name.
#include "conv_oracle.h"

// ---- conv2d against the oracle ---------------------------------------------------

TEST_CASE("fastpath.conv2d.forward_matches_oracle", "[fastpath][conv]")
{
    check_op(FWD, false, 100);
}

TEST_CASE("fastpath.conv2d.input_grad_matches_oracle", "[fastpath][conv]")
{
    check_op(BWD_DATA, false, 200);
}

TEST_CASE("fastpath.conv2d.weight_grad_matches_oracle", "[fastpath][conv]")
{
    check_op(BWD_WEIGHT, false, 300);
}

TEST_CASE("fastpath.conv2d.specials_match_oracle", "[fastpath][conv]")
{
    CHECK(check_op(FWD, true, 400) > 100);
    CHECK(check_op(BWD_DATA, true, 500) > 100);
    CHECK(check_op(BWD_WEIGHT, true, 600) > 100);
}

// The +0 of a padding position goes through the multiplier: 0 * inf is NaN,
// as in an im2col datapath, so an inf weight poisons every border output.
TEST_CASE("fastpath.conv2d.padding_zero_times_inf_is_nan", "[fastpath][conv]")
{
    const ax_mac_cfg_t cfg = mac("mul=exact,in=fp16,prod=fp32,add=exact,acc=fp32");
    const Shape s = {1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1};
    const uint32_t one = 0x3C00, inf = 0x7C00;
    Tensor x(9, one), w(9, 0);
    w[0] = inf; // tap (ky, kx) = (0, 0): padding for output row 0 and column 0
    for (auto &e : engines()) {
        INFO(ax_engine_describe(e.get()));
        Tensor y;
        std::string err;
        uint32_t fl = 0;
        REQUIRE(run_conv(e.get(), cfg, FWD, s, x, w, y, &fl, err) == 0);
        for (int oy = 0; oy < 3; oy++)
            for (int ox = 0; ox < 3; ox++) {
                INFO("y[" << oy << "][" << ox << "] = " << std::hex << y[oy * 3 + ox]);
                if (oy == 0 || ox == 0) CHECK(ax_is_nan(y[oy * 3 + ox], cfg.acc));
                else CHECK(y[oy * 3 + ox] == 0x7F800000); // 1 * inf, then + 0 terms
            }
        CHECK((fl & AX_FLAG_INVALID) != 0);
        uint32_t ofl = 0;
        REQUIRE(mismatches(oracle_fwd(cfg, s, x, w, &ofl), y) == 0);
        CHECK(ofl == fl);
    }
}

// A comparison that cannot fail proves nothing: each planted oracle bug must
// show up as mismatches against the library.
TEST_CASE("fastpath.conv2d.oracle_catches_planted_bugs", "[fastpath][conv][verifier]")
{
    const ax_mac_cfg_t cfg = mac("mul=drum:k=4,in=fp8e4m3,prod=fp16,add=loa:l=6,acc=fp16");
    ax_engine_t *e = engines()[1].get(); // cpu
    const Shape s = {3, 4, 9, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2};
    struct Plant {
        Op op;
        Bug bug;
    } plants[] = {{FWD, Bug::pad_shift},   {FWD, Bug::reversed},       {BWD_DATA, Bug::reversed},
                  {BWD_DATA, Bug::floor_holes}, {BWD_WEIGHT, Bug::pad_shift},
                  {BWD_WEIGHT, Bug::reversed}};
    for (const Plant &pl : plants) {
        INFO(op_names[pl.op] << ", bug " << (int)pl.bug);
        Case good = make_case(cfg, pl.op, s, 700, false);
        Case bad = make_case(cfg, pl.op, s, 700, false, pl.bug);
        Tensor got;
        std::string err;
        REQUIRE(run_conv(e, cfg, pl.op, s, good.p, good.q, got, nullptr, err) == 0);
        REQUIRE(mismatches(good.want, got) == 0);
        CHECK(mismatches(bad.want, got) > 0);
    }
}

// ---- shapes ------------------------------------------------------------------------

TEST_CASE("fastpath.conv2d.bad_shapes_name_the_field", "[fastpath][conv]")
{
    const ax_mac_cfg_t cfg = mac("mul=exact,in=fp16");
    ax_engine_t *e = engines()[0].get();
    const ax_conv_shape_t good = {2, 4, 8, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2};
    int64_t oh = 0, ow = 0;
    char err[256];
    REQUIRE(ax_conv_out(&good, &oh, &ow, err, sizeof err) == 0);
    CHECK((oh == 8 && ow == 8));

    struct Bad {
        const char *field;
        void (*edit)(ax_conv_shape_t &);
    } bad[] = {
        {"n=-1", [](ax_conv_shape_t &s) { s.n = -1; }},
        {"c=0", [](ax_conv_shape_t &s) { s.c = 0; }},
        {"h=0", [](ax_conv_shape_t &s) { s.h = 0; }},
        {"w=-3", [](ax_conv_shape_t &s) { s.w = -3; }},
        {"oc=0", [](ax_conv_shape_t &s) { s.oc = 0; }},
        {"kh=0", [](ax_conv_shape_t &s) { s.kh = 0; }},
        {"kw=-1", [](ax_conv_shape_t &s) { s.kw = -1; }},
        {"stride_h=0", [](ax_conv_shape_t &s) { s.stride_h = 0; }},
        {"stride_w=-2", [](ax_conv_shape_t &s) { s.stride_w = -2; }},
        {"pad_h=-1", [](ax_conv_shape_t &s) { s.pad_h = -1; }},
        {"pad_w=-1", [](ax_conv_shape_t &s) { s.pad_w = -1; }},
        {"dil_h=0", [](ax_conv_shape_t &s) { s.dil_h = 0; }},
        {"dil_w=0", [](ax_conv_shape_t &s) { s.dil_w = 0; }},
        {"groups=0", [](ax_conv_shape_t &s) { s.groups = 0; }},
        {"groups=3 does not divide c=4", [](ax_conv_shape_t &s) { s.groups = 3, s.oc = 6; }},
        {"groups=4 does not divide oc=6", [](ax_conv_shape_t &s) { s.groups = 4; }},
        {"kh=9", [](ax_conv_shape_t &s) { s.kh = 9, s.pad_h = 0; }},
        {"dil_w=5", [](ax_conv_shape_t &s) { s.dil_w = 5, s.pad_w = 0; }},
        {"h=1099511627776", [](ax_conv_shape_t &s) { s.h = (int64_t)1 << 40; }},
        {"too large", [](ax_conv_shape_t &s) { s.n = s.c = s.h = s.w = 1 << 20, s.groups = 1; }},
    };
    Tensor buf(1 << 12);
    for (const Bad &b : bad) {
        ax_conv_shape_t s = good;
        b.edit(s);
        INFO("expect '" << b.field << "'");
        err[0] = 0;
        CHECK(ax_conv_out(&s, &oh, &ow, err, sizeof err) == -1);
        INFO("ax_conv_out: " << err);
        CHECK(std::string(err).find(b.field) != std::string::npos);
        err[0] = 0;
        CHECK(ax_conv2d_fwd(e, &cfg, &s, buf.data(), buf.data(), buf.data(), nullptr, err,
                            sizeof err) == -1);
        CHECK(std::string(err).find(b.field) != std::string::npos);
        err[0] = 0;
        CHECK(ax_conv2d_bwd_data(e, &cfg, &s, buf.data(), buf.data(), buf.data(), nullptr, err,
                                 sizeof err) == -1);
        CHECK(std::string(err).find(b.field) != std::string::npos);
        err[0] = 0;
        CHECK(ax_conv2d_bwd_weight(e, &cfg, &s, buf.data(), buf.data(), buf.data(), nullptr, err,
                                   sizeof err) == -1);
        CHECK(std::string(err).find(b.field) != std::string::npos);
    }

    // a bad configuration, a missing tensor
    ax_mac_cfg_t swapped = cfg;
    std::swap(swapped.mul, swapped.add);
    CHECK(ax_conv2d_fwd(e, &swapped, &good, buf.data(), buf.data(), buf.data(), nullptr, err,
                        sizeof err) == -1);
    CHECK(std::string(err).find("mul") != std::string::npos);
    CHECK(ax_conv2d_fwd(e, &cfg, &good, nullptr, buf.data(), buf.data(), nullptr, err,
                        sizeof err) == -1);
    CHECK(std::string(err).find("x is NULL") != std::string::npos);
}

// n = 0 is an empty batch: nothing to compute, and the weight gradient (a fold
// over no terms) is +0.
TEST_CASE("fastpath.conv2d.empty_batch", "[fastpath][conv]")
{
    const ax_mac_cfg_t cfg = mac("mul=exact,in=fp16");
    const Shape s = {0, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2};
    char err[256];
    int64_t oh = 0, ow = 0;
    ax_conv_shape_t cs = s.api();
    REQUIRE(ax_conv_out(&cs, &oh, &ow, err, sizeof err) == 0);
    CHECK((oh == 5 && ow == 5));
    for (auto &e : engines()) {
        Tensor dw(s.nw(), 0xDEADBEEF);
        CHECK(ax_conv2d_fwd(e.get(), &cfg, &cs, nullptr, dw.data(), nullptr, nullptr, err,
                            sizeof err) == 0);
        CHECK(ax_conv2d_bwd_data(e.get(), &cfg, &cs, nullptr, dw.data(), nullptr, nullptr, err,
                                 sizeof err) == 0);
        REQUIRE(ax_conv2d_bwd_weight(e.get(), &cfg, &cs, nullptr, nullptr, dw.data(), nullptr,
                                     err, sizeof err) == 0);
        CHECK(std::count(dw.begin(), dw.end(), 0u) == (long)dw.size());
    }
}

// ---- linear ------------------------------------------------------------------------
