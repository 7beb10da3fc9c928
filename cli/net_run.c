/* net_run.c — what train, eval and retrain share while they run (net_opts.h):
 * training with its progress (a bar on a TTY, a line per epoch), an
 * evaluation with its line, and the head of their JSON. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_atomic.h"
#include "ax_clock.h"
#include "cli.h"
#include "net_opts.h"

cJSON *net_json_head(const net_job_t *j)
{
    const net_opts_t *o = &j->o;
    char buf[256];
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "verb", o->verb);
    cJSON_AddStringToObject(r, "model", j->m->arch);
    if (o->onnx) cJSON_AddStringToObject(r, "onnx", o->onnx);
    if (o->weights) cJSON_AddStringToObject(r, "weights", o->weights);
    cJSON_AddNumberToObject(r, "parameters", (double)ax_model_param_count(j->m));
    cJSON_AddNumberToObject(r, "macs_per_image", (double)j->m->macs_fwd);
    cJSON_AddStringToObject(r, "data", o->data ? o->data : o->test_images);
    cJSON_AddStringToObject(r, "mac", ax_mac_name(&o->fwd, buf, sizeof buf));
    cJSON_AddStringToObject(r, "bwd_mac", ax_mac_name(&o->bwd, buf, sizeof buf));
    cJSON_AddStringToObject(r, "backend", ax_backend_name(ax_engine_backend(j->e)));
    cJSON_AddNumberToObject(r, "threads", ax_engine_threads(j->e));
    cJSON_AddNumberToObject(r, "seed", (double)o->seed);
    cJSON *nm = cJSON_AddObjectToObject(r, "normalization"); /* x -> (x * scale - mean) / std */
    cJSON_AddNumberToObject(nm, "scale", o->norm[0]);
    cJSON_AddNumberToObject(nm, "mean", o->norm[1]);
    cJSON_AddNumberToObject(nm, "std", o->norm[2]);
    cJSON_AddStringToObject(nm, "source", o->norm_source ? o->norm_source : "checkpoint");
    if (ax_model_is_spiking(j->m)) {
        /* macs_per_image above: every synapse dense, one time step */
        const ax_snn_opts_t *s = &j->m->snn;
        char nb[320];
        cJSON *sn = cJSON_AddObjectToObject(r, "snn");
        cJSON_AddNumberToObject(sn, "timesteps", (double)s->steps);
        cJSON_AddStringToObject(sn, "encoding", ax_encoding_name(s->encoding));
        cJSON_AddStringToObject(sn, "readout", ax_readout_name(s->readout));
        cJSON_AddStringToObject(sn, "surrogate",
                                ax_surrogate_name(s->surrogate, s->surrogate_param, buf, sizeof buf));
        cJSON_AddStringToObject(sn, "neuron", ax_neuron_name(&s->neuron, nb, sizeof nb));
    }
    return r;
}

/* ---- progress -------------------------------------------------------------------- */

typedef struct progress {
    const net_opts_t *o;
    int tty;
    double last;
    cJSON *epochs;
} progress_t;

static cJSON *epoch_json(const ax_train_progress_t *p)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "epoch", (double)p->epoch);
    cJSON_AddNumberToObject(e, "train_loss", p->loss);
    cJSON_AddNumberToObject(e, "train_accuracy", p->acc);
    if (!isnan(p->test_acc)) {
        cJSON_AddNumberToObject(e, "test_loss", p->test_loss);
        cJSON_AddNumberToObject(e, "test_accuracy", p->test_acc);
    }
    cJSON_AddNumberToObject(e, "seconds", p->epoch_seconds);
    cJSON_AddNumberToObject(e, "images_per_s", p->images_per_s);
    return e;
}

/* The progress callback of ax_train. */
static void progress(void *ctx, const ax_train_progress_t *p)
{
    progress_t *g = ctx;
    if (p->epoch_done) {
        cJSON_AddItemToArray(g->epochs, epoch_json(p));
        if (g->o->quiet) return;
        if (g->tty) fputs("\r\033[K", stderr);
        fprintf(stderr, "epoch %lld/%lld  loss %.4f  train %.2f%%", (long long)p->epoch,
                (long long)p->epochs, p->loss, 100 * p->acc);
        if (!isnan(p->test_acc)) fprintf(stderr, "  test %.2f%% (loss %.4f)", 100 * p->test_acc, p->test_loss);
        fprintf(stderr, "  %.1f s, %.0f images/s\n", p->epoch_seconds, p->images_per_s);
        return;
    }
    if (g->o->quiet || !g->tty) return;
    double t = ax_clock_now();
    if (p->step != p->steps && t - g->last < 0.2) return;
    g->last = t;
    int width = 30, fill = (int)(width * p->step / (p->steps ? p->steps : 1));
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\r\033[Kepoch %lld/%lld [%s] %3d%%  loss %.4f  acc %.2f%%  %.0f images/s  lr %.3g",
            (long long)p->epoch, (long long)p->epochs, bar, (int)(100 * p->step / (p->steps ? p->steps : 1)),
            p->loss, 100 * p->acc, p->images_per_s, p->lr);
    fflush(stderr);
}

/* ---- training and evaluation --------------------------------------------------------- */

/* Under a DAA MAC (ax_daa.h): a line per GEMM layer, the fraction of its
 * non-zero products the high-precision multiplier served since the model's
 * stats were reset, after title (NULL: none); into obj as "daa_layers" and
 * "daa_hi_fraction" */
static void daa_layers(const ax_model_t *m, const char *title, cJSON *obj)
{
    if (!ax_mac_is_daa(&m->fwd) && !ax_mac_is_daa(&m->bwd)) return;
    if (title) printf("  %s\n", title);
    cJSON *arr = cJSON_AddArrayToObject(obj, "daa_layers");
    uint64_t nz = 0, hi = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const ax_node_t *d = &m->node[i];
        if (d->kind != AX_LAYER_LINEAR && d->kind != AX_LAYER_CONV) continue;
        const double f = d->daa_nonzero ? (double)d->daa_hi / (double)d->daa_nonzero : 0;
        printf("  %-8s %6.2f%% of %llu non-zero products through the high-precision multiplier\n",
               d->name, 100 * f, (unsigned long long)d->daa_nonzero);
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "layer", d->name);
        cJSON_AddNumberToObject(l, "nonzero_products", (double)d->daa_nonzero);
        cJSON_AddNumberToObject(l, "hi_products", (double)d->daa_hi);
        cJSON_AddNumberToObject(l, "hi_fraction", f);
        cJSON_AddItemToArray(arr, l);
        nz += d->daa_nonzero, hi += d->daa_hi;
    }
    const double f = nz ? (double)hi / (double)nz : 0;
    printf("  all      %6.2f%% of %llu non-zero products through the high-precision multiplier\n",
           100 * f, (unsigned long long)nz);
    cJSON_AddNumberToObject(obj, "daa_hi_fraction", f);
}

int net_run_training(net_job_t *j, cJSON *root, ax_train_result_t *res)
{
    const net_opts_t *o = &j->o;
    char fwd[256], bwd[256], err[1024];
    ax_train_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.epochs = (int64_t)o->epochs, cfg.batch = (int64_t)o->batch;
    cfg.opt.kind = o->adam ? AX_OPT_ADAM : AX_OPT_SGD;
    cfg.opt.momentum = (float)o->momentum, cfg.opt.weight_decay = (float)o->wd;
    cfg.opt.beta1 = 0.9f, cfg.opt.beta2 = 0.999f, cfg.opt.eps = 1e-8f;
    cfg.lr = (float)o->lr, cfg.sched = o->sched, cfg.seed = o->seed;
    cfg.limit = (int64_t)o->limit, cfg.test_limit = (int64_t)o->test_limit;
    cfg.out = o->out, cfg.resume = o->resume;
    cfg.mac_fwd = ax_mac_name(&o->fwd, fwd, sizeof fwd);
    cfg.mac_bwd = ax_mac_name(&o->bwd, bwd, sizeof bwd);
    cfg.data_name = o->data ? o->data : o->train_images;
    cfg.norm_scale = o->norm[0], cfg.norm_mean = o->norm[1], cfg.norm_std = o->norm[2];
    progress_t g = {o, isatty(2), 0, cJSON_CreateArray()};
    cfg.progress = progress, cfg.ctx = &g;
    ax_model_stats_reset(j->m);
    int rc = ax_train(j->m, &j->tr, &j->te, &cfg, res, err, sizeof err);
    cJSON_AddItemToObject(root, "epochs", g.epochs);
    if (rc) {
        if (g.tty && !o->quiet) fputs("\r\033[K", stderr);
        ax_cli_error(o->verb, "%s", err);
        return res->bad_input ? AX_EXIT_USAGE : AX_EXIT_FAIL;
    }
    if (res->epochs_run == 0 && !o->quiet)
        fprintf(stderr, "axsim %s: %s already holds all %llu epochs of this run\n", o->verb, o->out,
                (unsigned long long)o->epochs);
    cJSON_AddNumberToObject(root, "first_epoch", (double)res->first_epoch);
    cJSON_AddNumberToObject(root, "epochs_total", (double)o->epochs);
    cJSON_AddNumberToObject(root, "train_seconds", res->seconds);
    cJSON_AddNumberToObject(root, "train_images_per_s", res->images_per_s);
    cJSON_AddNumberToObject(root, "test_loss", res->test_loss);
    cJSON_AddNumberToObject(root, "test_accuracy", res->test_acc);
    if (o->out) cJSON_AddStringToObject(root, "checkpoint", o->out);
    daa_layers(j->m, "DAA over the run (forward, both gradients, the epochs' test passes):", root);
    return 0;
}

/* ---- predictions ------------------------------------------------------------ */

/* Whether path ends in ext. */
static int ends_with(const char *path, const char *ext)
{
    size_t l = strlen(path), e = strlen(ext);
    return l >= e && !strcmp(path + l - e, ext);
}

/* The label, the predicted class (the first of the largest logits, the rule
 * of the accuracy) and the logits of each of n images into path: NPY (a
 * float32 array n x (2 + classes)) or CSV (a header line, then a line per
 * image). 0, or an exit code with the reason printed. */
static int write_predictions(const net_opts_t *o, const ax_dataset_t *d, int64_t n, int classes,
                             const float *logits)
{
    char err[1024];
    ax_atomic_t a;
    if (ax_atomic_begin(&a, o->predictions, err, sizeof err)) {
        ax_cli_error(o->verb, "--predictions %s", err);
        return AX_EXIT_FAIL;
    }
    FILE *f = a.f;
    int npy = ends_with(o->predictions, ".npy"), ok = 1;
    if (npy) {
        char h[128];
        int hl = snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %d), }",
                          (long long)n, 2 + classes);
        int pad = 64 - (10 + hl + 1) % 64; /* the data starts 64-aligned; the header ends in \n */
        if (pad == 64) pad = 0;
        unsigned total = (unsigned)(hl + pad + 1);
        ok = fwrite("\x93NUMPY\x01\x00", 1, 8, f) == 8 && fputc((int)(total & 255), f) != EOF &&
             fputc((int)(total >> 8), f) != EOF && fwrite(h, 1, (size_t)hl, f) == (size_t)hl;
        for (int i = 0; ok && i < pad; i++) ok = fputc(' ', f) != EOF;
        ok = ok && fputc('\n', f) != EOF;
    } else {
        ok = fprintf(f, "image,label,predicted") > 0;
        for (int k = 0; ok && k < classes; k++) ok = fprintf(f, ",logit_%d", k) > 0;
        ok = ok && fputc('\n', f) != EOF;
    }
    for (int64_t i = 0; ok && i < n; i++) {
        const float *l = logits + i * classes;
        const int arg = ax_argmax(l, classes);
        if (npy) {
            float row[2] = {(float)d->y[i], (float)arg};
            ok = fwrite(row, sizeof(float), 2, f) == 2 && fwrite(l, sizeof(float), (size_t)classes, f) == (size_t)classes;
        } else {
            ok = fprintf(f, "%lld,%d,%d", (long long)i, (int)d->y[i], arg) > 0;
            for (int k = 0; ok && k < classes; k++) ok = fprintf(f, ",%.9g", (double)l[k]) > 0;
            ok = ok && fputc('\n', f) != EOF;
        }
    }
    if (!ok) {
        ax_atomic_abort(&a);
        ax_cli_error(o->verb, "--predictions %s: cannot write: %s", o->predictions, strerror(errno ? errno : EIO));
        return AX_EXIT_FAIL;
    }
    if (ax_atomic_commit(&a, err, sizeof err)) {
        ax_cli_error(o->verb, "--predictions %s", err);
        return AX_EXIT_FAIL;
    }
    return 0;
}

int net_run_eval(net_job_t *j, const char *what, double *acc, cJSON *obj)
{
    const net_opts_t *o = &j->o;
    char err[1024], mac[256];
    double loss, t0 = ax_clock_now();
    int64_t n = o->test_limit && (int64_t)o->test_limit < j->te.n ? (int64_t)o->test_limit : j->te.n;
    float *logits = NULL;
    if (o->predictions && !(logits = malloc((size_t)(n ? n : 1) * (size_t)j->m->classes * sizeof(float)))) {
        ax_cli_error(o->verb, "--predictions: out of memory for %lld x %d logits", (long long)n, j->m->classes);
        return AX_EXIT_FAIL;
    }
    ax_model_stats_reset(j->m);
    if (ax_evaluate_logits(j->m, &j->te, (int64_t)o->test_limit, (int64_t)o->eval_batch, &loss, acc, logits,
                           err, sizeof err)) {
        ax_cli_error(o->verb, "%s", err);
        free(logits);
        return AX_EXIT_FAIL;
    }
    double secs = ax_clock_now() - t0;
    int rc = logits ? write_predictions(o, &j->te, n, j->m->classes, logits) : 0;
    free(logits);
    if (rc) return rc;
    if (o->predictions) cJSON_AddStringToObject(obj, "predictions", o->predictions);
    printf("%-8s %s, %s: %lld images, accuracy %.2f%%, loss %.4f, %.0f images/s\n", what, j->m->arch,
           ax_mac_name(&j->m->fwd, mac, sizeof mac), (long long)n, 100 * *acc, loss, (double)n / (secs + 1e-9));
    cJSON_AddNumberToObject(obj, "images", (double)n);
    cJSON_AddNumberToObject(obj, "accuracy", *acc);
    cJSON_AddNumberToObject(obj, "loss", loss);
    cJSON_AddNumberToObject(obj, "seconds", secs);
    if (ax_model_is_spiking(j->m)) {
        char b[400];
        printf("  spiking: %s\n", ax_snn_describe(&j->m->snn, b, sizeof b));
    }
    net_snn_layers(j->m, obj);
    daa_layers(j->m, NULL, obj);
    return 0;
}
