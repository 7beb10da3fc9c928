/* ax_nn.h — DNN models whose every multiply-accumulate goes through a
 * configured MAC (docs/networks.md).
 *
 * A model is a list of nodes in execution order; each reads one or two
 * earlier nodes (or the network input) and writes one float32 NCHW tensor.
 * Linear and conv2d nodes run their forward, input-gradient and
 * weight-gradient GEMMs on the fast path (ax_fastpath.h): operands are
 * quantized from float32 to the MAC's input format, every product and sum is
 * the MAC's, the results (in the accumulator format) are read back exactly.
 * Everything that is not a multiply-accumulate — bias, batchnorm, pooling,
 * relu, softmax, the optimizer — is plain float32/double host code in a fixed
 * order, as an accelerator's vector unit would do it. So the same seed and
 * configuration give the same bits on every backend.
 *
 *   ax_model_t *m = ax_model_create("lenet5", 1, 28, 28, 10, err, sizeof err);
 *   ax_model_init(m, seed);
 *   ax_model_set_mac(m, eng, &fwd, &bwd);
 *   ax_model_forward(m, x, n, 1, err, sizeof err);        // logits: ax_model_output
 */
#ifndef AX_NN_H
#define AX_NN_H

#include <stddef.h>
#include <stdint.h>

#include "ax_ckpt.h"
#include "ax_fastpath.h"
#include "ax_neuron.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ax_layer {
    AX_LAYER_LINEAR,  /* y = x W^T + b over c*h*w inputs; output (n, out, 1, 1) */
    AX_LAYER_CONV,    /* ax_conv2d_* (+ bias per channel) */
    AX_LAYER_RELU,
    AX_LAYER_MAXPOOL, /* k x k, stride s, no padding */
    AX_LAYER_AVGPOOL, /* k x k, stride s; k = 0: global (output 1 x 1) */
    AX_LAYER_BN,      /* batchnorm over (n, h, w) per channel */
    AX_LAYER_FLATTEN, /* (n, c*h*w, 1, 1) */
    AX_LAYER_DROPOUT, /* inverted dropout with probability p while training */
    AX_LAYER_ADD,     /* residual: y = a + b */
    /* spiking models (ax_snn.c, docs/snn.md): the nodes between the encoder
     * and the readout hold T x n images, time-major (step t of image b is
     * item t*n + b); a linear or conv node whose input carries spikes is the
     * accumulate-only synapse (ax_spike_*_fwd) */
    AX_LAYER_ENCODE,  /* n images -> T x n: direct (the image), rate, latency */
    AX_LAYER_LIF,     /* the neuron of ax_neuron.h per element, over T steps: spikes 0/1 */
    AX_LAYER_READOUT, /* T x n -> n logits: mean membrane or spike count */
    /* activations of imported models (ax_onnx.h), elementwise in float32 */
    AX_LAYER_LEAKY,   /* x > 0 ? x : p x */
    AX_LAYER_SIGMOID, /* 1 / (1 + e^-x), in double, rounded once */
    AX_LAYER_TANH,    /* tanh x, in double, rounded once */
    AX_LAYER_CLIP,    /* min(max(x, lo), hi); NaN stays NaN */
    AX_LAYER_CONCAT   /* the channels of in[0], then those of in[1] (same h, w) */
} ax_layer_t;

/* A parameter or a buffer (batchnorm's running statistics), PyTorch's names:
 * "conv1.weight", "bn1.running_var". */
typedef struct ax_param {
    char name[80];
    int ndim;
    int64_t dims[4];
    int64_t count;
    float *w;      /* value */
    float *g;      /* gradient of the last backward */
    float *m, *v;  /* optimizer state (momentum; Adam's moments) */
    int trainable; /* 0 for running statistics */
    int decay;     /* weight decay applies (weights, not biases or batchnorm) */
} ax_param_t;

typedef struct ax_node {
    ax_layer_t kind;
    char name[64];
    int in[2];              /* producers; -1 is the network input */
    int64_t c, h, w;        /* output shape per image */
    int64_t in_c, in_h, in_w;
    int64_t out, k, stride, pad, groups; /* linear out; conv/pool geometry (conv: kh, sh, ph) */
    int64_t kh, kw, sh, sw, ph, pw, dh, dw; /* conv: kernel, stride, padding, dilation */
    float eps;              /* bn: the variance's epsilon */
    float p;                /* dropout probability; leaky relu's slope */
    float lo, hi;           /* clip's bounds */
    int weight, bias;       /* parameter indices, -1 none (bn: gamma, beta) */
    int run_mean, run_var;  /* bn buffers */
    float *y, *dy;          /* output and its gradient, batch_cap images */
    float *aux;             /* bn: xhat; dropout: mask */
    int32_t *arg;           /* maxpool: argmax */
    double *stat;           /* bn: mean, invstd per channel */
    /* spiking models */
    int64_t steps, in_steps; /* items per image of the output and the input: T or 1 */
    int spike_in;            /* linear/conv: the input carries spikes (0/1) */
    int64_t spikes, synops;  /* of the last forward: spikes out (lif, readout by
                                count); accumulates (linear/conv with spike_in) */
    int64_t spikes_total, synops_total; /* summed since ax_model_stats_reset */
    /* a DAA configuration (ax_daa.h): the non-zero products of its GEMMs
     * (forward and both gradients) and those through the high-precision
     * multiplier, summed since ax_model_stats_reset */
    uint64_t daa_nonzero, daa_hi;
} ax_node_t;

/* Spiking models: how images become spikes, how spikes become logits, how
 * the spike's derivative is replaced in training (docs/snn.md). */
typedef enum ax_encoding { AX_ENC_DIRECT = 0, AX_ENC_RATE, AX_ENC_LATENCY } ax_encoding_t;
typedef enum ax_readout { AX_READOUT_MEMBRANE = 0, AX_READOUT_COUNT } ax_readout_t;
typedef enum ax_surrogate { AX_SURR_ATAN = 0, AX_SURR_FSIGMOID } ax_surrogate_t;

typedef struct ax_snn_opts {
    int64_t steps;           /* T >= 1 */
    ax_encoding_t encoding;  /* direct: the image is the first layer's current at every step;
                                rate: Bernoulli spikes with probability clamp(x, 0, 1);
                                latency: one spike at step floor((1 - x) T), none for x <= 0 */
    ax_readout_t readout;    /* membrane: logits = mean over t of a non-spiking neuron's
                                membrane; count: logits = spikes of a spiking output layer */
    ax_neuron_cfg_t neuron;  /* every neuron of the model, the readout's too */
    ax_surrogate_t surrogate;
    float surrogate_param;   /* atan: alpha (2); fsigmoid: slope k (25) */
} ax_snn_opts_t;

typedef struct ax_model {
    char arch[32];
    int64_t in_c, in_h, in_w;
    int classes;
    int nnodes;
    ax_node_t *node;
    int nparams;
    ax_param_t *param;
    int64_t batch_cap; /* images the node buffers hold */
    int64_t batch;     /* images of the last forward */
    const float *input; /* ... and their pixels (backward reads them) */
    /* the MAC */
    ax_engine_t *eng;
    ax_mac_cfg_t fwd, bwd;
    /* scratch for quantized operands and GEMM results */
    uint32_t *qa, *qb, *qc;
    size_t qa_cap, qb_cap, qc_cap;
    uint8_t *spk;           /* spikes of a synapse's input, one byte each */
    size_t spk_cap;
    float *tmp;
    size_t tmp_cap;
    uint64_t dropout_seed; /* set by the trainer per step */
    int64_t macs_fwd;      /* multiply-accumulates of one image's forward */
    /* spiking models (steps = 0: not spiking) */
    int64_t steps;
    ax_snn_opts_t snn;
    uint64_t enc_seed;     /* rate encoding: image i of a forward (global index
                              enc_base + i) draws from (enc_seed, enc_base + i) */
    int64_t enc_base;
    int64_t stat_images;   /* images forwarded since ax_model_stats_reset */
} ax_model_t;

/* The architectures: "mlp" (LeNet-300-100), "lenet5", "vgg" (a small
 * VGG-style CNN with dropout), "resnet8", "resnet20" (CIFAR-style ResNets
 * with batchnorm and projection shortcuts), "mobilenet" (depthwise-separable
 * blocks with batchnorm), and the spiking "snn-mlp" and "snn-conv". One line
 * each for help texts. */
extern const char *const ax_model_archs[];
const char *ax_model_describe(const char *arch);
/* 1 for the spiking architectures (snn-mlp, snn-conv), else 0. */
int ax_model_arch_spiking(const char *arch);

/* A model for images c x h x w and classes outputs; NULL with a message for an
 * unknown architecture or an input too small for it. Parameters are zero
 * until ax_model_init or ax_model_load. */
ax_model_t *ax_model_create(const char *arch, int64_t c, int64_t h, int64_t w, int classes,
                            char *err, size_t errlen);
void ax_model_free(ax_model_t *m);

/* He-uniform weights (bound sqrt(6 / fan_in)) from seed, zero biases,
 * batchnorm gamma 1, beta 0, running mean 0, variance 1. */
void ax_model_init(ax_model_t *m, uint64_t seed);
int64_t ax_model_param_count(const ax_model_t *m); /* trainable values */

/* ---- spiking models (ax_snn.c) ------------------------------------------ */
/* T = 4, direct, membrane readout, the default neuron (lif fp32 exact, beta
 * 0.9, theta 1, subtract), atan with alpha 2. */
void ax_snn_opts_default(ax_snn_opts_t *o);
int ax_model_is_spiking(const ax_model_t *m);
/* Sets a spiking model's options (the buffers follow at the next forward).
 * -1 with a message for a model that is not spiking or T < 1. */
int ax_model_set_snn(ax_model_t *m, const ax_snn_opts_t *o, char *err, size_t errlen);
/* Zeroes the totals of spikes and accumulates that every forward of a
 * spiking model adds to (node spikes_total, synops_total; stat_images). */
void ax_model_stats_reset(ax_model_t *m);
/* Per image, since the reset: the spikes per neuron of every spiking layer
 * (lif nodes, the readout by count) together, and the synaptic operations of
 * every layer (accumulates where the input is spikes; multiply-accumulates of
 * a graded input, T per image). 0 before any forward. */
double ax_model_spikes_per_neuron(const ax_model_t *m);
/* The neurons of node d that spike (a lif node; the readout by count), per
 * time step of an image; 0 for every other node. */
int64_t ax_node_spiking_neurons(const ax_model_t *m, const ax_node_t *d);
double ax_model_synops_per_image(const ax_model_t *m);
/* "direct", "rate", "latency"; "membrane", "count"; "atan[:alpha=A]",
 * "fsigmoid[:k=K]" -> 0, or -1 with a message naming the choices. */
int ax_encoding_parse(const char *s, ax_encoding_t *out, char *err, size_t errlen);
int ax_readout_parse(const char *s, ax_readout_t *out, char *err, size_t errlen);
int ax_surrogate_parse(const char *s, ax_surrogate_t *kind, float *param, char *err,
                       size_t errlen);
const char *ax_encoding_name(ax_encoding_t e);
/* "atan:alpha=2", "fsigmoid:k=25": what ax_surrogate_parse reads back. */
const char *ax_surrogate_name(ax_surrogate_t kind, float param, char *buf, size_t len);
const char *ax_readout_name(ax_readout_t r);
/* One line: "T=4 encoding=direct readout=membrane surrogate=atan:alpha=2
 * neuron=..." (the checkpoint's "snn" metadata). */
const char *ax_snn_describe(const ax_snn_opts_t *o, char *buf, size_t len);

/* The engine and MAC configurations for the forward GEMMs and for both
 * gradient GEMMs. The model keeps the pointer to eng, not the engine. */
void ax_model_set_mac(ax_model_t *m, ax_engine_t *eng, const ax_mac_cfg_t *fwd,
                      const ax_mac_cfg_t *bwd);

/* x: n images (n * c * h * w floats), kept by the caller until the
 * backward. train = 1 uses batch statistics and dropout. 0, or -1 with a message (a GEMM error, out of memory). */
int ax_model_forward(ax_model_t *m, const float *x, int64_t n, int train, char *err,
                     size_t errlen);
/* The logits of the last forward: n x classes. */
const float *ax_model_output(const ax_model_t *m);

/* Softmax cross-entropy of the last forward's logits against labels: the mean
 * loss over the batch (double, fixed order); the number of correct top-1
 * predictions in *correct (may be NULL). With dlogits (n x classes, may be
 * NULL) the gradient of the mean loss. */
double ax_softmax_xent(const float *logits, const int32_t *labels, int64_t n, int classes,
                       float *dlogits, int64_t *correct);
/* The predicted class of one image's logits: the first of the largest (the
 * rule of the accuracy above: compared with >, so ties go to the first). */
int ax_argmax(const float *logits, int classes);
/* A bias's gradient as the layers compute it: out[c] = the sum over i < n,
 * then j < hw, of dy[(i * channels + c) * hw + j], in double in that order,
 * rounded once. */
void ax_bias_grad(const float *dy, int64_t n, int64_t channels, int64_t hw, float *out);

/* Gradients of every trainable parameter (into param[i].g) from the gradient
 * of the logits (n x classes) of the last training forward. */
int ax_model_backward(ax_model_t *m, const float *dlogits, char *err, size_t errlen);

/* ---- optimizers --------------------------------------------------------- */
typedef enum ax_opt_kind { AX_OPT_SGD, AX_OPT_ADAM } ax_opt_kind_t;
typedef struct ax_opt {
    ax_opt_kind_t kind;
    float lr, momentum, weight_decay; /* SGD (PyTorch's semantics, dampening 0) */
    float beta1, beta2, eps;          /* Adam (PyTorch's, L2 weight decay) */
    int64_t t;                        /* Adam's step count */
} ax_opt_t;
/* One update of every trainable parameter from its gradient at rate lr. */
void ax_opt_step(ax_model_t *m, ax_opt_t *o, float lr);
/* Zeroes the optimizer state of every parameter (a new optimizer, as PyTorch
 * starts one: no momentum, no moments). */
void ax_opt_reset(ax_model_t *m);

/* ---- checkpoints -------------------------------------------------------- */
/* Every parameter and buffer (and, with opt, the optimizer state as
 * "<name>.momentum_buffer" / ".exp_avg" / ".exp_avg_sq") into c. */
int ax_model_to_ckpt(const ax_model_t *m, const ax_opt_t *opt, ax_ckpt_t *c, char *err,
                     size_t errlen);
/* Loads every parameter and buffer from c (path names the file in messages);
 * with opt, the optimizer state too. Nothing changes unless every tensor is
 * present with the right shape. */
int ax_model_from_ckpt(ax_model_t *m, ax_opt_t *opt, const ax_ckpt_t *c, const char *path,
                       char *err, size_t errlen);
/* The number of c's tensors that are neither a parameter or buffer of m nor
 * the optimizer state of one (a PyTorch BatchNorm's num_batches_tracked, a
 * head the model lacks): loading ignores them. list gets the first four
 * names ("a, b, c, d and 5 more"). */
int ax_model_ckpt_unused(const ax_model_t *m, const ax_ckpt_t *c, char *list, size_t len);
/* The architecture a checkpoint without "model" metadata holds, from its
 * tensor names: of the architectures every one of whose parameters the file
 * names, the one that leaves fewest of its tensors unused. NULL with the
 * reason when none fits or two fit equally well. */
const char *ax_model_guess(const ax_ckpt_t *c, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AX_NN_H */
