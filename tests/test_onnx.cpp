// test_onnx.cpp — ONNX import (networks/ax_onnx.c): models exported by
// PyTorch (tests/onnx/make_models.py, committed with PyTorch's logits and
// predictions) give PyTorch's logits within the accumulation-order tolerance
// and its predictions, in exact fp32 through the MAC; the comparison catches
// a planted error; malformed and unsupported files (made here by changing one
// field of a valid model through protobuf-c) are refused with the reason and
// nothing half-imported.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ax_ckpt.h"
#include "ax_data.h"
#include "ax_onnx.h"
#include "ax_train.h"
#include "onnx.pb-c.h"
#include "test_util.h"

namespace {

const char *const fashion = "/usr/share/datasets/fashion-mnist";

std::string onnx_path(const std::string &name)
{
    return std::string(AXSIM_SOURCE_DIR) + "/tests/onnx/" + name;
}

// The test images as make_models.py feeds them: x/255, then (x - 0.2860) / 0.3530 in float32.
bool test_images(ax_dataset_t *d)
{
    char err[512];
    if (ax_dataset_load_mnist_dir(fashion, 0, d, err, sizeof err)) return false;
    ax_dataset_normalize(d, (float)(1.0 / 255.0), 0.2860f, 0.3530f);
    return true;
}

struct compared {
    int64_t mismatches = 0;   // predictions unlike PyTorch's
    double worst = 0;         // max |axsim - torch| / (1 + |torch|) over the logits compared
};

// axsim's logits of the first n images against PyTorch's (logits of the
// first 1,000, predictions of all).
compared compare(ax_model_t *m, const ax_dataset_t *d, const std::string &name, int64_t n)
{
    compared r;
    char err[512];
    ax_array_t lg{}, pr{};
    REQUIRE(ax_npy_load(onnx_path(name + ".logits.npy").c_str(), &lg, err, sizeof err) == 0);
    REQUIRE(ax_npy_load(onnx_path(name + ".pred.npy").c_str(), &pr, err, sizeof err) == 0);
    REQUIRE(lg.ndim == 2);
    REQUIRE(lg.dims[1] == m->classes);
    REQUIRE(pr.count >= n);
    ax_engine_t *e = ax_engine_create(AX_BACKEND_CPU, 0, err, sizeof err);
    REQUIRE(e);
    ax_mac_cfg_t f32;
    REQUIRE(ax_mac_parse("mul=exact,in=fp32", &f32, err, sizeof err) == 0);
    ax_model_set_mac(m, e, &f32, &f32);
    std::vector<float> out((size_t)(n * m->classes));
    double loss, acc;
    REQUIRE(ax_evaluate_logits(m, d, n, 256, &loss, &acc, out.data(), err, sizeof err) == 0);
    for (int64_t i = 0; i < n; i++) {
        const float *l = &out[(size_t)(i * m->classes)];
        int arg = 0;
        for (int k = 1; k < m->classes; k++)
            if (l[k] > l[arg]) arg = k;
        r.mismatches += arg != (int)pr.data[i];
        if (i < lg.dims[0])
            for (int k = 0; k < m->classes; k++) {
                double t = lg.data[i * m->classes + k];
                r.worst = std::fmax(r.worst, std::fabs(l[k] - t) / (1 + std::fabs(t)));
            }
    }
    ax_engine_free(e);
    ax_array_free(&lg);
    ax_array_free(&pr);
    return r;
}

// The tolerance of the logits: PyTorch sums in another order (oneDNN's
// blocking, its own im2col), so fp32 logits differ in the last bits. The
// largest difference seen over the models is 4.5e-6 relative; 1e-4 is 20x
// that and far below the gaps between logits that decide a prediction.
const double tolerance = 1e-4;

// Images compared per model in the unit suite (all 10,000 under [slow]); fewer
// under the sanitizers, which look for memory errors, not numbers.
#ifdef AX_TEST_SANITIZED
const int64_t sample = 100;
#else
const int64_t sample = 1000;
#endif

const char *const models[] = {"lenet5", "resnet8_bn", "resnet8_fold", "ops_mlp", "ops_conv", "ops_act", "ops_act9"};

// The ResNet-8 of resnet8_bn.onnx as PyTorch's state_dict in safetensors
// (PyTorch's CIFAR names, I64 num_batches_tracked, no metadata), renamed by
// examples/rename/resnet-cifar.txt into the built-in resnet8.
ax_model_t *resnet8_from_state_dict()
{
    char err[1024];
    ax_ckpt_t c{};
    REQUIRE(ax_ckpt_load(onnx_path("resnet8.safetensors").c_str(), &c, err, sizeof err) == 0);
    const std::string rules = std::string(AXSIM_SOURCE_DIR) + "/examples/rename/resnet-cifar.txt";
    CHECK(ax_ckpt_rename(&c, rules.c_str(), err, sizeof err) == 56); // all 47 parameters and buffers, 9 num_batches_tracked
    const char *arch = ax_model_guess(&c, err, sizeof err);
    REQUIRE(arch);
    CHECK(std::string(arch) == "resnet8");
    ax_model_t *m = ax_model_create(arch, 1, 28, 28, 10, err, sizeof err);
    REQUIRE(m);
    INFO(err);
    REQUIRE(ax_model_load_ckpt(m, &c, "resnet8.safetensors", err, sizeof err) == 0);
    CHECK(ax_model_ckpt_unused(m, &c, nullptr, 0) == 9);
    ax_ckpt_free(&c);
    return m;
}

} // namespace

TEST_CASE("onnx: PyTorch exports give PyTorch's logits and predictions in exact fp32", "[onnx]")
{
    ax_dataset_t d{};
    if (!test_images(&d)) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    for (const char *name : models) {
        DYNAMIC_SECTION(name)
        {
            char err[1024], notes[512];
            ax_model_t *m = ax_onnx_load(onnx_path(std::string(name) + ".onnx").c_str(), notes, sizeof notes,
                                         err, sizeof err);
            INFO(err);
            REQUIRE(m);
            CHECK(m->in_c == 1);
            CHECK(m->in_h == 28);
            CHECK(m->classes == 10);
            if (!strcmp(name, "ops_mlp")) CHECK_THAT(std::string(notes), Catch::Contains("final Softmax is left out"));
            else CHECK(std::string(notes).empty());
            compared r = compare(m, &d, name, sample);
            CHECK(r.mismatches == 0);
            CHECK(r.worst < tolerance);
            ax_model_free(m);
        }
    }
    ax_dataset_free(&d);
}

TEST_CASE("onnx: the same ResNet as PyTorch's state_dict in safetensors predicts as PyTorch", "[onnx][ckpt]")
{
    ax_dataset_t d{};
    if (!test_images(&d)) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    ax_model_t *m = resnet8_from_state_dict();
    compared r = compare(m, &d, "resnet8_bn", sample);
    CHECK(r.mismatches == 0);
    CHECK(r.worst < tolerance);
    ax_model_free(m);
    ax_dataset_free(&d);
}

TEST_CASE("onnx: PyTorch's LeNet-5 state_dict in safetensors predicts as PyTorch", "[onnx][ckpt]")
{
    ax_dataset_t d{};
    if (!test_images(&d)) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    char err[1024];
    ax_ckpt_t c{};
    REQUIRE(ax_ckpt_load(onnx_path("lenet5.safetensors").c_str(), &c, err, sizeof err) == 0);
    CHECK(c.nmeta == 0); // as PyTorch writes it: no model, no normalization
    const char *arch = ax_model_guess(&c, err, sizeof err);
    REQUIRE(arch);
    CHECK(std::string(arch) == "lenet5");
    ax_model_t *m = ax_model_create(arch, 1, 28, 28, 10, err, sizeof err);
    REQUIRE(m);
    REQUIRE(ax_model_load_ckpt(m, &c, "lenet5.safetensors", err, sizeof err) == 0);
    ax_ckpt_free(&c);
    compared r = compare(m, &d, "lenet5", 10 * sample); // all of them: LeNet-5 is quick
    CHECK(r.mismatches == 0);
    CHECK(r.worst < tolerance);
    ax_model_free(m);
    ax_dataset_free(&d);
}

TEST_CASE("onnx: the layers PyTorch's operators map to", "[onnx]")
{
    char err[1024];
    ax_model_t *m = ax_onnx_load(onnx_path("ops_conv.onnx").c_str(), nullptr, 0, err, sizeof err);
    REQUIRE(m);
    // conv a (3x3 /2 pad 1), relu, conv b (dilation 2, pad 2), relu, avgpool 2, conv c
    // (depthwise), relu, conv d (3x1, pad 1x0), relu, maxpool 3/2, global avgpool, flatten, fc
    std::vector<ax_layer_t> want = {AX_LAYER_CONV, AX_LAYER_RELU, AX_LAYER_CONV, AX_LAYER_RELU,
                                    AX_LAYER_AVGPOOL, AX_LAYER_CONV, AX_LAYER_RELU, AX_LAYER_CONV,
                                    AX_LAYER_RELU, AX_LAYER_MAXPOOL, AX_LAYER_AVGPOOL, AX_LAYER_FLATTEN,
                                    AX_LAYER_LINEAR};
    REQUIRE(m->nnodes == (int)want.size());
    for (int i = 0; i < m->nnodes; i++) CHECK(m->node[i].kind == want[(size_t)i]);
    const ax_node_t *a = &m->node[0], *b = &m->node[2], *c = &m->node[5], *dd = &m->node[7];
    CHECK((a->sh == 2 && a->ph == 1 && a->h == 14));
    CHECK((b->dh == 2 && b->ph == 2 && b->h == 14));
    CHECK((c->groups == 8 && c->bias < 0));
    CHECK((dd->kh == 3 && dd->kw == 1 && dd->ph == 1 && dd->pw == 0 && dd->h == 7 && dd->w == 7));
    CHECK(std::string(m->param[a->weight].name) == "a.weight"); // PyTorch's module names
    ax_model_free(m);
    // MatMul + Add folds the Add into the layer's bias; the Transpose of W1 is computed here
    m = ax_onnx_load(onnx_path("ops_mlp.onnx").c_str(), nullptr, 0, err, sizeof err);
    REQUIRE(m);
    int linear = 0, biased = 0;
    for (int i = 0; i < m->nnodes; i++)
        if (m->node[i].kind == AX_LAYER_LINEAR) linear++, biased += m->node[i].bias >= 0;
    CHECK(linear == 2);
    CHECK(biased == 2);
    ax_model_free(m);
    // BatchNormalization kept as batchnorm; folded into the convolutions by the opset-9 export
    int bn[2] = {0, 0};
    const char *rn[2] = {"resnet8_bn.onnx", "resnet8_fold.onnx"};
    for (int k = 0; k < 2; k++) {
        m = ax_onnx_load(onnx_path(rn[k]).c_str(), nullptr, 0, err, sizeof err);
        REQUIRE(m);
        for (int i = 0; i < m->nnodes; i++) bn[k] += m->node[i].kind == AX_LAYER_BN;
        ax_model_free(m);
    }
    CHECK(bn[0] == 9);
    CHECK(bn[1] == 0);
}

TEST_CASE("onnx: the comparison catches a planted error", "[onnx]")
{
    ax_dataset_t d{};
    if (!test_images(&d)) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    char err[1024];
    ax_model_t *m = ax_onnx_load(onnx_path("lenet5.onnx").c_str(), nullptr, 0, err, sizeof err);
    REQUIRE(m);
    // the last layer's bias of class 3 off by 0.01: within no tolerance of PyTorch's logits
    const ax_node_t *fc = &m->node[m->nnodes - 1];
    m->param[fc->bias].w[3] += 0.01f;
    compared r = compare(m, &d, "lenet5", 200);
    CHECK(r.worst > tolerance);
    ax_model_free(m);
    ax_dataset_free(&d);
}

TEST_CASE("onnx: all 10,000 test images predicted as PyTorch predicts them", "[onnx][slow]")
{
    ax_dataset_t d{};
    if (!test_images(&d)) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    for (const char *name : models) {
        char err[1024];
        ax_model_t *m = ax_onnx_load(onnx_path(std::string(name) + ".onnx").c_str(), nullptr, 0, err, sizeof err);
        REQUIRE(m);
        compared r = compare(m, &d, name, 10000);
        INFO(name);
        CHECK(r.mismatches == 0);
        CHECK(r.worst < tolerance);
        ax_model_free(m);
    }
    ax_model_t *m = resnet8_from_state_dict(); // the checkpoint path: --weights with --rename
    compared r = compare(m, &d, "resnet8_bn", 10000);
    CHECK(r.mismatches == 0);
    CHECK(r.worst < tolerance);
    ax_model_free(m);
    ax_dataset_free(&d);
}

namespace {

// lenet5.onnx unpacked, changed by f, packed into a file; the change is
// undone before the message is freed (protobuf-c owns its pointers).
std::string mutate(const std::string &dir, const char *name, const std::function<void(Onnx__ModelProto *, bool)> &f)
{
    FILE *in = std::fopen(onnx_path("lenet5.onnx").c_str(), "rb");
    REQUIRE(in);
    std::vector<uint8_t> b(1 << 20);
    size_t n = std::fread(b.data(), 1, b.size(), in);
    std::fclose(in);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(nullptr, n, b.data());
    REQUIRE(mp);
    f(mp, true);
    std::vector<uint8_t> out(onnx__model_proto__get_packed_size(mp));
    onnx__model_proto__pack(mp, out.data());
    f(mp, false);
    onnx__model_proto__free_unpacked(mp, nullptr);
    std::string p = dir + "/" + name + ".onnx";
    FILE *o = std::fopen(p.c_str(), "wb");
    std::fwrite(out.data(), 1, out.size(), o);
    std::fclose(o);
    return p;
}

std::string load_error(const std::string &path)
{
    char err[1024] = "";
    ax_model_t *m = ax_onnx_load(path.c_str(), nullptr, 0, err, sizeof err);
    if (m) {
        ax_model_free(m);
        return "loaded";
    }
    return err;
}

Onnx__NodeProto *node_of(Onnx__ModelProto *mp, const char *op, int nth = 0)
{
    for (size_t i = 0; i < mp->graph->n_node; i++)
        if (!strcmp(mp->graph->node[i]->op_type, op) && nth-- == 0) return mp->graph->node[i];
    return nullptr;
}

Onnx__AttributeProto *attr_of(Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (!strcmp(n->attribute[i]->name, name)) return n->attribute[i];
    return nullptr;
}

} // namespace

TEST_CASE("onnx: malformed and unsupported files are refused with the reason", "[onnx]")
{
    temp_dir d;
    // the unchanged round trip loads: the changes below are what fails
    CHECK(load_error(mutate(d.path, "same", [](Onnx__ModelProto *, bool) {})) == "loaded");
    // not a model at all
    {
        std::string p = d.path + "/text.onnx";
        FILE *f = std::fopen(p.c_str(), "w");
        std::fputs("this is not protobuf\n", f);
        std::fclose(f);
        CHECK_THAT(load_error(p), Catch::Contains("not an ONNX model"));
        f = std::fopen((d.path + "/empty.onnx").c_str(), "w");
        std::fclose(f);
        CHECK_THAT(load_error(d.path + "/empty.onnx"), Catch::Contains("no graph"));
        CHECK_THAT(load_error(d.path + "/none.onnx"), Catch::Contains("cannot open"));
    }
    // truncated
    {
        FILE *in = std::fopen(onnx_path("lenet5.onnx").c_str(), "rb");
        std::vector<uint8_t> b(1 << 20);
        size_t n = std::fread(b.data(), 1, b.size(), in);
        std::fclose(in);
        std::string p = d.path + "/cut.onnx";
        FILE *o = std::fopen(p.c_str(), "wb");
        std::fwrite(b.data(), 1, n / 2, o);
        std::fclose(o);
        CHECK_THAT(load_error(p), Catch::Contains("not an ONNX model"));
    }
    static char nowhere[] = "nowhere", selu[] = "Selu", custom[] = "com.example";
    struct change {
        const char *name, *want;
        std::function<void(Onnx__ModelProto *, bool)> f;
    };
    std::vector<change> cases = {
        {"cycle", "cycle through node", [](Onnx__ModelProto *mp, bool on) {
             static char *keep;
             Onnx__NodeProto *conv = node_of(mp, "Conv"), *relu = node_of(mp, "Relu");
             if (on) keep = conv->input[0], conv->input[0] = relu->output[0];
             else conv->input[0] = keep;
         }},
        {"missing", "input 'nowhere' is produced by no node, initializer or graph input",
         [](Onnx__ModelProto *mp, bool on) {
             static char *keep;
             Onnx__NodeProto *n = node_of(mp, "Relu", 1);
             if (on) keep = n->input[0], n->input[0] = nowhere;
             else n->input[0] = keep;
         }},
        {"op", "operator Selu is not supported; axsim imports Conv, Gemm", [](Onnx__ModelProto *mp, bool on) {
             static char *keep;
             static Onnx__NodeProto *n; // found before the change: "Relu" names another node after it
             if (on) n = node_of(mp, "Relu"), keep = n->op_type, n->op_type = selu;
             else n->op_type = keep;
         }},
        {"domain", "operator domain 'com.example'", [](Onnx__ModelProto *mp, bool on) {
             static char *keep;
             Onnx__NodeProto *n = node_of(mp, "Relu");
             if (on) keep = n->domain, n->domain = custom;
             else n->domain = keep;
         }},
        {"external", "keeps its data in an external file", [](Onnx__ModelProto *mp, bool on) {
             Onnx__TensorProto *t = mp->graph->initializer[0];
             t->has_data_location = on;
             t->data_location = on ? ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL
                                   : ONNX__TENSOR_PROTO__DATA_LOCATION__DEFAULT;
         }},
        {"dtype", "has data type 8", [](Onnx__ModelProto *mp, bool on) {
             mp->graph->initializer[0]->data_type = on ? ONNX__TENSOR_PROTO__DATA_TYPE__STRING
                                                       : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
         }},
        {"short", "values, its dims need", [](Onnx__ModelProto *mp, bool on) {
             mp->graph->initializer[0]->raw_data.len += on ? -4 : 4;
         }},
        {"opset", "opset 18; axsim reads opsets 9 to 17", [](Onnx__ModelProto *mp, bool on) {
             static int64_t keep;
             if (on) keep = mp->opset_import[0]->version, mp->opset_import[0]->version = 18;
             else mp->opset_import[0]->version = keep;
         }},
        {"pads", "are not the same on both sides", [](Onnx__ModelProto *mp, bool on) {
             Onnx__AttributeProto *a = attr_of(node_of(mp, "Conv"), "pads");
             a->ints[2] += on ? -1 : 1;
         }},
        {"attr", "attribute strides must hold 2 integers", [](Onnx__ModelProto *mp, bool on) {
             Onnx__AttributeProto *a = attr_of(node_of(mp, "Conv"), "strides");
             a->n_ints += on ? -1 : 1;
         }},
        {"outputs", "the graph has 0 outputs", [](Onnx__ModelProto *mp, bool on) {
             mp->graph->n_output += on ? -1 : 1;
         }},
        {"shape", "the weight takes 400 inputs, its input has 784", [](Onnx__ModelProto *mp, bool on) {
             static char *keep;
             Onnx__NodeProto *flat = node_of(mp, "Flatten");
             if (on) keep = flat->input[0], flat->input[0] = mp->graph->input[0]->name;
             else flat->input[0] = keep;
         }},
    };
    for (const auto &c : cases) {
        INFO(c.name);
        CHECK_THAT(load_error(mutate(d.path, c.name, c.f)), Catch::Contains(c.want));
    }
}
