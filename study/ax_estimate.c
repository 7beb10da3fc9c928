/* ax_estimate.c — the estimate study (ax_estimate.h): its rows, the RTL
 * check of each through axsim-verify, the accuracy of the network through
 * each MAC before and after a short retraining. The results folder is in
 * ax_estimate_files.c. */
#define _GNU_SOURCE
#include "ax_estimate.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ax_ckpt.h"
#include "ax_clock.h"
#include "ax_daa.h"
#include "ax_fail.h"
#include "ax_registry.h"
#include "ax_spec.h"

/* The retraining recipe of every row: SGD with momentum 0.9 and weight decay
 * 5e-4, batch 64, a cosine schedule from the study's lr; evaluation in
 * batches of 256. */
enum { RETRAIN_BATCH = 64, EVAL_BATCH = 256 };

void ax_estimate_init(ax_estimate_t *st)
{
    memset(st, 0, sizeof *st);
    st->seed = 1;
    st->retrain_epochs = 1, st->retrain_limit = 10000, st->lr = 0.001;
    st->verify = 1;
    st->base_acc = NAN;
}

void ax_estimate_free(ax_estimate_t *st)
{
    free(st->rows);
    st->rows = NULL;
    st->nrows = 0;
}

const char *ax_estimate_rtl_text(int v)
{
    return v == AX_RTL_VERIFIED ? "verified" : v == AX_RTL_MISMATCH ? "MISMATCH"
         : v == AX_RTL_NOT_BUILT ? "not built" : "not run";
}

const char *ax_estimate_retrain_text(const ax_estimate_row_t *r)
{
    return r->diverged ? "diverged" : isnan(r->acc1) ? "none" : "done";
}

/* ---- the rows ----------------------------------------------------------------- */

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

/* Unit x format: mul=U,in=F,prod=fp32,add=exact,acc=fp32. */
static int plan_mul(ax_estimate_row_t *r, const char *unit, const char *fmt, uint64_t seed, char *err,
                    size_t errlen)
{
    ax_unit_t u;
    ax_format_t f;
    char e[768];
    if (ax_unit_parse(unit, &u, e, sizeof e)) return ax_fail(err, errlen, "unit: %s", e);
    if (ax_format_parse(fmt, &f, e, sizeof e)) return ax_fail(err, errlen, "format: %s", e);
    if (ax_unit_kind(u) != AX_KIND_MUL)
        return ax_fail(err, errlen, "unit '%s': not a multiplier (the adder goes in --adder)", unit);
    ax_unit_name(u, r->unit, sizeof r->unit);
    snprintf(r->fmt, sizeof r->fmt, "%s", fmt);
    char spec[256], ru[64];
    snprintf(spec, sizeof spec, "mul=%s,in=%s,prod=fp32,add=exact,acc=fp32", r->unit + 4, fmt);
    if (ax_mac_parse(spec, &r->cfg, e, sizeof e)) return ax_fail(err, errlen, "%s: %s", spec, e);
    ax_mac_name(&r->cfg, r->mac, sizeof r->mac);
    snprintf(r->name, sizeof r->name, "%s %s", r->unit, r->fmt);
    rtl_unit_name(u, ru, sizeof ru);
    snprintf(r->rtl, sizeof r->rtl, "%s.%s.fp32", ru, r->fmt);
    r->have_metrics = ax_metrics_compute(u, f, r->cfg.prod, AX_METRICS_MAX_ENUM, AX_METRICS_SAMPLE, seed,
                                         &r->met) == 0;
    return 0;
}

/* The adder MAC: its metrics are the adder's on the accumulator format; its
 * RTL check is the adder on that format and the multiplier on its product. */
static int plan_adder(ax_estimate_row_t *r, const char *adder, uint64_t seed, char *err, size_t errlen)
{
    char e[256];
    if (ax_mac_parse(adder, &r->cfg, e, sizeof e)) return ax_fail(err, errlen, "adder MAC '%s': %s", adder, e);
    r->is_adder = 1;
    ax_mac_name(&r->cfg, r->mac, sizeof r->mac);
    char mu[64], ad[64], fin[24], facc[24], prod[24], rm[64], ra[64];
    ax_unit_name(r->cfg.mul, mu, sizeof mu);
    ax_unit_name(r->cfg.add, ad, sizeof ad);
    ax_format_name(r->cfg.in, fin, sizeof fin);
    ax_format_name(r->cfg.acc, facc, sizeof facc);
    ax_format_name(r->cfg.prod, prod, sizeof prod);
    snprintf(r->unit, sizeof r->unit, "%s+%s", mu, ad);
    snprintf(r->fmt, sizeof r->fmt, "%s", fin);
    snprintf(r->name, sizeof r->name, "%s+%s %s", mu, ad, fin);
    rtl_unit_name(r->cfg.mul, rm, sizeof rm);
    rtl_unit_name(r->cfg.add, ra, sizeof ra);
    snprintf(r->rtl, sizeof r->rtl, "%s.%s.%s %s.%s.%s", ra, facc, facc, rm, fin, prod);
    r->have_metrics = ax_metrics_compute(r->cfg.add, r->cfg.acc, r->cfg.acc, AX_METRICS_MAX_ENUM,
                                         AX_METRICS_SAMPLE, seed, &r->met) == 0;
    return 0;
}

/* A synapse: the MAC given (its multiplier unused), the study's neuron. */
static int plan_synapse(ax_estimate_t *st, ax_estimate_row_t *r, const char *spec, char *err,
                        size_t errlen)
{
    char e[512], nb[320], ad[64], fin[24], facc[24], ra[64];
    if (ax_mac_parse(spec, &r->cfg, e, sizeof e))
        return ax_fail(err, errlen, "synapse MAC '%s': %s", spec, e);
    r->kind = AX_ROW_SYNAPSE;
    r->neuron = st->snn.neuron;
    ax_unit_name(r->cfg.add, ad, sizeof ad);
    ax_format_name(r->cfg.in, fin, sizeof fin);
    ax_format_name(r->cfg.acc, facc, sizeof facc);
    snprintf(r->unit, sizeof r->unit, "synapse %s", ad);
    snprintf(r->fmt, sizeof r->fmt, "%s>%s", fin, facc);
    snprintf(r->name, sizeof r->name, "synapse %s %s>%s", ad, fin, facc);
    ax_mac_name(&r->cfg, e, sizeof e);
    snprintf(r->mac, sizeof r->mac, "%.150s|%.320s", e, ax_neuron_name(&r->neuron, nb, sizeof nb));
    rtl_unit_name(r->cfg.add, ra, sizeof ra);
    snprintf(r->rtl, sizeof r->rtl, "%s.%s.%s", ra, facc, facc);
    r->have_metrics = ax_metrics_compute(r->cfg.add, r->cfg.acc, r->cfg.acc, AX_METRICS_MAX_ENUM,
                                         AX_METRICS_SAMPLE, st->seed, &r->met) == 0;
    return 0;
}

/* The neuron spec over base: base's keys that spec does not name, then spec
 * (neuron=if drops base's multiplier and leak). */
static int neuron_over(const ax_neuron_cfg_t *base, const char *spec, ax_neuron_cfg_t *out,
                       char *err, size_t errlen)
{
    static const char *const keys[] = {"neuron", "fmt", "mul", "add", "beta", "theta", "reset"};
    char bname[320], full[1200], e[600];
    ax_spec_items_t b, g;
    ax_neuron_name(base, bname, sizeof bname);
    if (ax_spec_split(bname, keys, 7, 1u << 2 | 1u << 3, "neuron", "fmt=bf16", &b, e, sizeof e) ||
        ax_spec_split(spec, keys, 7, 1u << 2 | 1u << 3, "neuron", "fmt=bf16", &g, e, sizeof e))
        return ax_fail(err, errlen, "neuron row '%s': %s", spec, e);
    int to_if = g.seen[0] && !strcmp(g.val[0], "if");
    full[0] = 0;
    for (int k = 0; k < 7; k++) {
        if (!b.seen[k] || g.seen[k] || (to_if && (k == 2 || k == 4))) continue;
        size_t at = strlen(full);
        snprintf(full + at, sizeof full - at, "%s=%s,", keys[k], b.val[k]);
    }
    size_t at = strlen(full);
    snprintf(full + at, sizeof full - at, "%s", spec);
    if (ax_neuron_parse(full, out, e, sizeof e))
        return ax_fail(err, errlen, "neuron row '%s': %s", spec, e);
    return 0;
}

/* A neuron over the study's, with the exact fp32 synapse. */
static int plan_neuron(ax_estimate_t *st, ax_estimate_row_t *r, const char *spec, char *err,
                       size_t errlen)
{
    char e[64], nb[320], mb[200], fm[48], ad[64], mu[64];
    if (neuron_over(&st->snn.neuron, spec, &r->neuron, err, errlen)) return -1;
    ax_mac_parse("mul=exact,in=fp32", &r->cfg, e, sizeof e);
    r->kind = AX_ROW_NEURON;
    const ax_neuron_cfg_t *n = &r->neuron;
    ax_format_name(n->fmt, fm, sizeof fm);
    ax_unit_name(n->add, ad, sizeof ad);
    ax_unit_name(n->mul, mu, sizeof mu);
    if (n->model == AX_NEURON_LIF)
        snprintf(r->unit, sizeof r->unit, "neuron %s+%s", mu, ad);
    else
        snprintf(r->unit, sizeof r->unit, "neuron if %s", ad);
    snprintf(r->fmt, sizeof r->fmt, "%s", fm);
    snprintf(r->name, sizeof r->name, "%s %s", r->unit, fm);
    snprintf(r->mac, sizeof r->mac, "%.150s|%.320s", ax_mac_name(&r->cfg, mb, sizeof mb),
             ax_neuron_name(n, nb, sizeof nb));
    snprintf(r->rtl, sizeof r->rtl, "neuron:%s", nb);
    r->have_metrics = ax_metrics_compute(n->add, n->fmt, n->fmt, AX_METRICS_MAX_ENUM,
                                         AX_METRICS_SAMPLE, st->seed, &r->met) == 0;
    return 0;
}

int ax_estimate_plan_snn(ax_estimate_t *st, const char *const *synapses, int nsyn,
                         const char *const *neurons, int nneu, char *err, size_t errlen)
{
    ax_estimate_free(st);
    if (nsyn + nneu < 1) return ax_fail(err, errlen, "no synapses and no neurons to study");
    st->rows = calloc((size_t)(nsyn + nneu) + 1, sizeof *st->rows);
    if (!st->rows) return ax_fail(err, errlen, "out of memory");
    for (int i = 0; i < nsyn; i++)
        if (plan_synapse(st, &st->rows[st->nrows++], synapses[i], err, errlen)) goto fail;
    for (int i = 0; i < nneu; i++)
        if (plan_neuron(st, &st->rows[st->nrows++], neurons[i], err, errlen)) goto fail;
    return 0;
fail:
    ax_estimate_free(st);
    return -1;
}

/* The verifier's name of a DAA PE configuration, as cosim/CMakeLists.txt
 * makes it: daa.<policy>.<hi>/<lo>+<add>.<in>/<lo_in>.<prod>.<acc> (random:
 * random<seed>) */
static void daa_rtl_name(const ax_mac_cfg_t *c, char *buf, size_t len)
{
    char hi[64], lo[64], add[64], fi[48], fl[48], fp[48], fa[48], pol[32];
    rtl_unit_name(c->mul, hi, sizeof hi);
    rtl_unit_name(c->daa.lo, lo, sizeof lo);
    rtl_unit_name(c->add, add, sizeof add);
    if (c->daa.policy == AX_DAA_RANDOM) snprintf(pol, sizeof pol, "random%u", (unsigned)c->daa.seed);
    else snprintf(pol, sizeof pol, "%s", ax_daa_policy_name((ax_daa_policy_t)c->daa.policy));
    snprintf(buf, len, "daa.%s.%s/%s+%s.%s/%s.%s.%s", pol, hi, lo, add, ax_format_name(c->in, fi, sizeof fi),
             ax_format_name(c->daa.lo_in, fl, sizeof fl), ax_format_name(c->prod, fp, sizeof fp),
             ax_format_name(c->acc, fa, sizeof fa));
}

int ax_estimate_add_daa(ax_estimate_t *st, const char *spec, char *err, size_t errlen)
{
    ax_mac_cfg_t c;
    char e[768];
    if (ax_mac_parse(spec, &c, e, sizeof e)) return ax_fail(err, errlen, "DAA row '%s': %s", spec, e);
    if (!ax_mac_is_daa(&c))
        return ax_fail(err, errlen, "DAA row '%s': not a DAA configuration (daa:hi=U,lo=U,...)", spec);
    ax_estimate_row_t *rows = realloc(st->rows, ((size_t)st->nrows + 2) * sizeof *rows);
    if (!rows) return ax_fail(err, errlen, "out of memory");
    st->rows = rows;
    ax_estimate_row_t *r = &rows[st->nrows];
    memset(r, 0, sizeof *r);
    r->kind = AX_ROW_DAA;
    r->cfg = c;
    char hi[64], lo[64], fi[48], fl[48];
    ax_unit_name(c.mul, hi, sizeof hi);
    ax_unit_name(c.daa.lo, lo, sizeof lo);
    snprintf(r->unit, sizeof r->unit, "daa:%s %s/%s", ax_daa_policy_name((ax_daa_policy_t)c.daa.policy),
             hi, lo);
    snprintf(r->fmt, sizeof r->fmt, "%s/%s", ax_format_name(c.in, fi, sizeof fi),
             ax_format_name(c.daa.lo_in, fl, sizeof fl));
    ax_mac_name(&c, r->mac, sizeof r->mac);
    snprintf(r->name, sizeof r->name, "%s %s", r->unit, r->fmt);
    daa_rtl_name(&c, r->rtl, sizeof r->rtl);
    if (ax_daa_metrics_compute(&c, 500, 256, st->seed, &r->daa))
        return ax_fail(err, errlen, "DAA row '%s': its metrics could not be computed", spec);
    r->daa_hi = NAN;
    st->nrows++;
    return 0;
}

int ax_estimate_plan(ax_estimate_t *st, const char *const *units, int nunits, const char *const *fmts,
                     int nfmts, const char *adder, char *err, size_t errlen)
{
    ax_estimate_free(st);
    if (nunits < 1 || nfmts < 1) return ax_fail(err, errlen, "no units or no formats to study");
    st->rows = calloc((size_t)nunits * (size_t)nfmts + 1, sizeof *st->rows);
    if (!st->rows) return ax_fail(err, errlen, "out of memory");
    for (int fi = 0; fi < nfmts; fi++)
        for (int ui = 0; ui < nunits; ui++)
            if (plan_mul(&st->rows[st->nrows++], units[ui], fmts[fi], st->seed, err, errlen)) goto fail;
    if (adder && plan_adder(&st->rows[st->nrows], adder, st->seed, err, errlen)) goto fail;
    if (adder) st->rows[st->nrows++].kind = AX_ROW_ADDER;
    return 0;
fail:
    ax_estimate_free(st);
    return -1;
}

/* ---- the RTL check ---------------------------------------------------------------- */

/* exe OPT ARG --jobs N (OPT: --config NAME, or --neuron SPEC), its output
 * discarded: AX_RTL_VERIFIED, AX_RTL_MISMATCH (exit 1, or killed), or
 * AX_RTL_NOT_BUILT (no exe, or any other exit: the verifier has no model of
 * that configuration). */
static int run_verifier(const char *exe, const char *opt, const char *arg, int jobs)
{
    if (!exe) return AX_RTL_NOT_BUILT;
    char j[16];
    snprintf(j, sizeof j, "%d", jobs > 0 ? jobs : 1);
    pid_t pid = fork();
    if (pid < 0) return AX_RTL_NOT_BUILT;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        execl(exe, exe, opt, arg, "--jobs", j, (char *)NULL);
        _exit(127);
    }
    int s;
    if (waitpid(pid, &s, 0) < 0 || !WIFEXITED(s)) return AX_RTL_MISMATCH;
    return WEXITSTATUS(s) == 0 ? AX_RTL_VERIFIED : WEXITSTATUS(s) == 1 ? AX_RTL_MISMATCH : AX_RTL_NOT_BUILT;
}

static int verify_config(const char *exe, const char *name, int jobs)
{
    return run_verifier(exe, "--config", name, jobs);
}

/* Every configuration of the row (two for the adder row): a mismatch in
 * either is a mismatch, else a missing one is "not built". */
static int verify_row(const ax_estimate_t *st, const ax_estimate_row_t *r)
{
    if (!st->verify) return AX_RTL_NOT_RUN;
    if (r->kind == AX_ROW_NEURON) /* rtl: "neuron:SPEC" */
        return run_verifier(st->verify_exe, "--neuron", r->rtl + 7, st->verify_jobs);
    if (!r->is_adder) return verify_config(st->verify_exe, r->rtl, st->verify_jobs);
    char a[96], b[96];
    if (sscanf(r->rtl, "%95s %95s", a, b) != 2) return AX_RTL_NOT_BUILT;
    int va = verify_config(st->verify_exe, a, st->verify_jobs), vb = verify_config(st->verify_exe, b, st->verify_jobs);
    return va == AX_RTL_MISMATCH || vb == AX_RTL_MISMATCH ? AX_RTL_MISMATCH
         : va == AX_RTL_NOT_BUILT || vb == AX_RTL_NOT_BUILT ? AX_RTL_NOT_BUILT : AX_RTL_VERIFIED;
}

/* ---- accuracy --------------------------------------------------------------------- */

/* The checkpoint's weights, the forward GEMMs through row's MAC (NULL: the
 * baseline, exact fp32), gradients exact fp32; a spiking model's neuron the
 * row's (else the study's). */
static int set_net(const ax_estimate_t *st, const ax_estimate_row_t *r, char *err, size_t errlen)
{
    ax_mac_cfg_t f32;
    char e[64];
    if (!st->net || !st->ckpt || !st->test || !st->engine)
        return ax_fail(err, errlen, "the study has no network, checkpoint, test set or engine");
    if (ax_model_load_ckpt(st->net, st->ckpt, st->weights ? st->weights : "(checkpoint)", err, errlen)) return -1;
    ax_mac_parse("mul=exact,in=fp32", &f32, e, sizeof e);
    ax_model_set_mac(st->net, st->engine, r ? &r->cfg : &f32, &f32);
    if (ax_model_is_spiking(st->net)) {
        ax_snn_opts_t o = st->snn;
        if (r) o.neuron = r->neuron;
        if (ax_model_set_snn(st->net, &o, err, errlen)) return -1;
    }
    ax_model_stats_reset(st->net);
    return 0;
}

int ax_estimate_baseline(ax_estimate_t *st, char *err, size_t errlen)
{
    double loss;
    if (set_net(st, NULL, err, errlen) ||
        ax_evaluate(st->net, st->test, (int64_t)st->test_limit, EVAL_BATCH, &loss, &st->base_acc, err, errlen))
        return -1;
    st->base_synops = ax_model_synops_per_image(st->net);
    st->base_spike_rate = ax_model_spikes_per_neuron(st->net);
    st->ntest = st->test_limit && (int64_t)st->test_limit < st->test->n ? (int64_t)st->test_limit : st->test->n;
    return 0;
}

typedef struct train_ctx {
    const ax_estimate_t *st;
    int row;
} train_ctx_t;

static void train_progress(void *ctx, const ax_train_progress_t *p)
{
    const train_ctx_t *t = ctx;
    t->st->progress(t->st->ctx, t->row, "retrain", p);
}

/* The row's accuracy from the checkpoint's weights, then after retraining. */
static int accuracy(ax_estimate_t *st, int i, char *err, size_t errlen)
{
    ax_estimate_row_t *r = &st->rows[i];
    double loss;
    if (st->progress) st->progress(st->ctx, i, "evaluate", NULL);
    if (set_net(st, r, err, errlen) ||
        ax_evaluate(st->net, st->test, (int64_t)st->test_limit, EVAL_BATCH, &loss, &r->acc0, err, errlen))
        return -1;
    r->synops = ax_model_synops_per_image(st->net);
    r->spike_rate = ax_model_spikes_per_neuron(st->net);
    if (r->kind == AX_ROW_DAA) {
        uint64_t nz = 0, hi = 0;
        for (int n = 0; n < st->net->nnodes; n++)
            nz += st->net->node[n].daa_nonzero, hi += st->net->node[n].daa_hi;
        r->daa_hi = nz ? (double)hi / (double)nz : NAN;
    }
    r->acc1 = NAN;
    if (!st->retrain_epochs) return 0;
    if (!st->train) return ax_fail(err, errlen, "retraining needs the training set");
    ax_train_cfg_t c;
    memset(&c, 0, sizeof c);
    c.epochs = (int64_t)st->retrain_epochs, c.batch = RETRAIN_BATCH, c.lr = (float)st->lr;
    c.sched = AX_SCHED_COSINE;
    c.opt.kind = AX_OPT_SGD, c.opt.momentum = 0.9f, c.opt.weight_decay = 5e-4f;
    c.seed = st->seed, c.limit = (int64_t)st->retrain_limit, c.test_limit = (int64_t)st->test_limit;
    train_ctx_t tc = {st, i};
    if (st->progress) c.progress = train_progress, c.ctx = &tc;
    ax_train_result_t res;
    if (ax_train(st->net, st->train, st->test, &c, &res, r->why, sizeof r->why) == 0) {
        r->acc1 = res.test_acc;
        r->why[0] = 0;
        return 0;
    }
    if (!res.diverged) return ax_fail(err, errlen, "%s", r->why);
    r->diverged = 1; /* a result of the unit, not a failure of the study */
    return 0;
}

int ax_estimate_run(ax_estimate_t *st, char *err, size_t errlen)
{
    if (isnan(st->base_acc) && ax_estimate_baseline(st, err, errlen)) return -1;
    st->mismatches = 0;
    for (int i = 0; i < st->nrows; i++) {
        ax_estimate_row_t *r = &st->rows[i];
        double t0 = ax_clock_now();
        if (st->progress && st->verify) st->progress(st->ctx, i, "verify", NULL);
        r->rtl_status = verify_row(st, r);
        st->mismatches += r->rtl_status == AX_RTL_MISMATCH;
        if (!r->resumed) { /* a resumed row keeps its accuracies; its RTL check is rerun */
            if (accuracy(st, i, err, errlen)) return -1;
            r->secs = ax_clock_now() - t0;
        }
        if (st->row_done && st->row_done(st->ctx, st, i, err, errlen)) return -1;
    }
    return 0;
}
