/* ax_backend.h — what the engine (ax_engine.c) gives a backend and what a
 * backend gives the engine. A backend may use this header, ax_pool.h,
 * ax_lut.h, ax_mac_step.h and the C models; it never calls the engine.
 * Not installed. */
#ifndef AX_BACKEND_H
#define AX_BACKEND_H

#include "ax_fail.h"
#include "ax_daa.h"
#include "ax_fastpath.h"
#include "ax_lut.h"
#include "ax_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The planted bugs of test builds (ax_engine.c, AXSIM_PLANT_BUG) */
enum { AX_PLANT_ADDER_TIE = 1, AX_PLANT_NARROW_TIE = 2, AX_PLANT_LOA_CARRY = 3 };

/* The engine's context, handed to every backend call. */
typedef struct ax_fp_ctx {
    int threads;
    ax_engine_opts_t opts;
    int plant_bug;         /* test builds (AXSIM_TEST_HOOKS): a planted bug (AX_PLANT_*), else 0 */
    ax_lut_cache_t luts;   /* the engine's LUTs (ax_lut_get) */
    void *state;           /* the backend's own state, made on first use, or NULL */
    const char *last_path; /* set by the backend: the path the last GEMM took */
} ax_fp_ctx_t;

typedef int (*ax_gemm_fn)(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                          const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                          char *err, size_t errlen);

/* The synapse of spiking networks (ax_spike.c; docs/fastpath.md, "The
 * synapse of spiking networks"), checked by the engine: binary spikes
 * s[n][c][h][w] (one byte each, 0 = none), weights w[oc][cg][kh][kw],
 * outputs y[n][oc][oh][ow]; y[n,o,oy,ox] is ax_syn_fold over (ci, ky, kx)
 * ascending, ci < cg in o's group, of the taps inside the input. A linear
 * layer is n x in x 1 x 1 with 1 x 1 kernels (y[n][out]). Every field >= 1
 * (n >= 1 too), every tensor's element count fits int64_t with room to
 * spare, kf >= 1. */
typedef struct ax_spike_shape {
    int64_t n, c, h, w, oc, kh, kw;
    int64_t sh, sw, ph, pw, dh, dw, groups;
    int64_t oh, ow;
    int64_t cg, ocg; /* channels per group: input, output */
    int64_t kf;      /* cg*kh*kw: the terms of one fold (its index k = (ci*kh + ky)*kw + kx) */
} ax_spike_shape_t;

typedef int (*ax_spike_fn)(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                           const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags,
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
    /* the synapse of binary spikes (ax_spike_shape_t); sets x->last_path */
    ax_spike_fn spike;
    /* a GEMM under a DAA configuration (ax_daa.h): adds the counts of
     * non-zero and high-precision products to *cnt; NULL: not supported */
    int (*gemm_daa)(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                    const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                    ax_daa_count_t *cnt, char *err, size_t errlen);
} ax_backend_ops_t;

/* The DAA GEMM on the host (ax_daa_gemm.c), on threads threads: the ref and
 * cpu backends' */
int ax_daa_gemm_host(int threads, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                     const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                     ax_daa_count_t *cnt, char *err, size_t errlen);

extern const ax_backend_ops_t ax_backend_ref; /* ax_ref.c */
extern const ax_backend_ops_t ax_backend_cpu; /* cpu/ax_cpu.c */
extern const ax_backend_ops_t ax_backend_cuda; /* cuda/ax_cuda.cu, or cuda/ax_cuda_stub.c */

/* For white-box tests only: the engine's context (ax_engine.c). A backend
 * never calls it. */
ax_fp_ctx_t *ax_engine_ctx(ax_engine_t *e);

/* The engine's own entry for ax_spike.c (the public synapse functions,
 * after their checks): e's backend runs s. A backend never calls it. */
int ax_engine_spike(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                    const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags,
                    char *err, size_t errlen);

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
