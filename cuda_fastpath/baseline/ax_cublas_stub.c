/* ax_cublas_stub.c — the GPU baseline of a build without nvcc. */
#include "ax_baseline.h"
#include "ax_fail.h"

int ax_cublas_sgemm_time(int64_t m, int64_t n, int64_t k, int reps, double *sec, char *err,
                         size_t errlen)
{
    (void)m, (void)n, (void)k, (void)reps, (void)sec;
    return ax_fail(err, errlen, "cuBLAS: this axsim was built without CUDA");
}
