// test_estimate_snn.cpp — the estimate study of a spiking model
// (ax_estimate_plan_snn): a row per synapse MAC and per neuron, a neuron row
// over the checkpoint's neuron, each row's accuracy and counts equal to the
// network library's own evaluation through that row's arithmetic, resume, and
// bad rows. On a small snn-mlp trained here on synthetic data.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ax_ckpt.h"
#include "ax_estimate.h"
#include "nn_helpers.h"
#include "test_util.h"

namespace {

ax_neuron_cfg_t neuron_of(const char *s)
{
    ax_neuron_cfg_t c;
    char err[512];
    int rc = ax_neuron_parse(s, &c, err, sizeof err);
    INFO(err);
    REQUIRE(rc == 0);
    return c;
}

// An snn-mlp on 8x8 synthetic images (pixels in 0..1), trained briefly, and
// its checkpoint.
struct spiking {
    ax_dataset_t data = synthetic(96, 4, 8, 11);
    engine eng{AX_BACKEND_CPU, 2};
    Model model{"snn-mlp", 1, 8, 8, 4};
    ax_ckpt_t ckpt{};
    ax_snn_opts_t opts;
    spiking()
    {
        for (int64_t i = 0; i < data.n * 64; i++) data.x[i] = std::min(1.0f, std::fabs(data.x[i]) * 0.5f);
        ax_snn_opts_default(&opts);
        opts.steps = 3;
        opts.neuron = neuron_of("neuron=lif,beta=0.8,theta=0.5,reset=zero");
        char err[512];
        const ax_mac_cfg_t f = mac("mul=exact,in=fp32");
        ax_model_init(model.m, 3);
        ax_model_set_mac(model.m, eng.e, &f, &f);
        REQUIRE(ax_model_set_snn(model.m, &opts, err, sizeof err) == 0);
        ax_train_cfg_t c = train_cfg(2, nullptr);
        c.opt.kind = AX_OPT_ADAM, c.opt.beta1 = 0.9f, c.opt.beta2 = 0.999f, c.opt.eps = 1e-8f;
        c.lr = 2e-3f;
        ax_train_result_t res;
        INFO(err);
        REQUIRE(ax_train(model.m, &data, nullptr, &c, &res, err, sizeof err) == 0);
        REQUIRE(ax_model_to_ckpt(model.m, nullptr, &ckpt, err, sizeof err) == 0);
    }
    ~spiking()
    {
        ax_ckpt_free(&ckpt);
        ax_dataset_free(&data);
    }
    spiking(const spiking &) = delete;
    spiking &operator=(const spiking &) = delete;

    void study(ax_estimate_t &st, std::vector<const char *> syn, std::vector<const char *> neu)
    {
        char err[1024];
        ax_estimate_init(&st);
        st.retrain_epochs = 0, st.verify = 0;
        st.net = model.m, st.ckpt = &ckpt, st.weights = "(test)", st.data = "synthetic";
        st.test = &data, st.engine = eng.e, st.snn = opts;
        int rc = ax_estimate_plan_snn(&st, syn.data(), (int)syn.size(), neu.data(), (int)neu.size(),
                                      err, sizeof err);
        INFO(err);
        REQUIRE(rc == 0);
    }

    // The network library alone: accuracy, synaptic operations per image and
    // spikes per neuron through fwd and neuron.
    void direct(const char *fwd, const ax_neuron_cfg_t &n, double *acc, double *ops, double *rate)
    {
        char err[512];
        const ax_mac_cfg_t f = mac(fwd), f32 = mac("mul=exact,in=fp32");
        REQUIRE(ax_model_from_ckpt(model.m, nullptr, &ckpt, "(test)", err, sizeof err) == 0);
        ax_model_set_mac(model.m, eng.e, &f, &f32);
        ax_snn_opts_t o = opts;
        o.neuron = n;
        REQUIRE(ax_model_set_snn(model.m, &o, err, sizeof err) == 0);
        ax_model_stats_reset(model.m);
        double loss;
        REQUIRE(ax_evaluate(model.m, &data, 0, 32, &loss, acc, err, sizeof err) == 0);
        *ops = ax_model_synops_per_image(model.m);
        *rate = ax_model_spikes_per_neuron(model.m);
    }
};

} // namespace

TEST_CASE("estimate snn: rows of synapses and neurons, each the network's own evaluation", "[estimate]")
{
    spiking s;
    ax_estimate_t st;
    s.study(st, {"in=fp32,acc=fp32", "in=bf16,add=loa:l=16,acc=fp32"},
            {"fmt=bf16", "fmt=fp8e4m3,add=trunc", "neuron=if"});
    REQUIRE(st.nrows == 5);
    CHECK(st.rows[0].kind == AX_ROW_SYNAPSE);
    CHECK(st.rows[2].kind == AX_ROW_NEURON);
    // a neuron row changes only what it names: the leak, threshold and reset stay
    const ax_neuron_cfg_t &n = st.rows[2].neuron;
    CHECK(n.fmt.mbits == 7);
    CHECK(ax_to_double(n.beta, n.fmt) == 0.80078125); // 0.8 in bf16
    CHECK(ax_to_double(n.theta, n.fmt) == 0.5);
    CHECK(n.reset == AX_RESET_ZERO);
    CHECK(st.rows[3].neuron.add.id == AX_ADD_TRUNC);
    CHECK(st.rows[4].neuron.model == AX_NEURON_IF);
    CHECK(std::string(st.rows[4].mac).find("neuron=if") != std::string::npos);
    char err[1024];
    INFO(err);
    REQUIRE(ax_estimate_run(&st, err, sizeof err) == 0);
    // the baseline and every row against the library
    double acc, ops, rate;
    s.direct("mul=exact,in=fp32", s.opts.neuron, &acc, &ops, &rate);
    CHECK(st.base_acc == acc);
    CHECK(st.base_synops == ops);
    CHECK(st.base_spike_rate == rate);
    CHECK(ops > 0);
    CHECK(rate > 0);
    for (int i = 0; i < st.nrows; i++) {
        const ax_estimate_row_t &r = st.rows[i];
        const char *fwd = r.kind == AX_ROW_SYNAPSE ? (i == 0 ? "in=fp32,acc=fp32" : "in=bf16,add=loa:l=16,acc=fp32")
                                                   : "mul=exact,in=fp32";
        s.direct(fwd, r.neuron, &acc, &ops, &rate);
        INFO(r.name);
        CHECK(r.acc0 == acc);
        CHECK(r.synops == ops);
        CHECK(r.spike_rate == rate);
    }
    // the exact synapse row is the baseline
    CHECK(st.rows[0].acc0 == st.base_acc);
    CHECK(st.rows[0].synops == st.base_synops);
    ax_estimate_free(&st);
}

TEST_CASE("estimate snn: saved rows resume, for the same spiking options only", "[estimate]")
{
    spiking s;
    temp_dir tmp;
    char err[1024];
    ax_estimate_t st;
    s.study(st, {"in=bf16,add=trunc,acc=fp32"}, {"fmt=fp16"});
    REQUIRE(ax_estimate_run(&st, err, sizeof err) == 0);
    INFO(err);
    REQUIRE(ax_estimate_save(&st, tmp.path.c_str(), st.nrows, 1.0, nullptr, 0, err, sizeof err) >= 0);
    const double a0 = st.rows[1].acc0;
    ax_estimate_free(&st);
    // the CSV has the spiking columns
    std::ifstream in(tmp.path + "/results.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string csv = ss.str();
    CHECK(csv.find("synaptic_ops_per_image,spikes_per_neuron") != std::string::npos);
    // the same study takes both rows back
    s.study(st, {"in=bf16,add=trunc,acc=fp32"}, {"fmt=fp16"});
    REQUIRE(ax_estimate_baseline(&st, err, sizeof err) == 0);
    CHECK(ax_estimate_resume(&st, tmp.path.c_str(), err, sizeof err) == 2);
    CHECK(st.rows[1].acc0 == a0);
    ax_estimate_free(&st);
    // another checkpoint neuron is another study
    s.opts.neuron = neuron_of("neuron=lif,beta=0.8,theta=0.75,reset=zero");
    s.study(st, {"in=bf16,add=trunc,acc=fp32"}, {"fmt=fp16"});
    REQUIRE(ax_estimate_baseline(&st, err, sizeof err) == 0);
    CHECK(ax_estimate_resume(&st, tmp.path.c_str(), err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("cannot resume") && Catch::Contains("snn"));
    ax_estimate_free(&st);
}

TEST_CASE("estimate snn: bad rows are refused with the reason", "[estimate]")
{
    spiking s;
    ax_estimate_t st;
    ax_estimate_init(&st);
    st.snn = s.opts;
    char err[1024];
    const char *syn[] = {"in=bf16,add=nosuch"}, *neu[] = {"fmt=fp8e4m3"}, *bad_neu[] = {"beta=7"};
    CHECK(ax_estimate_plan_snn(&st, syn, 1, neu, 1, err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("synapse MAC") && Catch::Contains("nosuch"));
    CHECK(ax_estimate_plan_snn(&st, nullptr, 0, bad_neu, 1, err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("neuron row 'beta=7'") && Catch::Contains("outside [0, 1]"));
    CHECK(ax_estimate_plan_snn(&st, nullptr, 0, nullptr, 0, err, sizeof err) == -1);
    ax_estimate_free(&st);
}
