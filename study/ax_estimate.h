/* ax_estimate.h — the estimate study, the main job (axsim estimate,
 * docs/estimate.md): how accurate will a planned accelerator be?
 *
 * For every multiplier of a set in every operand format of a set (the MAC
 * mul=U,in=F,prod=fp32,add=exact,acc=fp32) and for one approximate-adder MAC,
 * a row: the unit's error metrics, whether its RTL matched the C model
 * (axsim-verify, quick level), the test accuracy of a trained network with
 * every multiply-accumulate of the forward pass through that MAC, and the
 * accuracy after a short approximation-aware retraining.
 *
 * The caller loads the network, its checkpoint, the data and the engine and
 * fills in the options; then
 *   ax_estimate_plan     makes the rows (and their metrics),
 *   ax_estimate_baseline the exact-fp32 accuracy,
 *   ax_estimate_resume   takes over the rows of an interrupted run,
 *   ax_estimate_run      computes the other rows, calling back after each,
 *   ax_estimate_save     writes results.csv, results.json and accuracy.png.
 * Each returns 0 (or a count), or -1 with a message in err (ax_fail). */
#ifndef AX_ESTIMATE_H
#define AX_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include "ax_data.h"
#include "ax_fastpath.h"
#include "ax_metrics.h"
#include "ax_nn.h"
#include "ax_train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default study (docs/estimate.md). */
#define AX_ESTIMATE_UNITS "mul_exact,mul_trunc,mul_drum,mul_mitchell,mul_mbm,mul_realm"
#define AX_ESTIMATE_FORMATS "bf16,fp16,fp8e4m3"
#define AX_ESTIMATE_ADDER "mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32"

/* The default study of a spiking model (docs/estimate.md, "Spiking
 * models"): synapse MACs (the multiplier unused: binary spikes only
 * accumulate) and neurons, ';'-separated; a neuron row changes only the keys
 * it names of the checkpoint's neuron. */
#define AX_ESTIMATE_SYNAPSES                                                                    \
    "in=bf16,acc=fp32;in=bf16,add=trunc,acc=fp32;in=bf16,add=loa:l=12,acc=fp32;"              \
    "in=bf16,add=loa:l=16,acc=fp32;in=bf16,add=eta:l=12,acc=fp32"
#define AX_ESTIMATE_NEURONS "fmt=bf16;fmt=fp16;fmt=fp8e4m3;fmt=bf16,add=loa:l=4"

/* Kinds of rows. */
enum { AX_ROW_MUL = 0, AX_ROW_ADDER, AX_ROW_SYNAPSE, AX_ROW_NEURON, AX_ROW_DAA };

/* The RTL check of a row. */
enum {
    AX_RTL_VERIFIED = 1,   /* the RTL matched the C model bit for bit */
    AX_RTL_MISMATCH = 0,
    AX_RTL_NOT_BUILT = -1, /* no verifier, or it has no model of this configuration */
    AX_RTL_NOT_RUN = -2    /* the checks were not asked for */
};

typedef struct ax_estimate_row {
    char name[256];     /* "mul_mbm bf16"; the adder row "mul_exact+add_loa:l=8 bf16" */
    char unit[160];     /* the unit's canonical name; the adder row "MUL+ADD" */
    char fmt[48];       /* the operand format as given (a synapse: in>acc) */
    char mac[480];      /* the MAC's canonical text (spiking rows: "MAC|neuron"): rows are matched by it on resume */
    char rtl[400];      /* the verifier's configurations, separated by a space */
    int is_adder;
    int kind;           /* AX_ROW_* */
    ax_mac_cfg_t cfg;
    ax_neuron_cfg_t neuron; /* spiking rows: every neuron of the model */
    double synops;      /* spiking rows: synaptic operations per image (every layer and step) */
    double spike_rate;  /* spiking rows: spikes per neuron per image */
    int have_metrics;
    ax_metrics_t met;
    ax_daa_metrics_t daa; /* a DAA row: its policy's metrics (have_metrics stays 0) */
    double daa_hi;      /* a DAA row: the share of the network's non-zero products through hi */   /* multiplier: in -> prod; adder: on the accumulator format */
    int rtl_status;     /* AX_RTL_* */
    int diverged;       /* retraining stopped at an inf or NaN loss or gradient */
    char why[512];      /* with diverged: the trainer's message */
    double acc0, acc1;  /* accuracy before and after retraining (acc1 NaN: none, or diverged) */
    double secs;        /* the row's evaluation and retraining */
    int resumed;        /* accuracies taken from an interrupted run's results.json */
} ax_estimate_row_t;

typedef struct ax_estimate ax_estimate_t;

struct ax_estimate {
    /* the network; set by the caller */
    ax_model_t *net;             /* created for the data's shape */
    const struct ax_ckpt *ckpt;  /* its weights: every row starts from them */
    const char *weights;         /* the checkpoint's path (results.json, messages) */
    const char *data;            /* the dataset as results.json names it */
    const char *data_title;      /* its name in the plot's title (NULL: data's last component) */
    const ax_dataset_t *train;   /* normalized; unused without retraining */
    const ax_dataset_t *test;
    ax_engine_t *engine;
    /* the study; ax_estimate_init sets the defaults */
    uint64_t seed;               /* metrics samples and retraining (set before the plan) */
    uint64_t test_limit;         /* first test images (0: all) */
    uint64_t retrain_epochs;     /* 0: no retraining */
    uint64_t retrain_limit;      /* training images per retraining epoch */
    double lr;                   /* retraining's peak rate (cosine schedule) */
    int verify;                  /* run the RTL checks */
    const char *verify_exe;      /* axsim-verify (NULL: none in this build) */
    int verify_jobs;             /* its --jobs (0: 1) */
    /* called, when set, as a row goes through its stages ("verify",
     * "evaluate", "retrain"; p only while retraining) and once it is done;
     * a row_done that returns -1 (with a message in err) stops the run */
    void (*progress)(void *ctx, int row, const char *stage, const ax_train_progress_t *p);
    int (*row_done)(void *ctx, const ax_estimate_t *st, int row, char *err, size_t errlen);
    void *ctx;
    ax_snn_opts_t snn;           /* a spiking model's options (from its checkpoint): every
                                    row's but the neuron, the baseline's neuron too */
    /* the rows (ax_estimate_plan) */
    ax_estimate_row_t *rows;
    int nrows;
    /* results */
    double base_acc;             /* exact fp32 (NaN until ax_estimate_baseline) */
    double base_synops, base_spike_rate; /* a spiking model's, in exact fp32 */
    int64_t ntest;               /* test images evaluated */
    int mismatches;              /* rows whose RTL check failed */
};

/* Zeroes st and sets the defaults: seed 1, 1 retraining epoch of 10,000
 * images at lr 0.001, RTL checks on. */
void ax_estimate_init(ax_estimate_t *st);
/* Frees the rows. */
void ax_estimate_free(ax_estimate_t *st);

/* The rows: every unit x format (formats outer), then the adder MAC (NULL:
 * none), each with its metrics. Units must be multipliers. */
int ax_estimate_plan(ax_estimate_t *st, const char *const *units, int nunits, const char *const *fmts,
                     int nfmts, const char *adder, char *err, size_t errlen);

/* Appends a DAA row (docs/units.md section 15) to the plan: its policy's
 * metrics (ax_daa_metrics_compute), the RTL check of the DAA PE of that
 * configuration (rtl/ax_daa_pe.v, when built), the network's accuracy with
 * every forward GEMM through it and the share of its products through hi. */
int ax_estimate_add_daa(ax_estimate_t *st, const char *spec, char *err, size_t errlen);

/* A spiking model's rows: every synapse MAC (with st->snn's neuron), then
 * every neuron (each a partial spec over st->snn's neuron, with the exact
 * fp32 synapse), each with its metrics (the adder's on its format). */
int ax_estimate_plan_snn(ax_estimate_t *st, const char *const *synapses, int nsyn,
                         const char *const *neurons, int nneu, char *err, size_t errlen);

/* base_acc and ntest: the network in exact fp32 on the test images. */
int ax_estimate_baseline(ax_estimate_t *st, char *err, size_t errlen);

/* Every row: its RTL check (rerun for resumed rows), then, unless resumed,
 * its accuracy from the checkpoint's weights and after retraining. A row
 * whose retraining diverges is a result (diverged, why), not a failure.
 * Runs the baseline first when it has not run. */
int ax_estimate_run(ax_estimate_t *st, char *err, size_t errlen);

/* ---- the results folder (ax_estimate_files.c) ---- */

/* Makes outdir when absent and checks that it is a folder that can take the
 * results, so that a run that could not save them does not start. */
int ax_estimate_prepare_out(const char *outdir, char *err, size_t errlen);
/* results.csv and results.json in outdir with the first n rows, each
 * atomically ("complete" once n is every row), and then accuracy.png, the
 * accuracies against the multiplier's MRED. seconds: the run's so far.
 * Returns 1 when the plot was drawn; 0 when it was not (n short of every
 * row, or plot_err says why); -1 with a message when a file was not saved
 * (what was there stays). */
int ax_estimate_save(const ax_estimate_t *st, const char *outdir, int n, double seconds, char *plot_err,
                     size_t plot_errlen, char *err, size_t errlen);
/* Marks resumed the rows that outdir/results.json holds for this study (the
 * same network, data, baseline, retraining and seed, else -1 naming the
 * difference), with their accuracies. Returns the count (0 without a file). */
int ax_estimate_resume(ax_estimate_t *st, const char *outdir, char *err, size_t errlen);
/* 1 when outdir/results.json holds a run that did not finish. */
int ax_estimate_unfinished(const char *outdir);

/* "verified", "MISMATCH", "not built", "not run". */
const char *ax_estimate_rtl_text(int rtl_status);
/* "done", "none" (no retraining) or "diverged". */
const char *ax_estimate_retrain_text(const ax_estimate_row_t *r);

#ifdef __cplusplus
}
#endif

#endif /* AX_ESTIMATE_H */
