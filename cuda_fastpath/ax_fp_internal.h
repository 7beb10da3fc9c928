/* ax_fp_internal.h — what the backends of the fast path share: the engine,
 * a parallel-for over fixed task blocks, operand access. Not installed. */
#ifndef AX_FP_INTERNAL_H
#define AX_FP_INTERNAL_H

#include <stdarg.h>

#include "ax_fail.h"
#include "ax_fastpath.h"
#include "ax_lut.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decoded operands of one input format for the cpu native path (ax_gemm_cpu.c). */
typedef struct ax_dec_table {
    ax_format_t f;
    int kind, param;
    float *v;     /* value or scale per bit pattern */
    int32_t *idx; /* fraction << M, or INT32_MIN: exponent outside the native range */
} ax_dec_table_t;

struct ax_engine {
    ax_backend_t backend;
    int threads;
    char describe[320];
    ax_lut_cache_t luts;
    void *cuda; /* ax_gemm_cuda.cu's state (device buffers), or NULL */
    const char *last_path; /* the path the last GEMM took (ax_engine_last_path) */
    ax_dec_table_t dec[8]; /* the cpu backend's decode tables, oldest first */
    int ndec;
    void *buf[4];          /* the cpu backend's packed operands, kept between calls */
    size_t buf_cap[4];
    struct {               /* ax_gemm_cpu_add.c: is every fp32 LUT entry exact? */
        ax_unit_t u;
        int m, exact;
    } fa_exact[8];
    int nfa_exact;
};

/* Runs fn(ctx, t) for every task t in [0, ntasks) on up to nthreads threads.
 * Which thread runs a task never changes a result: tasks write disjoint
 * outputs. Returns 0, or -1 when no thread could be started. */
typedef void (*ax_task_fn)(void *ctx, int64_t task);
int ax_parallel_for(int nthreads, int64_t ntasks, ax_task_fn fn, void *ctx);

/* Element (i, p) of op(A) and (p, j) of op(B) for batch item 0. */
static inline int64_t ax_a_index(const ax_gemm_shape_t *s, int64_t i, int64_t p)
{
    return s->trans_a ? p * s->lda + i : i * s->lda + p;
}
static inline int64_t ax_b_index(const ax_gemm_shape_t *s, int64_t p, int64_t j)
{
    return s->trans_b ? j * s->ldb + p : p * s->ldb + j;
}

/* Checks cfg: a multiplier and an adder in the right places. */
int ax_mac_check(const ax_mac_cfg_t *cfg, char *err, size_t errlen);

int ax_gemm_ref(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                char *err, size_t errlen);
int ax_gemm_cpu(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                char *err, size_t errlen);

void ax_cpu_release(ax_engine_t *e);

/* Shared by the cpu backend's paths (ax_gemm_cpu.c). A decoder fills v and
 * idx for one bit pattern x of f; ax_cpu_dec_table returns the table of
 * (f, kind, param) for formats of at most 16 bits, from the engine's cache or
 * built with fill (kinds of different decoders must differ), NULL for wider
 * formats or without memory. ax_cpu_grow: engine buffer i (0..3) of at
 * least bytes bytes, kept between calls (the paths share them).
 * ax_cpu_use_avx512: the AVX-512 kernels may run (AVX-512 F, and not
 * AXSIM_CPU_KERNEL=scalar). */
typedef void (*ax_dec_fill_fn)(uint32_t x, ax_format_t f, int kind, int param, float *v,
                               int32_t *idx);
const ax_dec_table_t *ax_cpu_dec_table(ax_engine_t *e, ax_format_t f, int kind, int param,
                                       ax_dec_fill_fn fill);
void *ax_cpu_grow(ax_engine_t *e, int i, size_t bytes);
int ax_cpu_use_avx512(void);
int ax_cpu_plain_fp32(ax_format_t f);

/* The fp32 adder path (ax_gemm_cpu_add.c): prod and acc plain fp32, an
 * adder of the registry, inputs of at most 16 bits. Returns -2 (nothing
 * written) when the configuration is not one it takes. */
int ax_gemm_cpu_fa(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                   const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                   char *err, size_t errlen);

/* ax_gemm_cuda.cu (or its stub without CUDA). */
int ax_cuda_probe(char *why, size_t len);
int ax_gemm_cuda(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                 const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                 char *err, size_t errlen);
void ax_cuda_release(ax_engine_t *e);
/* float32 -> f on the device (ax_from_f32bits as device code); host pointers. */
int ax_quantize_cuda(ax_engine_t *e, ax_format_t f, const float *x, uint32_t *q, size_t n,
                     uint32_t *flags, char *err, size_t errlen);
/* For axsim bench: seconds per run of the cuda GEMM with operands already on
 * the device (the mean of reps runs after one warm-up), and of cuBLAS sgemm
 * (fp32, no tensor cores) on an m x n x k problem. */
int ax_cuda_bench_gemm(ax_engine_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                       const uint32_t *A, const uint32_t *B, int reps, double *sec,
                       char *err, size_t errlen);
int ax_cuda_bench_sgemm(int64_t m, int64_t n, int64_t k, int reps, double *sec, char *err,
                        size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
