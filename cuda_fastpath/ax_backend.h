/* ax_backend.h — what the engine (ax_engine.c) gives a backend and what a
 * backend gives the engine. A backend may use this header, ax_pool.h,
 * ax_lut.h, ax_mac_step.h and the C models; it never calls the engine.
 * Not installed. */
#ifndef AX_BACKEND_H
#define AX_BACKEND_H

#include "ax_fail.h"
#include "ax_fastpath.h"
#include "ax_lut.h"
#include "ax_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The engine's context, handed to every backend call. */
typedef struct ax_fp_ctx {
    int threads;
    ax_engine_opts_t opts;
    int plant_bug;         /* test builds (AXSIM_TEST_HOOKS): a planted bug, else 0 */
    ax_lut_cache_t luts;   /* the engine's LUTs (ax_lut_get) */
    void *state;           /* the backend's own state, made on first use, or NULL */
    const char *last_path; /* set by the backend: the path the last GEMM took */
} ax_fp_ctx_t;

typedef int (*ax_gemm_fn)(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                          const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                          char *err, size_t errlen);

/* One backend: the engine's table (ax_engine.c) holds one per ax_backend_t. */
typedef struct ax_backend_ops {
    /* 1 when it can run here, else 0 with the reason; NULL: always */
    int (*probe)(char *why, size_t len);
    ax_gemm_fn gemm;
    /* float32 -> f on the backend's own hardware; NULL: the host conversion.
     * -1 (a device error) also falls back to the host, the same function. */
    int (*quantize)(ax_fp_ctx_t *x, ax_format_t f, const float *in, uint32_t *q, size_t n,
                    uint32_t *flags, char *err, size_t errlen);
    /* seconds per GEMM with the operands resident (ax_gemm_time_resident); NULL: none */
    int (*time_resident)(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                         const uint32_t *A, const uint32_t *B, int reps, double *sec, char *err,
                         size_t errlen);
    /* frees x->state (may be NULL) */
    void (*release)(ax_fp_ctx_t *x);
} ax_backend_ops_t;

extern const ax_backend_ops_t ax_backend_ref; /* ax_ref.c */
extern const ax_backend_ops_t ax_backend_cpu; /* cpu/ax_cpu.c */
extern const ax_backend_ops_t ax_backend_cuda; /* cuda/ax_cuda.cu, or cuda/ax_cuda_stub.c */

/* For white-box tests only: the engine's context (ax_engine.c). A backend
 * never calls it. */
ax_fp_ctx_t *ax_engine_ctx(ax_engine_t *e);

/* Element (i, p) of op(A) and (p, j) of op(B) for batch item 0. */
static inline int64_t ax_a_index(const ax_gemm_shape_t *s, int64_t i, int64_t p)
{
    return s->trans_a ? p * s->lda + i : i * s->lda + p;
}
static inline int64_t ax_b_index(const ax_gemm_shape_t *s, int64_t p, int64_t j)
{
    return s->trans_b ? j * s->ldb + p : p * s->ldb + j;
}

#ifdef __cplusplus
}
#endif

#endif /* AX_BACKEND_H */
