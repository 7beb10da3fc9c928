/* net_opts.h — what the network verbs (train, eval, retrain, estimate, bench
 * train) share: their options, the data, the weights, the model and the
 * engine (net_opts.c); training, evaluation and their reports (net_run.c). */
#ifndef AX_NET_OPTS_H
#define AX_NET_OPTS_H

#include <stdint.h>

#include "ax_data.h"
#include "ax_fastpath.h"
#include "ax_train.h"

#define AX_DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

typedef struct net_opts {
    const char *verb;
    const char *model;
    const char *data;                     /* MNIST-family folder */
    const char *train_images, *train_labels, *test_images, *test_labels;
    const char *bwd_mac;                  /* as given (NULL: default) */
    ax_mac_cfg_t fwd, bwd;
    ax_backend_t backend;
    uint64_t threads, batch, eval_batch, seed, limit, test_limit, epochs;
    double lr, momentum, wd;
    int adam;
    ax_sched_t sched;
    const char *out, *weights, *json;
    int resume, quiet;
    double norm[3];                       /* scale, mean, std; NaN: from data/checkpoint */
    const char *norm_source;              /* where norm came from (net_load_data) */
    int model_given;                      /* --model given (else from the checkpoint) */
    char model_buf[32];                   /* the model a checkpoint named */
    const char *rename;                   /* --rename FILE: tensor names mapped on load */
    const char *onnx;                     /* --onnx FILE: the model (and weights) of an ONNX file */
    const char *predictions;              /* eval: --predictions FILE (.npy or .csv) */
    struct ax_ckpt *wckpt;                /* --weights, loaded once by net_peek_weights */
    ax_snn_opts_t snn;                    /* spiking models: --timesteps ... --surrogate */
    const char *trace, *trace_out;        /* eval: --trace LAYER:INDEX,..., --trace-out DIR */
    uint64_t trace_image;                 /* eval: --trace-image N */
    unsigned snn_given;                   /* SNN_* bits of the options given */
} net_opts_t;

/* The spiking options, as bits of net_opts_t.snn_given. */
enum { SNN_T = 1, SNN_ENC = 2, SNN_NEURON = 4, SNN_READOUT = 8, SNN_SURR = 16 };

/* Which options a verb takes (bits). */
enum {
    NO_TRAIN = 1,   /* --epochs --lr --opt --momentum --wd --schedule --out --resume --limit --bwd-mac */
    NO_WEIGHTS = 2, /* --weights (then required, unless --onnx), --rename, --onnx */
    NO_TRAINSET = 4, /* needs the training images */
    NO_TRACE = 8     /* --trace --trace-out --trace-image --predictions (eval) */
};

/* ---- options (net_opts.c) ---- */

/* The defaults of train (lenet5, exact fp32, batch 64, 10 epochs at 0.05,
 * cosine, seed 1, the data's normalization) for verb. */
void net_opts_defaults(net_opts_t *o, const char *verb);
/* Parses argv into o. Returns -1 to continue, or exit code 2 with a message. */
int net_opts_parse(net_opts_t *o, int argc, char **argv, unsigned what);
/* --norm MEAN,STD into o (finite, STD > 0). 0, or -1 with a message. */
int net_parse_norm(net_opts_t *o, const char *arg);
/* 0 when model names an architecture, else -1 with a message. */
int net_check_model(const char *verb, const char *model);

/* ---- data, weights, model, engine (net_opts.c) ---- */

/* Loads the training set (with NO_TRAINSET) and the test set; normalizes
 * both with o->norm, filling in what is NaN (neither --norm nor the
 * checkpoint gave it) from the training images' statistics (read for that
 * alone when the verb needs no training set and --data has one), else, said
 * on stderr, the test images'. o->norm_source names the rule that applied.
 * 0, or an exit code. */
int net_load_data(net_opts_t *o, ax_dataset_t *train, ax_dataset_t *test, unsigned what);
/* Loads o->weights (kept in o->wckpt for net_load_model), renames its
 * tensors by o->rename, takes the model from it unless --model was given
 * (its metadata, else the architecture its tensor names fit), and takes the
 * normalization (where o->norm is NaN) and the class count (0 when absent)
 * from its metadata, each checked (a scale and std > 0, a finite mean,
 * classes in 2..65536). 0, or exit code 2 with the reason printed. */
int net_peek_weights(net_opts_t *o, int *classes);
/* Only the model of o->weights, as net_peek_weights takes it (for a verb
 * that must know the model before it loads anything). 0, or exit code 2. */
int net_model_from_weights(net_opts_t *o);
/* The weights of o->wckpt into m. 0, or exit code 2 with the reason. */
int net_load_model(net_opts_t *o, ax_model_t *m);
/* Frees what the options hold (o->wckpt). */
void net_opts_free(net_opts_t *o);

/* A network verb's run: its options, data, model and engine. */
typedef struct net_job {
    net_opts_t o;
    ax_dataset_t tr, te; /* tr empty without NO_TRAINSET */
    ax_model_t *m;
    ax_engine_t *e;
} net_job_t;

/* train, eval, retrain: with -h or --help prints help_head, the options the
 * verb takes and their defaults (j->o holds them), and returns 0. Else
 * parses argv into j->o, requires --out (train) or --weights (NO_WEIGHTS),
 * refuses outputs that would be overwritten or cannot be written, then
 * net_job_load and the MACs of --mac and --bwd-mac. -1 to go on, or an exit
 * code (all freed). */
int net_job_open(net_job_t *j, int argc, char **argv, unsigned what, const char *help_head);
/* The data, the model (with NO_WEIGHTS the weights of j->o.weights, shaped
 * like the training set when loaded, else the test set, the other checked to
 * fit; else initialized from --seed) and the engine (its line printed
 * unless quiet). -1 to go on, or an exit code (all freed). */
int net_job_load(net_job_t *j, unsigned what);
void net_job_close(net_job_t *j);

/* ---- running and reporting (net_run.c) ---- */

struct cJSON;
/* The head of train's, eval's and retrain's JSON: verb, model, data, MACs, backend. */
struct cJSON *net_json_head(const net_job_t *j);
/* Trains j->m with the options' recipe, progress on stderr (a bar on a
 * TTY), every epoch into root's "epochs" and the result into root. 0, or an
 * exit code with the message printed. */
int net_run_training(net_job_t *j, struct cJSON *root, ax_train_result_t *res);
/* Evaluates j->m on the test set: one line "what model, mac: N images,
 * accuracy ..." and the numbers into obj. 0, or an exit code. */
int net_run_eval(net_job_t *j, const char *what, double *acc, struct cJSON *obj);

/* ---- spiking models (snn_report.c) ---- */

/* After an evaluation of a spiking model: a line per layer (spikes per
 * neuron per image, synaptic operations per image) and "layers" in obj. */
void net_snn_layers(const ax_model_t *m, struct cJSON *obj);
/* eval --trace: the membrane of the chosen neurons at every step of one test
 * image, under the configured arithmetic and in exact fp32, into
 * trace.csv and trace.png of --trace-out. 0 (nothing asked: 0), or an exit
 * code with the reason printed. */
int net_snn_trace(net_job_t *j);

#endif
