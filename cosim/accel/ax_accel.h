/* ax_accel.h — the accelerator model's plan and its analytic counts (C11).
 *
 * An R x C systolic array runs a GEMM C[M x N] = A[M x K] . B[K x N] (a
 * convolution through its im2col view: M = output pixels, K = window
 * = kh*kw*cin, N = filters) in folds. Three dataflows, named and mapped as
 * SCALE-Sim v2 maps them (docs/accelerator.md):
 *
 *   dataflow  on the rows (Sr)  on the columns (Sc)  streamed in time (T)
 *   os        M                 N                    K    (each PE keeps one C[m][n])
 *   ws        K                 N                    M    (each PE keeps one B[k][n])
 *   is        K                 M                    N    (each PE keeps one A[m][k])
 *
 * row_folds = ceil(Sr/R), col_folds = ceil(Sc/C); folds run column fold
 * outer, row fold inner, one after another. A fold takes
 *   os: T + R + C - 2 cycles       ws, is: T + 2R + C - 2 cycles
 * (ws/is: R cycles to shift the stationary operands in, then T vectors skewed
 * over R rows and C columns); the layer takes folds x that, plus 1: the MAC's
 * second pipeline stage (rtl/ax_mac.v) accumulates the last term one cycle
 * after it enters. The cycle-accurate SystemC model (cosim/accel/) counts the
 * same numbers by clocking every PE; tests hold the two equal.
 *
 * Where K is split across row folds (ws, is), the partial sums of one fold
 * seed the next (ax_mac's seed_i), so every dot product stays the one
 * sequential fold of DESIGN.md, ascending k: the array's outputs equal
 * ax_gemm's bit for bit.
 */
#ifndef AX_ACCEL_H
#define AX_ACCEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ax_mac.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ax_dataflow { AX_DF_OS = 0, AX_DF_WS = 1, AX_DF_IS = 2 } ax_dataflow_t;

/* "os", "ws", "is" */
const char *ax_dataflow_name(ax_dataflow_t d);
/* 0 and *out, or -1 with a message naming the valid ones */
int ax_dataflow_parse(const char *s, ax_dataflow_t *out, char *err, size_t errlen);

/* The operand buffers, indices of the arrays in ax_accel_counts_t */
enum { AX_BUF_IFMAP = 0, AX_BUF_FILTER = 1, AX_BUF_OFMAP = 2, AX_BUF_COUNT = 3 };

/* The memory model (docs/accelerator.md): axsim's fold-granular one (the
 * SystemC array's), or SCALE-Sim v2's address-by-address one (analytic only;
 * bandwidth 0 is then its CALC mode, more its USER mode) */
typedef enum ax_memory { AX_MEM_AXSIM = 0, AX_MEM_SCALESIM = 1 } ax_memory_t;
/* "axsim", "scalesim" */
const char *ax_memory_name(ax_memory_t m);
int ax_memory_parse(const char *s, ax_memory_t *out, char *err, size_t errlen);

/* The largest array side; R x C PEs are simulated one by one in cycle mode */
#define AX_ACCEL_MAX_SIDE 4096

typedef struct ax_accel_cfg {
    char run_name[64];
    int64_t rows, cols;                       /* R, C */
    ax_dataflow_t dataflow;
    int64_t sram_kb[AX_BUF_COUNT];            /* ifmap, filter, ofmap SRAM (KiB) */
    int64_t offset[AX_BUF_COUNT];             /* base addresses (SCALE-Sim's offsets) */
    int64_t word_bytes;                       /* bytes per operand word (SCALE-Sim: 1) */
    int64_t bandwidth;                        /* DRAM words per cycle and buffer; 0 = as needed */
    ax_memory_t memory;                       /* whose memory model counts stalls and DRAM */
    int streams;                              /* dot products per PE: 1 (0 reads as 1), or 2:
                                                 DAA PEs (rtl/ax_daa_pe.v), rows 2j and 2j + 1
                                                 of A sharing each B word (analytic, axsim
                                                 memory model only) */
} ax_accel_cfg_t;

/* 32 x 32, ws, 64 KiB per buffer, SCALE-Sim's offsets, 1-byte words,
 * bandwidth as needed (SCALE-Sim's CALC) */
void ax_accel_cfg_default(ax_accel_cfg_t *c);
/* 0, or -1 with a message: sides in 1..AX_ACCEL_MAX_SIDE, sizes 1 KiB to
 * 2^40 KiB, word_bytes 1..8, bandwidth 0..2^30 */
int ax_accel_cfg_check(const ax_accel_cfg_t *c, char *err, size_t errlen);

/* One layer as the array sees it: count GEMMs of m x n x k, one after
 * another (a grouped convolution: one per group; more images: one per
 * image). The conv fields, when known, are for the reports only. */
typedef struct ax_accel_layer {
    char name[64];
    int64_t m, n, k;
    int64_t count;
    int64_t ifmap_words; /* distinct words of A: a convolution's input (per
                            group), whose windows overlap in im2col; 0 (or
                            more than m*k): m*k, a plain GEMM */
    /* a convolution's geometry, for SCALE-Sim's memory model, which follows
     * addresses: the input as the array reads it (padding included), the
     * filter, the stride and the output width; conv_h 0: a plain GEMM (A's
     * m x k words all distinct, SCALE-Sim's GEMM form) */
    int64_t conv_h, conv_w, conv_c, filt_h, filt_w, stride, out_w;
} ax_accel_layer_t;

/* A convolution in SCALE-Sim's form (no padding): ofmap ceil((H-R+s)/s)
 * per side, as SCALE-Sim computes it (a last window may run past the edge);
 * 0, or -1 with a message (a filter larger than the ifmap, a zero or
 * negative size, sizes that overflow) */
int ax_accel_layer_conv(ax_accel_layer_t *l, const char *name, int64_t ifmap_h, int64_t ifmap_w,
                        int64_t filt_h, int64_t filt_w, int64_t channels, int64_t filters,
                        int64_t stride, char *err, size_t errlen);
/* 0, or -1 with a message: m, n, k, count >= 1 and the layer's products
 * (m*n*k*count, folds x fold cycles, ...) within int64 */
int ax_accel_layer_check(const ax_accel_cfg_t *c, const ax_accel_layer_t *l, char *err,
                         size_t errlen);

/* The mapping of one GEMM: the sizes on rows, columns and in time */
typedef struct ax_accel_map {
    int64_t m, n, k;
    int64_t mq;                               /* M as the array maps it: m, or its pairs
                                                 ceil(m/2) with two streams per PE */
    int64_t ifmap_words;                      /* the layer's, 1..m*k */
    int64_t sr, sc, t;
    int64_t row_folds, col_folds, folds;
    int64_t fold_cycles;                      /* cycles of one fold, ragged or not */
    int resident[2];                          /* ifmap / filter operand fits half its SRAM:
                                                 loaded once (the ifmap: its distinct
                                                 words), kept */
} ax_accel_map_t;
void ax_accel_map(const ax_accel_cfg_t *c, const ax_accel_layer_t *l, ax_accel_map_t *out);

/* One fold: fold index f (column fold outer, row fold inner) */
typedef struct ax_accel_fold {
    int64_t row0, rows_used;                  /* the slice of Sr on the array's rows */
    int64_t col0, cols_used;                  /* the slice of Sc on its columns */
    int64_t macs;                             /* rows_used * cols_used * T */
    int64_t sram_reads[AX_BUF_COUNT];         /* ofmap: partial sums read back (ws/is) */
    int64_t sram_writes[AX_BUF_COUNT];        /* ofmap: outputs (partial or final) */
    double mapping_eff, compute_util;         /* SCALE-Sim's per-fold definitions */
    int64_t load[2];                          /* ifmap / filter words fetched from DRAM for it */
    int64_t drain;                            /* its final outputs, written back to DRAM */
} ax_accel_fold_t;
void ax_accel_fold(const ax_accel_cfg_t *c, const ax_accel_map_t *mp, int64_t f,
                   ax_accel_fold_t *out);

/* A layer's counts (all its GEMMs) */
typedef struct ax_accel_counts {
    int64_t gemms;                            /* count */
    int64_t folds;                            /* per GEMM x gemms */
    int64_t cycles;                           /* clock cycles, stalls included */
    int64_t stall_cycles;
    int64_t macs;                             /* terms accumulated = busy PE-cycles */
    int64_t pe_cycles;                        /* R * C * cycles */
    double mapping_eff;                       /* mean over folds (SCALE-Sim) */
    double compute_util;                      /* mean over folds (SCALE-Sim) */
    double overall_util;                      /* macs / pe_cycles */
    double mapping_eff_sum, compute_util_sum; /* the per-fold values, summed in fold order */
    int64_t sram_reads[AX_BUF_COUNT];
    int64_t sram_writes[AX_BUF_COUNT];
    int64_t dram_reads[AX_BUF_COUNT];         /* ifmap, filter words fetched */
    int64_t dram_writes[AX_BUF_COUNT];        /* ofmap words written back */
    int64_t preload_cycles;                   /* fetching fold 0's operands, before cycle 0 */
    int64_t drain_cycles;                     /* writing the last outputs back, after the end */
    int64_t psum_words;                       /* largest partial-sum tile kept on chip (ws/is) */
    /* first and last cycle of the SRAM accesses (ifmap and filter reads,
     * ofmap writes) and of the DRAM transfers of each buffer (negative:
     * the preload); -1 / -1 when there are none (the DRAM with bandwidth 0:
     * a transfer takes the one cycle it is issued in) */
    int64_t sram_first[AX_BUF_COUNT], sram_last[AX_BUF_COUNT];
    int64_t dram_first[AX_BUF_COUNT], dram_last[AX_BUF_COUNT];
    int has_dram[AX_BUF_COUNT];               /* the DRAM range holds a transfer */
} ax_accel_counts_t;

/* The memory system (docs/accelerator.md, "Memory"). Each buffer is split
 * in two halves. An operand that fits one half is fetched once, each slice
 * when first used; otherwise each fold fetches its slice unless it is the
 * previous fold's. Each buffer has its own DRAM channel of cfg->bandwidth
 * words per cycle. When fold f starts, the channels start fetching fold
 * f+1's operands and writing back fold f-1's final outputs; fold f+1 starts
 * when fold f has run its cycles and those transfers are done (the cycles
 * it waits are stalls: the whole array holds still). Fold 0's operands are
 * fetched before cycle 0 (preload_cycles), the last outputs written after
 * the end (drain_cycles); neither is in cycles, as in SCALE-Sim. start[f]
 * (may be NULL; folds + 1 entries) receives each fold's first cycle and,
 * last, the cycle after the last fold's. */
void ax_accel_timeline(const ax_accel_cfg_t *c, const ax_accel_map_t *mp, int64_t *start,
                       ax_accel_counts_t *k);
/* Cycles a transfer of words takes on a channel of bw words per cycle (0
 * words: none; bw 0, as needed: one) */
int64_t ax_accel_transfer_cycles(int64_t words, int64_t bw);

/* The counts in closed form, without clocking a PE: 0, or -1 with a message
 * (the layer's check) */
int ax_accel_analytic(const ax_accel_cfg_t *c, const ax_accel_layer_t *l, ax_accel_counts_t *out,
                      char *err, size_t errlen);

/* SCALE-Sim v2's memory model on one GEMM of l (ax_accel_ssmem.c): sets
 * k's stall cycles, cycles, DRAM counts and ranges, SRAM ranges, preload and
 * drain from its demand matrices; start (NULL, or folds + 1 entries) gets
 * the cycle of each fold's first demand row and, last, the cycle after the
 * last row's. Stalls fall inside folds, where an access waits. Bandwidth 0
 * is SCALE-Sim's CALC mode (reads never stall, fetched 10 words a cycle as
 * its DRAM report assumes; the ofmap drains C words a cycle), more is USER.
 * ax_accel_analytic calls it when c->memory is AX_MEM_SCALESIM. 0, or -1
 * with a message (out of memory; an operand whose address tables would
 * take over 1 GiB). */
int ax_accel_scalesim_memory(const ax_accel_cfg_t *c, const ax_accel_layer_t *l,
                             const ax_accel_map_t *mp, int64_t *start, ax_accel_counts_t *k,
                             char *err, size_t errlen);

/* SCALE-Sim's "Total Cycles" for these counts: the index of the last demand
 * cycle (cycles - 2: SCALE-Sim counts from 0 and has no accumulate stage) */
int64_t ax_accel_scalesim_cycles(const ax_accel_counts_t *k);

/* Adds fold fd's MACs, utilization terms and SRAM counts into k; call it in
 * fold order (the utilization sums' last digits depend on the order) */
void ax_accel_counts_add_fold(ax_accel_counts_t *k, const ax_accel_fold_t *fd);
/* Adds b's counts into a (b's folds after a's) and recomputes the means
 * and the overall utilization of a (c: the array, for pe_cycles) */
void ax_accel_counts_add(const ax_accel_cfg_t *c, ax_accel_counts_t *a, const ax_accel_counts_t *b);
/* Sets the means and the overall utilization from the sums and counts */
void ax_accel_counts_finish(const ax_accel_cfg_t *c, ax_accel_counts_t *k);

/* ---- the job file and the result file (ax_accel_jobs.c) ------------------
 * How the CLI hands GEMMs to the cycle-accurate model (axsim-accel, another
 * process: SystemC elaborates once per process) and gets outputs and counts
 * back. Text header lines, then per job a text line and raw little-endian
 * 32-bit words:
 *   axsim-accel-jobs 1
 *   mac <spec>                        (ax_mac_parse)
 *   array <rows> <cols> <os|ws|is> <SRAM KiB: ifmap filter ofmap> <word bytes> <bandwidth>
 *   jobs <count>
 *   job <m> <n> <k> <ifmap words> <name>   then A (m*k words), B (k*n words)
 * and back:
 *   axsim-accel-results 1
 *   jobs <count>
 *   result <m> <n> <flags> <pe kind> <3 has_dram> <31 counts> <2 sums as %a>
 *                                     then C (m*n words)
 * (the counts in the order of result_fields in ax_accel_jobs.c)
 * Readers check every line, size (m*k etc. for overflow, against 2^32
 * words) and that the data are all there; errors name the line. */
typedef struct ax_accel_job_hdr {
    char mac[256];
    ax_accel_cfg_t cfg;  /* all but the run name and the offsets */
    int64_t jobs;
} ax_accel_job_hdr_t;

int ax_accel_jobs_write_header(FILE *f, const ax_accel_job_hdr_t *h);
int ax_accel_jobs_write_job(FILE *f, const char *name, int64_t m, int64_t n, int64_t k,
                            int64_t ifmap_words, const uint32_t *A, const uint32_t *B);
int ax_accel_jobs_read_header(FILE *f, const char *path, ax_accel_job_hdr_t *h, char *err,
                              size_t errlen);
/* *A, *B malloc'd (free them); name gets at most 64 bytes */
int ax_accel_jobs_read_job(FILE *f, const char *path, char *name, int64_t *m, int64_t *n,
                           int64_t *k, int64_t *ifmap_words, uint32_t **A, uint32_t **B,
                           char *err, size_t errlen);

int ax_accel_results_write_header(FILE *f, int64_t jobs);
int ax_accel_results_write(FILE *f, int64_t m, int64_t n, const uint32_t *C, uint32_t flags,
                           const ax_accel_counts_t *k, const char *pe_kind);
int ax_accel_results_read_header(FILE *f, const char *path, int64_t *jobs, char *err,
                                 size_t errlen);
/* expects an m x n result (the job's); C has m*n words; pe_kind 8 bytes */
int ax_accel_results_read(FILE *f, const char *path, int64_t m, int64_t n, uint32_t *C,
                          uint32_t *flags, ax_accel_counts_t *k, char *pe_kind, char *err,
                          size_t errlen);

/* ---- energy (ax_accel_energy.c) ---------------------------------------------
 * Energy = counts x per-operation energies, in picojoules. The MAC's from
 * its formats (mul_fp32 x (significand bits / 24)^2 + add_fp32 x
 * (accumulator width / 32)) unless mac >= 0 gives it; SRAM and DRAM per
 * byte (ifmap and filter words are the input format's bytes, ofmap words
 * the accumulator's); pe_idle per PE-cycle without a MAC. A table file:
 * "name = picojoules" lines (# comments), any subset of the names. */
typedef struct ax_accel_energy {
    double mac;                       /* per MAC; < 0 (auto): from the formats */
    double mul_fp32, add_fp32;        /* the reference points of auto */
    double sram_read, sram_write;     /* per byte */
    double dram_read, dram_write;     /* per byte */
    double pe_idle;                   /* per idle PE-cycle */
} ax_accel_energy_t;
typedef struct ax_accel_pj {
    double mac, sram, dram, idle, total;
} ax_accel_pj_t;
void ax_accel_energy_default(ax_accel_energy_t *e);
/* 0, or -1 with "file:line: what" */
int ax_accel_read_energy(const char *path, ax_accel_energy_t *e, char *err, size_t errlen);
double ax_accel_mac_energy(const ax_accel_energy_t *e, const ax_mac_cfg_t *mac);
void ax_accel_energy_of(const ax_accel_energy_t *e, const ax_mac_cfg_t *mac,
                        const ax_accel_cfg_t *c, const ax_accel_counts_t *k, ax_accel_pj_t *out);

/* ---- SCALE-Sim v2's files (ax_accel_scalesim.c) ----------------------------
 * Its configuration: [general] run_name; [architecture_presets]
 * ArrayHeight, ArrayWidth, IfmapSramSzkB, FilterSramSzkB, OfmapSramSzkB,
 * IfmapOffset, FilterOffset, OfmapOffset, Dataflow, Bandwidth (the first of
 * its list); [run_presets] InterfaceBandwidth (CALC: as needed; USER:
 * Bandwidth). Keys in any case, "key : value" or "key = value"; other keys
 * and sections are ignored. 1-byte words, as SCALE-Sim. 0, or -1 with
 * "file:line: what". */
int ax_accel_read_config(const char *path, ax_accel_cfg_t *c, char *err, size_t errlen);
/* Its topology: a header line, then per layer "name, M, N, K," (GEMM) or
 * "name, IFMAP height, IFMAP width, filter height, filter width, channels,
 * filters, stride," (conv), the closing comma optional. *layers malloc'd.
 * 0, or -1 with "file:line: what". */
int ax_accel_read_topology(const char *path, ax_accel_layer_t **layers, int64_t *count, char *err,
                           size_t errlen);
/* COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv
 * with SCALE-Sim's columns, one row per layer; values in its definitions
 * (docs/accelerator.md says where axsim's counts differ). 0, or -1 when a
 * write fails. */
int ax_accel_write_compute_report(FILE *f, const ax_accel_cfg_t *c, const ax_accel_counts_t *k,
                                  int64_t nlayers);
int ax_accel_write_bandwidth_report(FILE *f, const ax_accel_cfg_t *c, const ax_accel_counts_t *k,
                                    int64_t nlayers);
int ax_accel_write_detailed_report(FILE *f, const ax_accel_cfg_t *c, const ax_accel_counts_t *k,
                                   int64_t nlayers);

#ifdef __cplusplus
}
#endif
#endif
