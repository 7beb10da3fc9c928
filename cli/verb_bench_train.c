/* verb_bench_train.c — `axsim bench train`: how fast the network models train and
 * infer with every multiply-accumulate through a MAC, on each backend.
 *
 * For each model x MAC x backend: a fresh model (seed 1) trains one pass over
 * the first --images training images (forward through the MAC, gradients
 * exact fp32, SGD as `axsim train`), then evaluates the first --images test
 * images. It reports training images/s, the time of a 60,000-image epoch at
 * that rate, inference images/s and an FNV-1a checksum of the trained
 * weights: every backend must give the same checksum (same bits), else the
 * row says MISMATCH and the exit status is 1. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ax_clock.h"
#include "ax_fastpath.h"
#include "ax_hash.h"
#include "cli.h"
#include "net_opts.h"

static const char *train_help =
    "usage: axsim bench train [options]\n"
    "\n"
    "Training and inference throughput of the network models with every\n"
    "multiply-accumulate through the MAC: for each model, MAC and backend, one\n"
    "training pass over the first --images training images (forward through the\n"
    "MAC, gradients exact fp32, SGD lr 0.05 momentum 0.9, batch --batch), then an\n"
    "evaluation of the first --images test images. Prints training images/s, the\n"
    "seconds of a 60,000-image epoch at that rate, inference images/s and a\n"
    "checksum of the trained weights, which must be the same on every backend\n"
    "(exit 1 if not).\n"
    "\n"
    "  --model LIST     models (default mlp,lenet5; any of mlp, lenet5, vgg,\n"
    "                   resnet8, resnet20, mobilenet, and the spiking snn-mlp and\n"
    "                   snn-conv: T = 4, direct encoding, the default neuron,\n"
    "                   pixels in 0..1)\n"
    "  --mac CFG        forward MAC (repeatable; default mul=exact,in=fp32,\n"
    "                   mul=mbm,in=bf16 and mul=exact,in=bf16,add=loa:l=8)\n"
    "  --backends LIST  cpu,cuda,ref (default: cpu, and cuda when a device answers;\n"
    "                   ref is the scalar model, for small --images)\n"
    "  --images N       images timed per pass (default 10000)\n"
    "  --batch N        training batch (default 64)\n"
    "  --threads N      CPU threads (default: every core)\n"
    "  --data DIR       MNIST-family folder (default " AX_DEFAULT_DATA ")\n"
    "  --json FILE      also write the results as JSON (- for stdout)\n";

static const char verb[] = "bench train";

static uint64_t weights_fnv(const ax_model_t *m)
{
    uint64_t h = AX_FNV1A64_INIT;
    for (int p = 0; p < m->nparams; p++)
        h = ax_fnv1a64_more(h, m->param[p].w, (size_t)m->param[p].count * sizeof(float));
    return h;
}

typedef struct {
    double train_ips, infer_ips, acc;
    uint64_t fnv;
} bench_row_t;

/* One model x MAC x backend. 0, or an exit code with a message printed. */
static int run_one(const char *arch, const ax_mac_cfg_t *fwd, ax_engine_t *e,
                   const ax_dataset_t *tr, const ax_dataset_t *te, int64_t images, int64_t batch,
                   bench_row_t *out)
{
    char err[1024];
    ax_model_t *m = ax_model_create(arch, tr->c, tr->h, tr->w, tr->classes > 1 ? tr->classes : 2,
                                    err, sizeof err);
    if (!m) {
        ax_cli_error(verb, "%s", err);
        return AX_EXIT_USAGE;
    }
    ax_mac_cfg_t f32;
    ax_mac_parse("mul=exact,in=fp32", &f32, err, sizeof err);
    ax_model_init(m, 1);
    ax_model_set_mac(m, e, fwd, &f32);
    ax_train_cfg_t c;
    memset(&c, 0, sizeof c);
    c.epochs = 1, c.batch = batch, c.lr = 0.05f, c.sched = AX_SCHED_COSINE, c.seed = 1;
    c.opt.kind = AX_OPT_SGD, c.opt.momentum = 0.9f, c.opt.weight_decay = 5e-4f;
    c.limit = images;
    ax_train_result_t res;
    double loss;
    int rc = AX_EXIT_OK;
    if (ax_train(m, tr, NULL, &c, &res, err, sizeof err)) {
        rc = AX_EXIT_FAIL;
    } else {
        out->train_ips = res.images_per_s;
        out->fnv = weights_fnv(m);
        int64_t n = images < te->n ? images : te->n;
        double t0 = ax_clock_now();
        if (ax_evaluate(m, te, n, 256, &loss, &out->acc, err, sizeof err)) rc = AX_EXIT_FAIL;
        out->infer_ips = (double)n / (ax_clock_now() - t0 + 1e-12);
    }
    if (rc) ax_cli_error(verb, "%s: %s", arch, err);
    ax_model_free(m);
    return rc;
}

int ax_verb_bench_train(int argc, char **argv)
{
    static const struct option lo[] = {{"model", 1, 0, 'M'},   {"mac", 1, 0, 'm'},     {"backends", 1, 0, 'b'},
                                       {"images", 1, 0, 'n'},  {"batch", 1, 0, 'B'},   {"threads", 1, 0, 't'},
                                       {"data", 1, 0, 'd'},    {"json", 1, 0, 'j'},    {0, 0, 0, 0}};
    static const char *default_macs[] = {"mul=exact,in=fp32", "mul=mbm,in=bf16",
                                         "mul=exact,in=bf16,add=loa:l=8"};
    if (ax_cli_wants_help(argc, argv)) {
        fputs(train_help, stdout);
        return AX_EXIT_OK;
    }
    char models_s[256] = "mlp,lenet5", backends_s[64] = "", *models[16], *backs[3];
    const char *macs[32], *json = NULL;
    int nmacs = 0, c;
    uint64_t images = 10000, batch = 64, threads = 0;
    net_opts_t o;
    memset(&o, 0, sizeof o);
    o.verb = verb;
    o.norm[0] = o.norm[1] = o.norm[2] = NAN;
    ax_cli_opt_begin();
    while ((c = ax_cli_opt(verb, argc, argv, lo, 0)) > 0) {
        int bad = 0;
        switch (c) {
        case 'M': snprintf(models_s, sizeof models_s, "%s", optarg); break;
        case 'm':
            if ((bad = nmacs == 32)) ax_cli_error(verb, "--mac: at most 32");
            else macs[nmacs++] = optarg;
            break;
        case 'b': snprintf(backends_s, sizeof backends_s, "%s", optarg); break;
        case 'n': bad = ax_cli_u64(verb, "--images", optarg, &images); break;
        case 'B': bad = ax_cli_u64(verb, "--batch", optarg, &batch); break;
        case 't': bad = ax_cli_threads(verb, optarg, &threads); break;
        case 'd': o.data = optarg; break;
        case 'j': json = optarg; break;
        }
        if (bad) return AX_EXIT_USAGE;
    }
    if (c < 0 || ax_cli_check_new_file(verb, "--json", json)) return AX_EXIT_USAGE;
    if (images < 1 || batch < 1 || batch > 65536) {
        ax_cli_error(verb, "--images must be >= 1 and --batch in 1..65536");
        return AX_EXIT_USAGE;
    }
    int nm = ax_cli_split(models_s, models, 16);
    if (nm <= 0) {
        ax_cli_error(verb, "--model: 1 to 16 models");
        return AX_EXIT_USAGE;
    }
    for (int i = 0; i < nm; i++)
        if (net_check_model(verb, models[i])) return AX_EXIT_USAGE;
    if (!nmacs)
        for (size_t i = 0; i < sizeof default_macs / sizeof *default_macs; i++) macs[nmacs++] = default_macs[i];
    ax_mac_cfg_t cfgs[32];
    char err[512], why[256];
    for (int i = 0; i < nmacs; i++)
        if (ax_cli_mac(verb, "--mac", macs[i], &cfgs[i])) return AX_EXIT_USAGE;
    const int have_gpu = ax_cuda_available(why, sizeof why);
    if (!backends_s[0]) snprintf(backends_s, sizeof backends_s, "%s", have_gpu ? "cpu,cuda" : "cpu");
    int nb = ax_cli_split(backends_s, backs, 3);
    if (nb <= 0) {
        ax_cli_error(verb, "--backends: 1 to 3 of cpu, cuda, ref");
        return AX_EXIT_USAGE;
    }
    ax_backend_t bk[3];
    for (int i = 0; i < nb; i++)
        if (ax_backend_parse(backs[i], &bk[i], err, sizeof err) || bk[i] == AX_BACKEND_AUTO) {
            ax_cli_error(verb, "--backends: '%s' (cpu, cuda, ref)", backs[i]);
            return AX_EXIT_USAGE;
        }
    ax_engine_t *eng[3] = {0};
    int status = AX_EXIT_OK;
    for (int i = 0; i < nb; i++) {
        eng[i] = ax_engine_create(bk[i], bk[i] == AX_BACKEND_REF ? 1 : (int)threads, err, sizeof err);
        if (!eng[i]) printf("  (%s skipped: %s)\n", backs[i], err);
    }
    ax_dataset_t tr, te, str = {0}, ste = {0}; /* str, ste: pixels in 0..1, for spiking models */
    if (!o.data) o.data = AX_DEFAULT_DATA;
    if ((status = net_load_data(&o, &tr, &te, NO_TRAINSET))) goto out_eng;
    for (int i = 0; i < nm; i++)
        if (ax_model_arch_spiking(models[i])) {
            net_opts_t so = o;
            so.model = models[i], so.norm[0] = so.norm[1] = so.norm[2] = NAN;
            if ((status = net_load_data(&so, &str, &ste, NO_TRAINSET))) {
                ax_dataset_free(&tr), ax_dataset_free(&te);
                goto out_eng;
            }
            break;
        }

    printf("axsim bench train: %llu training and %lld test images per pass, batch %llu; %s\n",
           (unsigned long long)images, (long long)(images < (uint64_t)te.n ? (int64_t)images : te.n),
           (unsigned long long)batch, have_gpu ? why : "no GPU");
    printf("%-8s %-34s %-5s %10s %11s %10s %8s  %s\n", "model", "forward MAC (gradients: exact fp32)",
           "bknd", "train im/s", "s/60k epoch", "infer im/s", "accuracy", "weights FNV-1a");
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "results");
    cJSON_AddStringToObject(root, "benchmark", "train");
    cJSON_AddNumberToObject(root, "images", (double)images);
    cJSON_AddNumberToObject(root, "batch", (double)batch);
    cJSON_AddStringToObject(root, "gpu", have_gpu ? why : "none");
    for (int mi = 0; mi < nm; mi++)
        for (int ci = 0; ci < nmacs; ci++) {
            uint64_t first = 0;
            int have_first = 0;
            for (int bi = 0; bi < nb; bi++) {
                if (!eng[bi]) continue;
                bench_row_t r;
                const int spiking = ax_model_arch_spiking(models[mi]);
                int rc = run_one(models[mi], &cfgs[ci], eng[bi], spiking ? &str : &tr,
                                 spiking ? &ste : &te, (int64_t)images, (int64_t)batch, &r);
                if (rc) {
                    status = rc;
                    goto done;
                }
                char name[160];
                ax_mac_name(&cfgs[ci], name, sizeof name);
                int same = !have_first || r.fnv == first;
                if (!have_first) first = r.fnv, have_first = 1;
                if (!same) status = AX_EXIT_FAIL;
                printf("%-8s %-34s %-5s %10.0f %11.1f %10.0f %7.2f%%  %016llx%s\n", models[mi], macs[ci],
                       backs[bi], r.train_ips, 60000.0 / r.train_ips, r.infer_ips, 100 * r.acc,
                       (unsigned long long)r.fnv, same ? "" : " MISMATCH");
                fflush(stdout);
                cJSON *j = cJSON_CreateObject();
                cJSON_AddStringToObject(j, "model", models[mi]);
                cJSON_AddStringToObject(j, "mac", name);
                cJSON_AddStringToObject(j, "backend", backs[bi]);
                cJSON_AddStringToObject(j, "engine", ax_engine_describe(eng[bi]));
                cJSON_AddNumberToObject(j, "train_images_per_s", r.train_ips);
                cJSON_AddNumberToObject(j, "seconds_per_60k_epoch", 60000.0 / r.train_ips);
                cJSON_AddNumberToObject(j, "infer_images_per_s", r.infer_ips);
                cJSON_AddNumberToObject(j, "test_accuracy", r.acc);
                char hex[24];
                snprintf(hex, sizeof hex, "%016llx", (unsigned long long)r.fnv);
                cJSON_AddStringToObject(j, "weights_fnv1a64", hex);
                cJSON_AddBoolToObject(j, "same_bits", same);
                cJSON_AddItemToArray(arr, j);
            }
        }
done:
    if (json && ax_cli_write_json(verb, json, root) && !status) status = AX_EXIT_FAIL;
    cJSON_Delete(root);
    ax_dataset_free(&tr), ax_dataset_free(&te), ax_dataset_free(&str), ax_dataset_free(&ste);
out_eng:
    for (int i = 0; i < nb; i++) ax_engine_free(eng[i]);
    return status;
}
