/* verb_train.c — `axsim train`, `axsim eval`, `axsim retrain`: DNNs whose
 * every multiply-accumulate goes through the configured MAC (docs/train.md),
 * and the option handling the network verbs share (net_cli.h). */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ax_atomic.h"
#include "ax_ckpt.h"
#include "net_cli.h"
#include "ax_clock.h"

/* ---- shared options ---------------------------------------------------------- */

static int parse_double(const char *verb, const char *opt, const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    if (end == s || *end || !isfinite(*v) || *v < 0) {
        ax_cli_error(verb, "%s '%s': expected a non-negative number", opt, s);
        return -1;
    }
    return 0;
}

static int parse_mac(const char *verb, const char *opt, const char *s, ax_mac_cfg_t *c)
{
    char err[256];
    if (ax_mac_parse(s, c, err, sizeof err) == 0) return 0;
    ax_cli_error(verb, "%s '%s': %s", opt, s, err);
    return -1;
}

const char *net_mac_name(const ax_mac_cfg_t *c, char *buf, size_t len)
{
    return ax_mac_name(c, buf, len);
}

int net_opts_parse(net_opts_t *o, int argc, char **argv, unsigned what, const char *help)
{
    const char *verb = o->verb;
    enum { O_TI = 256, O_TL, O_EI, O_EL, O_BWD, O_EB, O_TLIM, O_WD, O_MOM, O_NORM, O_SCHED };
    static const struct option lo[] = {
        {"model", 1, 0, 'm'},         {"data", 1, 0, 'd'},          {"train-images", 1, 0, O_TI},
        {"train-labels", 1, 0, O_TL}, {"test-images", 1, 0, O_EI},  {"test-labels", 1, 0, O_EL},
        {"mac", 1, 0, 'c'},           {"bwd-mac", 1, 0, O_BWD},     {"backend", 1, 0, 'B'},
        {"threads", 1, 0, 't'},       {"batch", 1, 0, 'b'},         {"eval-batch", 1, 0, O_EB},
        {"seed", 1, 0, 's'},          {"limit", 1, 0, 'l'},         {"test-limit", 1, 0, O_TLIM},
        {"epochs", 1, 0, 'e'},        {"lr", 1, 0, 'r'},            {"opt", 1, 0, 'O'},
        {"momentum", 1, 0, O_MOM},    {"wd", 1, 0, O_WD},           {"schedule", 1, 0, O_SCHED},
        {"out", 1, 0, 'o'},           {"resume", 0, 0, 'R'},        {"weights", 1, 0, 'w'},
        {"json", 1, 0, 'j'},          {"quiet", 0, 0, 'q'},         {"norm", 1, 0, O_NORM},
        {"help", 0, 0, 'h'},          {0, 0, 0, 0}};
    static const char train_only[] = "elrORo"; /* short codes only training takes */
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        if (!(what & NO_TRAIN) &&
            ((ch < 256 && ch && strchr(train_only, ch)) || ch == O_MOM || ch == O_WD ||
             ch == O_SCHED || ch == O_BWD)) {
            ax_cli_error(verb, "option %s is for train and retrain", argv[optind - 1]);
            return AX_EXIT_USAGE;
        }
        if (ch == 'w' && !(what & NO_WEIGHTS)) {
            ax_cli_error(verb, "--weights is for eval and retrain (train starts from --seed)");
            return AX_EXIT_USAGE;
        }
        uint64_t u;
        switch (ch) {
        case 'h': fputs(help, stdout); return AX_EXIT_OK;
        case 'm': o->model = optarg; break;
        case 'd': o->data = optarg; break;
        case O_TI: o->train_images = optarg; break;
        case O_TL: o->train_labels = optarg; break;
        case O_EI: o->test_images = optarg; break;
        case O_EL: o->test_labels = optarg; break;
        case 'c':
            if (parse_mac(verb, "--mac", optarg, &o->fwd)) return AX_EXIT_USAGE;
            o->mac = optarg;
            break;
        case O_BWD: o->bwd_mac = optarg; break;
        case 'B': {
            char err[256];
            if (ax_backend_parse(optarg, &o->backend, err, sizeof err)) {
                ax_cli_error(verb, "--backend: %s", err);
                return AX_EXIT_USAGE;
            }
            break;
        }
        case 't': if (ax_cli_threads(verb, optarg, &o->threads)) return AX_EXIT_USAGE; break;
        case 'b':
            if (ax_cli_u64(verb, "--batch", optarg, &o->batch)) return AX_EXIT_USAGE;
            o->eval_batch = o->batch > 256 ? o->batch : 256;
            break;
        case O_EB: if (ax_cli_u64(verb, "--eval-batch", optarg, &o->eval_batch)) return AX_EXIT_USAGE; break;
        case 's': if (ax_cli_u64(verb, "--seed", optarg, &o->seed)) return AX_EXIT_USAGE; break;
        case 'l': if (ax_cli_u64(verb, "--limit", optarg, &o->limit)) return AX_EXIT_USAGE; break;
        case O_TLIM: if (ax_cli_u64(verb, "--test-limit", optarg, &o->test_limit)) return AX_EXIT_USAGE; break;
        case 'e': if (ax_cli_u64(verb, "--epochs", optarg, &o->epochs)) return AX_EXIT_USAGE; break;
        case 'r': if (parse_double(verb, "--lr", optarg, &o->lr)) return AX_EXIT_USAGE; break;
        case O_MOM: if (parse_double(verb, "--momentum", optarg, &o->momentum)) return AX_EXIT_USAGE; break;
        case O_WD: if (parse_double(verb, "--wd", optarg, &o->wd)) return AX_EXIT_USAGE; break;
        case 'O':
            if (strcmp(optarg, "sgd") && strcmp(optarg, "adam")) {
                ax_cli_error(verb, "--opt '%s': expected sgd or adam", optarg);
                return AX_EXIT_USAGE;
            }
            o->adam = !strcmp(optarg, "adam");
            break;
        case O_SCHED: {
            char err[128];
            if (ax_sched_parse(optarg, &o->sched, err, sizeof err)) {
                ax_cli_error(verb, "--schedule: %s", err);
                return AX_EXIT_USAGE;
            }
            break;
        }
        case O_NORM: {
            double a, b;
            char tail;
            if (sscanf(optarg, "%lf,%lf%c", &a, &b, &tail) != 2 || !isfinite(a) || !isfinite(b) || !(b > 0)) {
                ax_cli_error(verb, "--norm '%.60s': expected MEAN,STD, finite, with STD > 0 (after /255)", optarg);
                return AX_EXIT_USAGE;
            }
            o->norm[1] = a, o->norm[2] = b;
            break;
        }
        case 'o': o->out = optarg; break;
        case 'R': o->resume = 1; break;
        case 'w': o->weights = optarg; break;
        case 'j': o->json = optarg; break;
        case 'q': o->quiet = 1; break;
        case ':': ax_cli_error(verb, "option %s needs a value", argv[optind - 1]); return AX_EXIT_USAGE;
        default: ax_cli_error(verb, "unknown option '%s' (see axsim %s --help)", argv[optind - 1], verb); return AX_EXIT_USAGE;
        }
        (void)u;
    }
    if (optind < argc) {
        ax_cli_error(verb, "unexpected argument '%s'", argv[optind]);
        return AX_EXIT_USAGE;
    }
    if (!ax_model_describe(o->model)) {
        ax_cli_error(verb, "--model '%s': unknown (mlp, lenet5, vgg, resnet8, resnet20, mobilenet)",
                     o->model);
        return AX_EXIT_USAGE;
    }
    if (o->bwd_mac) {
        if (!strcmp(o->bwd_mac, "same")) o->bwd = o->fwd;
        else if (parse_mac(verb, "--bwd-mac", o->bwd_mac, &o->bwd)) return AX_EXIT_USAGE;
    }
    if (o->batch < 1 || o->eval_batch < 1 || o->batch > 65536 || o->eval_batch > 65536) {
        ax_cli_error(verb, "--batch and --eval-batch must be in 1..65536");
        return AX_EXIT_USAGE;
    }
    if ((what & NO_TRAIN) && (o->epochs < 1 || o->epochs > 1000000 || !(o->lr > 0))) {
        ax_cli_error(verb, "--epochs must be in 1..1000000 and --lr > 0");
        return AX_EXIT_USAGE;
    }
    int given = !!o->train_images + !!o->train_labels + !!o->test_images + !!o->test_labels;
    if (given && (!o->test_images || !o->test_labels ||
                  ((what & NO_TRAINSET) && (!o->train_images || !o->train_labels)))) {
        ax_cli_error(verb, "give --test-images and --test-labels%s together (or --data DIR)",
                     (what & NO_TRAINSET) ? ", --train-images and --train-labels" : "");
        return AX_EXIT_USAGE;
    }
    if (given && o->data) {
        ax_cli_error(verb, "give either --data DIR or the image/label files, not both");
        return AX_EXIT_USAGE;
    }
    if (!given && !o->data) o->data = AX_DEFAULT_DATA;
    return -1;
}

/* ---- data -------------------------------------------------------------------------- */

static int load_set(net_opts_t *o, int train, ax_dataset_t *d)
{
    char err[1024];
    int rc = o->data ? ax_dataset_load_mnist_dir(o->data, train, d, err, sizeof err)
                     : ax_dataset_load(train ? o->train_images : o->test_images,
                                       train ? o->train_labels : o->test_labels, d, err, sizeof err);
    if (rc) {
        ax_cli_error(o->verb, "%s", err);
        if (o->data && !strcmp(o->data, AX_DEFAULT_DATA))
            fprintf(stderr, "axsim %s: (Debian's dataset-fashion-mnist installs it there; "
                            "scripts/setup.sh installs it)\n", o->verb);
        return AX_EXIT_USAGE;
    }
    return 0;
}

int net_load_data(net_opts_t *o, ax_dataset_t *train, ax_dataset_t *test, unsigned what)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if ((what & NO_TRAINSET) && load_set(o, 1, train)) return AX_EXIT_USAGE;
    if (load_set(o, 0, test)) {
        ax_dataset_free(train);
        return AX_EXIT_USAGE;
    }
    const ax_dataset_t *ref = (what & NO_TRAINSET) ? train : test;
    if (isnan(o->norm[0])) {
        /* byte pixels (0..255) are scaled to 0..1; data already in floats is not */
        float mx = 0;
        for (int64_t i = 0; i < ref->n * ref->c * ref->h * ref->w; i++)
            if (ref->x[i] > mx) mx = ref->x[i];
        o->norm[0] = mx > 1.0f ? 1.0 / 255.0 : 1.0;
    }
    if (isnan(o->norm[1]) || isnan(o->norm[2])) {
        double mean, std;
        ax_dataset_stats(ref, (float)o->norm[0], &mean, &std);
        if (isnan(o->norm[1])) o->norm[1] = mean;
        if (isnan(o->norm[2])) o->norm[2] = std > 0 ? std : 1.0;
    }
    ax_dataset_normalize(train, (float)o->norm[0], (float)o->norm[1], (float)o->norm[2]);
    ax_dataset_normalize(test, (float)o->norm[0], (float)o->norm[1], (float)o->norm[2]);
    return 0;
}

ax_engine_t *net_engine(const net_opts_t *o)
{
    char err[512];
    ax_engine_t *e = ax_engine_create(o->backend, (int)o->threads, err, sizeof err);
    if (!e) ax_cli_error(o->verb, "%s", err);
    else if (!o->quiet) fprintf(stderr, "axsim %s: %s\n", o->verb, ax_engine_describe(e));
    return e;
}

/* ---- progress -------------------------------------------------------------------------- */

typedef struct prog {
    const net_opts_t *o;
    int tty;
    double last;
    cJSON *epochs;
} prog_t;

void net_progress(void *ctx, const ax_train_progress_t *p)
{
    prog_t *g = ctx;
    if (p->epoch_done) {
        if (g->epochs) {
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
            cJSON_AddItemToArray(g->epochs, e);
        }
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

/* ---- JSON ---------------------------------------------------------------------------- */

int net_write_atomic(const char *path, const char *text, char *err, size_t errlen)
{
    return ax_atomic_write(path, text, strlen(text), err, errlen);
}

int net_check_new_file(const char *verb, const char *opt, const char *path)
{
    char err[1024];
    if (!path || !strcmp(path, "-")) return 0;
    if (access(path, F_OK) == 0) {
        ax_cli_error(verb, "%s %s exists (axsim does not overwrite it: remove it or give another name)", opt, path);
        return AX_EXIT_USAGE;
    }
    if (ax_atomic_probe(path, err, sizeof err)) {
        ax_cli_error(verb, "%s %s", opt, err);
        return AX_EXIT_USAGE;
    }
    return 0;
}

static int write_json(const char *verb, const char *path, cJSON *root)
{
    char *s = cJSON_Print(root);
    int rc = 0;
    if (!s) return AX_EXIT_FAIL;
    if (!strcmp(path, "-")) {
        printf("%s\n", s);
    } else {
        char err[1024];
        if (net_write_atomic(path, s, err, sizeof err) != 0) {
            ax_cli_error(verb, "--json %s", err);
            rc = AX_EXIT_FAIL;
        }
    }
    free(s);
    return rc;
}

static cJSON *json_head(const net_opts_t *o, ax_engine_t *e, const ax_model_t *m)
{
    char buf[256];
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "verb", o->verb);
    cJSON_AddStringToObject(r, "model", m->arch);
    cJSON_AddNumberToObject(r, "parameters", (double)ax_model_param_count(m));
    cJSON_AddNumberToObject(r, "macs_per_image", (double)m->macs_fwd);
    cJSON_AddStringToObject(r, "data", o->data ? o->data : o->test_images);
    cJSON_AddStringToObject(r, "mac", net_mac_name(&o->fwd, buf, sizeof buf));
    cJSON_AddStringToObject(r, "bwd_mac", net_mac_name(&o->bwd, buf, sizeof buf));
    cJSON_AddStringToObject(r, "backend", ax_backend_name(ax_engine_backend(e)));
    cJSON_AddNumberToObject(r, "threads", ax_engine_threads(e));
    cJSON_AddNumberToObject(r, "seed", (double)o->seed);
    return r;
}

/* ---- the verbs --------------------------------------------------------------------------- */

static void defaults(net_opts_t *o, const char *verb)
{
    memset(o, 0, sizeof *o);
    o->verb = verb;
    o->model = "lenet5";
    char err[64];
    ax_mac_parse("mul=exact,in=fp32", &o->fwd, err, sizeof err);
    o->bwd = o->fwd;
    o->backend = AX_BACKEND_AUTO;
    o->batch = 64, o->eval_batch = 256, o->seed = 1, o->epochs = 10;
    o->lr = 0.05, o->momentum = 0.9, o->wd = 5e-4, o->sched = AX_SCHED_COSINE;
    o->norm[0] = o->norm[1] = o->norm[2] = NAN;
}

static const char *common_help =
    "  --model M          mlp, lenet5 (default), vgg, resnet8, resnet20, mobilenet\n"
    "  --data DIR         an MNIST-family folder (train-images-idx3-ubyte[.gz] ...;\n"
    "                     default " AX_DEFAULT_DATA ")\n"
    "  --train-images F --train-labels F --test-images F --test-labels F\n"
    "                     IDX or NPY files instead of --data\n"
    "  --mac CFG          the MAC of the forward GEMMs (default mul=exact,in=fp32):\n"
    "                     mul=U,in=F,prod=F,add=U,acc=F (docs/cli.md)\n"
    "  --backend B        auto (default), ref, cpu, cuda\n"
    "  --threads N        CPU threads (default: every core)\n"
    "  --eval-batch N     images per evaluation batch (default 256)\n"
    "  --test-limit N     evaluate on the first N test images only\n"
    "  --norm MEAN,STD    normalization after /255 (default: from the checkpoint, else\n"
    "                     the training images' statistics)\n"
    "  --json FILE        also write the results as JSON (- for stdout)\n"
    "  --quiet            no progress or backend line\n";

static const char *train_opts_help =
    "  --bwd-mac CFG      the MAC of both gradient GEMMs (default exact fp32; 'same':\n"
    "                     the forward MAC, for approximate training end to end)\n"
    "  --epochs N         epochs (default %s)\n"
    "  --batch N          images per step (default 64)\n"
    "  --lr R             peak learning rate (default %s)\n"
    "  --opt sgd|adam     optimizer (default sgd: momentum 0.9, weight decay 5e-4)\n"
    "  --momentum R --wd R\n"
    "  --schedule S       cosine (default, per step), step (x0.1 at 1/2 and 3/4), const\n"
    "  --seed S           initialization, shuffling and dropout (default 1)\n"
    "  --limit N          train on the first N training images only\n"
    "  --out CKPT         safetensors checkpoint written after every epoch (atomic)\n"
    "  --resume           continue the run in --out from its last epoch\n";

static void print_help(const char *head, int train, const char *epochs, const char *lr)
{
    fputs(head, stdout);
    fputs(common_help, stdout);
    if (train) printf(train_opts_help, epochs, lr);
}

/* Runs training (train and retrain share it). */
static int run_training(net_opts_t *o, ax_model_t *m, const ax_dataset_t *tr,
                        const ax_dataset_t *te, cJSON *root, ax_train_result_t *res)
{
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
    cfg.mac_fwd = net_mac_name(&o->fwd, fwd, sizeof fwd);
    cfg.mac_bwd = net_mac_name(&o->bwd, bwd, sizeof bwd);
    cfg.data_name = o->data ? o->data : o->train_images;
    cfg.norm_scale = o->norm[0], cfg.norm_mean = o->norm[1], cfg.norm_std = o->norm[2];
    prog_t g = {o, isatty(2), 0, cJSON_CreateArray()};
    cfg.progress = net_progress, cfg.ctx = &g;
    int rc = ax_train(m, tr, te, &cfg, res, err, sizeof err);
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
    return 0;
}

/* An existing --out without --resume would be overwritten: refuse. A --out
 * or --json whose folder cannot take the file is refused before the first
 * epoch, not after it; so is an existing --json. */
static int check_out(const net_opts_t *o)
{
    char err[1024];
    if (o->out && !o->resume && access(o->out, F_OK) == 0) {
        ax_cli_error(o->verb, "%s exists: add --resume to continue that run, or give another --out "
                              "(axsim does not overwrite it)", o->out);
        return AX_EXIT_USAGE;
    }
    if (o->out && ax_atomic_probe(o->out, err, sizeof err)) {
        ax_cli_error(o->verb, "--out %s", err);
        return AX_EXIT_USAGE;
    }
    return net_check_new_file(o->verb, "--json", o->json);
}

static ax_model_t *make_model(const net_opts_t *o, const ax_dataset_t *d, int classes)
{
    char err[512];
    ax_model_t *m = ax_model_create(o->model, d->c, d->h, d->w, classes, err, sizeof err);
    if (!m) ax_cli_error(o->verb, "%s", err);
    return m;
}

static int classes_of(const ax_dataset_t *a, const ax_dataset_t *b)
{
    int c = a->classes > b->classes ? a->classes : b->classes;
    return c < 2 ? 2 : c;
}

int ax_verb_train(int argc, char **argv)
{
    net_opts_t o;
    defaults(&o, "train");
    if (ax_cli_wants_help(argc, argv)) {
        print_help("usage: axsim train [options] --out CKPT\n\n"
                   "Trains a model from a seeded initialization with every multiply-accumulate\n"
                   "of its linear and conv layers through the MAC (docs/train.md). A checkpoint\n"
                   "is written after every epoch; --resume continues an interrupted run bit for\n"
                   "bit. Exit status: 0 done, 1 a failure while training, 2 bad usage or input.\n\n",
                   1, "10", "0.05");
        return AX_EXIT_OK;
    }
    int rc = net_opts_parse(&o, argc, argv, NO_TRAIN | NO_TRAINSET, "");
    if (rc >= 0) return rc;
    if (!o.out) {
        ax_cli_error("train", "--out CKPT is required (the checkpoint of every epoch)");
        return AX_EXIT_USAGE;
    }
    if ((rc = check_out(&o))) return rc;
    ax_dataset_t tr, te;
    if ((rc = net_load_data(&o, &tr, &te, NO_TRAINSET))) return rc;
    ax_model_t *m = make_model(&o, &tr, classes_of(&tr, &te));
    ax_engine_t *e = m ? net_engine(&o) : NULL;
    rc = AX_EXIT_USAGE;
    if (m && e) {
        ax_model_init(m, o.seed);
        ax_model_set_mac(m, e, &o.fwd, &o.bwd);
        if (!o.quiet)
            fprintf(stderr, "axsim train: %s (%lld parameters, %lld MACs per image) on %lld images\n",
                    m->arch, (long long)ax_model_param_count(m), (long long)m->macs_fwd,
                    (long long)(o.limit && (int64_t)o.limit < tr.n ? (int64_t)o.limit : tr.n));
        cJSON *root = json_head(&o, e, m);
        ax_train_result_t res;
        rc = run_training(&o, m, &tr, &te, root, &res);
        if (!rc) {
            printf("%s: test accuracy %.2f%% (loss %.4f) after %llu epochs; checkpoint %s\n", m->arch,
                   100 * res.test_acc, res.test_loss, (unsigned long long)o.epochs, o.out);
            if (o.json) rc = write_json("train", o.json, root);
        }
        cJSON_Delete(root);
    }
    ax_engine_free(e);
    ax_model_free(m);
    ax_dataset_free(&tr), ax_dataset_free(&te);
    net_opts_free(&o);
    return rc;
}

/* Loads --weights into a model for the test set's shape; norm from the file
 * where the options left it open. */
static ax_model_t *load_weights(net_opts_t *o, int classes_hint, const ax_dataset_t *shape)
{
    ax_model_t *m = make_model(o, shape, classes_hint);
    if (!m) return NULL;
    if (net_load_model(o, m) || net_data_fits(o, m, shape, "the images")) {
        ax_model_free(m);
        return NULL;
    }
    return m;
}

int net_load_model(net_opts_t *o, ax_model_t *m)
{
    char err[1024];
    if (!o->wckpt || ax_model_load_ckpt(m, o->wckpt, o->weights, err, sizeof err)) {
        ax_cli_error(o->verb, "%s", o->wckpt ? err : "internal: weights not loaded");
        return AX_EXIT_USAGE;
    }
    return 0;
}

int net_data_fits(const net_opts_t *o, const ax_model_t *m, const ax_dataset_t *d, const char *what)
{
    char err[512];
    if (ax_data_fits(m, d, what, err, sizeof err) == 0) return 0;
    ax_cli_error(o->verb, "%s", err);
    return AX_EXIT_USAGE;
}

void net_opts_free(net_opts_t *o)
{
    if (o->wckpt) ax_ckpt_free(o->wckpt);
    free(o->wckpt);
    o->wckpt = NULL;
}

int net_peek_weights(net_opts_t *o, int *classes)
{
    char err[1024];
    net_opts_free(o);
    ax_ckpt_t *c = calloc(1, sizeof *c);
    if (!c) {
        ax_cli_error(o->verb, "out of memory");
        return AX_EXIT_FAIL;
    }
    if (ax_ckpt_load(o->weights, c, err, sizeof err)) {
        ax_cli_error(o->verb, "%s", err);
        free(c);
        return AX_EXIT_USAGE;
    }
    o->wckpt = c;
    /* scale and std divide and multiply every pixel: zero, negative, inf or
     * text would give a wrong accuracy with exit 0 */
    static const struct { const char *key; double lo, hi; } keys[3] = {
        {"norm_scale", 1e-30, 1e30}, {"norm_mean", -1e30, 1e30}, {"norm_std", 1e-30, 1e30}};
    for (int i = 0; i < 3; i++) {
        double v;
        int h = ax_ckpt_meta_double(c, o->weights, keys[i].key, keys[i].lo, keys[i].hi, &v, err, sizeof err);
        if (h < 0) {
            ax_cli_error(o->verb, "%s", err);
            return AX_EXIT_USAGE;
        }
        if (h && isnan(o->norm[i])) o->norm[i] = v;
    }
    int64_t k = 0;
    if (ax_ckpt_meta_int(c, o->weights, "classes", 2, 65536, &k, err, sizeof err) < 0) {
        ax_cli_error(o->verb, "%s", err);
        return AX_EXIT_USAGE;
    }
    *classes = (int)k;
    return 0;
}

static int eval_print(net_opts_t *o, ax_model_t *m, const ax_dataset_t *te, const char *what,
                      double *acc, cJSON *obj)
{
    char err[1024], mac[256];
    double loss, t0 = ax_clock_now();
    if (ax_evaluate(m, te, (int64_t)o->test_limit, (int64_t)o->eval_batch, &loss, acc, err, sizeof err)) {
        ax_cli_error(o->verb, "%s", err);
        return AX_EXIT_FAIL;
    }
    double secs = ax_clock_now() - t0;
    int64_t n = o->test_limit && (int64_t)o->test_limit < te->n ? (int64_t)o->test_limit : te->n;
    printf("%-8s %s, %s: %lld images, accuracy %.2f%%, loss %.4f, %.0f images/s\n", what, m->arch,
           net_mac_name(&m->fwd, mac, sizeof mac), (long long)n, 100 * *acc, loss,
           (double)n / (secs + 1e-9));
    cJSON_AddNumberToObject(obj, "images", (double)n);
    cJSON_AddNumberToObject(obj, "accuracy", *acc);
    cJSON_AddNumberToObject(obj, "loss", loss);
    cJSON_AddNumberToObject(obj, "seconds", secs);
    return 0;
}

int ax_verb_eval(int argc, char **argv)
{
    net_opts_t o;
    defaults(&o, "eval");
    if (ax_cli_wants_help(argc, argv)) {
        print_help("usage: axsim eval --weights CKPT [options]\n\n"
                   "Test accuracy and loss of a checkpoint with every multiply-accumulate\n"
                   "through the MAC. Exit status: 0, 1 a failure while running, 2 bad usage or\n"
                   "input.\n\n  --weights CKPT     safetensors checkpoint (axsim train, or PyTorch's\n"
                   "                     state_dict names for the same architecture)\n",
                   0, "", "");
        return AX_EXIT_OK;
    }
    ax_dataset_t tr, te;
    int rc = net_opts_parse(&o, argc, argv, NO_WEIGHTS, "");
    if (rc >= 0) return rc;
    if (!o.weights) {
        ax_cli_error("eval", "--weights CKPT is required");
        return AX_EXIT_USAGE;
    }
    int classes;
    if ((rc = net_check_new_file("eval", "--json", o.json)) || (rc = net_peek_weights(&o, &classes)) ||
        (rc = net_load_data(&o, &tr, &te, 0))) {
        net_opts_free(&o);
        return rc;
    }
    ax_model_t *m = load_weights(&o, classes ? classes : classes_of(&te, &te), &te);
    ax_engine_t *e = m ? net_engine(&o) : NULL;
    rc = AX_EXIT_USAGE;
    if (m && e) {
        ax_model_set_mac(m, e, &o.fwd, &o.bwd);
        cJSON *root = json_head(&o, e, m);
        double acc;
        rc = eval_print(&o, m, &te, "eval", &acc, root);
        if (!rc && o.json) rc = write_json("eval", o.json, root);
        cJSON_Delete(root);
    }
    ax_engine_free(e);
    ax_model_free(m);
    ax_dataset_free(&te);
    net_opts_free(&o);
    return rc;
}

int ax_verb_retrain(int argc, char **argv)
{
    net_opts_t o;
    defaults(&o, "retrain");
    o.epochs = 1, o.lr = 0.001;
    if (ax_cli_wants_help(argc, argv)) {
        print_help("usage: axsim retrain --weights CKPT --mac CFG [options]\n\n"
                   "Approximation-aware fine-tuning: loads an (exact) checkpoint, reports its\n"
                   "test accuracy under --mac, trains with --mac in the forward GEMMs (and\n"
                   "--bwd-mac in the gradient GEMMs), and reports the accuracy after.\n\n"
                   "  --weights CKPT     the checkpoint to start from\n",
                   1, "1", "0.001");
        return AX_EXIT_OK;
    }
    ax_dataset_t tr, te;
    int rc = net_opts_parse(&o, argc, argv, NO_TRAIN | NO_WEIGHTS | NO_TRAINSET, "");
    if (rc >= 0) return rc;
    if (!o.weights) {
        ax_cli_error("retrain", "--weights CKPT is required");
        return AX_EXIT_USAGE;
    }
    if ((rc = check_out(&o))) return rc;
    int classes;
    if ((rc = net_peek_weights(&o, &classes)) || (rc = net_load_data(&o, &tr, &te, NO_TRAINSET))) {
        net_opts_free(&o);
        return rc;
    }
    ax_model_t *m = load_weights(&o, classes ? classes : classes_of(&tr, &te), &tr);
    if (m && net_data_fits(&o, m, &te, "the test images")) {
        ax_model_free(m);
        m = NULL;
    }
    ax_engine_t *e = m ? net_engine(&o) : NULL;
    rc = AX_EXIT_USAGE;
    if (m && e) {
        ax_model_set_mac(m, e, &o.fwd, &o.bwd);
        cJSON *root = json_head(&o, e, m);
        cJSON *before = cJSON_AddObjectToObject(root, "before");
        double acc0 = 0;
        rc = eval_print(&o, m, &te, "before", &acc0, before);
        ax_train_result_t res;
        if (!rc) rc = run_training(&o, m, &tr, &te, root, &res);
        if (!rc) {
            char mac[256];
            printf("%-8s %s, %s: accuracy %.2f%% (%+.2f points) after %llu epoch%s of retraining\n",
                   "after", m->arch, net_mac_name(&o.fwd, mac, sizeof mac), 100 * res.test_acc,
                   100 * (res.test_acc - acc0), (unsigned long long)o.epochs, o.epochs == 1 ? "" : "s");
            if (o.json) rc = write_json("retrain", o.json, root);
        }
        cJSON_Delete(root);
    }
    ax_engine_free(e);
    ax_model_free(m);
    ax_dataset_free(&tr), ax_dataset_free(&te);
    net_opts_free(&o);
    return rc;
}
