/* ax_capi.h — libaxsim, the C API the Python binding (python/axsim) calls
 * through ctypes: float32 arrays in and out, configurations as strings, an
 * opaque context. Each call does what axsim's network layers do (ax_nn.c):
 * the operands quantized to the MAC's input format, every product and sum
 * the MAC's on the context's backend, the result (in the accumulator
 * format) read back exactly; so a layer computed here has the bits of the
 * same layer in `axsim train`. Every function returns 0, or -1 with the
 * reason in err (never a crash on bad sizes or strings). */
#ifndef AX_CAPI_H
#define AX_CAPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AXC_BUILD)
#define AXC_API __attribute__((visibility("default")))
#else
#define AXC_API
#endif

typedef struct axc axc_t;

/* The API's version: bumped when a signature changes. */
AXC_API int axc_version(void);

/* A context on backend "auto", "ref", "cpu" or "cuda" with threads CPU
 * threads (0: every core); the forward and backward MACs start as exact
 * fp32. NULL with a message. */
AXC_API axc_t *axc_open(const char *backend, int threads, char *err, size_t errlen);
AXC_API void axc_close(axc_t *c);
/* The backend line (as `axsim` prints it). */
AXC_API const char *axc_describe(const axc_t *c);

/* The MAC of slot 0 (forward GEMMs) or 1 (both gradient GEMMs): a MAC
 * string of docs/cli.md, "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32". */
AXC_API int axc_set_mac(axc_t *c, int slot, const char *spec, char *err, size_t errlen);

/* Linear: x [n, in], w [out, in], dy [n, out].
 *   op 0 forward       y [n, out]  = x w^T        (slot 0)
 *   op 1 input grad    y [n, in]   = dy w         (slot 1; a = dy, b = w)
 *   op 2 weight grad   y [out, in] = dy^T x       (slot 1; a = x, b = dy) */
AXC_API int axc_linear(axc_t *c, int op, int64_t n, int64_t in, int64_t out, const float *a, const float *b,
               float *y, char *err, size_t errlen);
/* Conv2d (NCHW): g = {n, c, h, w, oc, kh, kw, stride_h, stride_w, pad_h,
 * pad_w, dil_h, dil_w, groups}; ops as axc_linear (op 0: a = x, b = w;
 * op 1: a = dy, b = w; op 2: a = x, b = dy). */
AXC_API int axc_conv2d(axc_t *c, int op, const int64_t g[14], const float *a, const float *b, float *y, char *err,
               size_t errlen);
/* C [m, n] = A [m, k] B [k, n] through the MAC of slot. */
AXC_API int axc_gemm(axc_t *c, int slot, int64_t m, int64_t n, int64_t k, const float *A, const float *B, float *C,
             char *err, size_t errlen);
/* y = x rounded to format fmt ("bf16", "fp8e4m3", "e5m2:ftz", ...) and back. */
AXC_API int axc_quantize(const char *fmt, const float *x, float *y, int64_t n, char *err, size_t errlen);
/* y[i] = unit(a[i], b[i]) in format fmt (operands rounded to it first), the
 * result read back exactly: "mul_mbm", "drum:k=4", "add_loa:l=4", ... */
AXC_API int axc_unit(const char *unit, const char *fmt, const float *a, const float *b, float *y, int64_t n,
             char *err, size_t errlen);

/* axsim's loss (ax_softmax_xent): the mean softmax cross-entropy of logits
 * [n, classes] against labels, and (dlogits, may be NULL) its gradient, in
 * double and rounded once, as `axsim train` computes them. */
AXC_API double axc_softmax_xent(const float *logits, const int32_t *labels, int64_t n, int classes,
                                float *dlogits);
/* The gradient of a bias as axsim's layers compute it: out[c] = the sum over
 * i < n and j < hw of dy[(i * channels + c) * hw + j], in double in that
 * order, rounded once. */
AXC_API void axc_bias_grad(const float *dy, int64_t n, int64_t channels, int64_t hw, float *out);

#ifdef __cplusplus
}
#endif

#endif
