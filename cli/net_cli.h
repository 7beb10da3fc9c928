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

/* The normalization (where o->norm is NaN) and the class count (0 when
 * absent) stored in o->weights, read before the data. 0, or exit code 2
 * with the checkpoint's error printed. */
int net_peek_weights(net_opts_t *o, int *classes);

/* Writes text to path through a temporary file and a rename: a failure
 * leaves what was at path untouched. 0, or -1. */
int net_write_atomic(const char *path, const char *text);

/* The canonical text of a MAC configuration. */
const char *net_mac_name(const ax_mac_cfg_t *c, char *buf, size_t len);

#endif
