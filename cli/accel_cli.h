/* accel_cli.h — what `axsim accel` shares between its files: the options,
 * the layers (verb_accel.c) and the cycle-accurate run (accel_cycle.c). */
#ifndef AX_ACCEL_CLI_H
#define AX_ACCEL_CLI_H

#include <stdint.h>

#include "ax_accel.h"
#include "ax_fastpath.h"

typedef struct accel_opts {
    const char *model, *topology, *config, *weights, *data, *out, *json, *energy_file, *pe;
    const char *onnx;               /* --onnx FILE: the network of an ONNX file */
    const char *vcd;                /* cycle: "layer[:fold]" to trace, NULL: none */
    const char *vcd_path;           /* cycle: where the VCD goes */
    char mac_spec[256];
    ax_mac_cfg_t mac;
    ax_accel_cfg_t cfg;
    ax_accel_energy_t energy;
    int64_t in_c, in_h, in_w;       /* a model's input (analytic) */
    int cycle, quiet;
    uint64_t images, threads;
    uint64_t batch; /* analytic: images per run (a linear layer's M) */
    ax_backend_t backend;
} accel_opts_t;

/* One layer: its GEMM per image, the model node it comes from (-1: from a
 * topology), and what was counted */
typedef struct accel_layer {
    ax_accel_layer_t l;
    int node;
    ax_accel_counts_t k;            /* one image's, all its GEMMs */
    ax_accel_pj_t pj;
    /* cycle mode: the bit check over the images simulated */
    int64_t outputs, differ;
    int flags_equal, counts_equal;
    char pe_kind[8];
} accel_layer_t;

/* Runs the layers' GEMMs of o->images test images on the cycle-accurate
 * model, checks every output and flag against the fast path's own kernel
 * and every count against the analytic model, and fills k (one image's),
 * outputs, differ, flags_equal and counts_equal. 0, or an exit code with
 * the reason printed. */
int accel_run_cycle(const accel_opts_t *o, accel_layer_t *ls, int64_t n);

#endif
