/* ax_cpu.h — what the cpu backend's paths share (cpu/): its state, decode
 * tables and buffers, the kernel choice, the paths' entry points. Private
 * to cpu/. */
#ifndef AX_CPU_H
#define AX_CPU_H

#include "ax_backend.h"
#include "ax_mac_step.h"

/* Decoded operands of one input format: a value or scale and an index per
 * bit pattern (what they hold is the decoder's: kinds of different decoders
 * differ). */
typedef struct ax_dec_table {
    ax_format_t f;
    int kind, param;
    float *v;
    int32_t *idx;
} ax_dec_table_t;

/* The cpu backend's state in an engine (ax_fp_ctx_t.state), kept between
 * calls: decode tables (oldest first), packed-operand buffers, and whether
 * each LUT's fp32 entries are all exact (the fp32 adder path). */
typedef struct ax_cpu_state {
    ax_dec_table_t dec[8];
    int ndec;
    void *buf[4];
    size_t buf_cap[4];
    struct {
        ax_unit_t u;
        int m, exact;
    } fa_exact[8];
    int nfa_exact;
} ax_cpu_state_t;

static inline ax_cpu_state_t *ax_cpu_st(ax_fp_ctx_t *x) { return (ax_cpu_state_t *)x->state; }

/* A decoder fills v and idx for one bit pattern x of f. ax_cpu_dec_table
 * returns the table of (f, kind, param) for formats of at most 16 bits, from
 * the state's cache or built with fill; NULL for wider formats or without
 * memory. */
typedef void (*ax_dec_fill_fn)(uint32_t x, ax_format_t f, int kind, int param, float *v,
                               int32_t *idx);
const ax_dec_table_t *ax_cpu_dec_table(ax_fp_ctx_t *x, ax_format_t f, int kind, int param,
                                       ax_dec_fill_fn fill);
/* Buffer i (0..3) of at least bytes bytes, kept between calls (the paths
 * share them); NULL without memory. */
void *ax_cpu_grow(ax_fp_ctx_t *x, int i, size_t bytes);
/* 1 when every fp32 entry of the LUT l is its unit's exact significand
 * product (rounding it into fp32 changed nothing: no flag, and a narrower
 * format can round it again); cached in the state. */
int ax_cpu_lut_exact(ax_fp_ctx_t *x, ax_lut_t *l);
/* The encoding in f (at most 8 exponent bits) of b, the fp32 pattern of a
 * value of f (the narrow paths keep values so): exact; a NaN gives f's
 * canonical NaN. */
uint32_t ax_cpu_pack_exact(uint32_t b, ax_format_t f);
/* The AVX-512 kernels may run: this CPU has AVX-512 F and the options do not
 * ask for the portable ones. */
int ax_cpu_use_avx512(const ax_fp_ctx_t *x);

/* Frees the state (ax_fp_ctx_t.release). */
void ax_cpu_release(ax_fp_ctx_t *x);

/* The paths, fastest first. Each returns -2 (nothing written) when the
 * configuration is not one it takes, else 0 or -1 with a message. */
int ax_cpu_native(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                  const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags, char *err,
                  size_t errlen); /* ax_cpu_native.c */
int ax_cpu_fp32_adder(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                      const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                      char *err, size_t errlen); /* ax_cpu_add.c */
/* Every configuration; never -2. */
int ax_cpu_generic(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                   const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags, char *err,
                   size_t errlen); /* ax_cpu_generic.c */

/* The fast DAA path (ax_cpu_daa.c): 0, -1 with a message, or -2 when the
 * configuration or the operands are not its (then the generic one runs) */
int ax_cpu_daa(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s, const uint32_t *A,
               const uint32_t *B, uint32_t *C, uint32_t *flags, ax_daa_count_t *cnt, char *err,
               size_t errlen);
/* The synapse of spiking networks (ax_backend.h's spike; ax_cpu_spike.c):
 * event lists, then native fp32 or the generic path. */
int ax_cpu_spike(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                 const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags, char *err,
                 size_t errlen);

#endif /* AX_CPU_H */
