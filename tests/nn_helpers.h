// nn_helpers.h — what the network tests share (test_nn.cpp, test_snn.cpp):
// a model that frees itself, uniform noise, a synthetic dataset (a bright
// patch per class), a model's weights as one vector, bit equality, a
// training recipe.
#ifndef AX_NN_HELPERS_H
#define AX_NN_HELPERS_H

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "ax_nn.h"
#include "ax_rng.h"
#include "ax_train.h"

namespace {

struct Model {
    ax_model_t *m;
    Model(const char *arch, int c, int h, int w, int classes)
    {
        char err[256];
        m = ax_model_create(arch, c, h, w, classes, err, sizeof err);
        if (!m) throw std::runtime_error(err);
    }
    ~Model() { ax_model_free(m); }
};

inline std::vector<float> randn(size_t n, uint64_t seed)
{
    ax_rng_t r = {seed};
    std::vector<float> v(n);
    for (auto &x : v) x = (float)((double)(ax_rng_next(&r) >> 40) * 0x1p-24 * 2.0 - 1.0);
    return v;
}

inline ax_dataset_t synthetic(int64_t n, int classes, int h, uint64_t seed)
{
    // class k: a bright 2x2 patch at a class-specific place, plus noise
    ax_dataset_t d;
    std::memset(&d, 0, sizeof d);
    d.n = n, d.c = 1, d.h = h, d.w = h, d.classes = classes;
    d.x = (float *)std::malloc((size_t)(n * h * h) * sizeof(float));
    d.y = (int32_t *)std::malloc((size_t)n * sizeof(int32_t));
    auto noise = randn((size_t)(n * h * h), seed);
    for (int64_t i = 0; i < n; i++) {
        int k = (int)(i * 7 % classes);
        d.y[i] = k;
        float *img = d.x + i * h * h;
        for (int j = 0; j < h * h; j++) img[j] = 0.3f * noise[(size_t)(i * h * h + j)];
        int py = (k * 3) % (h - 2), px = (k * 5) % (h - 2);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) img[(py + a) * h + px + b] += 2.0f;
    }
    return d;
}

inline std::vector<float> all_weights(const ax_model_t *m)
{
    std::vector<float> v;
    for (int p = 0; p < m->nparams; p++) v.insert(v.end(), m->param[p].w, m->param[p].w + m->param[p].count);
    return v;
}

inline bool same_bits(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

inline ax_train_cfg_t train_cfg(int64_t epochs, const char *out)
{
    ax_train_cfg_t c;
    std::memset(&c, 0, sizeof c);
    c.epochs = epochs, c.batch = 16, c.lr = 0.05f, c.sched = AX_SCHED_COSINE, c.seed = 5;
    c.opt.kind = AX_OPT_SGD, c.opt.momentum = 0.9f, c.opt.weight_decay = 5e-4f;
    c.out = out, c.resume = out != nullptr;
    c.mac_fwd = "fwd", c.mac_bwd = "bwd", c.data_name = "synthetic";
    c.norm_scale = 1, c.norm_mean = 0, c.norm_std = 1;
    return c;
}

} // namespace

#endif
