// test_linear.cpp — the linear layer of cuda_fastpath/ax_conv.c (forward,
// input and weight gradients) against the oracle of conv_oracle.h, every
// output bit on every engine; bad sizes refused by name.
#include "conv_oracle.h"

TEST_CASE("fastpath.linear.matches_oracle", "[fastpath][linear]")
{
    struct Size {
        int64_t n, in, out;
    } sizes[] = {{1, 1, 1}, {3, 17, 5}, {7, 33, 40}, {2, 0, 3}, {0, 4, 3}, {5, 64, 1}};
    uint64_t seed = 800;
    size_t compared = 0;
    for (const Config &c : configs) {
        const ax_mac_cfg_t cfg = mac(c.spec);
        for (const Size &z : sizes)
            for (int op = 0; op < 3; op++) {
                INFO(c.spec << ", " << op_names[op] << ", n=" << z.n << " in=" << z.in
                            << " out=" << z.out);
                ax_rng_t r = {seed++};
                const bool specials = seed % 2 == 0;
                // p, q: x and w (forward), dy and w (input grad), x and dy (weight grad)
                const size_t np = (size_t)(op == 1 ? z.n * z.out : z.n * z.in);
                const size_t nq = (size_t)(op == 2 ? z.n * z.out : z.out * z.in);
                const size_t nr = (size_t)(op == 0 ? z.n * z.out : op == 1 ? z.n * z.in
                                                                           : z.out * z.in);
                Tensor p = tensor(np, cfg.in, &r, specials), q = tensor(nq, cfg.in, &r, specials);
                uint32_t want_fl = 0;
                Tensor want = oracle_linear(cfg, op, z.n, z.in, z.out, p, q, &want_fl);
                REQUIRE(want.size() == nr);
                for (auto &e : engines())
                    for (bool with_flags : {false, true}) {
                        INFO(ax_engine_describe(e.get()) << (with_flags ? ", flags" : ""));
                        Tensor got(nr + 1, 0xDEADBEEF);
                        uint32_t fl = 0, *flp = with_flags ? &fl : nullptr;
                        char err[256] = "";
                        int rc = op == 0   ? ax_linear_fwd(e.get(), &cfg, z.n, z.in, z.out, p.data(),
                                                           q.data(), got.data(), flp, err, sizeof err)
                                 : op == 1 ? ax_linear_bwd_data(e.get(), &cfg, z.n, z.in, z.out,
                                                                p.data(), q.data(), got.data(), flp,
                                                                err, sizeof err)
                                           : ax_linear_bwd_weight(e.get(), &cfg, z.n, z.in, z.out,
                                                                  p.data(), q.data(), got.data(),
                                                                  flp, err, sizeof err);
                        INFO(err);
                        REQUIRE(rc == 0);
                        CHECK(got[nr] == 0xDEADBEEF); // nothing written past the end
                        got.resize(nr);
                        std::string first;
                        const size_t bad = mismatches(want, got, &first);
                        INFO(first);
                        CHECK(bad == 0);
                        if (with_flags) CHECK(fl == want_fl);
                        compared += nr;
                    }
            }
    }
    REQUIRE(compared > 10000);
}

TEST_CASE("fastpath.linear.bad_sizes_name_the_field", "[fastpath][linear]")
{
    const ax_mac_cfg_t cfg = mac("mul=exact,in=fp16");
    ax_engine_t *e = engines()[0].get();
    Tensor buf(64);
    char err[256];
    struct Bad {
        int64_t n, in, out;
        const char *field;
    } bad[] = {{-1, 2, 2, "n=-1"}, {2, -1, 2, "in=-1"}, {2, 2, -5, "out=-5"},
               {(int64_t)1 << 40, (int64_t)1 << 40, 1, "too large"}};
    for (const Bad &b : bad) {
        INFO("expect '" << b.field << "'");
        err[0] = 0;
        CHECK(ax_linear_fwd(e, &cfg, b.n, b.in, b.out, buf.data(), buf.data(), buf.data(), nullptr,
                            err, sizeof err) == -1);
        CHECK(std::string(err).find(b.field) != std::string::npos);
        err[0] = 0;
        CHECK(ax_linear_bwd_data(e, &cfg, b.n, b.in, b.out, buf.data(), buf.data(), buf.data(),
                                 nullptr, err, sizeof err) == -1);
        CHECK(std::string(err).find(b.field) != std::string::npos);
        err[0] = 0;
        CHECK(ax_linear_bwd_weight(e, &cfg, b.n, b.in, b.out, buf.data(), buf.data(), buf.data(),
                                   nullptr, err, sizeof err) == -1);
        CHECK(std::string(err).find(b.field) != std::string::npos);
    }
}
