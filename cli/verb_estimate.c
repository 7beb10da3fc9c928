/* verb_estimate.c — `axsim estimate`, the main job: how accurate will a
 * planned accelerator be? The study itself is the library study/
 * (ax_estimate.h); this verb reads the options, loads the network and the
 * data, shows the progress, prints the table row by row and saves the
 * results folder after every row so that an interrupted run can --resume
 * (docs/estimate.md). */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_clock.h"
#include "ax_estimate.h"
#include "cli.h"
#include "net_opts.h"

#ifndef AXSIM_WEIGHTS_DIR
#define AXSIM_WEIGHTS_DIR "networks/weights"
#endif
#ifdef AXSIM_VERIFY_EXE
static const char *const verify_exe = AXSIM_VERIFY_EXE;
#else
static const char *const verify_exe = NULL; /* no verilated models in this build */
#endif

static const char verb[] = "estimate";

static const char *help =
    "usage: axsim estimate [options]\n"
    "\n"
    "The main job: the accuracy of a planned accelerator. For each multiplier of\n"
    "--units in each format of --formats (MAC mul=U,in=F,prod=fp32,add=exact,\n"
    "acc=fp32) and for the --adder MAC: the unit's error metrics, whether its RTL\n"
    "matched the C model (axsim verify, quick level), the test accuracy of the\n"
    "shipped network with every multiply-accumulate through that MAC, and the\n"
    "accuracy after a short approximation-aware retraining (forward GEMMs through\n"
    "the MAC, gradients exact fp32). Writes a table, results.csv, results.json and\n"
    "accuracy.png (accuracy against the multiplier's mean relative error).\n"
    "\n"
    "  --model M          lenet5 (default) or mlp: the shipped Fashion-MNIST weights;\n"
    "                     any model with --weights. Without --model, --units,\n"
    "                     --formats and --adder (the main job) lenet5's table is\n"
    "                     followed by a spiking section (snn-conv, a few rows,\n"
    "                     2,000 test images, into OUT/snn-conv) and the\n"
    "                     accelerator's cycles, utilization and energy per image\n"
    "                     (axsim accel's defaults, analytic, into OUT/accel)\n"
    "  --weights CKPT     a checkpoint (default: the shipped one of --model); without\n"
    "                     --model, the model its metadata or tensor names say\n"
    "  --rename FILE      map its tensor names to axsim's (docs/checkpoints.md)\n"
    "  --onnx FILE        the model and weights of an ONNX file (docs/onnx.md)\n"
    "  --norm MEAN,STD    normalization after /255 (default: the checkpoint's, else\n"
    "                     the training images' statistics)\n"
    "  --data DIR         MNIST-family folder (default " AX_DEFAULT_DATA ")\n"
    "  --units LIST       multipliers (default mul_exact,mul_trunc,mul_drum,\n"
    "                     mul_mitchell,mul_mbm,mul_realm; parameters as mul_drum:k=4)\n"
    "  --formats LIST     operand formats (default bf16,fp16,fp8e4m3)\n"
    "  --daa LIST         DAA configurations (daa:hi=U,lo=U,lo_in=F,policy=P,...;\n"
    "                     docs/units.md section 15) separated by ';': a row each,\n"
    "                     after the others, with the policy's error metrics and the\n"
    "                     network's share of products through hi (default: none)\n"
    "  --adder CFG        the approximate-adder MAC (default\n"
    "                     mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32; none: skip)\n"
    "  spiking models (snn-mlp, snn-conv; docs/snn.md): a row per synapse and per\n"
    "  neuron, each with the other exact fp32, and the synaptic operations per image:\n"
    "  --synapses LIST    synapse MACs separated by ';' (binary spikes only add: the\n"
    "                     adder, the weight format in= and the accumulator acc=;\n"
    "                     default " AX_ESTIMATE_SYNAPSES ")\n"
    "  --neurons LIST     neurons separated by ';', each over the checkpoint's neuron\n"
    "                     (default " AX_ESTIMATE_NEURONS ")\n"
    "  --retrain-epochs N epochs of retraining (default 1; 0: none)\n"
    "  --retrain-limit N  training images per retraining epoch (default 10000)\n"
    "  --lr R             retraining learning rate (default 0.001, cosine)\n"
    "  --test-limit N     test images (default: all)\n"
    "  --no-verify        do not run the RTL checks\n"
    "  --out DIR          where results.* and accuracy.png go (default axsim-estimate);\n"
    "                     the results so far are written after every row\n"
    "  --resume           continue the unfinished run in --out: its rows are taken\n"
    "                     from results.json (same options required), the rest computed\n"
    "  --backend B --threads N --seed S   as for axsim train\n"
    "  --quiet            no progress lines\n"
    "\n"
    "Exit status: 0 done (whatever the accuracies), 1 an RTL mismatch or a failure\n"
    "while running, 2 bad usage or input.\n";

typedef struct est_cli {
    net_job_t j;             /* o: the network's options; then the data, model, engine */
    ax_estimate_t st;
    char units[1024], fmts[512], wpath[4096], synapses[2048], neurons[2048], daa[2048], snn_out[4200];
    const char *adder, *outdir;
    int resume, tty;
    int main_job;            /* no --model: lenet5, then the spiking section */
    unsigned dnn_opts, snn_opts; /* options given that only one kind of model takes */
    double t0;
} est_cli_t;

/* Options into c. -1 to go on, or an exit code. */
static int parse_opts(est_cli_t *c, int argc, char **argv)
{
    enum { O_UNITS = 256, O_FMTS, O_ADDER, O_EP, O_RL, O_LR, O_TL, O_NV, O_RES, O_SYN, O_NEU, O_DAA, O_REN, O_ONNX, O_NORM };
    static const struct option lo[] = {
        {"model", 1, 0, 'm'},           {"weights", 1, 0, 'w'},        {"data", 1, 0, 'd'},
        {"units", 1, 0, O_UNITS},       {"formats", 1, 0, O_FMTS},     {"adder", 1, 0, O_ADDER},
        {"retrain-epochs", 1, 0, O_EP}, {"retrain-limit", 1, 0, O_RL}, {"lr", 1, 0, O_LR},
        {"test-limit", 1, 0, O_TL},     {"no-verify", 0, 0, O_NV},     {"out", 1, 0, 'o'},
        {"resume", 0, 0, O_RES},        {"backend", 1, 0, 'B'},        {"threads", 1, 0, 't'},
        {"seed", 1, 0, 's'},            {"quiet", 0, 0, 'q'},          {"synapses", 1, 0, O_SYN},
        {"neurons", 1, 0, O_NEU},       {"daa", 1, 0, O_DAA},          {"rename", 1, 0, O_REN},
        {"onnx", 1, 0, O_ONNX},         {"norm", 1, 0, O_NORM},        {0, 0, 0, 0}};
    net_opts_t *o = &c->j.o;
    ax_estimate_t *st = &c->st;
    int ch;
    ax_cli_opt_begin();
    while ((ch = ax_cli_opt(verb, argc, argv, lo, 0)) > 0) {
        int bad = 0;
        switch (ch) {
        case 'm': o->model = optarg, o->model_given = 1, c->main_job = 0; break;
        case 'w': o->weights = optarg; break;
        case O_REN: o->rename = optarg; break;
        case O_ONNX: o->onnx = optarg, c->main_job = 0; break;
        case O_NORM: bad = net_parse_norm(o, optarg); break;
        case 'd': o->data = optarg; break;
        case O_UNITS: snprintf(c->units, sizeof c->units, "%s", optarg), c->dnn_opts = 1; break;
        case O_FMTS: snprintf(c->fmts, sizeof c->fmts, "%s", optarg), c->dnn_opts = 1; break;
        case O_ADDER: c->adder = optarg, c->dnn_opts = 1; break;
        case O_DAA: snprintf(c->daa, sizeof c->daa, "%s", optarg), c->dnn_opts = 1; break;
        case O_SYN: snprintf(c->synapses, sizeof c->synapses, "%s", optarg), c->snn_opts = 1; break;
        case O_NEU: snprintf(c->neurons, sizeof c->neurons, "%s", optarg), c->snn_opts = 1; break;
        case O_EP: bad = ax_cli_u64(verb, "--retrain-epochs", optarg, &st->retrain_epochs); break;
        case O_RL: bad = ax_cli_u64(verb, "--retrain-limit", optarg, &st->retrain_limit); break;
        case O_LR: bad = ax_cli_double(verb, "--lr", optarg, 1, INFINITY, &st->lr); break;
        case O_TL: bad = ax_cli_u64(verb, "--test-limit", optarg, &st->test_limit); break;
        case O_NV: st->verify = 0; break;
        case O_RES: c->resume = 1; break;
        case 'o': c->outdir = optarg; break;
        case 'B': bad = ax_cli_backend(verb, optarg, &o->backend); break;
        case 't': bad = ax_cli_threads(verb, optarg, &o->threads); break;
        case 's': bad = ax_cli_u64(verb, "--seed", optarg, &st->seed); break;
        case 'q': o->quiet = 1; break;
        }
        if (bad) return AX_EXIT_USAGE;
    }
    if (ch < 0) return AX_EXIT_USAGE;
    if (st->retrain_epochs > 1000000) {
        ax_cli_error(verb, "--retrain-epochs %llu: at most 1000000", (unsigned long long)st->retrain_epochs);
        return AX_EXIT_USAGE;
    }
    if (o->onnx && o->model_given) {
        ax_cli_error(verb, "give --onnx FILE or --model M, not both (the ONNX file is the model)");
        return AX_EXIT_USAGE;
    }
    if (o->onnx) o->model = "onnx", o->model_given = 1;
    else if (net_check_model(verb, o->model)) return AX_EXIT_USAGE;
    if (o->rename && !o->weights) {
        ax_cli_error(verb, "--rename maps the names of --weights CKPT: give both");
        return AX_EXIT_USAGE;
    }
    if (o->weights && !o->model_given) { /* the checkpoint's model; the main job is lenet5's */
        int rc = net_model_from_weights(o);
        if (rc) return rc;
        if (strcmp(o->model, "lenet5")) c->main_job = 0;
    }
    if (c->dnn_opts) c->main_job = 0; /* a study of one's own: no spiking section */
    int spiking = ax_model_arch_spiking(o->model);
    if (!c->main_job && ((spiking && c->dnn_opts) || (!spiking && c->snn_opts))) {
        if (spiking)
            ax_cli_error(verb, "--units, --formats and --adder are for DNN models (lenet5, mlp, "
                               "...), not %s", o->model);
        else
            ax_cli_error(verb, "--synapses and --neurons are for spiking models (snn-mlp, "
                               "snn-conv), not %s", o->model);
        return AX_EXIT_USAGE;
    }
    if (!o->weights && !o->onnx) {
        snprintf(c->wpath, sizeof c->wpath, "%s/%s-fashion-mnist.safetensors", AXSIM_WEIGHTS_DIR, o->model);
        if (access(c->wpath, R_OK) != 0) {
            ax_cli_error(verb, "no shipped weights for --model %s (%s); give --weights CKPT "
                               "(axsim train writes one)", o->model, c->wpath);
            return AX_EXIT_USAGE;
        }
        o->weights = c->wpath;
    }
    if (!o->data) o->data = AX_DEFAULT_DATA;
    o->seed = st->seed, o->test_limit = st->test_limit;
    return -1;
}

/* Splits s at ';' into out (at most max). The count, or -1. */
static int split_semi(char *s, char **out, int max)
{
    int n = 0;
    for (char *t = strtok(s, ";"); t; t = strtok(NULL, ";")) {
        if (n == max) return -1;
        out[n++] = t;
    }
    return n;
}

/* A spiking model's rows, over the neuron of its checkpoint (c->st.snn). 0,
 * or an exit code. */
static int plan_snn(est_cli_t *c)
{
    char syn[sizeof c->synapses], neu[sizeof c->neurons], *sv[32], *nv[32], err[1024];
    snprintf(syn, sizeof syn, "%s", c->synapses);
    snprintf(neu, sizeof neu, "%s", c->neurons);
    int ns = split_semi(syn, sv, 32), nn = split_semi(neu, nv, 32);
    if (ns < 0 || nn < 0 || ns + nn == 0) {
        ax_cli_error(verb, "--synapses and --neurons: 1 to 32 entries each, separated by ';', "
                           "at least one row in all");
        return AX_EXIT_USAGE;
    }
    if (ax_estimate_plan_snn(&c->st, (const char *const *)sv, ns, (const char *const *)nv, nn, err,
                             sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_USAGE;
    }
    return 0;
}

/* The rows: every unit x format, then the adder MAC. 0, or an exit code. */
static int plan(est_cli_t *c)
{
    char *units[64], *fmts[32], err[1024];
    int nu = ax_cli_split(c->units, units, 64), nf = ax_cli_split(c->fmts, fmts, 32);
    if (nu <= 0 || nf <= 0) {
        ax_cli_error(verb, "--units and --formats need 1 to 64 and 1 to 32 entries");
        return AX_EXIT_USAGE;
    }
    const char *adder = strcmp(c->adder, "none") ? c->adder : NULL;
    if (ax_estimate_plan(&c->st, (const char *const *)units, nu, (const char *const *)fmts, nf, adder, err,
                         sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_USAGE;
    }
    char *daa[32];
    const int nd = c->daa[0] ? split_semi(c->daa, daa, 32) : 0;
    if (nd < 0) {
        ax_cli_error(verb, "--daa: 1 to 32 DAA configurations separated by ';'");
        ax_estimate_free(&c->st);
        return AX_EXIT_USAGE;
    }
    for (int i = 0; i < nd; i++)
        if (ax_estimate_add_daa(&c->st, daa[i], err, sizeof err)) {
            ax_cli_error(verb, "--daa: %s", err);
            ax_estimate_free(&c->st);
            return AX_EXIT_USAGE;
        }
    return 0;
}

/* A line on a TTY that says where the run is; cleared before a row prints. */
static void progress(void *ctx, int row, const char *stage, const ax_train_progress_t *p)
{
    est_cli_t *c = ctx;
    if (!c->tty || c->j.o.quiet) return;
    fprintf(stderr, "\r\033[K[%d/%d] %s: %s", row + 1, c->st.nrows, c->st.rows[row].name, stage);
    if (p) fprintf(stderr, " epoch %lld/%lld %3d%%", (long long)p->epoch, (long long)p->epochs,
                   (int)(100 * p->step / (p->steps ? p->steps : 1)));
    fflush(stderr);
}

static void print_row(const ax_estimate_t *st, const ax_estimate_row_t *r)
{
    char mred[16] = "-", after[16] = "-", delta[16];
    if (r->have_metrics) snprintf(mred, sizeof mred, "%.3e", r->met.mred);
    if (!isnan(r->acc1)) snprintf(after, sizeof after, "%.2f%%", 100 * r->acc1);
    else if (r->diverged) snprintf(after, sizeof after, "diverged");
    snprintf(delta, sizeof delta, "%+.2f", 100 * ((isnan(r->acc1) ? r->acc0 : r->acc1) - st->base_acc));
    if (r->kind == AX_ROW_SYNAPSE || r->kind == AX_ROW_NEURON)
        printf("%-30s %-11s %-9s %-10s %7.2f%% %9s %8s %10.0f %8.3f %7.1f%s\n", r->unit, r->fmt, mred,
               ax_estimate_rtl_text(r->rtl_status), 100 * r->acc0, after, delta, r->synops,
               r->spike_rate, r->secs, r->resumed ? " (resumed)" : "");
    else
        printf("%-30s %-12s %-9s %-10s %7.2f%% %9s %8s %7.1f%s\n", r->unit, r->fmt, mred,
               ax_estimate_rtl_text(r->rtl_status), 100 * r->acc0, after, delta, r->secs,
               r->resumed ? " (resumed)" : "");
    if (r->kind == AX_ROW_DAA) {
        printf("    policy NED %.3e (all hi %.3e, all lo %.3e), hi share %.1f%%", r->daa.ned, r->daa.ned_hi,
               r->daa.ned_lo, 100 * r->daa.hi_fraction);
        if (!isnan(r->daa_hi)) printf("; the network's non-zero products through hi: %.1f%%", 100 * r->daa_hi);
        printf("\n");
    }
    fflush(stdout);
}

/* After each row: its line, and the results so far (the last row's are
 * saved with the plot by the caller). */
static int row_done(void *ctx, const ax_estimate_t *st, int i, char *err, size_t errlen)
{
    est_cli_t *c = ctx;
    const ax_estimate_row_t *r = &st->rows[i];
    if (c->tty && !c->j.o.quiet) fputs("\r\033[K", stderr);
    if (r->diverged && !r->resumed) fprintf(stderr, "axsim estimate: %s: %s\n", r->name, r->why);
    print_row(st, r);
    if (i + 1 == st->nrows) return 0;
    return ax_estimate_save(st, c->outdir, i + 1, ax_clock_now() - c->t0, NULL, 0, err, errlen) < 0 ? -1 : 0;
}

/* The network, data and engine into the study, and its exact-fp32 accuracy. 0, or an exit code. */
static int open_study(est_cli_t *c)
{
    net_job_t *j = &c->j;
    ax_estimate_t *st = &c->st;
    char err[1024];
    int rc = net_job_load(j, NO_WEIGHTS | (st->retrain_epochs ? NO_TRAINSET : 0));
    if (rc >= 0) return rc;
    st->net = j->m, st->ckpt = j->o.wckpt, st->weights = j->o.weights ? j->o.weights : j->o.onnx, st->engine = j->e;
    if (ax_model_is_spiking(j->m)) { /* rows over the checkpoint's neuron */
        st->snn = j->m->snn;
        if ((rc = plan_snn(c))) return rc;
    }
    st->data = j->o.data, st->data_title = !strcmp(j->o.data, AX_DEFAULT_DATA) ? "Fashion-MNIST" : NULL;
    st->train = st->retrain_epochs ? &j->tr : NULL, st->test = &j->te;
    st->verify_exe = verify_exe, st->verify_jobs = (int)j->o.threads;
    st->progress = progress, st->row_done = row_done, st->ctx = c;
    c->t0 = ax_clock_now();
    if (ax_estimate_baseline(st, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    return -1;
}

/* --resume, or the note that an unfinished run is started again. 0, or an exit code. */
static int resume(est_cli_t *c)
{
    char err[1024];
    if (!c->resume) {
        if (ax_estimate_unfinished(c->outdir))
            fprintf(stderr, "axsim estimate: %s/results.json holds an unfinished run; starting again "
                            "(--resume would continue it)\n", c->outdir);
        return 0;
    }
    int taken = ax_estimate_resume(&c->st, c->outdir, err, sizeof err);
    if (taken < 0) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_USAGE;
    }
    if (taken) printf("resumed: %d of %d rows from %s/results.json\n\n", taken, c->st.nrows, c->outdir);
    return 0;
}

/* Every row, then the complete results and the plot. 0, or an exit code. */
static int run(est_cli_t *c)
{
    ax_estimate_t *st = &c->st;
    char err[1024], plot_err[512];
    if (ax_model_is_spiking(st->net))
        printf("%-30s %-11s %-9s %-10s %8s %9s %8s %10s %8s %7s\n", "row", "format", "MRED", "RTL",
               "accuracy", "retrained", "vs fp32", "synops/img", "spk/neur", "seconds");
    else
        printf("%-30s %-12s %-9s %-10s %8s %9s %8s %7s\n", "unit", "format", "MRED", "RTL", "accuracy",
               "retrained", "vs fp32", "seconds");
    fflush(stdout);
    int plotted = -1;
    if (ax_estimate_run(st, err, sizeof err) == 0)
        plotted = ax_estimate_save(st, c->outdir, st->nrows, ax_clock_now() - c->t0, plot_err, sizeof plot_err,
                                   err, sizeof err);
    if (plotted < 0) {
        if (c->tty && !c->j.o.quiet) fputs("\r\033[K", stderr);
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    if (!plotted) fprintf(stderr, "axsim estimate: no plot: %s\n", plot_err);
    printf("\n%d configuration%s in %.0f s; %s/results.csv, results.json%s\n", st->nrows, st->nrows == 1 ? "" : "s",
           ax_clock_now() - c->t0, c->outdir, plotted ? ", accuracy.png" : "");
    if (!st->mismatches) return AX_EXIT_OK;
    fprintf(stderr, "axsim estimate: an RTL check failed (MISMATCH above): run axsim verify on it\n");
    return AX_EXIT_FAIL;
}

/* One study: its rows, its folder, the network, every row, the results. 0,
 * or an exit code. */
static int run_one(est_cli_t *c)
{
    net_opts_t *o = &c->j.o;
    char err[1024];
    int rc = ax_model_arch_spiking(o->model) ? 0 : plan(c); /* a spiking model's: once loaded */
    if (rc) return rc;
    /* the results folder first: a run that could not save them does not start */
    if (ax_estimate_prepare_out(c->outdir, err, sizeof err)) {
        ax_cli_error(verb, "--out %s", err);
        rc = AX_EXIT_USAGE;
    } else if ((rc = open_study(c)) < 0) {
        printf("axsim estimate: %s (%s) on %s, %lld test images; exact fp32: %.2f%%", o->model, o->weights ? o->weights : o->onnx,
               o->data, (long long)c->st.ntest, 100 * c->st.base_acc);
        if (ax_model_is_spiking(c->j.m))
            printf(", %.0f synaptic operations and %.3f spikes per neuron per image", c->st.base_synops,
                   c->st.base_spike_rate);
        printf("\n");
        if (ax_model_is_spiking(c->j.m)) {
            char b[400];
            printf("spiking: %s\n", ax_snn_describe(&c->st.snn, b, sizeof b));
        }
        printf("retraining: %llu epoch(s) of %llu images, lr %g, forward through the MAC, gradients exact fp32\n\n",
               (unsigned long long)c->st.retrain_epochs, (unsigned long long)c->st.retrain_limit, c->st.lr);
        if (!(rc = resume(c))) rc = run(c);
    }
    ax_estimate_free(&c->st);
    net_job_close(&c->j);
    return rc;
}

/* The main job's spiking section: the shipped snn-conv, a few rows, 2,000
 * test images and retraining images unless given, into OUT/snn-conv. */
#define MAIN_SNN_MODEL "snn-conv"
#define MAIN_SNN_SYNAPSES "in=bf16,add=loa:l=8,acc=fp32"
#define MAIN_SNN_NEURONS "fmt=bf16;fmt=fp8e4m3"
enum { MAIN_SNN_IMAGES = 2000 };

static int main_snn(est_cli_t *c, const ax_estimate_t *given, int test_limit_given,
                    int retrain_limit_given)
{
    net_opts_t *o = &c->j.o;
    const int quiet = o->quiet;
    const ax_backend_t backend = o->backend;
    const uint64_t threads = o->threads;
    const char *data = o->data;
    net_opts_defaults(o, verb);
    o->quiet = quiet, o->backend = backend, o->threads = threads, o->data = data;
    o->model = MAIN_SNN_MODEL;
    snprintf(c->wpath, sizeof c->wpath, "%s/%s-fashion-mnist.safetensors", AXSIM_WEIGHTS_DIR, o->model);
    if (access(c->wpath, R_OK) != 0) {
        fprintf(stderr, "axsim estimate: no spiking section: %s is missing\n", c->wpath);
        return AX_EXIT_OK;
    }
    o->weights = c->wpath;
    ax_estimate_init(&c->st);
    c->st.seed = given->seed, c->st.retrain_epochs = given->retrain_epochs, c->st.lr = given->lr;
    c->st.verify = given->verify;
    c->st.test_limit = test_limit_given ? given->test_limit : MAIN_SNN_IMAGES;
    c->st.retrain_limit = retrain_limit_given ? given->retrain_limit : MAIN_SNN_IMAGES;
    o->seed = c->st.seed, o->test_limit = c->st.test_limit;
    if (!c->snn_opts) {
        snprintf(c->synapses, sizeof c->synapses, "%s", MAIN_SNN_SYNAPSES);
        snprintf(c->neurons, sizeof c->neurons, "%s", MAIN_SNN_NEURONS);
    }
    snprintf(c->snn_out, sizeof c->snn_out, "%s/%s", c->outdir, o->model);
    c->outdir = c->snn_out;
    printf("\n--- spiking section ---\n\n");
    return run_one(c);
}

int ax_verb_estimate(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        fputs(help, stdout);
        return AX_EXIT_OK;
    }
    est_cli_t c;
    memset(&c, 0, sizeof c);
    net_opts_t *o = &c.j.o;
    net_opts_defaults(o, verb); /* the model, backend and the data's normalization */
    ax_estimate_init(&c.st);
    snprintf(c.units, sizeof c.units, "%s", AX_ESTIMATE_UNITS);
    snprintf(c.fmts, sizeof c.fmts, "%s", AX_ESTIMATE_FORMATS);
    snprintf(c.synapses, sizeof c.synapses, "%s", AX_ESTIMATE_SYNAPSES);
    snprintf(c.neurons, sizeof c.neurons, "%s", AX_ESTIMATE_NEURONS);
    c.adder = AX_ESTIMATE_ADDER, c.outdir = "axsim-estimate", c.tty = isatty(2), c.main_job = 1;
    ax_estimate_t defaults = c.st;
    int rc = parse_opts(&c, argc, argv);
    if (rc >= 0) return rc;
    const ax_estimate_t given = c.st; /* the study's options as given, for the spiking section */
    rc = run_one(&c);
    const char *outdir = c.outdir;
    const int resuming = c.resume;
    if (c.main_job && (rc == AX_EXIT_OK || rc == AX_EXIT_FAIL)) {
        int rc2 = main_snn(&c, &given, given.test_limit != defaults.test_limit,
                           given.retrain_limit != defaults.retrain_limit);
        if (rc == AX_EXIT_OK) rc = rc2;
    }
    if (c.main_job && (rc == AX_EXIT_OK || rc == AX_EXIT_FAIL)) {
        int rc3 = ax_accel_main_section(outdir, resuming);
        if (rc == AX_EXIT_OK) rc = rc3;
    }
    return rc;
}
