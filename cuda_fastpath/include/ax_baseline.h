/* ax_baseline.h — what axsim bench measures the fast path against, and the
 * fast path timed as a baseline is: OpenBLAS sgemm on the CPU (loaded at run
 * time: a linked OpenBLAS starts its spinning thread pool in every verb),
 * cuBLAS sgemm on the GPU (fp32, no tensor cores; loaded at run time), and
 * an engine's GEMM with its operands resident on its device. */
#ifndef AX_BASELINE_H
#define AX_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "ax_fastpath.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads OpenBLAS (Debian libopenblas0) and sets its threads. 0, or -1 with
 * the reason (not installed, symbols missing). */
int ax_openblas_load(int threads, char *err, size_t errlen);
/* C = A x B in fp32, row-major, packed: m x k times k x n. After a load. */
void ax_openblas_sgemm(int64_t m, int64_t n, int64_t k, const float *A, const float *B, float *C);
/* The convolution as frameworks run it on the CPU: im2col in float and one
 * sgemm per image and group. *col is the caller's column buffer for this
 * shape (NULL at first: allocated here; the caller frees it). 0, or -1 with
 * a message. */
int ax_openblas_conv(const ax_conv_shape_t *c, const float *x, const float *w, float *y,
                     float **col, char *err, size_t errlen);

/* Seconds per cuBLAS sgemm (the mean of reps runs after a warm-up) on an
 * m x n x k problem, operands on the device. 0, or -1 with the reason
 * (built without CUDA, no device, no libcublas). */
int ax_cublas_sgemm_time(int64_t m, int64_t n, int64_t k, int reps, double *sec, char *err,
                         size_t errlen);

/* Seconds per GEMM of e with operands already on its device (the mean of
 * reps runs after a warm-up): the kernels without the transfers. 0, or -1
 * with a message (a backend without a device: time ax_gemm instead). */
int ax_gemm_time_resident(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                          const uint32_t *A, const uint32_t *B, int reps, double *sec, char *err,
                          size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AX_BASELINE_H */
