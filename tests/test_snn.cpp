// test_snn.cpp — spiking models (networks/ax_snn.c): native fp32 neurons
// equal to the C model, the encoders, the surrogate-gradient backward against
// an independent forward-mode derivation (able to fail), the readout's
// gradient against finite differences, the spike and accumulate counts
// against brute force, the same bits on ref and cpu and across thread counts,
// resume, learning, and the options' errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ax_net_internal.h"
#include "nn_helpers.h"
#include "test_util.h"

namespace {

ax_neuron_cfg_t neuron(const char *s)
{
    ax_neuron_cfg_t c;
    char err[512];
    int rc = ax_neuron_parse(s, &c, err, sizeof err);
    INFO(s << ": " << err);
    REQUIRE(rc == 0);
    return c;
}

uint32_t bits(float f)
{
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

ax_snn_opts_t opts(int64_t T, ax_encoding_t enc, ax_readout_t ro, const char *nspec)
{
    ax_snn_opts_t o;
    ax_snn_opts_default(&o);
    o.steps = T, o.encoding = enc, o.readout = ro;
    o.neuron = neuron(nspec);
    return o;
}

void set_snn(ax_model_t *m, const ax_snn_opts_t &o)
{
    char err[256];
    INFO(err);
    REQUIRE(ax_model_set_snn(m, &o, err, sizeof err) == 0);
}

int node_of(const ax_model_t *m, ax_layer_t kind, int nth = 0)
{
    for (int i = 0; i < m->nnodes; i++)
        if (m->node[i].kind == kind && nth-- == 0) return i;
    FAIL("no such node");
    return -1;
}

void forward(ax_model_t *m, const std::vector<float> &x, int64_t n, int train)
{
    char err[256];
    INFO(err);
    REQUIRE(ax_model_forward(m, x.data(), n, train, err, sizeof err) == 0);
}

} // namespace

TEST_CASE("snn.neuron.native_fp32_equals_the_model", "[snn]")
{
    // currents of every kind: ordinary, near theta, zeros, subnormals, huge, inf, NaN
    auto u = randn(4000, 5);
    std::vector<float> x(u.size());
    for (size_t i = 0; i < x.size(); i++) {
        x[i] = u[i] * 0.8f + 0.2f;
        switch (i % 97) {
        case 1: x[i] = -0.0f; break;
        case 2: x[i] = 1e-41f; break;
        case 3: x[i] = 3e38f; break;
        case 4: x[i] = i % 2 ? INFINITY : -INFINITY; break;
        case 5: x[i] = NAN; break;
        }
    }
    const char *specs[] = {"neuron=lif,beta=0.9,theta=1,reset=subtract",
                           "neuron=lif,beta=0.5,theta=0.25,reset=zero",
                           "neuron=lif,beta=1,theta=2,reset=none", "neuron=if,theta=1"};
    for (const char *spec : specs) {
        ax_neuron_cfg_t c = neuron(spec);
        REQUIRE(ax_snn_native_fp32(&c));
        const int64_t T = 40, ne = (int64_t)x.size() / T;
        for (int spiking = 0; spiking < 2; spiking++) {
            std::vector<float> s1(x.size()), s2(x.size()), p1(x.size()), p2(x.size());
            int64_t n1 = 0, n2 = 0;
            for (int64_t e = 0; e < ne; e++) {
                double m1, m2;
                n1 += ax_snn_neuron_run(&c, 1, x.data() + e, ne, T, spiking, s1.data() + e,
                                        p1.data() + e, &m1);
                n2 += ax_snn_neuron_run(&c, 0, x.data() + e, ne, T, spiking, s2.data() + e,
                                        p2.data() + e, &m2);
                INFO(spec << " element " << e);
                REQUIRE((bits((float)m1) == bits((float)m2) || (m1 != m1 && m2 != m2)));
            }
            INFO(spec << " spiking " << spiking);
            CHECK(n1 == n2);
            CHECK(std::memcmp(s1.data(), s2.data(), s1.size() * 4) == 0);
            CHECK(std::memcmp(p1.data(), p2.data(), p1.size() * 4) == 0); // canonical NaNs too
            if (spiking) CHECK(n1 > 0);
        }
    }
    // what native does not cover
    for (const char *spec : {"fmt=bf16", "add=loa:l=4", "mul=drum:k=4", "fmt=fp32:ftz"}) {
        ax_neuron_cfg_t c = neuron(spec);
        INFO(spec);
        CHECK_FALSE(ax_snn_native_fp32(&c));
    }
}

TEST_CASE("snn.encoders", "[snn]")
{
    engine e(AX_BACKEND_CPU, 1);
    const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
    Model m("snn-mlp", 1, 4, 4, 3);
    ax_model_init(m.m, 1);
    ax_model_set_mac(m.m, e.e, &f, &f);
    const int64_t n = 6, sz = 16;
    std::vector<float> x((size_t)(n * sz));
    for (size_t i = 0; i < x.size(); i++) x[i] = (float)(i % 11) / 10.0f; // 0 .. 1
    x[5] = 1.5f, x[6] = -0.5f;                                            // clamped
    auto enc = [&](int64_t T, ax_encoding_t how, int64_t from, int64_t count, int train) {
        set_snn(m.m, opts(T, how, AX_READOUT_MEMBRANE, "neuron=lif"));
        m.m->enc_base = from;
        m.m->dropout_seed = 77;
        forward(m.m, std::vector<float>(x.begin() + from * sz, x.begin() + (from + count) * sz),
                count, train);
        const float *y = m.m->node[0].y;
        return std::vector<float>(y, y + T * count * sz);
    };
    SECTION("direct: the image at every step")
    {
        auto y = enc(3, AX_ENC_DIRECT, 0, n, 0);
        for (int64_t t = 0; t < 3; t++)
            CHECK(std::memcmp(y.data() + t * n * sz, x.data(), (size_t)(n * sz) * 4) == 0);
    }
    SECTION("latency: one spike at floor((1 - x) T), none for x <= 0")
    {
        const int64_t T = 4;
        auto y = enc(T, AX_ENC_LATENCY, 0, n, 0);
        for (int64_t j = 0; j < n * sz; j++) {
            double v = std::min(1.0, (double)x[(size_t)j]);
            int64_t want = v > 0 ? std::min<int64_t>(T - 1, (int64_t)std::floor((1 - v) * T)) : -1;
            for (int64_t t = 0; t < T; t++) {
                INFO("pixel " << j << " = " << x[(size_t)j] << ", step " << t);
                REQUIRE(y[(size_t)(t * n * sz + j)] == (t == want ? 1.0f : 0.0f));
            }
        }
    }
    SECTION("rate: Bernoulli(clamp(x)), per image, whatever the batch")
    {
        const int64_t T = 8;
        auto all = enc(T, AX_ENC_RATE, 0, n, 0);
        auto again = enc(T, AX_ENC_RATE, 0, n, 0);
        CHECK(all == again);
        // images 2..5 on their own: the same spikes as in the whole batch
        auto part = enc(T, AX_ENC_RATE, 2, 4, 0);
        for (int64_t t = 0; t < T; t++)
            for (int64_t b = 0; b < 4; b++)
                for (int64_t j = 0; j < sz; j++)
                    REQUIRE(part[(size_t)((t * 4 + b) * sz + j)] ==
                            all[(size_t)((t * n + b + 2) * sz + j)]);
        // training draws from the step's seed: other spikes
        auto train = enc(T, AX_ENC_RATE, 0, n, 1);
        CHECK(train != all);
        // the rate is the pixel, clamped
        auto many = enc(4000, AX_ENC_RATE, 0, 1, 0);
        for (int64_t j = 0; j < sz; j++) {
            double r = 0;
            for (int64_t t = 0; t < 4000; t++) r += many[(size_t)(t * sz + j)];
            double p = std::min(1.0, std::max(0.0, (double)x[(size_t)j]));
            INFO("pixel " << j);
            CHECK(std::fabs(r / 4000 - p) < 0.03);
        }
    }
}

namespace {

// The gradient of the currents of one lif element by forward-mode
// differentiation, written independently of the code's reverse pass:
// dU'_t/dI_s = beta dU''_{t-1}/dI_s + [t = s]; dU''_t = dU'_t (the reset is
// a constant), or 0 after a reset to zero that fired; dS_t = sg(U'_t) dU'_t.
std::vector<double> forward_mode(const std::vector<float> &pre, const std::vector<float> &dS,
                                 double beta, double theta, int reset_zero, double alpha)
{
    const size_t T = pre.size();
    std::vector<double> g(T, 0.0);
    for (size_t s = 0; s < T; s++) {
        double du = 0; // dU''_{t-1}/dI_s
        for (size_t t = 0; t < T; t++) {
            double dv = beta * du + (t == s ? 1.0 : 0.0);
            double y = 3.14159265358979323846 / 2 * alpha * ((double)pre[t] - theta);
            g[s] += dS[t] * (alpha / 2 / (1 + y * y)) * dv;
            du = (reset_zero && pre[t] >= theta) ? 0.0 : dv;
        }
    }
    return g;
}

} // namespace

TEST_CASE("snn.lif_backward_matches_forward_mode", "[snn]")
{
    engine e(AX_BACKEND_CPU, 1);
    const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
    for (const char *spec : {"neuron=lif,beta=0.8,theta=0.5,reset=subtract",
                             "neuron=lif,beta=0.6,theta=0.5,reset=zero",
                             "neuron=if,theta=1,reset=none"}) {
        DYNAMIC_SECTION(spec)
        {
            Model m("snn-mlp", 1, 3, 3, 2);
            ax_model_init(m.m, 3);
            ax_model_set_mac(m.m, e.e, &f, &f);
            const int64_t T = 6, n = 3;
            set_snn(m.m, opts(T, AX_ENC_DIRECT, AX_READOUT_MEMBRANE, spec));
            forward(m.m, randn((size_t)(n * 9), 4), n, 1);
            ax_node_t *d = &m.m->node[node_of(m.m, AX_LAYER_LIF)];
            const int64_t ne = n * d->c;
            REQUIRE(d->spikes > 0);
            auto dy = randn((size_t)(T * ne), 8);
            std::memcpy(d->dy, dy.data(), dy.size() * 4);
            std::vector<float> g((size_t)(T * ne));
            ax_snn_node_backward(m.m, d, n, g.data());
            const ax_neuron_cfg_t &c = m.m->snn.neuron;
            double beta = c.model == AX_NEURON_IF ? 1.0 : ax_to_double(c.beta, c.fmt);
            double theta = ax_to_double(c.theta, c.fmt);
            double worst = 0, planted = 0;
            for (int64_t el = 0; el < ne; el++) {
                std::vector<float> pre(T), ds(T);
                for (int64_t t = 0; t < T; t++)
                    pre[t] = d->aux[t * ne + el], ds[t] = dy[(size_t)(t * ne + el)];
                auto want = forward_mode(pre, ds, beta, theta, c.reset == AX_RESET_ZERO, 2.0);
                auto bug = forward_mode(pre, ds, beta * 0.9, theta, c.reset == AX_RESET_ZERO, 2.0);
                for (int64_t t = 0; t < T; t++) {
                    double got = g[(size_t)(t * ne + el)];
                    worst = std::max(worst, std::fabs(got - want[t]) / (1e-3 + std::fabs(want[t])));
                    planted = std::max(planted, std::fabs(got - bug[t]) / (1e-3 + std::fabs(bug[t])));
                }
            }
            CHECK(worst < 1e-4);
            CHECK(planted > 1e-2); // a leak 10 % off is seen
        }
    }
}

TEST_CASE("snn.readout_gradient_matches_finite_differences", "[snn]")
{
    // the readout's membrane is linear in fc2's weights while lif1's spikes
    // stay put: the analytic gradient of fc2.weight is the numeric one
    engine e(AX_BACKEND_CPU, 1);
    const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
    Model m("snn-mlp", 1, 4, 4, 3);
    ax_model_init(m.m, 2);
    ax_model_set_mac(m.m, e.e, &f, &f);
    set_snn(m.m, opts(5, AX_ENC_DIRECT, AX_READOUT_MEMBRANE, "neuron=lif,beta=0.9,theta=0.5"));
    const int64_t n = 4;
    auto x = randn((size_t)(n * 16), 6);
    std::vector<int32_t> y = {0, 1, 2, 1};
    auto loss = [&]() {
        forward(m.m, x, n, 1);
        return ax_softmax_xent(ax_model_output(m.m), y.data(), n, 3, nullptr, nullptr);
    };
    loss();
    std::vector<float> dl((size_t)(n * 3));
    ax_softmax_xent(ax_model_output(m.m), y.data(), n, 3, dl.data(), nullptr);
    char err[256];
    REQUIRE(ax_model_backward(m.m, dl.data(), err, sizeof err) == 0);
    ax_param_t *w = nullptr;
    for (int p = 0; p < m.m->nparams; p++)
        if (std::string(m.m->param[p].name) == "fc2.weight") w = &m.m->param[p];
    REQUIRE(w);
    std::vector<float> g(w->g, w->g + w->count), keep(w->w, w->w + w->count);
    double norm = 0;
    for (float v : g) norm += (double)v * v;
    norm = std::sqrt(norm);
    REQUIRE(norm > 1e-3);
    const double h = 1e-2;
    for (int64_t i = 0; i < w->count; i++) w->w[i] = (float)(keep[i] + h * g[i] / norm);
    double lp = loss();
    for (int64_t i = 0; i < w->count; i++) w->w[i] = (float)(keep[i] - h * g[i] / norm);
    double lm = loss();
    std::memcpy(w->w, keep.data(), keep.size() * 4);
    double num = (lp - lm) / (2 * h);
    INFO("numeric " << num << ", analytic " << norm);
    CHECK(std::fabs(num - norm) / norm < 1e-2);
}

TEST_CASE("snn.counts_spikes_and_accumulates", "[snn]")
{
    engine e(AX_BACKEND_CPU, 1);
    const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
    Model m("snn-conv", 1, 8, 8, 3);
    ax_model_init(m.m, 4);
    ax_model_set_mac(m.m, e.e, &f, &f);
    const int64_t T = 3, n = 2;
    set_snn(m.m, opts(T, AX_ENC_RATE, AX_READOUT_COUNT, "neuron=lif,beta=0.9,theta=0.3"));
    auto x = randn((size_t)(n * 64), 2);
    for (auto &v : x) v = std::fabs(v);
    forward(m.m, x, n, 0);
    int64_t total = 0;
    for (int i = 0; i < m.m->nnodes; i++) {
        const ax_node_t *d = &m.m->node[i];
        const int64_t items = n * (d->steps ? d->steps : 1), sz = d->c * d->h * d->w;
        if (d->kind == AX_LAYER_LIF) {
            int64_t s = 0;
            for (int64_t j = 0; j < items * sz; j++) s += d->y[j] != 0.0f;
            CHECK(d->spikes == s);
            total += s;
        }
        if (d->kind == AX_LAYER_CONV || d->kind == AX_LAYER_LINEAR) {
            CHECK(d->spike_in == 1); // rate encoding: every synapse sees spikes
            // brute force: every (output, active input in its window) pair
            const float *in = d->in[0] < 0 ? nullptr : m.m->node[d->in[0]].y;
            int64_t ops = 0;
            const int64_t K = d->kind == AX_LAYER_CONV ? d->k : 1;
            const int64_t H = d->in_h, W = d->in_w, C = d->in_c;
            for (int64_t b = 0; b < items; b++)
                for (int64_t o = 0; o < d->c; o++)
                    for (int64_t oy = 0; oy < d->h; oy++)
                        for (int64_t ox = 0; ox < d->w; ox++)
                            for (int64_t ci = 0; ci < C; ci++)
                                for (int64_t ky = 0; ky < (d->kind == AX_LAYER_CONV ? K : H); ky++)
                                    for (int64_t kx = 0; kx < (d->kind == AX_LAYER_CONV ? K : W); kx++) {
                                        int64_t iy = d->kind == AX_LAYER_CONV ? oy - d->pad + ky : ky;
                                        int64_t ix = d->kind == AX_LAYER_CONV ? ox - d->pad + kx : kx;
                                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                        ops += in[((b * C + ci) * H + iy) * W + ix] != 0.0f;
                                    }
            INFO(d->name);
            CHECK(d->synops == ops);
            CHECK(ops > 0);
        }
    }
    CHECK(total > 0);
    // the readout by count: the logits are the output layer's spikes
    const ax_node_t *r = &m.m->node[m.m->nnodes - 1];
    double logits = 0;
    for (int64_t j = 0; j < n * 3; j++) logits += r->y[j];
    CHECK(r->spikes == (int64_t)logits);
}

TEST_CASE("snn.training_gives_the_same_bits_on_ref_and_cpu", "[snn]")
{
    auto d = synthetic(16, 3, 8, 3);
    for (int64_t i = 0; i < d.n * 64; i++) d.x[i] = std::fabs(d.x[i]) * 0.5f; // 0 .. 1.x
    struct Case {
        const char *arch, *mac, *neuron;
        ax_encoding_t enc;
        ax_readout_t ro;
    } cases[] = {
        {"snn-mlp", "mul=exact,in=fp32", "neuron=lif,theta=0.5", AX_ENC_RATE, AX_READOUT_MEMBRANE},
        {"snn-mlp", "in=bf16,add=loa:l=6,acc=bf16", "neuron=lif,fmt=bf16,mul=drum:k=4,add=loa:l=5,theta=0.5",
         AX_ENC_DIRECT, AX_READOUT_COUNT},
        {"snn-conv", "mul=exact,in=fp32", "neuron=if,theta=0.5,reset=zero", AX_ENC_DIRECT,
         AX_READOUT_MEMBRANE},
        {"snn-conv", "in=fp16,add=trunc,acc=fp16", "neuron=lif,fmt=fp16,add=eta:l=4,theta=0.5",
         AX_ENC_LATENCY, AX_READOUT_MEMBRANE},
    };
    for (auto &k : cases) {
        DYNAMIC_SECTION(k.arch << " " << k.mac << " " << k.neuron)
        {
            std::vector<std::vector<float>> w;
            const ax_mac_cfg_t f = mac(k.mac), bw = mac("mul=exact,in=fp32");
            struct {
                ax_backend_t b;
                int t;
            } runs[] = {{AX_BACKEND_REF, 1}, {AX_BACKEND_CPU, 1}, {AX_BACKEND_CPU, 2}};
            for (auto &r : runs) {
                engine e(r.b, r.t);
                Model m(k.arch, 1, 8, 8, 3);
                ax_model_init(m.m, 9);
                ax_model_set_mac(m.m, e.e, &f, &bw);
                set_snn(m.m, opts(3, k.enc, k.ro, k.neuron));
                ax_train_cfg_t c = train_cfg(1, nullptr);
                c.batch = 8;
                ax_train_result_t res;
                char err[512];
                INFO(err);
                REQUIRE(ax_train(m.m, &d, nullptr, &c, &res, err, sizeof err) == 0);
                w.push_back(all_weights(m.m));
            }
            CHECK(same_bits(w[0], w[1]));
            CHECK(same_bits(w[1], w[2]));
            Model fresh(k.arch, 1, 8, 8, 3);
            ax_model_init(fresh.m, 9);
            CHECK_FALSE(same_bits(w[0], all_weights(fresh.m)));
        }
    }
    ax_dataset_free(&d);
}

TEST_CASE("snn.resume_and_learning", "[snn]")
{
    auto d = synthetic(64, 4, 8, 4);
    for (int64_t i = 0; i < d.n * 64; i++) d.x[i] = std::min(1.0f, std::fabs(d.x[i]) * 0.5f);
    engine e(AX_BACKEND_CPU, 2);
    const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
    const ax_snn_opts_t o = opts(4, AX_ENC_RATE, AX_READOUT_MEMBRANE, "neuron=lif,theta=0.5");
    temp_dir tmp;
    const std::string one = tmp.path + "/one.safetensors", cut = tmp.path + "/cut.safetensors";
    char err[512];
    ax_train_result_t res;
    std::vector<float> straight;
    auto make = [&](Model &m) {
        ax_model_init(m.m, 2);
        ax_model_set_mac(m.m, e.e, &f, &f);
        set_snn(m.m, o);
    };
    {
        Model m("snn-mlp", 1, 8, 8, 4);
        make(m);
        ax_train_cfg_t c = train_cfg(4, one.c_str());
        c.opt.kind = AX_OPT_ADAM, c.opt.beta1 = 0.9f, c.opt.beta2 = 0.999f, c.opt.eps = 1e-8f;
        c.lr = 2e-3f;
        INFO(err);
        REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == 0);
        straight = all_weights(m.m);
        CHECK(res.test_acc > 0.9); // the patches are easy
    }
    {
        Model m("snn-mlp", 1, 8, 8, 4);
        make(m);
        ax_train_cfg_t c = train_cfg(4, cut.c_str());
        c.opt.kind = AX_OPT_ADAM, c.opt.beta1 = 0.9f, c.opt.beta2 = 0.999f, c.opt.eps = 1e-8f;
        c.lr = 2e-3f;
        c.stop_after = 2;
        REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == 0);
        Model r("snn-mlp", 1, 8, 8, 4);
        make(r);
        c.stop_after = 0;
        REQUIRE(ax_train(r.m, &d, &d, &c, &res, err, sizeof err) == 0);
        CHECK(res.first_epoch == 3);
        CHECK(same_bits(all_weights(r.m), straight));
        // another neuron cannot resume that run
        ax_snn_opts_t o2 = o;
        o2.neuron = neuron("neuron=lif,theta=0.75");
        set_snn(r.m, o2);
        CHECK(ax_train(r.m, &d, &d, &c, &res, err, sizeof err) == -1);
        CHECK_THAT(err, Catch::Contains("cannot resume") && Catch::Contains("neuron"));
    }
    ax_dataset_free(&d);
}

TEST_CASE("snn.options_errors", "[snn]")
{
    using Catch::Matchers::Contains;
    char err[512];
    Model dnn("lenet5", 1, 28, 28, 10);
    ax_snn_opts_t o;
    ax_snn_opts_default(&o);
    CHECK(ax_model_set_snn(dnn.m, &o, err, sizeof err) == -1);
    CHECK_THAT(err, Contains("not a spiking model") && Contains("snn-mlp"));
    Model snn("snn-mlp", 1, 28, 28, 10);
    o.steps = 0;
    CHECK(ax_model_set_snn(snn.m, &o, err, sizeof err) == -1);
    CHECK_THAT(err, Contains("1 to 4096"));
    ax_encoding_t en;
    ax_readout_t ro;
    ax_surrogate_t sk;
    float sp;
    CHECK(ax_encoding_parse("poisson", &en, err, sizeof err) == -1);
    CHECK_THAT(err, Contains("direct, rate or latency"));
    CHECK(ax_readout_parse("voltage", &ro, err, sizeof err) == -1);
    CHECK_THAT(err, Contains("membrane or count"));
    CHECK(ax_surrogate_parse("sigmoid", &sk, &sp, err, sizeof err) == -1);
    CHECK_THAT(err, Contains("atan") && Contains("fsigmoid"));
    CHECK(ax_surrogate_parse("atan:alpha=-1", &sk, &sp, err, sizeof err) == -1);
    CHECK(ax_surrogate_parse("fsigmoid:k=10", &sk, &sp, err, sizeof err) == 0);
    CHECK(sk == AX_SURR_FSIGMOID);
    CHECK(sp == 10.0f);
    CHECK(ax_surrogate_parse("atan", &sk, &sp, err, sizeof err) == 0);
    CHECK(sp == 2.0f);
}
