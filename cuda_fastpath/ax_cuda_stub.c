/* ax_cuda_stub.c — the cuda backend of a build without nvcc: never available. */
#include "ax_fp_internal.h"

#include <stdio.h>

int ax_cuda_probe(char *why, size_t len)
{
    snprintf(why, len, "this axsim was built without CUDA (nvcc not found at configure time)");
    return 0;
}

int ax_gemm_cuda(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                 const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                 char *err, size_t errlen)
{
    (void)e, (void)cfg, (void)s, (void)A, (void)B, (void)C, (void)flags;
    return ax_fail(err, errlen, "backend cuda: this axsim was built without CUDA");
}

void ax_cuda_release(ax_engine_t *e) { (void)e; }

int ax_quantize_cuda(ax_engine_t *e, ax_format_t f, const float *x, uint32_t *q, size_t n,
                     uint32_t *flags, char *err, size_t errlen)
{
    (void)e, (void)f, (void)x, (void)q, (void)n, (void)flags;
    return ax_fail(err, errlen, "backend cuda: this axsim was built without CUDA");
}

int ax_cuda_bench_gemm(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                       const uint32_t *A, const uint32_t *B, int reps, double *sec,
                       char *err, size_t errlen)
{
    (void)e, (void)cfg, (void)s, (void)A, (void)B, (void)reps, (void)sec;
    return ax_fail(err, errlen, "backend cuda: this axsim was built without CUDA");
}

int ax_cuda_bench_sgemm(int64_t m, int64_t n, int64_t k, int reps, double *sec, char *err,
                        size_t errlen)
{
    (void)m, (void)n, (void)k, (void)reps, (void)sec;
    return ax_fail(err, errlen, "cuBLAS: this axsim was built without CUDA");
}
