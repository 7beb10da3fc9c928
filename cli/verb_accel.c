/* verb_accel.c — `axsim accel`: how fast, how busy and how costly a planned
 * systolic-array accelerator is on a model or a SCALE-Sim topology, layer by
 * layer; analytic, or cycle-accurate (SystemC, verilated PEs) with every
 * output checked against the fast path (docs/accelerator.md). */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel_cli.h"
#include "ax_atomic.h"
#include "ax_cache.h"
#include "ax_onnx.h"
#include "ax_nn.h"
#include "ax_plot.h"
#include "cli.h"
#include "net_opts.h"

static const char verb[] = "accel";

#define DEFAULT_MAC "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp32"

static const char *help =
    "usage: axsim accel [options]\n"
    "\n"
    "A systolic-array accelerator running a model (or a SCALE-Sim topology) layer by\n"
    "layer: cycles, stalls, utilization, SRAM and DRAM traffic and energy per image.\n"
    "--mode analytic (default) counts in closed form; --mode cycle clocks every PE\n"
    "(SystemC, each PE the verilated MAC) on real test images and checks every\n"
    "output and flag against the fast path. Writes a table, OUT/layers.csv,\n"
    "OUT/folds.csv (every fold: its slice, start, stalls, traffic), SCALE-Sim's\n"
    "COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, and\n"
    "OUT/accel.png (cycles and utilization per layer); docs/accelerator.md.\n"
    "\n"
    "  --model M          the network (default lenet5; any of axsim train's)\n"
    "  --input CxHxW      its input per image in analytic mode (default 1x28x28)\n"
    "  --onnx FILE        the network of an ONNX file instead (docs/onnx.md); in cycle\n"
    "                     mode its weights unless --weights\n"
    "  --batch N          analytic: N images per run (default 1): a linear layer's\n"
    "                     GEMM gets one row of A per image, a convolution runs N times\n"
    "  --topology CSV     SCALE-Sim layers instead of a model ('name, M, N, K,' or\n"
    "                     'name, H, W, R, S, C, filters, stride,'; analytic only)\n"
    "  --config CFG       SCALE-Sim configuration: array, SRAMs, dataflow, bandwidth\n"
    "                     (then 1-byte words, as SCALE-Sim); the options below win\n"
    "  --array RxC        PE rows x columns (default 16x16)\n"
    "  --dataflow D       os, ws or is (default ws)\n"
    "  --sram-kb I,F,O    ifmap, filter, ofmap SRAM in KiB (default 64,64,64)\n"
    "  --bandwidth W      DRAM words per cycle per buffer (default 0: as needed)\n"
    "  --memory M         axsim (default: fold by fold, as the cycle-accurate array)\n"
    "                     or scalesim (SCALE-Sim v2's address-by-address model, to\n"
    "                     diff its reports; analytic only)\n"
    "  --mac CFG          the PE's MAC (default " DEFAULT_MAC "); a DAA\n"
    "                     configuration (daa:...) makes every PE a DAA PE serving two\n"
    "                     rows of A at once, compared with the plain array of hi MACs\n"
    "                     (analytic, axsim memory model)\n"
    "  --energy FILE      per-operation energies replacing the default table\n"
    "  --mode M           analytic (default) or cycle\n"
    "  cycle mode:\n"
    "  --images N         test images simulated (default 1)\n"
    "  --pe P             rtl (default: the verilated MAC) or c (its C model; any MAC)\n"
    "  --weights CKPT     the model's weights (default: the shipped ones, else random)\n"
    "  --data DIR         MNIST-family folder (default " AX_DEFAULT_DATA ")\n"
    "  --vcd LAYER[:FOLD] a VCD of the array's ports and PE registers for one fold of\n"
    "                     one layer (fold 0 unless given), of the first image\n"
    "  --vcd-out FILE     where it goes (default OUT/<layer>.fold<F>.vcd)\n"
    "  --backend B --threads N   the fast path the outputs are checked against\n"
    "  --out DIR          where the files go (default axsim-accel; existing files\n"
    "                     are never overwritten)\n"
    "  --json FILE        everything as JSON (- for stdout)\n"
    "  --quiet            no progress\n"
    "\n"
    "Exit status: 0, 1 an output or count of the array differs (or a run failed),\n"
    "2 bad usage or input.\n";

/* ---- the layers ---------------------------------------------------------- */

/* The GEMM layers of a model for a batch of o->batch images: a convolution
 * once per image (its M the output pixels), a linear layer once with one row
 * of A per image */
static int model_layers(const accel_opts_t *o, accel_layer_t **out, int64_t *n)
{
    char err[512];
    char notes[512];
    ax_model_t *m = o->onnx ? ax_onnx_load(o->onnx, notes, sizeof notes, err, sizeof err)
                            : ax_model_create(o->model, o->in_c, o->in_h, o->in_w, 10, err, sizeof err);
    if (!m) {
        ax_cli_error(verb, "%s%s", o->onnx ? "--onnx " : "", err);
        return AX_EXIT_USAGE;
    }
    if (ax_model_is_spiking(m)) {
        ax_cli_error(verb, "--model %s: a spiking model's synapses only add; the array maps "
                           "multiply-accumulate layers (a spiking array is not modelled)", o->model);
        ax_model_free(m);
        return AX_EXIT_USAGE;
    }
    accel_layer_t *ls = calloc((size_t)m->nnodes + 1, sizeof *ls);
    if (!ls) {
        ax_model_free(m);
        ax_cli_error(verb, "out of memory");
        return AX_EXIT_FAIL;
    }
    int64_t k = 0;
    for (int i = 0; i < m->nnodes; i++) {
        const ax_node_t *d = &m->node[i];
        if (d->kind != AX_LAYER_CONV && d->kind != AX_LAYER_LINEAR) continue;
        accel_layer_t *a = &ls[k++];
        snprintf(a->l.name, sizeof a->l.name, "%s", d->name);
        a->node = i;
        if (d->kind == AX_LAYER_CONV) {
            a->l.m = d->h * d->w;
            a->l.k = d->in_c / d->groups * d->kh * d->kw;
            a->l.n = d->c / d->groups;
            a->l.count = d->groups * (int64_t)o->batch;
            a->l.ifmap_words = d->in_c / d->groups * d->in_h * d->in_w; /* one group's input */
            /* as SCALE-Sim's memory model addresses it: the padded input */
            a->l.conv_h = d->in_h + 2 * d->ph, a->l.conv_w = d->in_w + 2 * d->pw;
            a->l.conv_c = d->in_c / d->groups;
            a->l.filt_h = d->kh, a->l.filt_w = d->kw;
            if ((d->dh != 1 || d->dw != 1 || d->sh != d->sw) && o->cfg.memory == AX_MEM_SCALESIM) {
                ax_cli_error(verb, "%s: a dilated convolution or one with two strides: SCALE-Sim's "
                                   "memory model addresses neither (use --memory axsim)", d->name);
                free(ls);
                ax_model_free(m);
                return AX_EXIT_USAGE;
            }
            a->l.stride = d->sh, a->l.out_w = d->w;
        } else {
            a->l.m = (int64_t)o->batch;
            a->l.k = d->in_c * d->in_h * d->in_w;
            a->l.n = d->c;
            a->l.count = 1;
        }
    }
    ax_model_free(m);
    *out = ls;
    *n = k;
    return 0;
}

/* ---- options --------------------------------------------------------------- */

static int parse_side_pair(const char *s, int64_t *r, int64_t *c)
{
    char *e;
    long long a = strtoll(s, &e, 10);
    if (e == s || (*e != 'x' && *e != 'X')) return -1;
    const char *t = e + 1;
    long long b = strtoll(t, &e, 10);
    if (e == t || *e) return -1;
    *r = a, *c = b;
    return 0;
}

static int parse_opts(accel_opts_t *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"model", 1, 0, 'M'},   {"input", 1, 0, 'I'},    {"topology", 1, 0, 'T'},
        {"config", 1, 0, 'C'},  {"array", 1, 0, 'a'},    {"dataflow", 1, 0, 'd'},
        {"sram-kb", 1, 0, 'S'}, {"bandwidth", 1, 0, 'B'}, {"mac", 1, 0, 'm'},
        {"energy", 1, 0, 'E'},  {"mode", 1, 0, 'x'},     {"images", 1, 0, 'n'},
        {"pe", 1, 0, 'p'},      {"weights", 1, 0, 'w'},  {"data", 1, 0, 'D'},
        {"vcd", 1, 0, 'v'},     {"vcd-out", 1, 0, 'V'},  {"backend", 1, 0, 'b'},
        {"threads", 1, 0, 't'}, {"out", 1, 0, 'o'},      {"json", 1, 0, 'j'},
        {"quiet", 0, 0, 'q'},   {"memory", 1, 0, 'y'},   {"batch", 1, 0, 'N'},
        {"onnx", 1, 0, 'X'},    {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->model = "lenet5";
    o->data = AX_DEFAULT_DATA;
    o->out = "axsim-accel";
    o->pe = "rtl";
    o->images = 1;
    o->batch = 1;
    o->in_c = 1, o->in_h = 28, o->in_w = 28;
    snprintf(o->mac_spec, sizeof o->mac_spec, "%s", DEFAULT_MAC);
    ax_accel_energy_default(&o->energy);
    const char *array = NULL, *df = NULL, *sram = NULL, *bw = NULL, *mode = NULL, *input = NULL,
               *memory = NULL;
    int model_given = 0, c;
    char err[512], tail;
    ax_cli_opt_begin();
    while ((c = ax_cli_opt(verb, argc, argv, lo, 0)) > 0) {
        int bad = 0;
        switch (c) {
        case 'M': o->model = optarg, model_given = 1; break;
        case 'X': o->onnx = optarg; break;
        case 'I': input = optarg; break;
        case 'T': o->topology = optarg; break;
        case 'C': o->config = optarg; break;
        case 'a': array = optarg; break;
        case 'd': df = optarg; break;
        case 'S': sram = optarg; break;
        case 'B': bw = optarg; break;
        case 'm':
            if (strlen(optarg) >= sizeof o->mac_spec) {
                ax_cli_error(verb, "--mac: too long");
                return AX_EXIT_USAGE;
            }
            snprintf(o->mac_spec, sizeof o->mac_spec, "%s", optarg);
            break;
        case 'E': o->energy_file = optarg; break;
        case 'x': mode = optarg; break;
        case 'n': bad = ax_cli_u64(verb, "--images", optarg, &o->images); break;
        case 'N': bad = ax_cli_u64(verb, "--batch", optarg, &o->batch); break;
        case 'p': o->pe = optarg; break;
        case 'w': o->weights = optarg; break;
        case 'D': o->data = optarg; break;
        case 'v': o->vcd = optarg; break;
        case 'V': o->vcd_path = optarg; break;
        case 'b': bad = ax_cli_backend(verb, optarg, &o->backend); break;
        case 't': bad = ax_cli_threads(verb, optarg, &o->threads); break;
        case 'o': o->out = optarg; break;
        case 'j': o->json = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'y': memory = optarg; break;
        }
        if (bad) return AX_EXIT_USAGE;
    }
    if (c < 0) return AX_EXIT_USAGE;
    if (ax_cli_mac(verb, "--mac", o->mac_spec, &o->mac)) return AX_EXIT_USAGE;
    ax_accel_cfg_default(&o->cfg);
    o->cfg.rows = o->cfg.cols = 16;
    /* words as wide as the input format, unless SCALE-Sim's config says */
    o->cfg.word_bytes = (ax_fmt_width(o->mac.in) + 7) / 8;
    if (o->config) {
        if (ax_accel_read_config(o->config, &o->cfg, err, sizeof err)) {
            ax_cli_error(verb, "--config %s", err);
            return AX_EXIT_USAGE;
        }
    }
    if (array && parse_side_pair(array, &o->cfg.rows, &o->cfg.cols)) {
        ax_cli_error(verb, "--array '%s': give ROWSxCOLUMNS, e.g. 16x16", array);
        return AX_EXIT_USAGE;
    }
    if (df && ax_dataflow_parse(df, &o->cfg.dataflow, err, sizeof err)) {
        ax_cli_error(verb, "--dataflow: %s", err);
        return AX_EXIT_USAGE;
    }
    if (sram) {
        long long a, b, d;
        if (sscanf(sram, "%lld,%lld,%lld%c", &a, &b, &d, &tail) != 3) {
            ax_cli_error(verb, "--sram-kb '%s': give ifmap,filter,ofmap in KiB, e.g. 64,64,64", sram);
            return AX_EXIT_USAGE;
        }
        o->cfg.sram_kb[AX_BUF_IFMAP] = a, o->cfg.sram_kb[AX_BUF_FILTER] = b;
        o->cfg.sram_kb[AX_BUF_OFMAP] = d;
    }
    if (bw) {
        uint64_t v;
        if (ax_cli_u64(verb, "--bandwidth", bw, &v)) return AX_EXIT_USAGE;
        o->cfg.bandwidth = v > ((uint64_t)1 << 62) ? (int64_t)1 << 62 : (int64_t)v; /* checked below */
    }
    if (memory && ax_memory_parse(memory, &o->cfg.memory, err, sizeof err)) {
        ax_cli_error(verb, "--memory: %s", err);
        return AX_EXIT_USAGE;
    }
    /* DAA PEs: two streams each (rows 2j, 2j + 1 of A) */
    o->cfg.streams = ax_mac_is_daa(&o->mac) ? 2 : 1;
    if (ax_accel_cfg_check(&o->cfg, err, sizeof err)) {
        ax_cli_error(verb, "--mac %s: %s", o->mac_spec, err);
        return AX_EXIT_USAGE;
    }
    if (input && (sscanf(input, "%lldx%lldx%lld%c", (long long *)&o->in_c, (long long *)&o->in_h,
                         (long long *)&o->in_w, &tail) != 3 || o->in_c < 1 || o->in_h < 1 || o->in_w < 1 ||
                  o->in_c > 65536 || o->in_h > 65536 || o->in_w > 65536)) {
        ax_cli_error(verb, "--input '%s': give CxHxW, each 1..65536 (e.g. 3x32x32)", input);
        return AX_EXIT_USAGE;
    }
    if (mode && strcmp(mode, "analytic") && strcmp(mode, "cycle")) {
        ax_cli_error(verb, "--mode '%s': give analytic or cycle", mode);
        return AX_EXIT_USAGE;
    }
    o->cycle = mode && !strcmp(mode, "cycle");
    if (o->cycle && o->cfg.streams == 2) {
        ax_cli_error(verb, "--mac %s: the cycle-accurate array has plain MAC PEs; an array of DAA "
                           "PEs (rtl/ax_daa_pe.v, two streams each) is counted by --mode analytic",
                     o->mac_spec);
        return AX_EXIT_USAGE;
    }
    if (strcmp(o->pe, "rtl") && strcmp(o->pe, "c")) {
        ax_cli_error(verb, "--pe '%s': give rtl (the verilated MAC) or c (its C model)", o->pe);
        return AX_EXIT_USAGE;
    }
    if (!!o->topology + model_given + !!o->onnx > 1) {
        ax_cli_error(verb, "--topology, --model and --onnx: give one");
        return AX_EXIT_USAGE;
    }
    if (o->onnx && input) {
        ax_cli_error(verb, "--input: an ONNX model's input is its own");
        return AX_EXIT_USAGE;
    }
    if (o->onnx) o->model = "onnx";
    if (o->cycle && o->cfg.memory == AX_MEM_SCALESIM) {
        ax_cli_error(verb, "--memory scalesim is for --mode analytic: the cycle-accurate array "
                           "runs axsim's memory model (docs/accelerator.md)");
        return AX_EXIT_USAGE;
    }
    if (o->topology && o->cycle) {
        ax_cli_error(verb, "--mode cycle runs a model's layers on its test images: a topology "
                           "has no data (use --mode analytic)");
        return AX_EXIT_USAGE;
    }
    if (!o->cycle && (o->vcd || o->vcd_path || o->weights || o->images != 1)) {
        ax_cli_error(verb, "--vcd, --vcd-out, --weights and --images are for --mode cycle");
        return AX_EXIT_USAGE;
    }
    if (o->batch < 1 || o->batch > 65536 || (o->batch > 1 && (o->cycle || o->topology))) {
        ax_cli_error(verb, "--batch: give 1..65536 images, for a model in --mode analytic");
        return AX_EXIT_USAGE;
    }
    if (o->cycle && (o->images < 1 || o->images > 10000)) {
        ax_cli_error(verb, "--images: give 1..10000");
        return AX_EXIT_USAGE;
    }
    if (o->energy_file && ax_accel_read_energy(o->energy_file, &o->energy, err, sizeof err)) {
        ax_cli_error(verb, "--energy %s", err);
        return AX_EXIT_USAGE;
    }
    return -1;
}

/* ---- outputs ---------------------------------------------------------------- */

static const char *const out_files[] = {"layers.csv", "folds.csv", "COMPUTE_REPORT.csv",
                                        "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv",
                                        "accel.png"};
enum { OUT_FILES = 6 };

/* Folds listed per layer in folds.csv at most */
#define FOLDS_CSV_MAX 1000000

static void out_path(const accel_opts_t *o, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", o->out, name);
}

/* Refuses, before any work, files that exist in --out (or a folder that
 * cannot be made or written) */
static int check_outputs(const accel_opts_t *o)
{
    char p[4200], err[512];
    if (ax_mkdirs(o->out)) {
        ax_cli_error(verb, "--out %s: cannot create the folder", o->out);
        return AX_EXIT_USAGE;
    }
    for (int i = 0; i < OUT_FILES; i++) {
        out_path(o, out_files[i], p, sizeof p);
        if (access(p, F_OK) == 0) {
            ax_cli_error(verb, "%s exists: give another --out (nothing is overwritten)", p);
            return AX_EXIT_USAGE;
        }
    }
    out_path(o, "layers.csv", p, sizeof p);
    if (ax_atomic_probe(p, err, sizeof err)) {
        ax_cli_error(verb, "--out: %s", err);
        return AX_EXIT_USAGE;
    }
    return ax_cli_check_new_file(verb, "--json", o->json);
}

typedef int (*report_fn)(FILE *, const ax_accel_cfg_t *, const ax_accel_counts_t *, int64_t);

static int write_report(const accel_opts_t *o, const char *name, report_fn fn,
                        const ax_accel_counts_t *k, int64_t n)
{
    char p[4200], err[4400];
    out_path(o, name, p, sizeof p);
    ax_atomic_t a;
    if (ax_atomic_begin(&a, p, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    if (fn(a.f, &o->cfg, k, n)) {
        ax_atomic_abort(&a);
        ax_cli_error(verb, "writing %s failed", p);
        return AX_EXIT_FAIL;
    }
    if (ax_atomic_commit(&a, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    return 0;
}

/* A layer's name as a CSV field: names come from the model or the user's
 * topology, so always quoted, a quote doubled */
static void csv_name(FILE *f, const char *name)
{
    fputc('"', f);
    for (const char *s = name; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const accel_opts_t *o, const accel_layer_t *ls, int64_t n)
{
    char p[4200], err[4400];
    out_path(o, "layers.csv", p, sizeof p);
    ax_atomic_t a;
    if (ax_atomic_begin(&a, p, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    FILE *f = a.f;
    fprintf(f, "layer,m,n,k,count,folds,cycles,stall_cycles,preload_cycles,drain_cycles,macs,"
               "mapping_efficiency,compute_utilization,overall_utilization,sram_ifmap_reads,"
               "sram_filter_reads,sram_ofmap_reads,sram_ofmap_writes,dram_ifmap_reads,"
               "dram_filter_reads,dram_ofmap_writes,psum_words,energy_mac_pj,energy_sram_pj,"
               "energy_dram_pj,energy_idle_pj,energy_pj,outputs_checked,outputs_differ\n");
    for (int64_t i = 0; i < n; i++) {
        const accel_layer_t *x = &ls[i];
        const ax_accel_counts_t *k = &x->k;
        csv_name(f, x->l.name);
        fprintf(f, ",%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.17g,%.17g,%.17g,"
                   "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.17g,%.17g,%.17g,%.17g,%.17g,%lld,%lld\n",
                (long long)x->l.m, (long long)x->l.n, (long long)x->l.k, (long long)x->l.count,
                (long long)k->folds, (long long)k->cycles, (long long)k->stall_cycles,
                (long long)k->preload_cycles, (long long)k->drain_cycles, (long long)k->macs,
                k->mapping_eff, k->compute_util, k->overall_util,
                (long long)k->sram_reads[AX_BUF_IFMAP], (long long)k->sram_reads[AX_BUF_FILTER],
                (long long)k->sram_reads[AX_BUF_OFMAP], (long long)k->sram_writes[AX_BUF_OFMAP],
                (long long)k->dram_reads[AX_BUF_IFMAP], (long long)k->dram_reads[AX_BUF_FILTER],
                (long long)k->dram_writes[AX_BUF_OFMAP], (long long)k->psum_words, x->pj.mac,
                x->pj.sram, x->pj.dram, x->pj.idle, x->pj.total,
                (long long)x->outputs, (long long)x->differ);
    }
    if (ax_atomic_commit(&a, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    return 0;
}

/* folds.csv: every fold of one GEMM of each layer (the layer's GEMMs are
 * alike), from the analytic model (the cycle-accurate one counts the same,
 * fold by fold: its self-test) */
static int write_folds(const accel_opts_t *o, const accel_layer_t *ls, int64_t n)
{
    char p[4200], err[4400];
    out_path(o, "folds.csv", p, sizeof p);
    ax_atomic_t a;
    if (ax_atomic_begin(&a, p, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    FILE *f = a.f;
    fprintf(f, "layer,fold,row_fold,col_fold,row0,rows_used,col0,cols_used,start_cycle,cycles,"
               "stall_cycles_before,macs,mapping_efficiency,compute_utilization,sram_ifmap_reads,"
               "sram_filter_reads,sram_ofmap_reads,sram_ofmap_writes,dram_ifmap_fetched,"
               "dram_filter_fetched,dram_ofmap_written\n");
    int rc = 0;
    for (int64_t i = 0; i < n && !rc; i++) {
        ax_accel_layer_t one = ls[i].l;
        one.count = 1;
        ax_accel_map_t mp;
        ax_accel_map(&o->cfg, &one, &mp);
        int64_t nf = mp.folds < FOLDS_CSV_MAX ? mp.folds : FOLDS_CSV_MAX;
        int64_t *start = malloc((size_t)(mp.folds + 1) * sizeof *start);
        if (!start) {
            ax_cli_error(verb, "out of memory");
            rc = AX_EXIT_FAIL;
            break;
        }
        ax_accel_counts_t k;
        memset(&k, 0, sizeof k);
        /* SCALE-Sim's model stalls inside folds and has no per-fold DRAM
         * traffic: the DRAM columns stay empty */
        const int ss = o->cfg.memory == AX_MEM_SCALESIM;
        if (ss) {
            if (ax_accel_scalesim_memory(&o->cfg, &one, &mp, start, &k, err, sizeof err)) {
                ax_cli_error(verb, "%s", err);
                free(start);
                rc = AX_EXIT_FAIL;
                break;
            }
        } else {
            ax_accel_timeline(&o->cfg, &mp, start, &k);
        }
        for (int64_t fi = 0; fi < nf; fi++) {
            ax_accel_fold_t fd;
            ax_accel_fold(&o->cfg, &mp, fi, &fd);
            int64_t prev_end = fi ? start[fi - 1] + mp.fold_cycles : 0;
            csv_name(f, ls[i].l.name);
            fprintf(f, ",%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.17g,%.17g,"
                       "%lld,%lld,%lld,%lld,",
                    (long long)fi, (long long)(fi % mp.row_folds), (long long)(fi / mp.row_folds),
                    (long long)fd.row0, (long long)fd.rows_used, (long long)fd.col0,
                    (long long)fd.cols_used, (long long)start[fi], (long long)mp.fold_cycles,
                    (long long)(start[fi] - prev_end), (long long)fd.macs, fd.mapping_eff,
                    fd.compute_util, (long long)fd.sram_reads[AX_BUF_IFMAP],
                    (long long)fd.sram_reads[AX_BUF_FILTER], (long long)fd.sram_reads[AX_BUF_OFMAP],
                    (long long)fd.sram_writes[AX_BUF_OFMAP]);
            if (ss)
                fprintf(f, ",,\n");
            else
                fprintf(f, "%lld,%lld,%lld\n", (long long)fd.load[AX_BUF_IFMAP],
                        (long long)fd.load[AX_BUF_FILTER], (long long)fd.drain);
        }
        if (nf < mp.folds)
            fprintf(f, "# %s: %lld more folds not listed\n", ls[i].l.name, (long long)(mp.folds - nf));
        free(start);
    }
    if (rc) {
        ax_atomic_abort(&a);
        return rc;
    }
    if (ax_atomic_commit(&a, err, sizeof err)) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    return 0;
}

static int write_png(const accel_opts_t *o, const accel_layer_t *ls, int64_t n, const char *what)
{
    const char **labels = calloc((size_t)n + 1, sizeof *labels);
    double *cyc = calloc((size_t)n + 1, sizeof *cyc), *util = calloc((size_t)n + 1, sizeof *util);
    if (!labels || !cyc || !util) {
        free(labels), free(cyc), free(util);
        ax_cli_error(verb, "out of memory");
        return AX_EXIT_FAIL;
    }
    for (int64_t i = 0; i < n; i++) {
        labels[i] = ls[i].l.name;
        cyc[i] = (double)ls[i].k.cycles;
        util[i] = 100 * ls[i].k.overall_util;
    }
    char title[512], p[4200], err[512];
    snprintf(title, sizeof title, "%s on a %lldx%lld %s array: cycles and utilization per layer",
             what, (long long)o->cfg.rows, (long long)o->cfg.cols, ax_dataflow_name(o->cfg.dataflow));
    ax_plot_bars_t b = {title, "cycles per image (log)", "utilization (%)", labels, cyc, util,
                        "cycles", "overall utilization", (int)n, 1, 100};
    out_path(o, "accel.png", p, sizeof p);
    int rc = ax_plot_bars(p, &b, err, sizeof err);
    free(labels), free(cyc), free(util);
    if (rc) {
        /* the numbers are written; a missing plot is said, not fatal */
        fprintf(stderr, "axsim accel: no plot: %s\n", err);
    }
    return 0;
}

static cJSON *counts_json(const ax_accel_counts_t *k, const ax_accel_pj_t *pj)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "folds", (double)k->folds);
    cJSON_AddNumberToObject(o, "cycles", (double)k->cycles);
    cJSON_AddNumberToObject(o, "stall_cycles", (double)k->stall_cycles);
    cJSON_AddNumberToObject(o, "scalesim_total_cycles", (double)ax_accel_scalesim_cycles(k));
    cJSON_AddNumberToObject(o, "preload_cycles", (double)k->preload_cycles);
    cJSON_AddNumberToObject(o, "drain_cycles", (double)k->drain_cycles);
    cJSON_AddNumberToObject(o, "macs", (double)k->macs);
    cJSON_AddNumberToObject(o, "pe_cycles", (double)k->pe_cycles);
    cJSON_AddNumberToObject(o, "busy_pe_cycles", (double)k->macs);
    cJSON_AddNumberToObject(o, "idle_pe_cycles", (double)(k->pe_cycles - k->macs));
    cJSON_AddNumberToObject(o, "mapping_efficiency", k->mapping_eff);
    cJSON_AddNumberToObject(o, "compute_utilization", k->compute_util);
    cJSON_AddNumberToObject(o, "overall_utilization", k->overall_util);
    static const char *const bn[] = {"ifmap", "filter", "ofmap"};
    cJSON *sr = cJSON_AddObjectToObject(o, "sram_reads"), *sw = cJSON_AddObjectToObject(o, "sram_writes");
    cJSON *dr = cJSON_AddObjectToObject(o, "dram_reads"), *dw = cJSON_AddObjectToObject(o, "dram_writes");
    for (int b = 0; b < AX_BUF_COUNT; b++) {
        cJSON_AddNumberToObject(sr, bn[b], (double)k->sram_reads[b]);
        cJSON_AddNumberToObject(sw, bn[b], (double)k->sram_writes[b]);
        cJSON_AddNumberToObject(dr, bn[b], (double)k->dram_reads[b]);
        cJSON_AddNumberToObject(dw, bn[b], (double)k->dram_writes[b]);
    }
    cJSON_AddNumberToObject(o, "psum_words", (double)k->psum_words);
    cJSON *e = cJSON_AddObjectToObject(o, "energy_pj");
    cJSON_AddNumberToObject(e, "mac", pj->mac);
    cJSON_AddNumberToObject(e, "sram", pj->sram);
    cJSON_AddNumberToObject(e, "dram", pj->dram);
    cJSON_AddNumberToObject(e, "idle", pj->idle);
    cJSON_AddNumberToObject(e, "total", pj->total);
    return o;
}

/* "1,234,567" */
static const char *group(int64_t v, char *buf, size_t len)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)v);
    size_t n = strlen(raw), j = 0;
    for (size_t i = 0; i < n && j + 2 < len; i++) {
        buf[j++] = raw[i];
        size_t left = n - i - 1;
        if (left && left % 3 == 0 && raw[0] != '-' && j + 2 < len) buf[j++] = ',';
    }
    buf[j] = 0;
    return buf;
}

/* a's energies += b's (a layer's into the total) */
static void pj_add(ax_accel_pj_t *a, const ax_accel_pj_t *b)
{
    a->mac += b->mac, a->sram += b->sram, a->dram += b->dram;
    a->idle += b->idle, a->total += b->total;
}

int ax_verb_accel(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        fputs(help, stdout);
        return AX_EXIT_OK;
    }
    accel_opts_t o;
    int rc = parse_opts(&o, argc, argv);
    if (rc >= 0) return rc;
    accel_layer_t *ls = NULL;
    int64_t n = 0;
    char err[512];
    if (o.topology) {
        ax_accel_layer_t *tl;
        if (ax_accel_read_topology(o.topology, &tl, &n, err, sizeof err)) {
            ax_cli_error(verb, "--topology %s", err);
            return AX_EXIT_USAGE;
        }
        ls = calloc((size_t)n, sizeof *ls);
        if (!ls) {
            free(tl);
            ax_cli_error(verb, "out of memory");
            return AX_EXIT_FAIL;
        }
        for (int64_t i = 0; i < n; i++) ls[i].l = tl[i], ls[i].node = -1;
        free(tl);
    } else if ((rc = model_layers(&o, &ls, &n))) {
        return rc;
    }
    for (int64_t i = 0; i < n; i++)
        if (ax_accel_layer_check(&o.cfg, &ls[i].l, err, sizeof err)) {
            ax_cli_error(verb, "%s", err);
            free(ls);
            return AX_EXIT_USAGE;
        }
    if ((rc = check_outputs(&o))) {
        free(ls);
        return rc;
    }
    const char *what = o.topology ? o.topology : o.model;
    /* the analytic counts (cycle mode compares with them) */
    for (int64_t i = 0; i < n; i++) {
        if (ax_accel_analytic(&o.cfg, &ls[i].l, &ls[i].k, err, sizeof err)) {
            ax_cli_error(verb, "%s", err);
            free(ls);
            return AX_EXIT_USAGE;
        }
    }
    if (o.cycle && (rc = accel_run_cycle(&o, ls, n))) {
        free(ls);
        return rc;
    }
    int failed = 0;
    ax_accel_counts_t total;
    ax_accel_pj_t tpj = {0, 0, 0, 0, 0};
    memset(&total, 0, sizeof total);
    for (int64_t i = 0; i < n; i++) {
        ax_accel_energy_of(&o.energy, &o.mac, &o.cfg, &ls[i].k, &ls[i].pj);
        ax_accel_counts_add(&o.cfg, &total, &ls[i].k);
        pj_add(&tpj, &ls[i].pj);
        if (o.cycle && (ls[i].differ || !ls[i].flags_equal || !ls[i].counts_equal)) failed = 1;
    }

    /* the table */
    char name[256], b1[32], b2[32], b3[32], b4[32];
    char per[48] = "image";
    if (o.batch > 1) snprintf(per, sizeof per, "batch of %llu images", (unsigned long long)o.batch);
    printf("axsim accel: %s on a %lldx%lld %s array, %s, %s; per %s\n", what,
           (long long)o.cfg.rows, (long long)o.cfg.cols, ax_dataflow_name(o.cfg.dataflow),
           ax_mac_name(&o.mac, name, sizeof name),
           o.cycle ? "cycle-accurate (SystemC)" : "analytic", per);
    char bwtext[64] = "as fast as needed";
    if (o.cfg.bandwidth)
        snprintf(bwtext, sizeof bwtext, "%lld words/cycle per buffer", (long long)o.cfg.bandwidth);
    printf("  SRAMs ifmap/filter/ofmap %lld/%lld/%lld KiB, %lld-byte words, DRAM %s%s\n",
           (long long)o.cfg.sram_kb[0], (long long)o.cfg.sram_kb[1], (long long)o.cfg.sram_kb[2],
           (long long)o.cfg.word_bytes, bwtext,
           o.cfg.memory == AX_MEM_SCALESIM ? "; SCALE-Sim's memory model" : "");
    printf("%-12s %-20s %6s %12s %10s %6s %6s %14s %14s %12s%s\n", "layer", "GEMM MxNxK", "folds",
           "cycles", "stalls", "util%", "map%", "SRAM words", "DRAM words", "energy nJ",
           o.cycle ? "  bits vs fast path" : "");
    for (int64_t i = 0; i < n; i++) {
        const accel_layer_t *x = &ls[i];
        const ax_accel_counts_t *k = &x->k;
        char gemm[64];
        if (x->l.count > 1)
            snprintf(gemm, sizeof gemm, "%lldx%lldx%lld x%lld", (long long)x->l.m, (long long)x->l.n,
                     (long long)x->l.k, (long long)x->l.count);
        else
            snprintf(gemm, sizeof gemm, "%lldx%lldx%lld", (long long)x->l.m, (long long)x->l.n,
                     (long long)x->l.k);
        int64_t sram = k->sram_reads[0] + k->sram_reads[1] + k->sram_reads[2] + k->sram_writes[2];
        int64_t dram = k->dram_reads[0] + k->dram_reads[1] + k->dram_writes[2];
        printf("%-12.12s %-20s %6lld %12s %10s %6.1f %6.1f %14s %14s %12.3f", x->l.name, gemm,
               (long long)k->folds, group(k->cycles, b1, sizeof b1),
               group(k->stall_cycles, b2, sizeof b2), 100 * k->overall_util, 100 * k->mapping_eff,
               group(sram, b3, sizeof b3), group(dram, b4, sizeof b4), x->pj.total / 1000);
        if (o.cycle) {
            if (!x->differ && x->flags_equal && x->counts_equal)
                printf("  %lld equal", (long long)x->outputs);
            else
                printf("  %lld of %lld differ%s%s", (long long)x->differ, (long long)x->outputs,
                       x->flags_equal ? "" : ", flags differ",
                       x->counts_equal ? "" : ", counts differ from the analytic model");
        }
        putchar('\n');
    }
    int64_t sram = total.sram_reads[0] + total.sram_reads[1] + total.sram_reads[2] + total.sram_writes[2];
    int64_t dram = total.dram_reads[0] + total.dram_reads[1] + total.dram_writes[2];
    printf("%-12s %-20s %6lld %12s %10s %6.1f %6s %14s %14s %12.3f\n", "total", "", (long long)total.folds,
           group(total.cycles, b1, sizeof b1), group(total.stall_cycles, b2, sizeof b2),
           100 * total.overall_util, "", group(sram, b3, sizeof b3), group(dram, b4, sizeof b4),
           tpj.total / 1000);
    printf("energy per %s: %.3f nJ (MACs %.1f%%, SRAM %.1f%%, DRAM %.1f%%)%s\n", per, tpj.total / 1000,
           tpj.total > 0 ? 100 * tpj.mac / tpj.total : 0, tpj.total > 0 ? 100 * tpj.sram / tpj.total : 0,
           tpj.total > 0 ? 100 * tpj.dram / tpj.total : 0,
           o.energy_file ? "" : "; default 45 nm table (docs/accelerator.md)");
    /* DAA PEs: the plain array of the same size, every product through hi */
    ax_accel_counts_t plain;
    ax_accel_pj_t ppj = {0, 0, 0, 0, 0};
    ax_mac_cfg_t hi_mac = o.mac;
    hi_mac.daa.policy = AX_DAA_NONE;
    if (o.cfg.streams == 2) {
        ax_accel_cfg_t pc = o.cfg;
        pc.streams = 1;
        memset(&plain, 0, sizeof plain);
        for (int64_t i = 0; i < n; i++) {
            ax_accel_counts_t k;
            ax_accel_pj_t pj;
            if (ax_accel_analytic(&pc, &ls[i].l, &k, err, sizeof err)) {
                ax_cli_error(verb, "%s", err);
                free(ls);
                return AX_EXIT_USAGE;
            }
            ax_accel_energy_of(&o.energy, &hi_mac, &pc, &k, &pj);
            ax_accel_counts_add(&pc, &plain, &k);
            pj_add(&ppj, &pj);
        }
        printf("DAA PEs (two streams each, one hi and one lo multiplier) against the plain %lldx%lld "
               "array of hi MACs: cycles %s vs %s (%.2fx the throughput), util %.1f%% vs %.1f%%, "
               "energy %.3f vs %.3f nJ (%.1f%% saved)\n",
               (long long)o.cfg.rows, (long long)o.cfg.cols, group(total.cycles, b1, sizeof b1),
               group(plain.cycles, b2, sizeof b2),
               total.cycles ? (double)plain.cycles / (double)total.cycles : 0,
               100 * total.overall_util, 100 * plain.overall_util, tpj.total / 1000, ppj.total / 1000,
               ppj.total > 0 ? 100 * (1 - tpj.total / ppj.total) : 0);
    }
    if (o.cycle)
        printf("bit check (%llu image%s, %s PEs): %s\n", (unsigned long long)o.images,
               o.images == 1 ? "" : "s", ls[0].pe_kind[0] ? ls[0].pe_kind : o.pe,
               failed ? "MISMATCH" : "every output and flag equals the fast path's; every count the analytic model's");

    /* the files */
    ax_accel_counts_t *ks = calloc((size_t)n + 1, sizeof *ks);
    if (!ks) {
        free(ls);
        ax_cli_error(verb, "out of memory");
        return AX_EXIT_FAIL;
    }
    for (int64_t i = 0; i < n; i++) ks[i] = ls[i].k;
    rc = write_csv(&o, ls, n);
    if (!rc) rc = write_folds(&o, ls, n);
    if (!rc) rc = write_report(&o, "COMPUTE_REPORT.csv", ax_accel_write_compute_report, ks, n);
    if (!rc) rc = write_report(&o, "BANDWIDTH_REPORT.csv", ax_accel_write_bandwidth_report, ks, n);
    if (!rc) rc = write_report(&o, "DETAILED_ACCESS_REPORT.csv", ax_accel_write_detailed_report, ks, n);
    if (!rc) rc = write_png(&o, ls, n, what);
    free(ks);
    if (!rc && o.json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "verb", verb);
        cJSON_AddStringToObject(root, o.topology ? "topology" : "model", what);
        cJSON_AddStringToObject(root, "mac", ax_mac_name(&o.mac, name, sizeof name));
        cJSON_AddStringToObject(root, "mode", o.cycle ? "cycle" : "analytic");
        cJSON_AddNumberToObject(root, "batch", (double)o.batch);
        cJSON *ar = cJSON_AddObjectToObject(root, "array");
        cJSON_AddNumberToObject(ar, "rows", (double)o.cfg.rows);
        cJSON_AddNumberToObject(ar, "cols", (double)o.cfg.cols);
        cJSON_AddStringToObject(ar, "dataflow", ax_dataflow_name(o.cfg.dataflow));
        cJSON *kb = cJSON_AddArrayToObject(ar, "sram_kb");
        for (int b = 0; b < AX_BUF_COUNT; b++) cJSON_AddItemToArray(kb, cJSON_CreateNumber((double)o.cfg.sram_kb[b]));
        cJSON_AddNumberToObject(ar, "word_bytes", (double)o.cfg.word_bytes);
        cJSON_AddNumberToObject(ar, "bandwidth", (double)o.cfg.bandwidth);
        cJSON_AddStringToObject(ar, "memory", ax_memory_name(o.cfg.memory));
        cJSON_AddNumberToObject(ar, "streams_per_pe", (double)o.cfg.streams);
        cJSON_AddNumberToObject(root, "mac_energy_pj", ax_accel_mac_energy(&o.energy, &o.mac));
        if (o.cfg.streams == 2) {
            cJSON *pa = counts_json(&plain, &ppj);
            cJSON_AddStringToObject(pa, "mac", ax_mac_name(&hi_mac, name, sizeof name));
            cJSON_AddItemToObject(root, "plain_array", pa);
        }
        if (o.cycle) {
            cJSON_AddNumberToObject(root, "images", (double)o.images);
            cJSON_AddStringToObject(root, "pe", ls[0].pe_kind);
            cJSON_AddBoolToObject(root, "bits_equal", !failed);
        }
        cJSON *arr = cJSON_AddArrayToObject(root, "layers");
        for (int64_t i = 0; i < n; i++) {
            cJSON *l = counts_json(&ls[i].k, &ls[i].pj);
            cJSON_AddStringToObject(l, "name", ls[i].l.name);
            cJSON_AddNumberToObject(l, "m", (double)ls[i].l.m);
            cJSON_AddNumberToObject(l, "n", (double)ls[i].l.n);
            cJSON_AddNumberToObject(l, "k", (double)ls[i].l.k);
            cJSON_AddNumberToObject(l, "count", (double)ls[i].l.count);
            if (o.cycle) {
                cJSON *bc = cJSON_AddObjectToObject(l, "bit_check");
                cJSON_AddNumberToObject(bc, "outputs", (double)ls[i].outputs);
                cJSON_AddNumberToObject(bc, "differ", (double)ls[i].differ);
                cJSON_AddBoolToObject(bc, "flags_equal", ls[i].flags_equal);
                cJSON_AddBoolToObject(bc, "counts_equal_analytic", ls[i].counts_equal);
            }
            cJSON_AddItemToArray(arr, l);
        }
        cJSON_AddItemToObject(root, "total", counts_json(&total, &tpj));
        rc = ax_cli_write_json(verb, o.json, root);
        cJSON_Delete(root);
    }
    if (!rc && !o.quiet) fprintf(stderr, "axsim accel: layers.csv, SCALE-Sim's reports and accel.png in %s\n", o.out);
    free(ls);
    return rc ? rc : failed ? AX_EXIT_FAIL : AX_EXIT_OK;
}

int ax_accel_main_section(const char *outdir, int resuming)
{
    char dir[4096], json[4200];
    snprintf(dir, sizeof dir, "%s/accel", outdir);
    snprintf(json, sizeof json, "%s/accel.json", dir);
    printf("\n--- accelerator section (axsim accel: lenet5 per image, analytic) ---\n\n");
    fflush(stdout);
    if (resuming && access(json, F_OK) == 0) {
        printf("(done before: %s)\n", dir);
        return AX_EXIT_OK;
    }
    if (resuming) { /* an interrupted section: its own files go, it runs again */
        for (int i = 0; i < OUT_FILES; i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s/%s", dir, out_files[i]);
            remove(p);
        }
    }
    char *argv[] = {"accel", "--model", "lenet5", "--out", dir, "--json", json, "--quiet", NULL};
    return ax_verb_accel(8, argv);
}
