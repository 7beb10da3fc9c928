/* ax_cuda_stub.c — the cuda backend of a build without nvcc: never available. */
#include <stdio.h>

#include "ax_backend.h"

static int cuda_probe(char *why, size_t len)
{
    snprintf(why, len, "this axsim was built without CUDA (nvcc not found at configure time)");
    return 0;
}

static int cuda_gemm(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                     const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                     char *err, size_t errlen)
{
    (void)x, (void)cfg, (void)s, (void)A, (void)B, (void)C, (void)flags;
    return ax_fail(err, errlen, "backend cuda: this axsim was built without CUDA");
}

static int cuda_spike(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                      const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags,
                      char *err, size_t errlen)
{
    (void)x, (void)cfg, (void)s, (void)spk, (void)w, (void)y, (void)flags;
    return ax_fail(err, errlen, "backend cuda: this axsim was built without CUDA");
}

const ax_backend_ops_t ax_backend_cuda = {cuda_probe, cuda_gemm, NULL, NULL, NULL, cuda_spike, NULL};
