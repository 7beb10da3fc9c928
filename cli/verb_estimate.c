/* verb_estimate.c — `axsim estimate`, the main job: how accurate will a
 * planned accelerator be? For every multiplier of a set, in every operand
 * format of a set (fp32 product, exact fp32 accumulation), and for one
 * approximate-adder MAC: the unit's error metrics, whether its RTL was
 * verified against the model (quick level), the test accuracy of a trained
 * network with every MAC through that unit, and the accuracy after a short
 * approximation-aware retraining. A table, CSV, JSON and a PNG plot
 * (docs/estimate.md). */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ax_metrics.h"
#include "ax_plot.h"
#include "ax_atomic.h"
#include "cli.h"
#include "net_cli.h"
#include "ax_clock.h"

#ifndef AXSIM_WEIGHTS_DIR
#define AXSIM_WEIGHTS_DIR "networks/weights"
#endif

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
    "                     any model with --weights\n"
    "  --weights CKPT     a checkpoint of --model (default: the shipped one)\n"
    "  --data DIR         MNIST-family folder (default " AX_DEFAULT_DATA ")\n"
    "  --units LIST       multipliers (default mul_exact,mul_trunc,mul_drum,\n"
    "                     mul_mitchell,mul_mbm,mul_realm; parameters as mul_drum:k=4)\n"
    "  --formats LIST     operand formats (default bf16,fp16,fp8e4m3)\n"
    "  --adder CFG        the approximate-adder MAC (default\n"
    "                     mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32; none: skip)\n"
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

typedef struct row {
    char name[200], unit[160], fmt[24], mac[160], rtl[256];
    int is_adder;
    ax_mac_cfg_t cfg;
    int have_metrics;
    ax_metrics_t met;
    int verified; /* 1 ok, 0 mismatch, -1 not built, -2 not run */
    int diverged; /* retraining stopped at an inf or NaN loss or gradient */
    double acc0, acc1, secs; /* acc1 NaN: no retraining, or it diverged */
    char plot[400];          /* its label in the plot, with the rows it coincides with */
    int merged;              /* 1: drawn as part of an earlier row's point */
    int resumed;             /* accuracies taken from the interrupted run's results.json */
} row_t;

/* What the results files say besides the rows. */
typedef struct est {
    const net_opts_t *o;
    const char *outdir, *backend;
    row_t *rows;
    int nr;
    double base_acc, lr;
    int64_t ntest;
    uint64_t epochs, rlimit;
} est_t;

static const char *retrain_text(const row_t *r)
{
    return r->diverged ? "diverged" : isnan(r->acc1) ? "none" : "done";
}

/* axsim-verify --config NAME --jobs N: 1 ok, 0 mismatch, -1 not built. */
static int verify_config(const char *name, int jobs)
{
#ifdef AXSIM_VERIFY_EXE
    char j[16];
    snprintf(j, sizeof j, "%d", jobs > 0 ? jobs : 1);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        execl(AXSIM_VERIFY_EXE, AXSIM_VERIFY_EXE, "--config", name, "--jobs", j, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) return 0;
    return WEXITSTATUS(st) == 0 ? 1 : WEXITSTATUS(st) == 1 ? 0 : -1;
#else
    (void)name, (void)jobs;
    return -1;
#endif
}

static const char *rtl_text(int v)
{
    return v == 1 ? "verified" : v == 0 ? "MISMATCH" : v == -1 ? "not built" : "not run";
}

/* The unit's name as the RTL configurations spell it: bare when its
 * parameters are the defaults ("mul_drum"), else with them ("mul_drum:k=4"). */
static void rtl_unit_name(ax_unit_t u, char *buf, size_t len)
{
    char full[64], bare[64], again[64];
    ax_unit_name(u, full, sizeof full);
    snprintf(bare, sizeof bare, "%s", full);
    char *colon = strchr(bare, ':');
    if (colon) *colon = 0;
    ax_unit_t d;
    char err[128];
    int dflt = ax_unit_parse(bare, &d, err, sizeof err) == 0 &&
               !strcmp(ax_unit_name(d, again, sizeof again), full);
    snprintf(buf, len, "%s", dflt ? bare : full);
}

/* The header of results.json: what a resumed run must share with this one. */
static cJSON *results_header(const est_t *st)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", st->o->model);
    cJSON_AddStringToObject(root, "weights", st->o->weights);
    cJSON_AddStringToObject(root, "data", st->o->data);
    cJSON_AddNumberToObject(root, "test_images", (double)st->ntest);
    cJSON_AddNumberToObject(root, "fp32_accuracy", st->base_acc);
    cJSON_AddNumberToObject(root, "retrain_epochs", (double)st->epochs);
    cJSON_AddNumberToObject(root, "retrain_images", (double)st->rlimit);
    cJSON_AddNumberToObject(root, "retrain_lr", st->lr);
    cJSON_AddNumberToObject(root, "seed", (double)st->o->seed);
    return root;
}

/* results.csv and results.json with the first n rows (atomically; complete
 * when n is every row), and with every row the plot. 0, or -1 with a message. */
static int write_results(const est_t *st, int n, double seconds, int *plotted, char *err,
                         size_t errlen)
{
    char path[4200];
    size_t cap = 4096 + (size_t)n * 1024, len = 0;
    char *csv = malloc(cap);
    ax_plot_point_t *pts = calloc((size_t)(2 * n + 1), sizeof *pts);
    cJSON *root = results_header(st), *arr = cJSON_AddArrayToObject(root, "rows");
    if (!csv || !pts || !root || !arr) {
        free(csv), free(pts), cJSON_Delete(root);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cJSON_AddBoolToObject(root, "complete", n == st->nr);
    cJSON_AddStringToObject(root, "backend", st->backend);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    len += (size_t)snprintf(csv + len, cap - len,
                            "unit,format,mac,mred,nmed,wcre,bias,error_rate,rtl,rtl_config,"
                            "accuracy,retraining,accuracy_retrained,fp32_accuracy,seconds\n");
    int np = 0;
    for (int i = 0; i < n; i++) st->rows[i].merged = 0;
    for (int i = 0; i < n; i++) {
        row_t *r = &st->rows[i];
        char a1[32] = ""; /* empty without a retrained accuracy */
        if (!isnan(r->acc1)) snprintf(a1, sizeof a1, "%.6f", r->acc1);
        len += (size_t)snprintf(csv + len, cap - len,
                                "%s,%s,\"%s\",%.6e,%.6e,%.6e,%.6e,%.6e,%s,%s,%.6f,%s,%s,%.6f,%.2f\n",
                                r->unit, r->fmt, r->mac, r->met.mred, r->met.nmed, r->met.wcre,
                                r->met.bias, r->met.error_rate, rtl_text(r->verified), r->rtl,
                                r->acc0, retrain_text(r), a1, st->base_acc, r->secs);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "unit", r->unit);
        cJSON_AddStringToObject(j, "format", r->fmt);
        cJSON_AddStringToObject(j, "mac", r->mac);
        if (r->have_metrics) {
            cJSON *mt = ax_metrics_json(r->is_adder ? r->cfg.add : r->cfg.mul,
                                        r->is_adder ? r->cfg.acc : r->cfg.in,
                                        r->is_adder ? r->cfg.acc : r->cfg.prod, &r->met);
            cJSON_AddItemToObject(j, "metrics", mt);
        }
        cJSON_AddStringToObject(j, "rtl", rtl_text(r->verified));
        cJSON_AddStringToObject(j, "rtl_config", r->rtl);
        cJSON_AddNumberToObject(j, "accuracy", r->acc0);
        cJSON_AddStringToObject(j, "retraining", retrain_text(r));
        if (!isnan(r->acc1)) cJSON_AddNumberToObject(j, "accuracy_retrained", r->acc1);
        cJSON_AddNumberToObject(j, "seconds", r->secs);
        cJSON_AddItemToArray(arr, j);
        if (r->have_metrics && !r->is_adder && !r->merged) {
            /* rows with the same MRED and accuracies (mul_trunc and mul_exact with an
             * fp32 product) are one point labelled with every unit */
            snprintf(r->plot, sizeof r->plot, "%s", r->name);
            for (int k = i + 1; k < n; k++) {
                row_t *q = &st->rows[k];
                if (q->is_adder || !q->have_metrics || q->met.mred != r->met.mred ||
                    q->acc0 != r->acc0 || !(q->acc1 == r->acc1 || (isnan(q->acc1) && isnan(r->acc1))))
                    continue;
                size_t at = strlen(r->plot);
                snprintf(r->plot + at, sizeof r->plot - at, " = %s",
                         strcmp(q->fmt, r->fmt) ? q->name : q->unit);
                q->merged = 1;
            }
            pts[np++] = (ax_plot_point_t){r->met.mred, 100 * r->acc0, r->plot, "before retraining"};
            if (!isnan(r->acc1))
                pts[np++] = (ax_plot_point_t){r->met.mred, 100 * r->acc1, NULL, "after retraining"};
        }
    }
    char *js = cJSON_Print(root);
    snprintf(path, sizeof path, "%s/results.csv", st->outdir);
    int bad = net_write_atomic(path, csv, err, errlen);
    snprintf(path, sizeof path, "%s/results.json", st->outdir);
    if (!bad && !js) bad = snprintf(err, errlen, "%s: out of memory", path) > 0;
    if (!bad) bad = net_write_atomic(path, js, err, errlen);
    free(csv), free(js);
    cJSON_Delete(root);
    *plotted = 0;
    if (!bad && n == st->nr) {
        const char *o_data = st->o->data, *dn = strrchr(o_data, '/');
        dn = !strcmp(o_data, AX_DEFAULT_DATA) ? "Fashion-MNIST" : dn && dn[1] ? dn + 1 : o_data;
        char title[256], perr[512];
        snprintf(title, sizeof title, "%s on %s: test accuracy against the multiplier's MRED",
                 st->o->model, dn);
        ax_plot_t pl = {title, "mean relative error of the multiplier (MRED)", "test accuracy (%)", 0,
                        100 * st->base_acc, "exact fp32"};
        snprintf(path, sizeof path, "%s/accuracy.png", st->outdir);
        *plotted = ax_plot_scatter(path, &pl, pts, np, perr, sizeof perr) == 0;
        if (!*plotted) fprintf(stderr, "axsim estimate: no plot: %s\n", perr);
    }
    free(pts);
    return bad ? -1 : 0;
}

/* The JSON document in path; NULL when it is absent (*absent = 1), unreadable
 * or not JSON. */
static cJSON *read_json(const char *path, int *absent)
{
    FILE *f = fopen(path, "rb");
    *absent = !f && errno == ENOENT;
    if (!f) return NULL;
    char *text = NULL;
    size_t cap = 0, len = 0, got = 0;
    do {
        if (len + 65536 > cap) {
            char *t = realloc(text, cap = cap * 2 + 65536);
            if (!t) break;
            text = t;
        }
        got = fread(text + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    fclose(f);
    cJSON *j = NULL;
    if (text) {
        text[len] = 0;
        j = cJSON_Parse(text);
    }
    free(text);
    return j;
}

/* --resume: the rows of an interrupted run in outdir/results.json, taken
 * over where the header matches this run and the MAC names a row of it.
 * Returns the rows taken (0 without a file), or -1 with a message. */
static int resume_rows(const est_t *st, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/results.json", st->outdir);
    int absent = 0;
    cJSON *have = read_json(path, &absent), *want = results_header(st);
    if (absent) {
        cJSON_Delete(want);
        return 0;
    }
    int taken = 0;
    if (!have || !cJSON_IsArray(cJSON_GetObjectItem(have, "rows"))) {
        snprintf(err, errlen, "%.700s: cannot resume: not the results.json of axsim estimate", path);
        taken = -1;
    }
    for (cJSON *w = want ? want->child : NULL; taken >= 0 && w; w = w->next) {
        cJSON *h = cJSON_GetObjectItem(have, w->string);
        if (!h || !cJSON_Compare(h, w, 1)) {
            char *hs = h ? cJSON_PrintUnformatted(h) : NULL, *ws = cJSON_PrintUnformatted(w);
            snprintf(err, errlen,
                     "%.500s: cannot resume: it was written with %.40s %.150s, this run has %.150s (give another "
                     "--out, or the same options)",
                     path, w->string, hs ? hs : "(none)", ws ? ws : "?");
            free(hs), free(ws);
            taken = -1;
        }
    }
    cJSON *row;
    if (taken >= 0)
        cJSON_ArrayForEach(row, cJSON_GetObjectItem(have, "rows")) {
            const char *mac = cJSON_GetStringValue(cJSON_GetObjectItem(row, "mac"));
            const char *how = cJSON_GetStringValue(cJSON_GetObjectItem(row, "retraining"));
            cJSON *a0 = cJSON_GetObjectItem(row, "accuracy"), *a1 = cJSON_GetObjectItem(row, "accuracy_retrained");
            cJSON *sec = cJSON_GetObjectItem(row, "seconds");
            if (!mac || !how || !cJSON_IsNumber(a0) || !cJSON_IsNumber(sec) ||
                (!strcmp(how, "done") && !cJSON_IsNumber(a1)))
                continue;
            for (int i = 0; i < st->nr; i++) {
                row_t *r = &st->rows[i];
                if (r->resumed || strcmp(r->mac, mac)) continue;
                r->acc0 = a0->valuedouble;
                r->acc1 = !strcmp(how, "done") ? a1->valuedouble : NAN;
                r->diverged = !strcmp(how, "diverged");
                r->secs = sec->valuedouble;
                r->resumed = 1;
                taken++;
                break;
            }
        }
    cJSON_Delete(have);
    cJSON_Delete(want);
    return taken;
}

int ax_verb_estimate(int argc, char **argv)
{
    static const char verb[] = "estimate";
    if (ax_cli_wants_help(argc, argv)) {
        fputs(help, stdout);
        return AX_EXIT_OK;
    }
    net_opts_t o;
    memset(&o, 0, sizeof o);
    o.verb = verb, o.model = "lenet5", o.backend = AX_BACKEND_AUTO, o.seed = 1;
    o.batch = 64, o.eval_batch = 256, o.sched = AX_SCHED_COSINE;
    o.norm[0] = o.norm[1] = o.norm[2] = NAN;
    char units_s[1024] = "mul_exact,mul_trunc,mul_drum,mul_mitchell,mul_mbm,mul_realm";
    char fmts_s[512] = "bf16,fp16,fp8e4m3";
    const char *adder = "mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32", *outdir = "axsim-estimate";
    uint64_t epochs = 1, rlimit = 10000;
    double lr = 0.001;
    int no_verify = 0, resume = 0;
    enum { O_UNITS = 256, O_FMTS, O_ADDER, O_EP, O_RL, O_LR, O_TL, O_NV, O_RES };
    static const struct option lo[] = {
        {"model", 1, 0, 'm'},        {"weights", 1, 0, 'w'},        {"data", 1, 0, 'd'},
        {"units", 1, 0, O_UNITS},    {"formats", 1, 0, O_FMTS},     {"adder", 1, 0, O_ADDER},
        {"retrain-epochs", 1, 0, O_EP}, {"retrain-limit", 1, 0, O_RL}, {"lr", 1, 0, O_LR},
        {"test-limit", 1, 0, O_TL},  {"no-verify", 0, 0, O_NV},     {"out", 1, 0, 'o'},
        {"resume", 0, 0, O_RES},
        {"backend", 1, 0, 'B'},      {"threads", 1, 0, 't'},        {"seed", 1, 0, 's'},
        {"quiet", 0, 0, 'q'},        {0, 0, 0, 0}};
    optind = 1, opterr = 0;
    int ch;
    char err[1024];
    while ((ch = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
        switch (ch) {
        case 'm': o.model = optarg; break;
        case 'w': o.weights = optarg; break;
        case 'd': o.data = optarg; break;
        case O_UNITS: snprintf(units_s, sizeof units_s, "%s", optarg); break;
        case O_FMTS: snprintf(fmts_s, sizeof fmts_s, "%s", optarg); break;
        case O_ADDER: adder = optarg; break;
        case O_EP: if (ax_cli_u64(verb, "--retrain-epochs", optarg, &epochs)) return AX_EXIT_USAGE; break;
        case O_RL: if (ax_cli_u64(verb, "--retrain-limit", optarg, &rlimit)) return AX_EXIT_USAGE; break;
        case O_LR: {
            char *end;
            lr = strtod(optarg, &end);
            if (end == optarg || *end || !(lr > 0) || !isfinite(lr)) {
                ax_cli_error(verb, "--lr '%s': expected a positive number", optarg);
                return AX_EXIT_USAGE;
            }
            break;
        }
        case O_TL: if (ax_cli_u64(verb, "--test-limit", optarg, &o.test_limit)) return AX_EXIT_USAGE; break;
        case O_NV: no_verify = 1; break;
        case O_RES: resume = 1; break;
        case 'o': outdir = optarg; break;
        case 'B':
            if (ax_backend_parse(optarg, &o.backend, err, sizeof err)) {
                ax_cli_error(verb, "--backend: %s", err);
                return AX_EXIT_USAGE;
            }
            break;
        case 't': if (ax_cli_threads(verb, optarg, &o.threads)) return AX_EXIT_USAGE; break;
        case 's': if (ax_cli_u64(verb, "--seed", optarg, &o.seed)) return AX_EXIT_USAGE; break;
        case 'q': o.quiet = 1; break;
        case ':': ax_cli_error(verb, "option %s needs a value", argv[optind - 1]); return AX_EXIT_USAGE;
        default: ax_cli_error(verb, "unknown option '%s' (see axsim estimate --help)", argv[optind - 1]); return AX_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        ax_cli_error(verb, "unexpected argument '%s'", argv[optind]);
        return AX_EXIT_USAGE;
    }
    if (epochs > 1000000) {
        ax_cli_error(verb, "--retrain-epochs %llu: at most 1000000", (unsigned long long)epochs);
        return AX_EXIT_USAGE;
    }
    if (!ax_model_describe(o.model)) {
        ax_cli_error(verb, "--model '%s': unknown (mlp, lenet5, vgg, resnet8, resnet20, mobilenet)", o.model);
        return AX_EXIT_USAGE;
    }
    char wpath[4096];
    if (!o.weights) {
        snprintf(wpath, sizeof wpath, "%s/%s-fashion-mnist.safetensors", AXSIM_WEIGHTS_DIR, o.model);
        if (access(wpath, R_OK) != 0) {
            ax_cli_error(verb, "no shipped weights for --model %s (%s); give --weights CKPT "
                               "(axsim train writes one)", o.model, wpath);
            return AX_EXIT_USAGE;
        }
        o.weights = wpath;
    }
    if (!o.data) o.data = AX_DEFAULT_DATA;

    /* the rows: every unit x format, then the adder MAC */
    char *units[64], *fmts[32];
    int nu = ax_cli_split(units_s, units, 64), nf = ax_cli_split(fmts_s, fmts, 32);
    if (nu <= 0 || nf <= 0) {
        ax_cli_error(verb, "--units and --formats need 1 to 64 and 1 to 32 entries");
        return AX_EXIT_USAGE;
    }
    int adder_row = strcmp(adder, "none") != 0;
    row_t *rows = calloc((size_t)(nu * nf + 1), sizeof *rows);
    if (!rows) return AX_EXIT_FAIL;
    int nr = 0;
    for (int fi = 0; fi < nf; fi++)
        for (int ui = 0; ui < nu; ui++) {
            row_t *r = &rows[nr];
            ax_unit_t u;
            ax_format_t f;
            if (ax_cli_unit(verb, units[ui], &u) || ax_cli_format(verb, "--formats", fmts[fi], &f)) {
                free(rows);
                return AX_EXIT_USAGE;
            }
            if (ax_unit_kind(u) != AX_KIND_MUL) {
                ax_cli_error(verb, "--units '%s': not a multiplier (the adder goes in --adder)", units[ui]);
                free(rows);
                return AX_EXIT_USAGE;
            }
            ax_unit_name(u, r->unit, sizeof r->unit);
            snprintf(r->fmt, sizeof r->fmt, "%s", fmts[fi]);
            char spec[256];
            snprintf(spec, sizeof spec, "mul=%s,in=%s,prod=fp32,add=exact,acc=fp32", r->unit + 4, fmts[fi]);
            if (ax_mac_parse(spec, &r->cfg, err, sizeof err)) {
                ax_cli_error(verb, "%s: %s", spec, err);
                free(rows);
                return AX_EXIT_USAGE;
            }
            ax_mac_name(&r->cfg, r->mac, sizeof r->mac);
            snprintf(r->name, sizeof r->name, "%s %s", r->unit, r->fmt);
            char ru[64];
            rtl_unit_name(u, ru, sizeof ru);
            snprintf(r->rtl, sizeof r->rtl, "%s.%s.fp32", ru, r->fmt);
            r->have_metrics = ax_metrics_compute(u, f, r->cfg.prod, AX_METRICS_MAX_ENUM, AX_METRICS_SAMPLE, o.seed, &r->met) == 0;
            nr++;
        }
    if (adder_row) {
        row_t *r = &rows[nr];
        if (ax_mac_parse(adder, &r->cfg, err, sizeof err)) {
            ax_cli_error(verb, "--adder '%s': %s", adder, err);
            free(rows);
            return AX_EXIT_USAGE;
        }
        r->is_adder = 1;
        ax_mac_name(&r->cfg, r->mac, sizeof r->mac);
        char mu[64], ad[64], fin[24], facc[24];
        ax_unit_name(r->cfg.mul, mu, sizeof mu);
        ax_unit_name(r->cfg.add, ad, sizeof ad);
        ax_format_name(r->cfg.in, fin, sizeof fin);
        ax_format_name(r->cfg.acc, facc, sizeof facc);
        snprintf(r->unit, sizeof r->unit, "%s+%s", mu, ad);
        snprintf(r->fmt, sizeof r->fmt, "%s", fin);
        snprintf(r->name, sizeof r->name, "%s+%s %s", mu, ad, fin);
        /* the adder on its accumulator format, and the multiplier's product */
        char prod[24];
        ax_format_name(r->cfg.prod, prod, sizeof prod);
        char rm[64], ra[64];
        rtl_unit_name(r->cfg.mul, rm, sizeof rm);
        rtl_unit_name(r->cfg.add, ra, sizeof ra);
        snprintf(r->rtl, sizeof r->rtl, "%s.%s.%s %s.%s.%s", ra, facc, facc, rm, fin, prod);
        r->have_metrics = ax_metrics_compute(r->cfg.add, r->cfg.acc, r->cfg.acc, AX_METRICS_MAX_ENUM,
                                             AX_METRICS_SAMPLE, o.seed, &r->met) == 0;
        nr++;
    }

    /* the results folder first: a run that could not save them does not start */
    int classes = 0, rc;
    struct stat sb;
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/results.json", outdir);
    if (stat(outdir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        ax_cli_error(verb, "--out %s is not a folder (the results go into a folder: give another --out)", outdir);
        free(rows);
        return AX_EXIT_USAGE;
    }
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        ax_cli_error(verb, "--out: cannot create %s: %s", outdir, strerror(errno));
        free(rows);
        return AX_EXIT_USAGE;
    }
    if (ax_atomic_probe(probe, err, sizeof err)) {
        ax_cli_error(verb, "--out: %s", err);
        free(rows);
        return AX_EXIT_USAGE;
    }
    /* data, weights, engine */
    ax_dataset_t tr, te;
    if ((rc = net_peek_weights(&o, &classes)) || (rc = net_load_data(&o, &tr, &te, epochs ? NO_TRAINSET : 0))) {
        net_opts_free(&o);
        free(rows);
        return rc;
    }
    ax_model_t *m = ax_model_create(o.model, te.c, te.h, te.w, classes ? classes : (te.classes > 1 ? te.classes : 2), err, sizeof err);
    ax_engine_t *e = NULL;
    if (!m) ax_cli_error(verb, "%s", err);
    else e = net_engine(&o);
    if (!m || !e) {
        ax_model_free(m);
        ax_dataset_free(&tr), ax_dataset_free(&te), free(rows);
        net_opts_free(&o);
        return AX_EXIT_USAGE;
    }
    ax_mac_cfg_t f32;
    ax_mac_parse("mul=exact,in=fp32", &f32, err, sizeof err);
    double t0 = ax_clock_now(), base_acc, loss;
    rc = AX_EXIT_FAIL;
    if ((rc = net_load_model(&o, m)) || (rc = net_data_fits(&o, m, &te, "the test images")) ||
        (epochs && (rc = net_data_fits(&o, m, &tr, "the training images"))))
        goto out;
    rc = AX_EXIT_FAIL;
    ax_model_set_mac(m, e, &f32, &f32);
    if (ax_evaluate(m, &te, (int64_t)o.test_limit, 256, &loss, &base_acc, err, sizeof err)) goto fail;
    int64_t ntest = o.test_limit && (int64_t)o.test_limit < te.n ? (int64_t)o.test_limit : te.n;
    printf("axsim estimate: %s (%s) on %s, %lld test images; exact fp32: %.2f%%\n", o.model, o.weights,
           o.data, (long long)ntest, 100 * base_acc);
    printf("retraining: %llu epoch(s) of %llu images, lr %g, forward through the MAC, gradients exact fp32\n\n",
           (unsigned long long)epochs, (unsigned long long)rlimit, lr);
    est_t st = {&o, outdir, ax_engine_describe(e), rows, nr, base_acc, lr, ntest, epochs, rlimit};
    if (!resume) {
        char path[4200];
        int absent;
        snprintf(path, sizeof path, "%s/results.json", outdir);
        cJSON *prev = read_json(path, &absent);
        if (cJSON_IsFalse(cJSON_GetObjectItem(prev, "complete")))
            fprintf(stderr, "axsim estimate: %s holds an unfinished run; starting again "
                            "(--resume would continue it)\n", path);
        cJSON_Delete(prev);
    }
    int taken = 0;
    if (resume && (taken = resume_rows(&st, err, sizeof err)) < 0) {
        ax_cli_error(verb, "%s", err);
        rc = AX_EXIT_USAGE;
        goto out;
    }
    if (taken) printf("resumed: %d of %d rows from %s/results.json\n\n", taken, nr, outdir);
    printf("%-30s %-9s %-9s %-10s %8s %9s %8s %7s\n", "unit", "format", "MRED", "RTL", "accuracy",
           "retrained", "vs fp32", "seconds");
    fflush(stdout);
    int mismatch = 0;
    for (int i = 0; i < nr; i++) {
        row_t *r = &rows[i];
        double ts = ax_clock_now();
        if (no_verify) {
            r->verified = -2;
        } else if (r->is_adder) {
            char a[96], b[96];
            sscanf(r->rtl, "%95s %95s", a, b);
            int va = verify_config(a, (int)o.threads), vb = verify_config(b, (int)o.threads);
            r->verified = (va == 0 || vb == 0) ? 0 : (va == -1 || vb == -1) ? -1 : 1;
        } else {
            r->verified = verify_config(r->rtl, (int)o.threads);
        }
        mismatch |= r->verified == 0;
        if (r->resumed) goto print; /* its accuracies are in results.json; the RTL check is rerun */
        if (net_load_model(&o, m)) {
            rc = AX_EXIT_USAGE;
            goto out;
        }
        ax_model_set_mac(m, e, &r->cfg, &f32);
        if (ax_evaluate(m, &te, (int64_t)o.test_limit, 256, &loss, &r->acc0, err, sizeof err)) goto fail;
        r->acc1 = NAN;
        if (epochs) {
            ax_train_cfg_t c;
            memset(&c, 0, sizeof c);
            c.epochs = (int64_t)epochs, c.batch = 64, c.lr = (float)lr, c.sched = AX_SCHED_COSINE;
            c.opt.kind = AX_OPT_SGD, c.opt.momentum = 0.9f, c.opt.weight_decay = 5e-4f;
            c.seed = o.seed, c.limit = (int64_t)rlimit, c.test_limit = (int64_t)o.test_limit;
            ax_train_result_t res;
            if (ax_train(m, &tr, &te, &c, &res, err, sizeof err)) {
                if (!res.diverged) goto fail;
                r->diverged = 1; /* a result of the unit, not a failure of the job */
                fprintf(stderr, "axsim estimate: %s: %s\n", r->name, err);
            } else {
                r->acc1 = res.test_acc;
            }
        }
        r->secs = ax_clock_now() - ts;
    print:;
        char mred[16];
        if (r->have_metrics) snprintf(mred, sizeof mred, "%.3e", r->met.mred);
        else snprintf(mred, sizeof mred, "-");
        char after[16] = "-", delta[16];
        if (!isnan(r->acc1)) snprintf(after, sizeof after, "%.2f%%", 100 * r->acc1);
        else if (r->diverged) snprintf(after, sizeof after, "diverged");
        snprintf(delta, sizeof delta, "%+.2f", 100 * ((isnan(r->acc1) ? r->acc0 : r->acc1) - base_acc));
        printf("%-30s %-9s %-9s %-10s %7.2f%% %9s %8s %7.1f%s\n", r->unit, r->fmt, mred,
               rtl_text(r->verified), 100 * r->acc0, after, delta, r->secs,
               r->resumed ? " (resumed)" : "");
        fflush(stdout);
        /* the rows so far, so that an interrupted run can --resume */
        int unused;
        if (i + 1 < nr && write_results(&st, i + 1, ax_clock_now() - t0, &unused, err, sizeof err)) {
            ax_cli_error(verb, "%s", err);
            rc = AX_EXIT_FAIL;
            goto out;
        }
    }

    int plotted = 0;
    if (write_results(&st, nr, ax_clock_now() - t0, &plotted, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        rc = AX_EXIT_FAIL;
        goto out;
    }
    printf("\n%d configuration%s in %.0f s; %s/results.csv, results.json%s\n", nr,
           nr == 1 ? "" : "s", ax_clock_now() - t0, outdir, plotted ? ", accuracy.png" : "");
    rc = mismatch ? AX_EXIT_FAIL : AX_EXIT_OK;
    if (mismatch) fprintf(stderr, "axsim estimate: an RTL check failed (MISMATCH above): run axsim verify on it\n");
    goto out;
fail:
    ax_cli_error(verb, "%s", err);
    rc = AX_EXIT_FAIL;
out:
    ax_engine_free(e);
    ax_model_free(m);
    ax_dataset_free(&tr), ax_dataset_free(&te);
    free(rows);
    net_opts_free(&o);
    return rc;
}
