/* ax_cpu_add.h — what the files of the cpu backend's fp32 adder path share
 * (ax_cpu_add.c: decoding, the portable kernel, packing, the entry point;
 * ax_cpu_add_avx512.c: the AVX-512 kernels; ax_cpu_add_slow.c: the lanes the
 * models decide). Private to cpu/. */
#ifndef AX_CPU_ADD_H
#define AX_CPU_ADD_H

#include "ax_cpu.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FA_HAVE_AVX512 1
#endif

enum { FA_R = 4, FA_KC = 32 }; /* rows x columns of one task */

/* Operand classes, in the key's top bits: X needs the model, Z is a zero. */
enum { FA_X = 1 << 30, FA_Z = 1 << 29, FA_IDX = (1 << 29) - 1 };

/* Adder datapaths (FA_PLAIN: add_exact, and loa/eta with l = 0), product
 * sources, decoder kinds (ax_cpu_dec_table; distinct from the native ones). */
enum { FA_PLAIN, FA_TRUNC, FA_LOA, FA_ETA };
enum { FA_VALUE, FA_PERM, FA_GATHER };
enum { FA_DEC_VALUE = 32, FA_DEC_LUT = 33 };

typedef struct fa_ctx {
    const ax_mac_cfg_t *cfg;
    const ax_gemm_shape_t *s;
    int add, prod, l, want_flags;
    uint32_t rnd;              /* RNE: a half (bit 7) goes up when it meets one of these bits:
                                * 0x17F = the lsb (bit 8) or below; 0x1FF plants a bug */
    int swap;                  /* 0: rows of op(A) x lanes along n; 1: rows of op(B)^T x lanes along m */
    int64_t rows, lanes;       /* m, n (swap: n, m) */
    int64_t mpad, npad, k, chunk; /* rows and lanes padded to R and KC */
    int32_t *akey, *bkey;      /* the rows [mpad][k]; the lanes in panels [npad/KC][k][KC] */
    uint32_t *aval, *bval;     /* the value's bits (FA_VALUE) or (e << 23) + (sign << 31) */
    const float *lut;          /* FA_PERM: rows of 128; FA_GATHER: the 2^(2M) table */
    const uint32_t *A, *B;     /* this batch item, for the slow lanes */
    uint32_t *C;
    uint32_t flags;            /* ORed by every task */
    int avx512;
    /* narrow accumulators (acc not plain fp32; prod plain fp32, no flags):
     * values of acc are kept as fp32 patterns whose low sh significand bits
     * are zero; the model's datapath is the lane's shifted down by sh */
    int narrow;
    uint32_t keep;             /* ~(2^sh - 1) */
    uint32_t jam;              /* 2^sh: the model's bit 0 on the lane */
    uint32_t half;             /* the round bit of a lane normalized to bit 31 (0: RTZ) */
    uint32_t clsb, chm1;       /* the product's conversion to acc: pattern rounding */
    uint32_t lo, span;         /* fast results: |r| - lo < span (normal, finite in acc) */
} fa_ctx_t;

/* The slow lanes (ax_cpu_add_slow.c): the models' MAC step on the original
 * operands of (row, lane, p), and the adder alone. */
uint32_t ax_fa_slow_mac(const fa_ctx_t *c, uint32_t acc, int64_t row, int64_t lane, int64_t p,
                        uint32_t *fl);
uint32_t ax_fa_slow_add(const fa_ctx_t *c, uint32_t acc, uint32_t t, uint32_t *fl);

#ifdef FA_HAVE_AVX512
/* The AVX-512 kernel of (product source, flags asked for or a narrow
 * accumulator, adder) (ax_cpu_add_avx512.c): one task's R x KC outputs. */
typedef void (*fa_kernel_fn)(fa_ctx_t *, int64_t, int64_t, uint32_t (*)[FA_KC], uint32_t *);
fa_kernel_fn ax_fa_avx512_kernel(int prod, int want_flags, int narrow, int add);
#endif

#endif /* AX_CPU_ADD_H */
