/* ax_estimate_files.c — the results folder of the estimate study
 * (ax_estimate.h): results.csv, results.json (the rows so far, so that an
 * interrupted run can resume), accuracy.png, and resuming from them. */
#define _GNU_SOURCE
#include "ax_estimate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ax_atomic.h"
#include "ax_fail.h"
#include "ax_metrics_json.h"
#include "ax_plot.h"

enum { PATH_MAX_LEN = 4200 };

int ax_estimate_prepare_out(const char *outdir, char *err, size_t errlen)
{
    struct stat sb;
    char probe[PATH_MAX_LEN];
    snprintf(probe, sizeof probe, "%s/results.json", outdir);
    if (stat(outdir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return ax_fail(err, errlen, "%s is not a folder (the results go into a folder: give another --out)",
                       outdir);
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST)
        return ax_fail(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
    return ax_atomic_probe(probe, err, errlen);
}

/* The header of results.json: what a resumed run must share with this one. */
static cJSON *results_header(const ax_estimate_t *st)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", st->net ? st->net->arch : "");
    cJSON_AddStringToObject(root, "weights", st->weights ? st->weights : "");
    cJSON_AddStringToObject(root, "data", st->data ? st->data : "");
    cJSON_AddNumberToObject(root, "test_images", (double)st->ntest);
    cJSON_AddNumberToObject(root, "fp32_accuracy", st->base_acc);
    cJSON_AddNumberToObject(root, "retrain_epochs", (double)st->retrain_epochs);
    cJSON_AddNumberToObject(root, "retrain_images", (double)st->retrain_limit);
    cJSON_AddNumberToObject(root, "retrain_lr", st->lr);
    cJSON_AddNumberToObject(root, "seed", (double)st->seed);
    if (st->net && ax_model_is_spiking(st->net)) {
        char b[400];
        cJSON_AddStringToObject(root, "snn", ax_snn_describe(&st->snn, b, sizeof b));
    }
    return root;
}

static const char *const kind_names[] = {"multiplier", "adder", "synapse", "neuron", "daa"};

static cJSON *row_json(const ax_estimate_row_t *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", kind_names[r->kind]);
    cJSON_AddStringToObject(j, "unit", r->unit);
    cJSON_AddStringToObject(j, "format", r->fmt);
    cJSON_AddStringToObject(j, "mac", r->mac);
    if (r->have_metrics) /* multiplier: in -> product; adder, synapse: its adder on the
                            accumulator; neuron: its adder on the membrane */
        cJSON_AddItemToObject(
            j, "metrics",
            r->kind == AX_ROW_NEURON
                ? ax_metrics_json(r->neuron.add, r->neuron.fmt, r->neuron.fmt, &r->met)
                : ax_metrics_json(r->kind != AX_ROW_MUL ? r->cfg.add : r->cfg.mul,
                                  r->kind != AX_ROW_MUL ? r->cfg.acc : r->cfg.in,
                                  r->kind != AX_ROW_MUL ? r->cfg.acc : r->cfg.prod, &r->met));
    if (r->kind == AX_ROW_DAA) { /* the policy's metrics (docs/units.md section 15) */
        cJSON *d = cJSON_AddObjectToObject(j, "daa");
        cJSON_AddNumberToObject(d, "pairs", (double)r->daa.pairs);
        cJSON_AddNumberToObject(d, "terms", (double)r->daa.terms);
        cJSON_AddNumberToObject(d, "ned", r->daa.ned);
        cJSON_AddNumberToObject(d, "ned_all_hi", r->daa.ned_hi);
        cJSON_AddNumberToObject(d, "ned_all_lo", r->daa.ned_lo);
        cJSON_AddNumberToObject(d, "hi_fraction_metrics", r->daa.hi_fraction);
        if (!isnan(r->daa_hi)) cJSON_AddNumberToObject(d, "hi_fraction_network", r->daa_hi);
    } else if (r->kind >= AX_ROW_SYNAPSE) {
        cJSON_AddNumberToObject(j, "synaptic_ops_per_image", r->synops);
        cJSON_AddNumberToObject(j, "spikes_per_neuron", r->spike_rate);
    }
    cJSON_AddStringToObject(j, "rtl", ax_estimate_rtl_text(r->rtl_status));
    cJSON_AddStringToObject(j, "rtl_config", r->rtl);
    cJSON_AddNumberToObject(j, "accuracy", r->acc0);
    cJSON_AddStringToObject(j, "retraining", ax_estimate_retrain_text(r));
    if (!isnan(r->acc1)) cJSON_AddNumberToObject(j, "accuracy_retrained", r->acc1);
    cJSON_AddNumberToObject(j, "seconds", r->secs);
    return j;
}

static size_t row_csv(const ax_estimate_t *st, const ax_estimate_row_t *r, char *out, size_t cap)
{
    char a1[32] = ""; /* empty without a retrained accuracy */
    if (!isnan(r->acc1)) snprintf(a1, sizeof a1, "%.6f", r->acc1);
    char snn[64] = ",,"; /* empty for a DNN's rows */
    if (r->kind == AX_ROW_SYNAPSE || r->kind == AX_ROW_NEURON)
        snprintf(snn, sizeof snn, ",%.1f,%.6f", r->synops, r->spike_rate);
    char met[128] = ",,,,"; /* empty without a unit's metrics (a DAA row: results.json) */
    if (r->have_metrics)
        snprintf(met, sizeof met, "%.6e,%.6e,%.6e,%.6e,%.6e", r->met.mred, r->met.nmed, r->met.wcre,
                 r->met.bias, r->met.error_rate);
    return (size_t)snprintf(out, cap, "%s,%s,\"%s\",%s,%s,\"%s\",%.6f,%s,%s,%.6f%s,%.2f\n", r->unit,
                            r->fmt, r->mac, met, ax_estimate_rtl_text(r->rtl_status), r->rtl, r->acc0,
                            ax_estimate_retrain_text(r), a1, st->base_acc, snn, r->secs);
}

/* The plot's points: accuracy before and after retraining against MRED, one
 * point a multiplier row; rows with the same MRED and accuracies (mul_trunc
 * and mul_exact with an fp32 product) are one point labelled with every
 * unit. labels holds n strings of 400 bytes. Returns the point count. */
static int plot_points(const ax_estimate_t *st, int n, ax_plot_point_t *pts, char (*labels)[400], int *merged)
{
    int np = 0;
    if (n && st->rows[0].kind >= AX_ROW_SYNAPSE) { /* a spiking model: against its work */
        for (int i = 0; i < n; i++) {
            const ax_estimate_row_t *r = &st->rows[i];
            snprintf(labels[i], 400, "%s", r->name);
            pts[np++] = (ax_plot_point_t){r->synops, 100 * r->acc0, labels[i], "before retraining"};
            if (!isnan(r->acc1))
                pts[np++] = (ax_plot_point_t){r->synops, 100 * r->acc1, NULL, "after retraining"};
        }
        return np;
    }
    for (int i = 0; i < n; i++) {
        const ax_estimate_row_t *r = &st->rows[i];
        if (!r->have_metrics || r->is_adder || merged[i]) continue;
        char *label = labels[i];
        snprintf(label, 400, "%s", r->name);
        for (int k = i + 1; k < n; k++) {
            const ax_estimate_row_t *q = &st->rows[k];
            if (q->is_adder || !q->have_metrics || q->met.mred != r->met.mred || q->acc0 != r->acc0 ||
                !(q->acc1 == r->acc1 || (isnan(q->acc1) && isnan(r->acc1))))
                continue;
            size_t at = strlen(label);
            snprintf(label + at, 400 - at, " = %s", strcmp(q->fmt, r->fmt) ? q->name : q->unit);
            merged[k] = 1;
        }
        pts[np++] = (ax_plot_point_t){r->met.mred, 100 * r->acc0, label, "before retraining"};
        if (!isnan(r->acc1)) pts[np++] = (ax_plot_point_t){r->met.mred, 100 * r->acc1, NULL, "after retraining"};
    }
    return np;
}

static int plot(const ax_estimate_t *st, const char *outdir, char *err, size_t errlen)
{
    const int n = st->nrows;
    ax_plot_point_t *pts = calloc((size_t)(2 * n + 1), sizeof *pts);
    char(*labels)[400] = calloc((size_t)n + 1, sizeof *labels);
    int *merged = calloc((size_t)n + 1, sizeof *merged);
    int rc = -1;
    if (!pts || !labels || !merged) {
        ax_fail(err, errlen, "out of memory");
    } else {
        char title[256], path[PATH_MAX_LEN];
        int np = plot_points(st, n, pts, labels, merged);
        const char *data = st->data ? st->data : "", *base = strrchr(data, '/');
        int snn = n && st->rows[0].kind >= AX_ROW_SYNAPSE;
        snprintf(title, sizeof title, "%s on %s: test accuracy against %s", st->net ? st->net->arch : "",
                 st->data_title ? st->data_title : base && base[1] ? base + 1 : data,
                 snn ? "synaptic operations" : "the multiplier's MRED");
        ax_plot_t pl = {title,
                        snn ? "synaptic operations per image (accumulates; multiply-accumulates of "
                              "graded inputs)"
                            : "mean relative error of the multiplier (MRED)",
                        "test accuracy (%)", 0, 100 * st->base_acc, "exact fp32"};
        snprintf(path, sizeof path, "%s/accuracy.png", outdir);
        rc = ax_plot_scatter(path, &pl, pts, np, err, errlen);
    }
    free(pts), free(labels), free(merged);
    return rc;
}

int ax_estimate_save(const ax_estimate_t *st, const char *outdir, int n, double seconds, char *plot_err,
                     size_t plot_errlen, char *err, size_t errlen)
{
    char path[PATH_MAX_LEN];
    size_t cap = 4096 + (size_t)n * 1024, len = 0;
    char *csv = malloc(cap), *js = NULL;
    cJSON *root = results_header(st), *arr = cJSON_AddArrayToObject(root, "rows");
    if (plot_err && plot_errlen) plot_err[0] = 0;
    if (!csv || !root || !arr) {
        free(csv), cJSON_Delete(root);
        return ax_fail(err, errlen, "out of memory");
    }
    cJSON_AddBoolToObject(root, "complete", n == st->nrows);
    cJSON_AddStringToObject(root, "backend", st->engine ? ax_engine_describe(st->engine) : "");
    cJSON_AddNumberToObject(root, "seconds", seconds);
    len += (size_t)snprintf(csv + len, cap - len,
                            "unit,format,mac,mred,nmed,wcre,bias,error_rate,rtl,rtl_config,"
                            "accuracy,retraining,accuracy_retrained,fp32_accuracy,"
                            "synaptic_ops_per_image,spikes_per_neuron,seconds\n");
    for (int i = 0; i < n; i++) {
        len += row_csv(st, &st->rows[i], csv + len, cap - len);
        cJSON_AddItemToArray(arr, row_json(&st->rows[i]));
    }
    js = cJSON_Print(root);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/results.csv", outdir);
    int bad = ax_atomic_write(path, csv, strlen(csv), err, errlen);
    snprintf(path, sizeof path, "%s/results.json", outdir);
    if (!bad && !js) bad = ax_fail(err, errlen, "%s: out of memory", path);
    if (!bad) bad = ax_atomic_write(path, js, strlen(js), err, errlen);
    free(csv), cJSON_free(js);
    if (bad) return -1;
    return n == st->nrows && plot(st, outdir, plot_err, plot_errlen) == 0;
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

int ax_estimate_unfinished(const char *outdir)
{
    char path[PATH_MAX_LEN];
    int absent;
    snprintf(path, sizeof path, "%s/results.json", outdir);
    cJSON *prev = read_json(path, &absent);
    int unfinished = cJSON_IsFalse(cJSON_GetObjectItem(prev, "complete"));
    cJSON_Delete(prev);
    return unfinished;
}

/* -1 with a message when a field of want's differs in have. */
static int same_header(const cJSON *have, const cJSON *want, const char *path, char *err, size_t errlen)
{
    for (const cJSON *w = want->child; w; w = w->next) {
        cJSON *h = cJSON_GetObjectItem(have, w->string);
        if (h && cJSON_Compare(h, w, 1)) continue;
        char *hs = h ? cJSON_PrintUnformatted(h) : NULL, *ws = cJSON_PrintUnformatted(w);
        ax_fail(err, errlen,
                "%.500s: cannot resume: it was written with %.40s %.150s, this run has %.150s (give another "
                "--out, or the same options)",
                path, w->string, hs ? hs : "(none)", ws ? ws : "?");
        cJSON_free(hs), cJSON_free(ws);
        return -1;
    }
    return 0;
}

/* The accuracies of a row of results.json into the row with its MAC that is
 * not resumed yet: 1 when taken, 0 when no row wants it or it is incomplete. */
static int take_row(ax_estimate_t *st, const cJSON *row)
{
    const char *mac = cJSON_GetStringValue(cJSON_GetObjectItem(row, "mac"));
    const char *how = cJSON_GetStringValue(cJSON_GetObjectItem(row, "retraining"));
    cJSON *a0 = cJSON_GetObjectItem(row, "accuracy"), *a1 = cJSON_GetObjectItem(row, "accuracy_retrained");
    cJSON *sec = cJSON_GetObjectItem(row, "seconds");
    if (!mac || !how || !cJSON_IsNumber(a0) || !cJSON_IsNumber(sec) || (!strcmp(how, "done") && !cJSON_IsNumber(a1)))
        return 0;
    for (int i = 0; i < st->nrows; i++) {
        ax_estimate_row_t *r = &st->rows[i];
        if (r->resumed || strcmp(r->mac, mac)) continue;
        r->acc0 = a0->valuedouble;
        r->acc1 = !strcmp(how, "done") ? a1->valuedouble : NAN;
        r->diverged = !strcmp(how, "diverged");
        r->secs = sec->valuedouble;
        cJSON *dh = cJSON_GetObjectItem(cJSON_GetObjectItem(row, "daa"), "hi_fraction_network");
        if (r->kind == AX_ROW_DAA && cJSON_IsNumber(dh)) r->daa_hi = dh->valuedouble;
        r->resumed = 1;
        return 1;
    }
    return 0;
}

int ax_estimate_resume(ax_estimate_t *st, const char *outdir, char *err, size_t errlen)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s/results.json", outdir);
    int absent = 0, taken = 0;
    cJSON *have = read_json(path, &absent), *want = results_header(st), *row;
    if (absent) {
        taken = 0;
    } else if (!have || !cJSON_IsArray(cJSON_GetObjectItem(have, "rows"))) {
        taken = ax_fail(err, errlen, "%.700s: cannot resume: not the results.json of axsim estimate", path);
    } else if (!want || same_header(have, want, path, err, errlen)) {
        taken = want ? -1 : ax_fail(err, errlen, "out of memory");
    } else {
        cJSON_ArrayForEach(row, cJSON_GetObjectItem(have, "rows")) taken += take_row(st, row);
    }
    cJSON_Delete(have);
    cJSON_Delete(want);
    return taken;
}
