/* net_opts.c — what the network verbs share before they run (net_opts.h):
 * the options, their help, the data and its normalization, the weights and
 * their metadata, the model and the engine. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_atomic.h"
#include "ax_ckpt.h"
#include "ax_onnx.h"
#include "cli.h"
#include "net_opts.h"

void net_opts_defaults(net_opts_t *o, const char *verb)
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
    ax_snn_opts_default(&o->snn);
    o->trace_out = "axsim-trace";
}

int net_check_model(const char *verb, const char *model)
{
    if (ax_model_describe(model)) return 0;
    ax_cli_error(verb, "--model '%s': unknown (mlp, lenet5, vgg, resnet8, resnet20, mobilenet, "
                       "snn-mlp, snn-conv)", model);
    return -1;
}

/* ---- options ---------------------------------------------------------------------- */

enum { O_TI = 256, O_TL, O_EI, O_EL, O_BWD, O_EB, O_TLIM, O_WD, O_MOM, O_NORM, O_SCHED,
       O_STEPS, O_ENC, O_NEURON, O_READOUT, O_SURR, O_TRACE, O_TRACE_OUT, O_TRACE_IMG, O_RENAME,
       O_PRED, O_ONNX };

/* Whether a verb without NO_TRAIN refuses option ch. */
static int training_only(int ch)
{
    return (ch < 256 && strchr("elrORo", ch)) || ch == O_MOM || ch == O_WD || ch == O_SCHED ||
           ch == O_BWD || ch == O_SURR;
}

int net_parse_norm(net_opts_t *o, const char *arg)
{
    double a, b;
    char tail;
    if (sscanf(arg, "%lf,%lf%c", &a, &b, &tail) != 2 || !isfinite(a) || !isfinite(b) || !(b > 0)) {
        ax_cli_error(o->verb, "--norm '%.60s': expected MEAN,STD, finite, with STD > 0 (after /255)", arg);
        return -1;
    }
    o->norm[1] = a, o->norm[2] = b;
    o->norm_source = "--norm";
    return 0;
}

/* One option into o. 0, or -1 with a message. */
static int take_option(net_opts_t *o, int ch, const char *arg)
{
    const char *verb = o->verb;
    char err[256];
    switch (ch) {
    case 'm': o->model = arg, o->model_given = 1; return 0;
    case O_RENAME: o->rename = arg; return 0;
    case O_PRED: o->predictions = arg; return 0;
    case O_ONNX: o->onnx = arg; return 0;
    case 'd': o->data = arg; return 0;
    case O_TI: o->train_images = arg; return 0;
    case O_TL: o->train_labels = arg; return 0;
    case O_EI: o->test_images = arg; return 0;
    case O_EL: o->test_labels = arg; return 0;
    case 'c': return ax_cli_mac(verb, "--mac", arg, &o->fwd);
    case O_BWD: o->bwd_mac = arg; return 0;
    case 'B': return ax_cli_backend(verb, arg, &o->backend);
    case 't': return ax_cli_threads(verb, arg, &o->threads);
    case 'b':
        if (ax_cli_u64(verb, "--batch", arg, &o->batch)) return -1;
        o->eval_batch = o->batch > 256 ? o->batch : 256;
        return 0;
    case O_EB: return ax_cli_u64(verb, "--eval-batch", arg, &o->eval_batch);
    case 's': return ax_cli_u64(verb, "--seed", arg, &o->seed);
    case 'l': return ax_cli_u64(verb, "--limit", arg, &o->limit);
    case O_TLIM: return ax_cli_u64(verb, "--test-limit", arg, &o->test_limit);
    case 'e': return ax_cli_u64(verb, "--epochs", arg, &o->epochs);
    case 'r': return ax_cli_double(verb, "--lr", arg, 0, INFINITY, &o->lr);
    case O_MOM: return ax_cli_double(verb, "--momentum", arg, 0, INFINITY, &o->momentum);
    case O_WD: return ax_cli_double(verb, "--wd", arg, 0, INFINITY, &o->wd);
    case 'O':
        if (strcmp(arg, "sgd") && strcmp(arg, "adam")) {
            ax_cli_error(verb, "--opt '%s': expected sgd or adam", arg);
            return -1;
        }
        o->adam = !strcmp(arg, "adam");
        return 0;
    case O_SCHED:
        if (ax_sched_parse(arg, &o->sched, err, sizeof err) == 0) return 0;
        ax_cli_error(verb, "--schedule: %s", err);
        return -1;
    case O_NORM: return net_parse_norm(o, arg);
    case O_STEPS: {
        uint64_t t;
        if (ax_cli_u64(verb, "--timesteps", arg, &t)) return -1;
        if (t < 1 || t > 4096) {
            ax_cli_error(verb, "--timesteps %s: give 1 to 4096 time steps", arg);
            return -1;
        }
        o->snn.steps = (int64_t)t, o->snn_given |= SNN_T;
        return 0;
    }
    case O_ENC:
        o->snn_given |= SNN_ENC;
        if (ax_encoding_parse(arg, &o->snn.encoding, err, sizeof err) == 0) return 0;
        ax_cli_error(verb, "--encoding: %s", err);
        return -1;
    case O_READOUT:
        o->snn_given |= SNN_READOUT;
        if (ax_readout_parse(arg, &o->snn.readout, err, sizeof err) == 0) return 0;
        ax_cli_error(verb, "--readout: %s", err);
        return -1;
    case O_SURR:
        o->snn_given |= SNN_SURR;
        if (ax_surrogate_parse(arg, &o->snn.surrogate, &o->snn.surrogate_param, err, sizeof err) == 0)
            return 0;
        ax_cli_error(verb, "--surrogate: %s", err);
        return -1;
    case O_NEURON: {
        char e2[600];
        o->snn_given |= SNN_NEURON;
        if (ax_neuron_parse(arg, &o->snn.neuron, e2, sizeof e2) == 0) return 0;
        ax_cli_error(verb, "--neuron: %s", e2);
        return -1;
    }
    case O_TRACE: o->trace = arg; return 0;
    case O_TRACE_OUT: o->trace_out = arg; return 0;
    case O_TRACE_IMG: return ax_cli_u64(verb, "--trace-image", arg, &o->trace_image);
    case 'o': o->out = arg; return 0;
    case 'R': o->resume = 1; return 0;
    case 'w': o->weights = arg; return 0;
    case 'j': o->json = arg; return 0;
    case 'q': o->quiet = 1; return 0;
    }
    return -1;
}

/* What the options say together. 0, or -1 with a message. */
static int check_opts(net_opts_t *o, unsigned what)
{
    const char *verb = o->verb;
    if (o->onnx && o->model_given) {
        ax_cli_error(verb, "give --onnx FILE or --model M, not both (the ONNX file is the model)");
        return -1;
    }
    if (o->onnx && o->rename && !o->weights) {
        ax_cli_error(verb, "--rename maps the names of --weights CKPT; an ONNX file's weights load as they are");
        return -1;
    }
    if (o->onnx) o->model = "onnx", o->model_given = 1;
    else if (net_check_model(verb, o->model)) return -1;
    if (o->snn_given && !ax_model_arch_spiking(o->model)) {
        ax_cli_error(verb, "--model %s is not a spiking model: --timesteps, --encoding, --neuron, "
                           "--readout and --surrogate apply to snn-mlp and snn-conv", o->model);
        return -1;
    }
    if (o->bwd_mac) {
        if (!strcmp(o->bwd_mac, "same")) o->bwd = o->fwd;
        else if (ax_cli_mac(verb, "--bwd-mac", o->bwd_mac, &o->bwd)) return -1;
    }
    if (o->batch < 1 || o->eval_batch < 1 || o->batch > 65536 || o->eval_batch > 65536) {
        ax_cli_error(verb, "--batch and --eval-batch must be in 1..65536");
        return -1;
    }
    if ((what & NO_TRAIN) && (o->epochs < 1 || o->epochs > 1000000 || !(o->lr > 0))) {
        ax_cli_error(verb, "--epochs must be in 1..1000000 and --lr > 0");
        return -1;
    }
    int given = !!o->train_images + !!o->train_labels + !!o->test_images + !!o->test_labels;
    if (given && (!o->test_images || !o->test_labels ||
                  ((what & NO_TRAINSET) && (!o->train_images || !o->train_labels)))) {
        ax_cli_error(verb, "give --test-images and --test-labels%s together (or --data DIR)",
                     (what & NO_TRAINSET) ? ", --train-images and --train-labels" : "");
        return -1;
    }
    if (given && o->data) {
        ax_cli_error(verb, "give either --data DIR or the image/label files, not both");
        return -1;
    }
    if (!given && !o->data) o->data = AX_DEFAULT_DATA;
    return 0;
}

/* "--name" of option ch in lo (messages: argv[optind - 1] is the value when
 * one was given apart). */
static const char *opt_name(const struct option *lo, int ch)
{
    static char b[40];
    for (; lo->name; lo++)
        if (lo->val == ch) {
            snprintf(b, sizeof b, "--%s", lo->name);
            return b;
        }
    return "(unknown)";
}

int net_opts_parse(net_opts_t *o, int argc, char **argv, unsigned what)
{
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
        {"timesteps", 1, 0, O_STEPS}, {"encoding", 1, 0, O_ENC},    {"neuron", 1, 0, O_NEURON},
        {"readout", 1, 0, O_READOUT}, {"surrogate", 1, 0, O_SURR},  {"trace", 1, 0, O_TRACE},
        {"trace-out", 1, 0, O_TRACE_OUT}, {"trace-image", 1, 0, O_TRACE_IMG},
        {"rename", 1, 0, O_RENAME},   {"predictions", 1, 0, O_PRED}, {"onnx", 1, 0, O_ONNX},
        {0, 0, 0, 0}};
    int ch;
    ax_cli_opt_begin();
    while ((ch = ax_cli_opt(o->verb, argc, argv, lo, 0)) > 0) {
        if (!(what & NO_TRAIN) && training_only(ch)) {
            ax_cli_error(o->verb, "option %s is for train and retrain", opt_name(lo, ch));
            return AX_EXIT_USAGE;
        }
        if ((ch == O_TRACE || ch == O_TRACE_OUT || ch == O_TRACE_IMG || ch == O_PRED) && !(what & NO_TRACE)) {
            ax_cli_error(o->verb, "option %s is for eval", opt_name(lo, ch));
            return AX_EXIT_USAGE;
        }
        if ((ch == 'w' || ch == O_RENAME || ch == O_ONNX) && !(what & NO_WEIGHTS)) {
            ax_cli_error(o->verb, "%s is for eval and retrain (train starts from --seed)", opt_name(lo, ch));
            return AX_EXIT_USAGE;
        }
        if (take_option(o, ch, optarg)) return AX_EXIT_USAGE;
    }
    return ch < 0 || check_opts(o, what) ? AX_EXIT_USAGE : -1;
}

static const char *common_help =
    "  --model M          mlp, lenet5 (default), vgg, resnet8, resnet20, mobilenet;\n"
    "                     spiking: snn-mlp, snn-conv (docs/snn.md)\n"
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
    "  --norm MEAN,STD    normalization after /255 (default: the checkpoint's, else the\n"
    "                     training images' mean and std, else the test images' with a\n"
    "                     warning; spiking models 0,1; the JSON records which)\n"
    "  spiking models (default: from the checkpoint, else the value shown):\n"
    "  --timesteps T      time steps per image (4)\n"
    "  --encoding E       direct (the image is the first layer's current), rate, latency\n"
    "  --neuron CFG       neuron=lif|if,fmt=F,mul=U,add=U,beta=B,theta=V,\n"
    "                     reset=subtract|zero|none (lif fp32 exact, 0.9, 1, subtract)\n"
    "  --readout R        membrane (mean membrane of the output layer), count (spikes)\n"
    "  --json FILE        also write the results as JSON (- for stdout)\n"
    "  --quiet            no progress or backend line\n";

static const char *train_opts_help =
    "  --bwd-mac CFG      the MAC of both gradient GEMMs (default exact fp32; 'same':\n"
    "                     the forward MAC, for approximate training end to end)\n"
    "  --epochs N         epochs (default %llu)\n"
    "  --batch N          images per step (default 64)\n"
    "  --lr R             peak learning rate (default %g)\n"
    "  --opt sgd|adam     optimizer (default sgd: momentum 0.9, weight decay 5e-4)\n"
    "  --momentum R --wd R\n"
    "  --schedule S       cosine (default, per step), step (x0.1 at 1/2 and 3/4), const\n"
    "  --seed S           initialization, shuffling and dropout (default 1)\n"
    "  --limit N          train on the first N training images only\n"
    "  --out CKPT         safetensors checkpoint written after every epoch (atomic)\n"
    "  --resume           continue the run in --out from its last epoch\n"
    "  --surrogate S      spiking models: atan[:alpha=2] (default) or fsigmoid[:k=25]\n";

static const char *weights_help =
    "  --onnx FILE        the model and its weights from an ONNX file (docs/onnx.md);\n"
    "                     with --weights, that checkpoint's weights instead\n"
    "  --rename FILE      map the checkpoint's tensor names to axsim's: 'FROM TO' per\n"
    "                     line, '*' any text (docs/checkpoints.md)\n"
    "  (--model defaults to the checkpoint's: its metadata, else the architecture\n"
    "   its tensor names fit)\n";

static void print_help(const net_opts_t *o, const char *head, unsigned what)
{
    fputs(head, stdout);
    fputs(common_help, stdout);
    if (what & NO_WEIGHTS) fputs(weights_help, stdout);
    if (what & NO_TRAIN) printf(train_opts_help, (unsigned long long)o->epochs, o->lr);
}

/* An existing --out without --resume would be overwritten: refuse. A --out
 * or --json whose folder cannot take the file is refused before the first
 * epoch, not after it; so is an existing --json. */
static int check_outputs(const net_opts_t *o)
{
    char err[1024];
    if (o->predictions && !strcmp(o->predictions, "-")) {
        ax_cli_error(o->verb, "--predictions needs a file (.npy or .csv), not stdout");
        return AX_EXIT_USAGE;
    }
    if (o->out && !o->resume && access(o->out, F_OK) == 0) {
        ax_cli_error(o->verb, "%s exists: add --resume to continue that run, or give another --out "
                              "(axsim does not overwrite it)", o->out);
        return AX_EXIT_USAGE;
    }
    if (o->out && ax_atomic_probe(o->out, err, sizeof err)) {
        ax_cli_error(o->verb, "--out %s", err);
        return AX_EXIT_USAGE;
    }
    int rc = ax_cli_check_new_file(o->verb, "--json", o->json);
    return rc ? rc : ax_cli_check_new_file(o->verb, "--predictions", o->predictions);
}

/* ---- data ---------------------------------------------------------------------------- */

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

/* What of o->norm neither --norm nor the checkpoint gave, from the training
 * images (read for that alone when the verb does not need them), else the
 * test images, said on stderr. */
static void norm_from_data(net_opts_t *o, const ax_dataset_t *train, const ax_dataset_t *test, unsigned what)
{
    /* the training images' statistics, read for that alone when this verb
     * does not need them */
    ax_dataset_t own = {0};
    const ax_dataset_t *ref = train;
    char err[1024];
    if (!(what & NO_TRAINSET)) {
        ref = test;
        if (o->data && (isnan(o->norm[1]) || isnan(o->norm[2])) && ax_dataset_load_mnist_dir(o->data, 1, &own, err, sizeof err) == 0) ref = &own;
    }
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
        o->norm_source = ref == test ? "test images" : "training images";
        if (ref == test)
            fprintf(stderr, "axsim %s: warning: normalization from the test images' statistics (mean "
                            "%.4f, std %.4f): %s has no normalization metadata and no training images "
                            "were given; give --norm MEAN,STD (the training images' values) to be exact\n",
                    o->verb, o->norm[1], o->norm[2], o->weights ? o->weights : o->onnx ? o->onnx : "the model");
        else if ((o->weights || o->onnx) && !o->quiet) /* a model from a file lacked them */
            fprintf(stderr, "axsim %s: normalization from the training images' statistics (mean %.4f, "
                            "std %.4f): %s has no normalization metadata\n",
                    o->verb, o->norm[1], o->norm[2], o->weights ? o->weights : o->onnx ? o->onnx : "the model");
    }
    ax_dataset_free(&own);
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
    if (ax_model_arch_spiking(o->model) && (isnan(o->norm[1]) || isnan(o->norm[2]))) {
        /* pixels in 0..1: spike probabilities, currents */
        if (isnan(o->norm[1])) o->norm[1] = 0.0;
        if (isnan(o->norm[2])) o->norm[2] = 1.0;
        o->norm_source = "spiking default";
    }
    if (isnan(o->norm[0]) || isnan(o->norm[1]) || isnan(o->norm[2])) norm_from_data(o, train, test, what);
    ax_dataset_normalize(train, (float)o->norm[0], (float)o->norm[1], (float)o->norm[2]);
    ax_dataset_normalize(test, (float)o->norm[0], (float)o->norm[1], (float)o->norm[2]);
    return 0;
}

/* ---- weights ----------------------------------------------------------------------------- */

void net_opts_free(net_opts_t *o)
{
    if (o->wckpt) ax_ckpt_free(o->wckpt);
    free(o->wckpt);
    o->wckpt = NULL;
}

/* A spiking model's options that the command line left out, from the
 * checkpoint's metadata (each checked as the option would be). 0, or -1 with
 * the reason printed. */
static int snn_from_ckpt(net_opts_t *o, const ax_ckpt_t *c)
{
    static const struct { unsigned bit; const char *key; int opt; } keys[] = {
        {SNN_T, "timesteps", O_STEPS},   {SNN_ENC, "encoding", O_ENC},
        {SNN_NEURON, "neuron", O_NEURON}, {SNN_READOUT, "readout", O_READOUT},
        {SNN_SURR, "surrogate", O_SURR}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = ax_ckpt_meta(c, keys[i].key);
        if (!v || (o->snn_given & keys[i].bit)) continue;
        if (take_option(o, keys[i].opt, v)) {
            ax_cli_error(o->verb, "%s: its metadata '%s' is not usable (above)", o->weights,
                         keys[i].key);
            return -1;
        }
        o->snn_given &= ~keys[i].bit;
    }
    return 0;
}

/* o->weights into o->wckpt, its tensors renamed by --rename. 0, or an exit
 * code with the reason printed. */
static int load_weights(net_opts_t *o)
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
    if (!o->rename) return 0;
    int n = ax_ckpt_rename(c, o->rename, err, sizeof err);
    if (n < 0) {
        ax_cli_error(o->verb, "--rename %s", err);
        return AX_EXIT_USAGE;
    }
    if (!o->quiet) fprintf(stderr, "axsim %s: --rename: %d of the %d tensors of %s renamed\n", o->verb, n, c->n, o->weights);
    return 0;
}

/* Without --model, the model of o->wckpt: its metadata, else the
 * architecture its tensor names fit (said on stderr). 0, or exit code 2. */
static int model_of_weights(net_opts_t *o)
{
    if (o->model_given) return 0;
    char err[512];
    const char *arch = ax_ckpt_meta(o->wckpt, "model");
    if (arch && !ax_model_describe(arch)) {
        ax_cli_error(o->verb, "%s: its metadata names the model '%.40s', which axsim does not have; "
                              "give --model", o->weights, arch);
        return AX_EXIT_USAGE;
    }
    if (!arch) {
        if (!(arch = ax_model_guess(o->wckpt, err, sizeof err))) {
            ax_cli_error(o->verb, "%s: no model in its metadata, and %s; give --model", o->weights, err);
            return AX_EXIT_USAGE;
        }
        if (!o->quiet)
            fprintf(stderr, "axsim %s: %s: no model in its metadata; its tensor names are %s's "
                            "(--model to say otherwise)\n", o->verb, o->weights, arch);
    }
    snprintf(o->model_buf, sizeof o->model_buf, "%s", arch);
    o->model = o->model_buf;
    return 0;
}

int net_model_from_weights(net_opts_t *o)
{
    const int quiet = o->quiet;
    o->quiet = 1; /* said when the weights are loaded for the run */
    int rc = load_weights(o);
    if (!rc) rc = model_of_weights(o);
    o->quiet = quiet;
    net_opts_free(o);
    return rc;
}

int net_peek_weights(net_opts_t *o, int *classes)
{
    char err[1024];
    int rc = load_weights(o);
    if (!rc) rc = model_of_weights(o);
    if (rc) return rc;
    ax_ckpt_t *c = o->wckpt;
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
        if (h && isnan(o->norm[i])) {
            o->norm[i] = v;
            if (i) o->norm_source = "checkpoint";
        }
    }
    if (ax_model_arch_spiking(o->model) && snn_from_ckpt(o, c)) return AX_EXIT_USAGE;
    int64_t k = 0;
    if (ax_ckpt_meta_int(c, o->weights, "classes", 2, 65536, &k, err, sizeof err) < 0) {
        ax_cli_error(o->verb, "%s", err);
        return AX_EXIT_USAGE;
    }
    *classes = (int)k;
    return 0;
}

int net_load_model(net_opts_t *o, ax_model_t *m)
{
    char err[1024];
    if (!o->wckpt || ax_model_load_ckpt(m, o->wckpt, o->weights, err, sizeof err)) {
        ax_cli_error(o->verb, "%s", o->wckpt ? err : "internal: weights not loaded");
        return AX_EXIT_USAGE;
    }
    int n = ax_model_ckpt_unused(m, o->wckpt, err, sizeof err);
    if (n && !o->quiet)
        fprintf(stderr, "axsim %s: %s: %d tensor%s the %s model does not use, ignored: %s\n", o->verb,
                o->weights, n, n > 1 ? "s" : "", m->arch, err);
    return 0;
}

/* ---- the job ------------------------------------------------------------------------------- */

static int data_fits(const net_opts_t *o, const ax_model_t *m, const ax_dataset_t *d, const char *what)
{
    char err[512];
    if (!d->n || ax_data_fits(m, d, what, err, sizeof err) == 0) return 0;
    ax_cli_error(o->verb, "%s", err);
    return -1;
}

/* The model for the data: classes from the checkpoint, else the most labels
 * of either set (at least 2); shaped like the training set when loaded. */
static ax_model_t *make_model(net_job_t *j, int classes)
{
    char err[512];
    const ax_dataset_t *shape = j->tr.n ? &j->tr : &j->te;
    if (!classes) classes = j->tr.classes > j->te.classes ? j->tr.classes : j->te.classes;
    ax_model_t *m = ax_model_create(j->o.model, shape->c, shape->h, shape->w, classes < 2 ? 2 : classes, err,
                                    sizeof err);
    if (m && ax_model_is_spiking(m) && ax_model_set_snn(m, &j->o.snn, err, sizeof err)) {
        ax_model_free(m);
        m = NULL;
    }
    if (m && ax_model_is_spiking(m) && (ax_mac_is_daa(&j->o.fwd) || ax_mac_is_daa(&j->o.bwd))) {
        snprintf(err, sizeof err, "--model %s is spiking: its synapses of binary spikes only add, "
                                  "so a DAA configuration (two streams sharing multipliers) has "
                                  "nothing to share; give a plain MAC", j->o.model);
        ax_model_free(m);
        m = NULL;
    }
    if (!m) ax_cli_error(j->o.verb, "%s", err);
    return m;
}

/* The model of --onnx, its notes on stderr. */
static ax_model_t *onnx_model(const net_opts_t *o)
{
    char err[1024], notes[1024];
    ax_model_t *m = ax_onnx_load(o->onnx, notes, sizeof notes, err, sizeof err);
    if (!m) {
        ax_cli_error(o->verb, "--onnx %s", err);
        return NULL;
    }
    if (*notes && !o->quiet) fprintf(stderr, "axsim %s: %s: %s\n", o->verb, o->onnx, notes);
    return m;
}

void net_job_close(net_job_t *j)
{
    ax_engine_free(j->e);
    ax_model_free(j->m);
    ax_dataset_free(&j->tr), ax_dataset_free(&j->te);
    net_opts_free(&j->o);
    j->e = NULL, j->m = NULL;
}

int net_job_load(net_job_t *j, unsigned what)
{
    net_opts_t *o = &j->o;
    int classes = 0, rc;
    memset(&j->tr, 0, sizeof j->tr), memset(&j->te, 0, sizeof j->te);
    j->m = NULL, j->e = NULL;
    /* the weights: --weights, else (with --onnx) the ONNX file's */
    const int ckpt = (what & NO_WEIGHTS) && o->weights;
    if ((ckpt && (rc = net_peek_weights(o, &classes))) ||
        (rc = net_load_data(o, &j->tr, &j->te, what & NO_TRAINSET))) {
        net_job_close(j);
        return rc;
    }
    j->m = o->onnx ? onnx_model(o) : make_model(j, classes);
    if (!j->m) rc = AX_EXIT_USAGE;
    else if (ckpt) rc = net_load_model(o, j->m);
    else if (!o->onnx) ax_model_init(j->m, o->seed);
    if (!rc && o->onnx && !o->wckpt) { /* the ONNX file's weights as a checkpoint (estimate's rows start from it) */
        char err[512];
        if (!(o->wckpt = calloc(1, sizeof *o->wckpt)) || ax_model_to_ckpt(j->m, NULL, o->wckpt, err, sizeof err)) {
            ax_cli_error(o->verb, "%s", o->wckpt ? err : "out of memory");
            rc = AX_EXIT_FAIL;
        }
    }
    if (!rc && (data_fits(o, j->m, &j->tr, "the training images") || data_fits(o, j->m, &j->te, "the test images")))
        rc = AX_EXIT_USAGE;
    if (!rc) {
        char err[512];
        j->e = ax_engine_create(o->backend, (int)o->threads, err, sizeof err);
        if (!j->e) {
            ax_cli_error(o->verb, "%s", err);
            rc = AX_EXIT_USAGE;
        } else if (!o->quiet) {
            fprintf(stderr, "axsim %s: %s\n", o->verb, ax_engine_describe(j->e));
        }
    }
    if (rc) net_job_close(j);
    return rc ? rc : -1;
}

int net_job_open(net_job_t *j, int argc, char **argv, unsigned what, const char *help_head)
{
    net_opts_t *o = &j->o;
    if (ax_cli_wants_help(argc, argv)) {
        print_help(o, help_head, what);
        return AX_EXIT_OK;
    }
    int rc = net_opts_parse(o, argc, argv, what);
    if (rc >= 0) return rc;
    if ((what & NO_WEIGHTS) && !o->weights && !o->onnx) {
        ax_cli_error(o->verb, "--weights CKPT (or --onnx FILE) is required");
        return AX_EXIT_USAGE;
    }
    if ((what & NO_TRAIN) && !(what & NO_WEIGHTS) && !o->out) {
        ax_cli_error(o->verb, "--out CKPT is required (the checkpoint of every epoch)");
        return AX_EXIT_USAGE;
    }
    if ((rc = check_outputs(o))) return rc;
    if ((rc = net_job_load(j, what)) >= 0) return rc;
    ax_model_set_mac(j->m, j->e, &o->fwd, &o->bwd);
    return -1;
}
