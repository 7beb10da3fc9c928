/* ax_fastpath.h — GEMM and convolution under any MAC configuration, on three
 * backends that return the same bits (docs/fastpath.md):
 *
 *   ref   the scalar C models (ax_mac_fold per output element): the oracle
 *   cpu   all cores; a significand LUT or the unit's own function; native
 *         fp32 arithmetic only where tests prove it equal to the unit
 *   cuda  the same C source compiled as device code; LUT in shared memory
 *
 * Every output element is the MAC fold of ax_mac.h over k ascending (or, with
 * chunk > 0, partial folds of chunk terms combined in order: ax_mac_fold_chunked);
 * the synapse of binary spikes (ax_spike_*) is the accumulate-only ax_syn_fold.
 * Operands are bit patterns of cfg->in, results bit patterns of cfg->acc, one
 * per uint32_t. All pointers are host memory; the cuda backend copies.
 *
 *   char err[256];
 *   ax_engine_t *e = ax_engine_create(AX_BACKEND_AUTO, 0, err, sizeof err);
 *   ax_gemm_shape_t s = ax_gemm_shape(m, n, k);
 *   if (ax_gemm(e, &cfg, &s, A, B, C, NULL, err, sizeof err)) ...;
 *   ax_engine_free(e);
 */
#ifndef AX_FASTPATH_H
#define AX_FASTPATH_H

#include <stddef.h>
#include <stdint.h>

#include "ax_mac.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ax_backend {
    AX_BACKEND_AUTO = 0, /* cuda when a device answers, else cpu */
    AX_BACKEND_REF,
    AX_BACKEND_CPU,
    AX_BACKEND_CUDA
} ax_backend_t;

/* "auto", "ref", "cpu", "cuda" -> 0, or -1 with a message. */
int ax_backend_parse(const char *name, ax_backend_t *out, char *err, size_t errlen);
const char *ax_backend_name(ax_backend_t b);

/* 1 when this build has CUDA and a device answers; else 0 with the reason in
 * why ("built without CUDA", "no CUDA device: <runtime message>"). */
int ax_cuda_available(char *why, size_t len);

typedef struct ax_engine ax_engine_t;

/* An engine on backend b (AUTO resolves here) with threads CPU threads
 * (0: every online core). NULL with a message when b cannot run here
 * (cuda without a device). The engine caches LUTs; it is not thread-safe.
 * Its options start from the environment (ax_engine_opts_t). */
ax_engine_t *ax_engine_create(ax_backend_t b, int threads, char *err, size_t errlen);
void ax_engine_free(ax_engine_t *e);
ax_backend_t ax_engine_backend(const ax_engine_t *e);
int ax_engine_threads(const ax_engine_t *e);
/* One line naming the backend and why it was chosen ("cpu (2 threads; no CUDA
 * device: ...)"), for tools to print once. */
const char *ax_engine_describe(const ax_engine_t *e);
/* The path the last ax_gemm took ("ref", "cpu native fp32 (LUT)", "cpu
 * generic", "cuda ..."), for tests and benchmarks. */
const char *ax_engine_last_path(const ax_engine_t *e);

/* Which path a backend takes where several give the same bits: for tests
 * and benchmarks of each path; a result never depends on them. An engine
 * starts from these environment overrides, read once by ax_engine_create
 * (and nowhere else):
 *   AXSIM_CPU_PATH=generic   cpu: the generic path (the models' stages)
 *   AXSIM_CPU_PATH=lut       cpu: the LUT wherever the unit has one
 *   AXSIM_CPU_KERNEL=scalar  cpu: the portable C kernels, not AVX-512
 *   AXSIM_CUDA_GENERIC=1     cuda: the generic kernels (any value but 0) */
typedef enum ax_cpu_path {
    AX_CPU_PATH_AUTO = 0, /* the fastest path that takes the configuration */
    AX_CPU_PATH_GENERIC,
    AX_CPU_PATH_LUT
} ax_cpu_path_t;

typedef struct ax_engine_opts {
    ax_cpu_path_t cpu_path;
    int cpu_scalar;   /* 1: portable C kernels only */
    int cuda_generic; /* 1: generic kernels only */
} ax_engine_opts_t;

/* The options from the environment, as ax_engine_create reads them. */
ax_engine_opts_t ax_engine_opts_from_env(void);
ax_engine_opts_t ax_engine_options(const ax_engine_t *e);
void ax_engine_set_options(ax_engine_t *e, const ax_engine_opts_t *o);

/* C[b] = op(A[b]) x op(B[b]) for b < batch, row-major:
 *   op(A) is m x k: A[i*lda + p] (trans_a = 0) or A[p*lda + i] (trans_a = 1)
 *   op(B) is k x n: B[p*ldb + j] (trans_b = 0) or B[j*ldb + p] (trans_b = 1)
 *   C[i*ldc + j]; item b starts at A + b*stride_a (likewise B, C); a stride
 *   of 0 reuses one matrix for every item.
 * chunk = 0: one fold over k; chunk > 0: ax_mac_fold_chunked. */
typedef struct ax_gemm_shape {
    int trans_a, trans_b;
    int64_t m, n, k;
    int64_t lda, ldb, ldc;
    int64_t batch;
    int64_t stride_a, stride_b, stride_c;
    int64_t chunk;
    int64_t pair_rows; /* DAA configurations (ax_daa.h): rows pair 2j with 2j + 1 within
                          segments of this many rows of op(A) (a convolution: one image's
                          pixels); 0: one segment of m */
} ax_gemm_shape_t;

/* Packed, untransposed, batch 1 (leading dimensions at least 1). */
ax_gemm_shape_t ax_gemm_shape(int64_t m, int64_t n, int64_t k);

/* Checks a shape: dimensions >= 0 (k = 0 gives +0), leading dimensions large
 * enough, batch >= 1, chunk >= 0. 0, or -1 with a message. */
int ax_gemm_check(const ax_gemm_shape_t *s, char *err, size_t errlen);

/* Checks a MAC configuration: a multiplier and an adder in the right
 * places. 0, or -1 with a message. */
int ax_mac_check(const ax_mac_cfg_t *cfg, char *err, size_t errlen);

/* Under a DAA configuration (cfg->daa.policy, ax_daa.h) every output element
 * is ax_daa_fold_chunked: row i of op(A) shares the multipliers with its
 * partner row (s->pair_rows) and the engine counts the non-zero products and
 * those through the high-precision multiplier (ax_engine_daa_counts).
 * Runs the GEMM on e's backend. flags (may be NULL) receives the OR of every
 * operation's IEEE flags, as ax_mac_fold gives them; asking for them may
 * take a slower path on cpu. 0, or -1 with a message (bad shape, bad
 * configuration, out of memory, CUDA error). */
int ax_gemm(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
            const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
            char *err, size_t errlen);

/* The products e's DAA GEMMs have counted since it was created: non-zero
 * ones, and those through the high-precision multiplier (either may be
 * NULL). A caller takes the difference around the work it wants counted. */
void ax_engine_daa_counts(const ax_engine_t *e, uint64_t *nonzero, uint64_t *hi);
/* float32 -> bit patterns of f (ax_from_f32bits: the reference conversion,
 * f's rounding), and back (exact). flags may be NULL. */
void ax_quantize(ax_engine_t *e, ax_format_t f, const float *x, uint32_t *q, size_t n,
                 uint32_t *flags);
void ax_dequantize(ax_engine_t *e, ax_format_t f, const uint32_t *q, float *x, size_t n);

/* ---- convolution (ax_conv.c) -------------------------------------------
 * NCHW input x[n][c][h][w], weights w[oc][c/groups][kh][kw], output
 * y[n][oc][oh][ow], oh = (h + 2 pad_h - dil_h (kh - 1) - 1) / stride_h + 1.
 * Each output element is one MAC fold in this order (padding positions are
 * +0 operands that go through the MAC, as an im2col datapath feeds them):
 *   forward       y[n,o,oy,ox]   over (ci, ky, kx)   of x[.., oy*s-p+ky*d, ..] * w[o,ci,ky,kx]
 *   input grad    dx[n,c,iy,ix]  over (o in group, ky, kx) of dy[n,o,oy,ox] * w[o,c',ky,kx],
 *                 oy = (iy + p - ky*d) / s where that divides and is in range, else +0
 *   weight grad   dw[o,ci,ky,kx] over (n, oy, ox)   of dy[n,o,oy,ox] * x[n,g*Cg+ci,..]
 * Operands in cfg->in, results in cfg->acc. */
typedef struct ax_conv_shape {
    int64_t n, c, h, w; /* input */
    int64_t oc, kh, kw; /* weights */
    int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
    int64_t groups;     /* c and oc divisible by groups; groups = c = oc: depthwise */
} ax_conv_shape_t;

/* Output size; 0, or -1 with a message for an impossible shape. */
int ax_conv_out(const ax_conv_shape_t *s, int64_t *oh, int64_t *ow, char *err, size_t errlen);

int ax_conv2d_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *s,
                  const uint32_t *x, const uint32_t *w, uint32_t *y, uint32_t *flags,
                  char *err, size_t errlen);
int ax_conv2d_bwd_data(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *s,
                       const uint32_t *dy, const uint32_t *w, uint32_t *dx, uint32_t *flags,
                       char *err, size_t errlen);
int ax_conv2d_bwd_weight(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *s,
                         const uint32_t *x, const uint32_t *dy, uint32_t *dw, uint32_t *flags,
                         char *err, size_t errlen);

/* ---- linear (ax_conv.c) ----------------------------------------------------
 * x[n][in], w[out][in], y[n][out]; every element one fold over the
 * contracted index ascending:
 *   forward      y[b,o]  = fold over i of x[b,i] * w[o,i]
 *   input grad   dx[b,i] = fold over o of dy[b,o] * w[o,i]
 *   weight grad  dw[o,i] = fold over b of dy[b,o] * x[b,i] */
int ax_linear_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in, int64_t out,
                  const uint32_t *x, const uint32_t *w, uint32_t *y, uint32_t *flags, char *err,
                  size_t errlen);
int ax_linear_bwd_data(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in,
                       int64_t out, const uint32_t *dy, const uint32_t *w, uint32_t *dx,
                       uint32_t *flags, char *err, size_t errlen);
int ax_linear_bwd_weight(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in,
                         int64_t out, const uint32_t *x, const uint32_t *dy, uint32_t *dw,
                         uint32_t *flags, char *err, size_t errlen);

/* ---- the synapse of spiking networks (ax_spike.c) --------------------------
 * Binary spikes, one byte each (0 = none, any other value = a spike): a
 * synaptic operation is an accumulate, not a multiply-accumulate. Every
 * output element is ax_syn_fold (ax_mac.h) over its inputs in ascending
 * order: acc = +0 (cfg->acc); for each input k with a spike, acc =
 * ADD(acc, convert(w[k], cfg->in -> cfg->acc)) through cfg->add. The
 * multiplier and the product format are not used (cfg must still pass
 * ax_mac_check). Inputs without a spike cost nothing: the cpu and cuda
 * backends are event-driven, and give the bits of the dense fold.
 *   linear   y[b,o] = fold over i ascending of (s[b,i], w[o,i]);
 *            s: n x in, w: out x in (cfg->in bit patterns), y: n x out (cfg->acc)
 *   conv2d   y[n,o,oy,ox] = fold over (ci, ky, kx) ascending, ci within o's
 *            group, of the positions that are inside the input and hold a
 *            spike, of w[o,ci,ky,kx]; padding = no spike. Shapes, strides,
 *            dilation and groups as ax_conv2d_fwd; s is n x c x h x w.
 * flags (may be NULL) receives the OR of every operation's flags, as
 * ax_syn_fold gives them; asking for them may take a slower path on cpu.
 * 0, or -1 with a message (bad shape, bad configuration, out of memory, CUDA
 * error). ax_engine_last_path names the path taken. */
int ax_spike_linear_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, int64_t n, int64_t in,
                        int64_t out, const uint8_t *s, const uint32_t *w, uint32_t *y,
                        uint32_t *flags, char *err, size_t errlen);
int ax_spike_conv2d_fwd(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_conv_shape_t *sh,
                        const uint8_t *s, const uint32_t *w, uint32_t *y, uint32_t *flags,
                        char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AX_FASTPATH_H */
