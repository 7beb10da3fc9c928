// test_nn.cpp — networks/ax_nn and ax_train: gradients of every layer
// against finite differences (with a planted bug the check must catch),
// softmax cross-entropy and the optimizers against hand-computed values,
// the same bits on ref and cpu and on any thread count, resume equal to an
// uninterrupted run, learning on separable data, checkpoint mismatches.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "ax_nn.h"
#include "ax_rng.h"
#include "ax_train.h"
#include "ax_onnx.h"
#include "nn_helpers.h"
#include "test_util.h"

namespace {

double loss_of(ax_model_t *m, const std::vector<float> &x, const std::vector<int32_t> &y)
{
    char err[256];
    if (ax_model_forward(m, x.data(), (int64_t)y.size(), 1, err, sizeof err))
        throw std::runtime_error(err);
    return ax_softmax_xent(ax_model_output(m), y.data(), (int64_t)y.size(), m->classes, nullptr,
                           nullptr);
}

std::string worst_at;

// The worst disagreement, over the trainable tensors, between the analytic
// gradient and central differences along it: moving a tensor by h along
// g/|g| must change the loss at the rate |g|. (Along the whole tensor the
// rate is large, so float32 noise and relu kinks stay small against it.)
// `plant` scales the first tensor's analytic gradient, to prove the check
// can fail.
double grad_check(ax_model_t *m, int n, double plant)
{
    const auto x = randn((size_t)(n * m->in_c * m->in_h * m->in_w), 7);
    std::vector<int32_t> y(n);
    for (int i = 0; i < n; i++) y[i] = i % m->classes;
    m->dropout_seed = 3;
    char err[256];
    loss_of(m, x, y);
    std::vector<float> dl((size_t)(n * m->classes));
    ax_softmax_xent(ax_model_output(m), y.data(), n, m->classes, dl.data(), nullptr);
    REQUIRE(ax_model_backward(m, dl.data(), err, sizeof err) == 0);
    double worst = 0;
    for (int p = 0; p < m->nparams; p++) {
        ax_param_t *q = &m->param[p];
        if (!q->trainable) continue;
        std::vector<float> g(q->g, q->g + q->count), keep(q->w, q->w + q->count);
        double norm = 0;
        for (float v : g) norm += (double)v * v;
        norm = std::sqrt(norm);
        if (norm < 1e-4) continue; // nothing measurable against float32 noise
        const double h = 3e-3;
        for (int64_t i = 0; i < q->count; i++) q->w[i] = (float)(keep[i] + h * g[i] / norm);
        double lp = loss_of(m, x, y);
        for (int64_t i = 0; i < q->count; i++) q->w[i] = (float)(keep[i] - h * g[i] / norm);
        double lm = loss_of(m, x, y);
        std::memcpy(q->w, keep.data(), keep.size() * sizeof(float));
        double num = (lp - lm) / (2 * h), ana = norm * (p == 0 ? plant : 1.0);
        double e = std::fabs(num - ana) / (std::fabs(num) + std::fabs(ana));
        if (e > worst) {
            worst = e;
            worst_at = std::string(q->name) + ": numeric " + std::to_string(num) + ", analytic " +
                       std::to_string(ana);
        }
    }
    return worst;
}

} // namespace

TEST_CASE("gradients of every architecture match finite differences", "[nn]")
{
    engine e(AX_BACKEND_CPU, 2);
    const ax_mac_cfg_t f32 = mac("mul=exact,in=fp32");
    struct {
        const char *arch;
        int c, h;
    } cases[] = {{"mlp", 1, 6}, {"lenet5", 1, 12}, {"vgg", 1, 8}, {"resnet8", 2, 8}, {"mobilenet", 2, 8}};
    for (auto &k : cases) {
        DYNAMIC_SECTION(k.arch)
        {
            Model m(k.arch, k.c, k.h, k.h, 4);
            ax_model_init(m.m, 1);
            ax_model_set_mac(m.m, e.e, &f32, &f32);
            double worst = grad_check(m.m, 4, 1.0);
            INFO(worst_at);
            CHECK(worst < 0.05);
            // planted bug: one tensor's gradient 50% off must be reported
            CHECK(grad_check(m.m, 4, 1.5) > 0.05);
        }
    }
}

TEST_CASE("gradients of imported ONNX models match finite differences", "[nn][onnx]")
{
    // the layers only an import makes: dilated, strided and non-square
    // convolutions, LeakyRelu, Sigmoid, Tanh, Clip, a MatMul with a folded bias
    engine e(AX_BACKEND_CPU, 2);
    const ax_mac_cfg_t f32 = mac("mul=exact,in=fp32");
    for (const char *name : {"ops_conv", "ops_act", "ops_act9", "ops_mlp", "resnet8_bn"}) {
        DYNAMIC_SECTION(name)
        {
            char err[1024];
            const std::string path = std::string(AXSIM_SOURCE_DIR) + "/tests/onnx/" + name + ".onnx";
            ax_model_t *m = ax_onnx_load(path.c_str(), nullptr, 0, err, sizeof err);
            INFO(err);
            REQUIRE(m);
            ax_model_set_mac(m, e.e, &f32, &f32);
            double worst = grad_check(m, 4, 1.0);
            INFO(worst_at);
            CHECK(worst < 0.05);
            CHECK(grad_check(m, 4, 1.5) > 0.05);
            ax_model_free(m);
        }
    }
}

TEST_CASE("softmax cross-entropy against hand-computed values", "[nn]")
{
    const float logits[6] = {0, 0, 0, 1, 2, 3};
    const int32_t labels[2] = {0, 2};
    float dl[6];
    int64_t ok;
    double loss = ax_softmax_xent(logits, labels, 2, 3, dl, &ok);
    double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    double want = (std::log(3.0) + (std::log(z) - 3.0)) / 2;
    CHECK(loss == Approx(want).epsilon(1e-12));
    CHECK(ok == 2); // row 0 ties: the first (0) is taken, = its label; row 1: 2
    CHECK(dl[0] == Approx((1.0 / 3 - 1) / 2));
    CHECK(dl[5] == Approx((std::exp(3.0) / z - 1) / 2));
}

TEST_CASE("SGD with momentum and Adam take PyTorch's steps", "[nn]")
{
    Model m("mlp", 1, 2, 2, 2);
    ax_param_t *q = &m.m->param[0];
    for (int64_t i = 0; i < q->count; i++) q->w[i] = 1.0f, q->g[i] = 0.5f;
    ax_opt_t o;
    std::memset(&o, 0, sizeof o);
    o.kind = AX_OPT_SGD, o.momentum = 0.9f;
    ax_opt_step(m.m, &o, 0.1f);
    CHECK(q->w[0] == Approx(0.95));
    ax_opt_step(m.m, &o, 0.1f); // buf = 0.9 * 0.5 + 0.5
    CHECK(q->w[0] == Approx(0.95 - 0.1 * 0.95));
    for (int64_t i = 0; i < q->count; i++) q->w[i] = 1.0f, q->m[i] = q->v[i] = 0;
    std::memset(&o, 0, sizeof o);
    o.kind = AX_OPT_ADAM, o.beta1 = 0.9f, o.beta2 = 0.999f, o.eps = 1e-8f;
    ax_opt_step(m.m, &o, 0.01f); // first step: lr * g / |g|
    CHECK(q->w[0] == Approx(0.99).epsilon(1e-6));
    CHECK(o.t == 1);
    // weight decay reaches weights, not biases
    std::memset(&o, 0, sizeof o);
    o.kind = AX_OPT_SGD, o.weight_decay = 0.5f;
    ax_param_t *b = &m.m->param[1];
    REQUIRE(std::string(b->name) == "fc1.bias");
    for (int p = 0; p < 2; p++)
        for (int64_t i = 0; i < m.m->param[p].count; i++) m.m->param[p].w[i] = 1, m.m->param[p].g[i] = 0, m.m->param[p].m[i] = 0;
    ax_opt_step(m.m, &o, 1.0f);
    CHECK(q->w[0] == 0.5f);
    CHECK(b->w[0] == 1.0f);
}

TEST_CASE("training gives the same bits on ref and cpu and on any thread count", "[nn]")
{
    auto d = synthetic(24, 4, 12, 3);
    const char *macs[] = {"mul=exact,in=fp32", "mul=mbm,in=bf16", "mul=mitchell,in=fp16,add=loa:l=8"};
    const char *archs[] = {"mlp", "lenet5", "resnet8"};
    for (const char *arch : archs)
        for (const char *spec : macs) {
            DYNAMIC_SECTION(arch << " " << spec)
            {
                std::vector<std::vector<float>> w;
                const ax_mac_cfg_t f = mac(spec), bw = mac("mul=exact,in=bf16");
                struct {
                    ax_backend_t b;
                    int t;
                } runs[] = {{AX_BACKEND_REF, 1}, {AX_BACKEND_CPU, 1}, {AX_BACKEND_CPU, 2}};
                for (auto &r : runs) {
                    engine e(r.b, r.t);
                    Model m(arch, 1, 12, 12, 4);
                    ax_model_init(m.m, 9);
                    ax_model_set_mac(m.m, e.e, &f, &bw);
                    ax_train_cfg_t c = train_cfg(1, nullptr);
                    c.batch = 8;
                    ax_train_result_t res;
                    char err[512];
                    REQUIRE(ax_train(m.m, &d, nullptr, &c, &res, err, sizeof err) == 0);
                    w.push_back(all_weights(m.m));
                }
                CHECK(same_bits(w[0], w[1]));
                CHECK(same_bits(w[1], w[2]));
                // the run changed the weights (the comparison is not vacuous)
                Model fresh(arch, 1, 12, 12, 4);
                ax_model_init(fresh.m, 9);
                CHECK_FALSE(same_bits(w[0], all_weights(fresh.m)));
            }
        }
    ax_dataset_free(&d);
}

TEST_CASE("a resumed run equals the uninterrupted run, bit for bit", "[nn]")
{
    auto d = synthetic(48, 4, 12, 4);
    engine e(AX_BACKEND_CPU, 2);
    const ax_mac_cfg_t f = mac("mul=mbm,in=bf16");
    temp_dir tmp;
    const std::string dir = tmp.path;
    std::string one = dir + "/one.safetensors", two = dir + "/two.safetensors";
    char err[512];
    ax_train_result_t res;
    std::vector<float> straight;
    {
        Model m("vgg", 1, 12, 12, 4); // dropout: its masks must resume too
        ax_model_init(m.m, 2);
        ax_model_set_mac(m.m, e.e, &f, &f);
        ax_train_cfg_t c = train_cfg(3, one.c_str());
        REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == 0);
        CHECK(res.epochs_run == 3);
        straight = all_weights(m.m);
    }
    for (int64_t cut = 1; cut <= 2; cut++) {
        std::string path = dir + "/cut" + std::to_string(cut) + ".safetensors";
        {   // interrupted after `cut` epochs (its checkpoint is on disk) ...
            Model m("vgg", 1, 12, 12, 4);
            ax_model_init(m.m, 2);
            ax_model_set_mac(m.m, e.e, &f, &f);
            ax_train_cfg_t c = train_cfg(3, path.c_str());
            c.stop_after = cut;
            REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == 0);
            CHECK(res.epochs_run == cut);
        }
        // ... and resumed by a fresh process-like start from another init
        Model m("vgg", 1, 12, 12, 4);
        ax_model_init(m.m, 777);
        ax_model_set_mac(m.m, e.e, &f, &f);
        ax_train_cfg_t c = train_cfg(3, path.c_str());
        REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == 0);
        CHECK(res.first_epoch == cut + 1);
        CHECK(res.epochs_run == 3 - cut);
        CHECK(same_bits(all_weights(m.m), straight));
        // a finished run resumes to nothing and changes nothing
        REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == 0);
        CHECK(res.epochs_run == 0);
        CHECK(same_bits(all_weights(m.m), straight));
    }
    {   // a checkpoint of another configuration is refused, naming the difference
        Model m("vgg", 1, 12, 12, 4);
        ax_model_init(m.m, 2);
        ax_model_set_mac(m.m, e.e, &f, &f);
        ax_train_cfg_t c = train_cfg(3, one.c_str());
        c.seed = 6;
        CHECK(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == -1);
        CHECK_THAT(err, Catch::Contains("cannot resume") && Catch::Contains("seed"));
        c = train_cfg(3, one.c_str());
        c.mac_fwd = "other";
        CHECK(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == -1);
        CHECK_THAT(err, Catch::Contains("mac"));
    }
    {   // another architecture's weights are refused by name
        Model m("lenet5", 1, 12, 12, 4);
        CHECK(ax_model_load(m.m, one.c_str(), err, sizeof err) == -1);
        CHECK_THAT(err, Catch::Contains("vgg"));
    }
    ax_dataset_free(&d);
    CHECK_FALSE(straight.empty());
}

TEST_CASE("every run starts a new optimizer, whatever state the model holds", "[nn]")
{
    // axsim estimate retrains one model after another from the same weights:
    // the momentum of the previous run must not leak into the next.
    auto d = synthetic(32, 4, 12, 6);
    engine e(AX_BACKEND_CPU, 2);
    const ax_mac_cfg_t f = mac("mul=mbm,in=bf16"), bw = mac("mul=exact,in=fp32");
    char err[512];
    ax_train_result_t res;
    for (ax_opt_kind_t kind : {AX_OPT_SGD, AX_OPT_ADAM}) {
        DYNAMIC_SECTION((kind == AX_OPT_SGD ? "sgd" : "adam"))
        {
            ax_train_cfg_t c = train_cfg(1, nullptr);
            c.opt.kind = kind, c.opt.beta1 = 0.9f, c.opt.beta2 = 0.999f, c.opt.eps = 1e-8f;
            if (kind == AX_OPT_ADAM) c.lr = 1e-3f;
            Model once("lenet5", 1, 12, 12, 4);
            ax_model_init(once.m, 4);
            ax_model_set_mac(once.m, e.e, &f, &bw);
            REQUIRE(ax_train(once.m, &d, nullptr, &c, &res, err, sizeof err) == 0);

            Model twice("lenet5", 1, 12, 12, 4);
            ax_model_init(twice.m, 4);
            ax_model_set_mac(twice.m, e.e, &f, &bw);
            const auto start = all_weights(twice.m);
            REQUIRE(ax_train(twice.m, &d, nullptr, &c, &res, err, sizeof err) == 0);
            // back to the start weights; the optimizer state of the first run stays
            size_t at = 0;
            for (int p = 0; p < twice.m->nparams; p++) {
                ax_param_t *q = &twice.m->param[p];
                std::memcpy(q->w, start.data() + at, (size_t)q->count * sizeof(float));
                at += (size_t)q->count;
            }
            bool state = false;
            for (int p = 0; p < twice.m->nparams; p++)
                for (int64_t i = 0; i < twice.m->param[p].count && twice.m->param[p].m; i++)
                    state |= twice.m->param[p].m[i] != 0.0f;
            REQUIRE(state); // there is state to leak
            REQUIRE(ax_train(twice.m, &d, nullptr, &c, &res, err, sizeof err) == 0);
            CHECK(same_bits(all_weights(twice.m), all_weights(once.m)));
        }
    }
    ax_dataset_free(&d);
}

TEST_CASE("training stops at an inf or NaN loss or gradient, before the update", "[nn]")
{
    engine e(AX_BACKEND_CPU, 2);
    char err[512];
    ax_train_result_t res;
    temp_dir tmp;
    const std::string out = std::string(tmp.path) + "/run.safetensors";
    SECTION("a forward that overflows")
    {
        auto d = synthetic(32, 4, 12, 7);
        const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
        Model m("mlp", 1, 12, 12, 4);
        ax_model_init(m.m, 4);
        ax_model_set_mac(m.m, e.e, &f, &f);
        for (int64_t i = 0; i < m.m->param[0].count; i++) m.m->param[0].w[i] = INFINITY;
        const auto before = all_weights(m.m);
        ax_train_cfg_t c = train_cfg(2, out.c_str());
        REQUIRE(ax_train(m.m, &d, &d, &c, &res, err, sizeof err) == -1);
        CHECK(res.diverged == 1);
        CHECK_THAT(err, Catch::Contains("diverged") && Catch::Contains("epoch 1, step 1 of 2"));
        CHECK(same_bits(all_weights(m.m), before)); // no update from that batch
        CHECK(access(out.c_str(), F_OK) != 0);      // no checkpoint of an unfinished epoch
        ax_dataset_free(&d);
    }
    SECTION("a gradient beyond the backward MAC's format")
    {
        auto d = synthetic(32, 4, 12, 7);
        for (int64_t i = 0; i < d.n * 144; i++) d.x[i] *= 100.0f; // beyond e2m3's max, 3.75
        const ax_mac_cfg_t f = mac("mul=exact,in=fp32"), bw = mac("mul=exact,in=e2m3");
        Model m("mlp", 1, 12, 12, 4);
        ax_model_init(m.m, 4);
        ax_model_set_mac(m.m, e.e, &f, &bw);
        const auto before = all_weights(m.m);
        ax_train_cfg_t c = train_cfg(1, nullptr);
        REQUIRE(ax_train(m.m, &d, nullptr, &c, &res, err, sizeof err) == -1);
        CHECK(res.diverged == 1);
        CHECK_THAT(err, Catch::Contains("diverged") && Catch::Contains("gradient of"));
        CHECK(same_bits(all_weights(m.m), before));
        // the same data trains with an exact backward MAC: the check is not vacuous
        ax_model_set_mac(m.m, e.e, &f, &f);
        CHECK(ax_train(m.m, &d, nullptr, &c, &res, err, sizeof err) == 0);
        CHECK(res.diverged == 0);
        ax_dataset_free(&d);
    }
}
