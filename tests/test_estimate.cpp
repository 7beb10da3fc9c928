// test_estimate.cpp — study/ax_estimate.c: the estimate study (axsim
// estimate) as a library, on the shipped LeNet-5 and the first test images
// of Fashion-MNIST (skipped with a warning without Debian's
// dataset-fashion-mnist). Expected accuracies come from the network library
// itself (ax_model_load_ckpt, ax_evaluate), never from the study.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <unistd.h>
#include <vector>

#include "ax_ckpt.h"
#include "ax_estimate.h"
#include "test_util.h"

namespace {

const char *const fashion = "/usr/share/datasets/fashion-mnist";

bool have_fashion()
{
    return access((std::string(fashion) + "/t10k-images-idx3-ubyte.gz").c_str(), R_OK) == 0;
}

// The shipped LeNet-5, its checkpoint and the test set normalized as the
// checkpoint says, on a cpu engine.
struct network {
    std::string path = std::string(AXSIM_SOURCE_DIR) + "/networks/weights/lenet5-fashion-mnist.safetensors";
    ax_ckpt_t ckpt{};
    ax_dataset_t test{};
    ax_model_t *m = nullptr;
    engine eng{AX_BACKEND_CPU};
    network()
    {
        char err[1024];
        if (ax_ckpt_load(path.c_str(), &ckpt, err, sizeof err)) throw std::runtime_error(err);
        if (ax_dataset_load_mnist_dir(fashion, 0, &test, err, sizeof err)) throw std::runtime_error(err);
        double norm[3];
        const char *keys[3] = {"norm_scale", "norm_mean", "norm_std"};
        for (int i = 0; i < 3; i++)
            if (ax_ckpt_meta_double(&ckpt, path.c_str(), keys[i], -1e30, 1e30, &norm[i], err, sizeof err) != 1)
                throw std::runtime_error(std::string("checkpoint metadata ") + keys[i] + ": " + err);
        ax_dataset_normalize(&test, (float)norm[0], (float)norm[1], (float)norm[2]);
        m = ax_model_create("lenet5", 1, 28, 28, 10, err, sizeof err);
        if (!m) throw std::runtime_error(err);
    }
    ~network()
    {
        ax_model_free(m);
        ax_dataset_free(&test);
        ax_ckpt_free(&ckpt);
    }
    network(const network &) = delete;
    network &operator=(const network &) = delete;

    // The accuracy of the checkpoint on the first n test images with every
    // forward MAC through spec: the network library alone.
    double accuracy(const char *spec, int64_t n)
    {
        char err[1024];
        const ax_mac_cfg_t fwd = mac(spec), f32 = mac("mul=exact,in=fp32");
        REQUIRE(ax_model_load_ckpt(m, &ckpt, path.c_str(), err, sizeof err) == 0);
        ax_model_set_mac(m, eng.e, &fwd, &f32);
        double loss, acc;
        REQUIRE(ax_evaluate(m, &test, n, 256, &loss, &acc, err, sizeof err) == 0);
        return acc;
    }

    // A study of units x formats on the first n test images, no retraining,
    // no RTL checks.
    void study(ax_estimate_t &st, std::vector<const char *> units, std::vector<const char *> fmts, int64_t n)
    {
        char err[1024];
        ax_estimate_init(&st);
        st.test_limit = (uint64_t)n, st.retrain_epochs = 0, st.verify = 0;
        const int rc = ax_estimate_plan(&st, units.data(), (int)units.size(), fmts.data(), (int)fmts.size(),
                                        nullptr, err, sizeof err);
        INFO(err);
        REQUIRE(rc == 0);
        st.net = m, st.ckpt = &ckpt, st.weights = path.c_str(), st.data = fashion, st.test = &test;
        st.engine = eng.e;
    }
};

struct calls {
    std::vector<int> done;
    int evaluated = 0;
};

int on_row(void *ctx, const ax_estimate_t *, int row, char *, size_t)
{
    static_cast<calls *>(ctx)->done.push_back(row);
    return 0;
}

void on_stage(void *ctx, int, const char *stage, const ax_train_progress_t *)
{
    if (std::string(stage) == "evaluate") static_cast<calls *>(ctx)->evaluated++;
}

} // namespace

TEST_CASE("estimate: a row per unit and format, formats outer", "[estimate]")
{
    ax_estimate_t st;
    ax_estimate_init(&st);
    const char *units[] = {"mul_exact", "mul_mitchell"}, *fmts[] = {"bf16", "e3m2"};
    char err[1024] = "";
    const int rc = ax_estimate_plan(&st, units, 2, fmts, 2, "mul=exact,in=bf16,add=loa:l=8", err, sizeof err);
    INFO(err);
    REQUIRE(rc == 0);
    REQUIRE(st.nrows == 2 * 2 + 1); // units x formats, then the adder row
    const ax_estimate_row_t *r = st.rows;
    CHECK(std::string(r[0].name) == "mul_exact bf16");
    CHECK(std::string(r[1].name) == "mul_mitchell bf16");
    CHECK(std::string(r[2].mac) == "mul=mul_exact,in=e3m2,prod=fp32,add=add_exact,acc=fp32");
    CHECK(std::string(r[3].rtl) == "mul_mitchell.e3m2.fp32");
    CHECK((r[4].is_adder && std::string(r[4].name) == "mul_exact+add_loa:l=8 bf16"));
    CHECK(std::string(r[4].rtl) == "add_loa.fp32.fp32 mul_exact.bf16.fp32"); // default parameters: bare
    CHECK((r[0].have_metrics && r[1].have_metrics));
    CHECK(r[0].met.mred == 0.0);
    CHECK(r[1].met.mred > 0.01); // Mitchell errs by up to 1/9
    ax_estimate_free(&st);
}

TEST_CASE("estimate: each row's accuracy is the network's through that row's MAC", "[estimate]")
{
    if (!have_fashion()) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    network net;
    const int64_t n = 500;
    const double want_fp32 = net.accuracy("mul=exact,in=fp32", n);
    const double want_e3m2 = net.accuracy("mul=exact,in=e3m2,prod=fp32,add=exact,acc=fp32", n);
    REQUIRE(want_fp32 > 0.8);         // the shipped weights, not a fresh model
    REQUIRE(want_e3m2 != want_fp32); // so that a row evaluated through the wrong MAC shows

    ax_estimate_t st;
    net.study(st, {"mul_exact"}, {"e3m2", "fp32"}, n);
    calls seen;
    st.row_done = on_row, st.progress = on_stage, st.ctx = &seen;
    char err[1024] = "";
    const int rc = ax_estimate_run(&st, err, sizeof err);
    INFO(err);
    REQUIRE(rc == 0);

    REQUIRE(st.nrows == 1 * 2); // units x formats, no adder row
    CHECK(seen.done == std::vector<int>({0, 1}));
    CHECK(seen.evaluated == 2);
    CHECK(st.base_acc == want_fp32);
    CHECK(st.ntest == n);
    const ax_estimate_row_t *r = st.rows;
    CHECK(r[0].acc0 == want_e3m2);
    CHECK(r[1].acc0 == want_fp32); // the exact fp32 MAC is the plain network
    for (int i = 0; i < st.nrows; i++) {
        CHECK(r[i].rtl_status == AX_RTL_NOT_RUN);
        CHECK(std::isnan(r[i].acc1));
        CHECK(std::string(ax_estimate_retrain_text(&r[i])) == "none");
    }
    ax_estimate_free(&st);
}

TEST_CASE("estimate: saved rows resume whole, for the same study only", "[estimate]")
{
    if (!have_fashion()) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    network net;
    temp_dir dir;
    char err[1024] = "";
    ax_estimate_t a;
    net.study(a, {"mul_exact", "mul_mitchell"}, {"bf16"}, 100);
    REQUIRE(ax_estimate_run(&a, err, sizeof err) == 0);
    REQUIRE(ax_estimate_save(&a, dir.path.c_str(), 1, 1.0, nullptr, 0, err, sizeof err) == 0);
    CHECK(ax_estimate_unfinished(dir.path.c_str()) == 1); // one row of two

    // an interrupted run: the saved row is taken over, not computed again
    ax_estimate_t b;
    net.study(b, {"mul_exact", "mul_mitchell"}, {"bf16"}, 100);
    REQUIRE(ax_estimate_baseline(&b, err, sizeof err) == 0);
    REQUIRE(ax_estimate_resume(&b, dir.path.c_str(), err, sizeof err) == 1);
    CHECK((b.rows[0].resumed && !b.rows[1].resumed));
    calls seen;
    b.progress = on_stage, b.ctx = &seen;
    REQUIRE(ax_estimate_run(&b, err, sizeof err) == 0);
    CHECK(seen.evaluated == 1);
    for (int i = 0; i < 2; i++) CHECK(b.rows[i].acc0 == a.rows[i].acc0);

    char plot_err[512];
    REQUIRE(ax_estimate_save(&b, dir.path.c_str(), 2, 2.0, plot_err, sizeof plot_err, err, sizeof err) >= 0);
    CHECK(ax_estimate_unfinished(dir.path.c_str()) == 0);

    // another learning rate is another study: refused, naming the difference
    ax_estimate_t c;
    net.study(c, {"mul_exact", "mul_mitchell"}, {"bf16"}, 100);
    c.lr = 0.01;
    REQUIRE(ax_estimate_baseline(&c, err, sizeof err) == 0);
    CHECK(ax_estimate_resume(&c, dir.path.c_str(), err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("retrain_lr"));
    ax_estimate_free(&a), ax_estimate_free(&b), ax_estimate_free(&c);
}

TEST_CASE("estimate: units must be multipliers", "[estimate]")
{
    ax_estimate_t st;
    ax_estimate_init(&st);
    const char *units[] = {"mul_mbm", "add_loa"}, *fmts[] = {"bf16"};
    char err[1024];
    CHECK(ax_estimate_plan(&st, units, 2, fmts, 1, nullptr, err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("'add_loa'") && Catch::Contains("not a multiplier"));
    CHECK(st.rows == nullptr);
    const char *bad[] = {"mul_nosuch"};
    CHECK(ax_estimate_plan(&st, bad, 1, fmts, 1, nullptr, err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("mul_nosuch"));
}

TEST_CASE("estimate: DAA rows name the verifier's DAA PE and carry the policy's metrics", "[estimate][daa]")
{
    ax_estimate_t st;
    ax_estimate_init(&st);
    const char *units[] = {"mul_exact"}, *fmts[] = {"bf16"};
    char err[1024];
    REQUIRE(ax_estimate_plan(&st, units, 1, fmts, 1, nullptr, err, sizeof err) == 0);
    // the names cosim/CMakeLists.txt gives its default DAA PEs (AXSIM_COSIM_DAA)
    REQUIRE(ax_estimate_add_daa(&st, "daa:hi=realm,lo=drum:k=3,lo_in=fp8e5m2,policy=random,seed=9,"
                                     "in=fp16:ftz,prod=fp16,add=eta:l=10,acc=fp32",
                                err, sizeof err) == 0);
    REQUIRE(ax_estimate_add_daa(&st, "daa:lo=mitchell,policy=zero,in=bf16", err, sizeof err) == 0);
    REQUIRE(st.nrows == 3);
    CHECK(st.rows[1].kind == AX_ROW_DAA);
    CHECK(std::string(st.rows[1].rtl) ==
          "daa.random9.mul_realm/mul_drum:k=3+add_eta:l=10.fp16:ftz/fp8e5m2.fp16.fp32");
    CHECK(std::string(st.rows[2].rtl) == "daa.zero.mul_exact/mul_mitchell+add_exact.bf16/bf16.fp32.fp32");
    // the policy's metrics: between all hi and all lo
    const ax_daa_metrics_t &m = st.rows[2].daa;
    CHECK(m.ned_hi < m.ned);
    CHECK(m.ned < m.ned_lo);
    CHECK(m.hi_fraction > 0.5);
    CHECK(st.rows[2].have_metrics == 0);
    // a plain MAC is not a DAA row
    CHECK(ax_estimate_add_daa(&st, "mul=exact,in=bf16", err, sizeof err) == -1);
    CHECK_THAT(err, Catch::Contains("not a DAA configuration"));
    CHECK(st.nrows == 3);
    ax_estimate_free(&st);
}
