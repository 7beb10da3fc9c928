/* snn_report.c — what the network verbs report of a spiking model
 * (docs/snn.md, "Reports"): the spikes per neuron and the synaptic
 * operations per image of every layer, and the membrane trajectories of
 * chosen neurons under the configured arithmetic next to exact fp32 (a CSV
 * and a PNG). */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ax_atomic.h"
#include "ax_plot.h"
#include "cli.h"
#include "net_opts.h"

void net_snn_layers(const ax_model_t *m, cJSON *obj)
{
    if (!ax_model_is_spiking(m) || !m->stat_images) return;
    const double n = (double)m->stat_images;
    cJSON *arr = cJSON_AddArrayToObject(obj, "layers");
    for (int i = 0; i < m->nnodes; i++) {
        const ax_node_t *d = &m->node[i];
        const int64_t neurons = ax_node_spiking_neurons(m, d);
        const int syn = d->kind == AX_LAYER_LINEAR || d->kind == AX_LAYER_CONV;
        if (!neurons && !syn) continue;
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "layer", d->name);
        if (neurons) {
            double rate = (double)d->spikes_total / (n * (double)neurons);
            printf("  %-8s %8lld neurons  %7.3f spikes per neuron per image\n", d->name,
                   (long long)neurons, rate);
            cJSON_AddNumberToObject(l, "neurons", (double)neurons);
            cJSON_AddNumberToObject(l, "spikes_per_neuron", rate);
        } else {
            double ops = (double)d->synops_total / n;
            printf("  %-8s %12.0f synaptic operations per image (%s)\n", d->name, ops,
                   d->spike_in ? "accumulates of spikes" : "multiply-accumulates of a graded input");
            cJSON_AddNumberToObject(l, "synaptic_ops_per_image", ops);
            cJSON_AddStringToObject(l, "input", d->spike_in ? "spikes" : "graded");
        }
        cJSON_AddItemToArray(arr, l);
    }
    cJSON_AddNumberToObject(obj, "synaptic_ops_per_image", ax_model_synops_per_image(m));
    cJSON_AddNumberToObject(obj, "spikes_per_neuron", ax_model_spikes_per_neuron(m));
}

/* ---- membrane trajectories ---------------------------------------------------------------- */

enum { TRACE_MAX = 16 };

typedef struct trace_pt {
    int node;
    int64_t index;
} trace_pt_t;

/* "lif1:0,lif2:17" into pts. The count, or -1 with the reason printed. */
static int parse_trace(const net_opts_t *o, const ax_model_t *m, trace_pt_t *pts)
{
    char buf[1024], names[256] = "";
    for (int i = 0; i < m->nnodes; i++)
        if (ax_node_spiking_neurons(m, &m->node[i]))
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", m->node[i].name);
    snprintf(buf, sizeof buf, "%s", o->trace);
    int n = 0;
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        char *colon = strchr(t, ':'), *end;
        int node = -1;
        if (colon) {
            *colon = 0;
            for (int i = 0; i < m->nnodes; i++)
                if (!strcmp(m->node[i].name, t) && ax_node_spiking_neurons(m, &m->node[i])) node = i;
        }
        long long idx = colon ? strtoll(colon + 1, &end, 10) : -1;
        if (node < 0 || n == TRACE_MAX || idx < 0 || *end || end == colon + 1 ||
            idx >= ax_node_spiking_neurons(m, &m->node[node])) {
            ax_cli_error(o->verb,
                         "--trace '%.200s': give up to %d LAYER:INDEX items, LAYER one of %s (of "
                         "model %s) and INDEX below its neuron count",
                         o->trace, TRACE_MAX, names, m->arch);
            return -1;
        }
        pts[n].node = node, pts[n].index = idx;
        n++;
    }
    return n;
}

/* One forward of image k, each traced neuron's membrane before the reset and
 * spike at every step into mem[p*T + t], spk[p*T + t]. */
static int record(net_job_t *j, int64_t k, const trace_pt_t *pts, int n, float *mem, float *spk)
{
    ax_model_t *m = j->m;
    char err[1024];
    const int64_t sz = j->te.c * j->te.h * j->te.w, T = m->steps;
    m->enc_base = k;
    if (ax_model_forward(m, j->te.x + k * sz, 1, 0, err, sizeof err)) {
        ax_cli_error(j->o.verb, "%s", err);
        return -1;
    }
    for (int p = 0; p < n; p++) {
        const ax_node_t *d = &m->node[pts[p].node];
        const int64_t ne = d->c * d->h * d->w; /* one image: step t at t * ne */
        for (int64_t t = 0; t < T; t++) {
            const float v = d->aux[t * ne + pts[p].index];
            uint32_t b, fl = 0;
            memcpy(&b, &v, 4);
            mem[p * T + t] = v; /* the spike: the forward's exact compare */
            spk[p * T + t] = (float)ax_fmt_ge(ax_from_f32bits(b, m->snn.neuron.fmt, &fl),
                                              m->snn.neuron.theta, m->snn.neuron.fmt);
        }
    }
    return 0;
}

/* The reference of neuron c: fp32 with exact units, the same model, leak,
 * threshold (their values, exactly) and reset. */
static ax_neuron_cfg_t exact_neuron(const ax_neuron_cfg_t *c)
{
    ax_neuron_cfg_t r = *c;
    r.fmt = ax_fmt_fp32();
    r.mul = ax_unit_default(AX_MUL_EXACT);
    r.add = ax_unit_default(AX_ADD_EXACT);
    r.beta = ax_to_f32bits(c->beta, c->fmt);
    r.theta = ax_to_f32bits(c->theta, c->fmt);
    return r;
}

static int write_outputs(net_job_t *j, const trace_pt_t *pts, int n, const float *mem,
                         const float *spk, const float *mref, const float *sref)
{
    const ax_model_t *m = j->m;
    const net_opts_t *o = &j->o;
    const int64_t T = m->steps;
    char err[1024], path[4200], fmt[48];
    ax_format_name(m->snn.neuron.fmt, fmt, sizeof fmt);
    size_t cap = 256 + (size_t)(n * T) * 160, len = 0;
    char *csv = malloc(cap);
    ax_plot_point_t *pp = calloc((size_t)(2 * n * T) + 1, sizeof *pp);
    char(*series)[160] = calloc((size_t)(2 * n) + 1, sizeof *series);
    int rc = 0;
    if (!csv || !pp || !series) {
        ax_cli_error(o->verb, "out of memory");
        rc = AX_EXIT_FAIL;
        goto out;
    }
    len += (size_t)snprintf(csv + len, cap - len,
                            "image,layer,neuron,t,membrane,spike,membrane_fp32,spike_fp32\n");
    int np = 0;
    for (int p = 0; p < n; p++) {
        const char *name = m->node[pts[p].node].name;
        snprintf(series[2 * p], 160, "%s:%lld %s", name, (long long)pts[p].index, fmt);
        snprintf(series[2 * p + 1], 160, "%s:%lld fp32", name, (long long)pts[p].index);
        for (int64_t t = 0; t < T; t++) {
            len += (size_t)snprintf(csv + len, cap - len, "%llu,%s,%lld,%lld,%.9g,%d,%.9g,%d\n",
                                    (unsigned long long)o->trace_image, name,
                                    (long long)pts[p].index, (long long)t, mem[p * T + t],
                                    (int)spk[p * T + t], mref[p * T + t], (int)sref[p * T + t]);
            pp[np++] = (ax_plot_point_t){(double)t, mem[p * T + t], NULL, series[2 * p]};
            pp[np++] = (ax_plot_point_t){(double)t, mref[p * T + t], NULL, series[2 * p + 1]};
        }
    }
    if (mkdir(o->trace_out, 0777) != 0 && errno != EEXIST) {
        ax_cli_error(o->verb, "--trace-out %s: %s", o->trace_out, strerror(errno));
        rc = AX_EXIT_USAGE;
        goto out;
    }
    snprintf(path, sizeof path, "%s/trace.csv", o->trace_out);
    if (ax_atomic_write(path, csv, len, err, sizeof err)) {
        ax_cli_error(o->verb, "%s", err);
        rc = AX_EXIT_FAIL;
        goto out;
    }
    char title[256];
    snprintf(title, sizeof title, "%s, test image %llu: membrane before the reset (threshold %g)",
             m->arch, (unsigned long long)o->trace_image,
             ax_to_double(m->snn.neuron.theta, m->snn.neuron.fmt));
    ax_plot_t pl = {title, "time step", "membrane", 0, ax_to_double(m->snn.neuron.theta, m->snn.neuron.fmt),
                    "threshold"};
    snprintf(path, sizeof path, "%s/trace.png", o->trace_out);
    if (ax_plot_scatter(path, &pl, pp, np, err, sizeof err))
        fprintf(stderr, "axsim %s: no plot: %s\n", o->verb, err);
    printf("trace: %d neuron%s of test image %llu over %lld steps: %s/trace.csv, trace.png\n", n,
           n == 1 ? "" : "s", (unsigned long long)o->trace_image, (long long)T, o->trace_out);
out:
    free(csv), free(pp), free(series);
    return rc;
}

int net_snn_trace(net_job_t *j)
{
    const net_opts_t *o = &j->o;
    ax_model_t *m = j->m;
    if (!o->trace) return 0;
    if (!ax_model_is_spiking(m)) {
        ax_cli_error(o->verb, "--trace is for spiking models (snn-mlp, snn-conv), not %s", m->arch);
        return AX_EXIT_USAGE;
    }
    if ((int64_t)o->trace_image >= j->te.n) {
        ax_cli_error(o->verb, "--trace-image %llu: the test set has %lld images",
                     (unsigned long long)o->trace_image, (long long)j->te.n);
        return AX_EXIT_USAGE;
    }
    trace_pt_t pts[TRACE_MAX];
    int n = parse_trace(o, m, pts);
    if (n <= 0) return AX_EXIT_USAGE;
    const int64_t T = m->steps;
    float *buf = calloc((size_t)(4 * n * T), sizeof *buf);
    if (!buf) return AX_EXIT_FAIL;
    float *mem = buf, *spk = buf + n * T, *mref = buf + 2 * n * T, *sref = buf + 3 * n * T;
    int rc = record(j, (int64_t)o->trace_image, pts, n, mem, spk) ? AX_EXIT_FAIL : 0;
    /* the same image in exact fp32: the MAC and the neuron */
    const ax_mac_cfg_t fwd = m->fwd, bwd = m->bwd;
    const ax_snn_opts_t keep = m->snn;
    ax_mac_cfg_t f32;
    char err[256];
    ax_mac_parse("mul=exact,in=fp32", &f32, err, sizeof err);
    ax_snn_opts_t ref = keep;
    ref.neuron = exact_neuron(&keep.neuron);
    ax_model_set_mac(m, m->eng, &f32, &f32);
    if (!rc && ax_model_set_snn(m, &ref, err, sizeof err)) rc = AX_EXIT_FAIL;
    if (!rc && record(j, (int64_t)o->trace_image, pts, n, mref, sref)) rc = AX_EXIT_FAIL;
    ax_model_set_mac(m, m->eng, &fwd, &bwd);
    ax_model_set_snn(m, &keep, err, sizeof err);
    if (!rc) rc = write_outputs(j, pts, n, mem, spk, mref, sref);
    free(buf);
    return rc;
}
