/* net_cli.h — what the network verbs (train, eval, retrain, estimate) share:
 * their options, loading and normalizing the data, the engine, progress. */
#ifndef AX_NET_CLI_H
#define AX_NET_CLI_H

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
    const char *mac, *bwd_mac;            /* strings as given (NULL: default) */
    ax_mac_cfg_t fwd, bwd;
    ax_backend_t backend;
    uint64_t threads, batch, eval_batch, seed, limit, test_limit, epochs;
    double lr, momentum, wd;
    int adam;
    ax_sched_t sched;
    const char *out, *weights, *json;
    int resume, quiet;
    double norm[3];                       /* scale, mean, std; NaN: from data/checkpoint */
    struct ax_ckpt *wckpt;                /* --weights, loaded once by net_peek_weights */
} net_opts_t;

/* Which options a verb takes (bits), and its defaults. */
enum {
    NO_TRAIN = 1,   /* --epochs --lr --opt --momentum --wd --schedule --out --resume --limit */
    NO_WEIGHTS = 2, /* --weights */
    NO_TRAINSET = 4 /* needs the training images */
};

/* Parses argv into o (defaults first). Returns -1 to continue, or an exit code
 * (help printed: 0; a bad option: 2 with a message). */
int net_opts_parse(net_opts_t *o, int argc, char **argv, unsigned what, const char *help);

/* Loads the training set (with NO_TRAINSET) and the test set; normalizes
 * both with o->norm, filling in what is NaN from the training set's
 * statistics (or the test set's, without one). 0, or an exit code. */
int net_load_data(net_opts_t *o, ax_dataset_t *train, ax_dataset_t *test, unsigned what);

/* Creates the engine (printing its one-line description unless quiet). */
ax_engine_t *net_engine(const net_opts_t *o);

/* The progress callback of ax_train: a bar on a TTY, lines otherwise. */
void net_progress(void *ctx, const ax_train_progress_t *p);

/* Loads o->weights (kept in o->wckpt for net_load_model) and takes the
 * normalization (where o->norm is NaN) and the class count (0 when absent)
 * from its metadata, each checked (a scale and std > 0, a finite mean,
 * classes in 2..65536). 0, or exit code 2 with the reason printed. */
int net_peek_weights(net_opts_t *o, int *classes);
/* The weights of o->wckpt into m. 0, or exit code 2 with the reason. */
int net_load_model(net_opts_t *o, ax_model_t *m);
/* 0 when the dataset fits m, or exit code 2 with the reason printed. */
int net_data_fits(const net_opts_t *o, const ax_model_t *m, const ax_dataset_t *d, const char *what);
/* Refuses before any work an output path that exists (--json, not "-") or
 * whose folder cannot take a new file. 0, or exit code 2 with the reason. */
int net_check_new_file(const char *verb, const char *opt, const char *path);
/* Frees what the options hold (o->wckpt). */
void net_opts_free(net_opts_t *o);

/* Writes text to path through a temporary file and a rename: a failure
 * leaves what was at path untouched. 0, or -1 with the reason in err. */
int net_write_atomic(const char *path, const char *text, char *err, size_t errlen);

/* The canonical text of a MAC configuration. */
const char *net_mac_name(const ax_mac_cfg_t *c, char *buf, size_t len);

#endif
