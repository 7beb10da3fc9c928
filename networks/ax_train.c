/* ax_train.c — training and evaluation loops, schedules, training checkpoints
 * (ax_train.h). */
#define _POSIX_C_SOURCE 200809L
#include "ax_train.h"

#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ax_net_internal.h"
#include "ax_clock.h"

int ax_sched_parse(const char *s, ax_sched_t *out, char *err, size_t errlen)
{
    static const char *names[] = {"const", "cosine", "step"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (ax_sched_t)i;
            return 0;
        }
    return ax_fail(err, errlen, "unknown schedule '%s' (const, cosine, step)", s);
}

const char *ax_sched_name(ax_sched_t s)
{
    return s == AX_SCHED_COSINE ? "cosine" : s == AX_SCHED_STEP ? "step" : "const";
}

static float sched_lr(const ax_train_cfg_t *c, int64_t step, int64_t total)
{
    double t = total > 0 ? (double)step / (double)total : 0.0;
    switch (c->sched) {
    case AX_SCHED_COSINE:
        return (float)(c->lr * 0.5 * (1.0 + cos(3.14159265358979323846 * t)));
    case AX_SCHED_STEP:
        return (float)(c->lr * (t < 0.5 ? 1.0 : t < 0.75 ? 0.1 : 0.01));
    default:
        return c->lr;
    }
}

/* Gathers images idx[0..n-1] of d into x, y. */
static void gather(const ax_dataset_t *d, const int64_t *idx, int64_t n, float *x, int32_t *y)
{
    int64_t sz = d->c * d->h * d->w;
    for (int64_t i = 0; i < n; i++) {
        int64_t j = idx ? idx[i] : i;
        memcpy(x + i * sz, d->x + j * sz, (size_t)sz * sizeof(float));
        y[i] = d->y[j];
    }
}

int ax_data_fits(const ax_model_t *m, const ax_dataset_t *d, const char *what, char *err, size_t errlen)
{
    if (d->c != m->in_c || d->h != m->in_h || d->w != m->in_w)
        return ax_fail(err, errlen,
                           "%s images are %lldx%lldx%lld but model %s takes %lldx%lldx%lld", what,
                           (long long)d->c, (long long)d->h, (long long)d->w, m->arch,
                           (long long)m->in_c, (long long)m->in_h, (long long)m->in_w);
    if (d->classes > m->classes)
        return ax_fail(err, errlen, "%s labels go up to %d but model %s has %d classes", what,
                           d->classes - 1, m->arch, m->classes);
    return 0;
}

int ax_evaluate(ax_model_t *m, const ax_dataset_t *d, int64_t limit, int64_t batch, double *loss,
                double *acc, char *err, size_t errlen)
{
    return ax_evaluate_logits(m, d, limit, batch, loss, acc, NULL, err, errlen);
}

int ax_evaluate_logits(ax_model_t *m, const ax_dataset_t *d, int64_t limit, int64_t batch, double *loss,
                       double *acc, float *logits, char *err, size_t errlen)
{
    if (ax_data_fits(m, d, "evaluation", err, errlen)) return -1;
    int64_t n = limit > 0 && limit < d->n ? limit : d->n;
    if (batch < 1) batch = 256;
    double total = 0;
    int64_t ok = 0;
    int64_t sz = d->c * d->h * d->w;
    for (int64_t at = 0; at < n; at += batch) {
        int64_t b = n - at < batch ? n - at : batch;
        m->enc_base = at; /* rate encoding: image at + i draws its own spikes */
        if (ax_model_forward(m, d->x + at * sz, b, 0, err, errlen)) return -1;
        int64_t c;
        if (logits)
            memcpy(logits + at * m->classes, ax_model_output(m), (size_t)(b * m->classes) * sizeof(float));
        total += ax_softmax_xent(ax_model_output(m), d->y + at, b, m->classes, NULL, &c) * (double)b;
        ok += c;
    }
    *loss = n ? total / (double)n : 0.0;
    *acc = n ? (double)ok / (double)n : 0.0;
    return 0;
}

/* ---- checkpoints with the run's metadata ----------------------------------- */

static int meta(ax_ckpt_t *c, const char *k, const char *v)
{
    return ax_ckpt_set_meta(c, k, v ? v : "");
}

static int metaf(ax_ckpt_t *c, const char *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int metaf(ax_ckpt_t *c, const char *k, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ax_ckpt_set_meta(c, k, buf);
}

/* The metadata that must agree for a run to be resumed. */
static int run_meta(ax_ckpt_t *c, const ax_model_t *m, const ax_train_cfg_t *cfg)
{
    const ax_opt_t *o = &cfg->opt;
    int rc = meta(c, "model", m->arch);
    rc |= metaf(c, "input", "%lldx%lldx%lld", (long long)m->in_c, (long long)m->in_h,
                (long long)m->in_w);
    rc |= metaf(c, "classes", "%d", m->classes);
    rc |= meta(c, "mac", cfg->mac_fwd);
    rc |= meta(c, "bwd_mac", cfg->mac_bwd);
    rc |= meta(c, "data", cfg->data_name);
    rc |= metaf(c, "epochs", "%lld", (long long)cfg->epochs);
    rc |= metaf(c, "batch", "%lld", (long long)cfg->batch);
    rc |= metaf(c, "seed", "%" PRIu64, cfg->seed);
    rc |= metaf(c, "limit", "%lld", (long long)cfg->limit);
    rc |= metaf(c, "schedule", "%s", ax_sched_name(cfg->sched));
    if (o->kind == AX_OPT_SGD)
        rc |= metaf(c, "optimizer", "sgd lr=%.9g momentum=%.9g weight_decay=%.9g", cfg->lr,
                    o->momentum, o->weight_decay);
    else
        rc |= metaf(c, "optimizer", "adam lr=%.9g betas=%.9g,%.9g eps=%.9g weight_decay=%.9g",
                    cfg->lr, o->beta1, o->beta2, o->eps, o->weight_decay);
    rc |= metaf(c, "norm_scale", "%.17g", cfg->norm_scale);
    rc |= metaf(c, "norm_mean", "%.17g", cfg->norm_mean);
    rc |= metaf(c, "norm_std", "%.17g", cfg->norm_std);
    if (ax_model_is_spiking(m)) {
        const ax_snn_opts_t *o = &m->snn;
        char nb[320], sb[64];
        rc |= metaf(c, "timesteps", "%lld", (long long)o->steps);
        rc |= meta(c, "encoding", ax_encoding_name(o->encoding));
        rc |= meta(c, "readout", ax_readout_name(o->readout));
        rc |= meta(c, "surrogate", ax_surrogate_name(o->surrogate, o->surrogate_param, sb, sizeof sb));
        rc |= meta(c, "neuron", ax_neuron_name(&o->neuron, nb, sizeof nb));
    }
    return rc;
}

static const char *const run_keys[] = {"model", "input", "classes", "mac", "bwd_mac", "data",
                                       "epochs", "batch", "seed", "limit", "schedule",
                                       "optimizer", "norm_scale", "norm_mean", "norm_std",
                                       /* spiking models only */
                                       "timesteps", "encoding", "readout", "surrogate", "neuron",
                                       NULL};

int ax_train_save(const char *path, const ax_model_t *m, const ax_opt_t *opt,
                  const ax_train_cfg_t *cfg, int64_t epoch, char *err, size_t errlen)
{
    ax_ckpt_t c = {0};
    int rc = ax_model_to_ckpt(m, opt, &c, err, errlen);
    if (!rc && (run_meta(&c, m, cfg) || metaf(&c, "epoch", "%lld", (long long)epoch) ||
                metaf(&c, "adam_step", "%lld", (long long)(opt ? opt->t : 0)) ||
                meta(&c, "writer", "axsim train")))
        rc = ax_fail(err, errlen, "checkpoint %s: out of memory", path);
    if (!rc) rc = ax_ckpt_save(path, &c, err, errlen);
    ax_ckpt_free(&c);
    return rc;
}

int ax_model_load_ckpt(ax_model_t *m, const ax_ckpt_t *c, const char *path, char *err, size_t errlen)
{
    const char *arch = ax_ckpt_meta(c, "model");
    if (arch && strcmp(arch, m->arch))
        return ax_fail(err, errlen, "%s: holds a %.60s model, not %s", path, arch, m->arch);
    return ax_model_from_ckpt(m, NULL, c, path, err, errlen);
}

int ax_model_load(ax_model_t *m, const char *path, char *err, size_t errlen)
{
    ax_ckpt_t c = {0};
    if (ax_ckpt_load(path, &c, err, errlen)) return -1;
    int rc = ax_model_load_ckpt(m, &c, path, err, errlen);
    ax_ckpt_free(&c);
    return rc;
}

/* Resume: the completed epochs of the run in cfg->out (0 without a file).
 * The file must have been written by the same run. */
static int resume_from(ax_model_t *m, ax_opt_t *opt, const ax_train_cfg_t *cfg, int64_t *epoch,
                       char *err, size_t errlen)
{
    *epoch = 0;
    FILE *f = fopen(cfg->out, "rb");
    if (!f) return 0;
    fclose(f);
    ax_ckpt_t c = {0}, want = {0};
    if (ax_ckpt_load(cfg->out, &c, err, errlen)) return -1;
    int rc = run_meta(&want, m, cfg) ? ax_fail(err, errlen, "out of memory") : 0;
    for (int i = 0; !rc && run_keys[i]; i++) {
        const char *have = ax_ckpt_meta(&c, run_keys[i]), *need = ax_ckpt_meta(&want, run_keys[i]);
        if (!have && !need) continue; /* a key of spiking models, in neither */
        if (!need) need = "(none)";
        if (!have || strcmp(have, need))
            rc = ax_fail(err, errlen,
                             "%s: cannot resume: it was written with %s '%s', this run has '%s' "
                             "(give another --out, or the same options)",
                             cfg->out, run_keys[i], have ? have : "(none)", need);
    }
    int64_t e = 0, t = 0;
    if (!rc) {
        int he = ax_ckpt_meta_int(&c, cfg->out, "epoch", 1, cfg->epochs, &e, err, errlen);
        int ht = he < 0 ? 0 : ax_ckpt_meta_int(&c, cfg->out, "adam_step", 0, INT64_C(1) << 62, &t, err, errlen);
        if (he < 0 || ht < 0) rc = -1;
        else if (!he || !ht)
            rc = ax_fail(err, errlen, "%s: cannot resume: no %s in its metadata", cfg->out,
                             !he ? "epoch" : "adam_step");
    }
    if (!rc) rc = ax_model_from_ckpt(m, opt, &c, cfg->out, err, errlen);
    if (!rc) *epoch = e, opt->t = t;
    ax_ckpt_free(&c);
    ax_ckpt_free(&want);
    return rc;
}

/* ---- the training loop ------------------------------------------------------ */

/* The name of the first trainable parameter with an inf or NaN gradient. */
static const char *nonfinite_grad(const ax_model_t *m)
{
    for (int p = 0; p < m->nparams; p++) {
        const ax_param_t *q = &m->param[p];
        if (!q->trainable) continue;
        for (int64_t i = 0; i < q->count; i++)
            if (!isfinite(q->g[i])) return q->name;
    }
    return NULL;
}

int ax_train(ax_model_t *m, const ax_dataset_t *train, const ax_dataset_t *test,
             const ax_train_cfg_t *cfg, ax_train_result_t *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->test_loss = res->test_acc = NAN;
    if (ax_data_fits(m, train, "training", err, errlen) ||
        (test && ax_data_fits(m, test, "test", err, errlen))) {
        res->bad_input = 1;
        return -1;
    }
    if (cfg->batch < 1 || cfg->epochs < 1)
        return ax_fail(err, errlen, "training needs epochs >= 1 and batch >= 1");
    ax_opt_t opt = cfg->opt;
    opt.t = 0;
    ax_opt_reset(m);
    int64_t done = 0;
    if (cfg->resume && cfg->out && resume_from(m, &opt, cfg, &done, err, errlen)) {
        res->bad_input = 1;
        return -1;
    }
    res->first_epoch = done + 1;
    int64_t n = cfg->limit > 0 && cfg->limit < train->n ? cfg->limit : train->n;
    int64_t steps = (n + cfg->batch - 1) / cfg->batch, sz = train->c * train->h * train->w;
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    float *x = malloc((size_t)(cfg->batch * sz) * sizeof(float));
    float *dl = malloc((size_t)(cfg->batch * m->classes) * sizeof(float));
    int32_t *y = malloc((size_t)cfg->batch * sizeof *y);
    int rc = 0;
    if (!perm || !x || !dl || !y) rc = ax_fail(err, errlen, "training: out of memory");
    for (int64_t epoch = done; !rc && epoch < cfg->epochs &&
                               !(cfg->stop_after > 0 && epoch - done >= cfg->stop_after);
         epoch++) {
        ax_shuffle(perm, n, cfg->seed + (uint64_t)epoch);
        ax_train_progress_t p = {epoch + 1, cfg->epochs, 0, steps, 0, 0, 0, 0, 0, NAN, NAN, 0};
        double loss = 0, t0 = ax_clock_now();
        int64_t ok = 0, seen = 0;
        for (int64_t s = 0; !rc && s < steps; s++) {
            int64_t b = n - s * cfg->batch < cfg->batch ? n - s * cfg->batch : cfg->batch;
            gather(train, perm + s * cfg->batch, b, x, y);
            int64_t gstep = epoch * steps + s;
            float lr = sched_lr(cfg, gstep, cfg->epochs * steps);
            m->dropout_seed = cfg->seed * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)gstep;
            int64_t c;
            if (ax_model_forward(m, x, b, 1, err, errlen)) {
                rc = -1;
                break;
            }
            double bl = ax_softmax_xent(ax_model_output(m), y, b, m->classes, dl, &c);
            if (!isfinite(bl)) {
                res->diverged = 1;
                rc = ax_fail(err, errlen,
                                 "training diverged: the loss of epoch %lld, step %lld of %lld is "
                                 "%s (the forward produced inf or NaN: values beyond the range of "
                                 "the MAC's formats? the :sat suffix saturates; or lower --lr)",
                                 (long long)(epoch + 1), (long long)(s + 1), (long long)steps,
                                 isnan(bl) ? "NaN" : "infinite");
                break;
            }
            loss += bl * (double)b;
            ok += c, seen += b;
            if (ax_model_backward(m, dl, err, errlen)) {
                rc = -1;
                break;
            }
            const char *bad = nonfinite_grad(m);
            if (bad) {
                res->diverged = 1;
                rc = ax_fail(err, errlen,
                                 "training diverged: the gradient of %s in epoch %lld, step %lld "
                                 "of %lld holds inf or NaN (values beyond the range of the "
                                 "backward MAC's formats? the :sat suffix saturates; or lower --lr)",
                                 bad, (long long)(epoch + 1), (long long)(s + 1), (long long)steps);
                break;
            }
            ax_opt_step(m, &opt, lr);
            p.step = s + 1, p.loss = loss / (double)seen, p.acc = (double)ok / (double)seen;
            p.lr = lr;
            p.images_per_s = (double)seen / (ax_clock_now() - t0 + 1e-9);
            if (cfg->progress) cfg->progress(cfg->ctx, &p);
        }
        if (rc) break;
        double secs = ax_clock_now() - t0;
        res->seconds += secs;
        res->epochs_run++;
        res->train_loss = p.loss, res->train_acc = p.acc;
        if (test && ax_evaluate(m, test, cfg->test_limit, 256, &res->test_loss, &res->test_acc,
                                err, errlen)) {
            rc = -1;
            break;
        }
        if (cfg->out && ax_train_save(cfg->out, m, &opt, cfg, epoch + 1, err, errlen)) {
            rc = -1;
            break;
        }
        p.epoch_done = 1, p.epoch_seconds = secs;
        p.test_loss = res->test_loss, p.test_acc = res->test_acc;
        if (cfg->progress) cfg->progress(cfg->ctx, &p);
    }
    if (res->seconds > 0) res->images_per_s = (double)(n * res->epochs_run) / res->seconds;
    if (!rc && res->epochs_run == 0 && test &&
        ax_evaluate(m, test, cfg->test_limit, 256, &res->test_loss, &res->test_acc, err, errlen))
        rc = -1;
    free(perm), free(x), free(dl), free(y);
    return rc;
}
