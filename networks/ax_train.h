/* ax_train.h — training and evaluation loops over a dataset, learning-rate
 * schedules, resumable training checkpoints (docs/networks.md).
 *
 * Training is reproducible: epoch e visits the images in the order
 * ax_shuffle(seed + e), dropout masks come from (seed, step), and every
 * other operation runs in a fixed order, so the same seed and configuration
 * give the same bits on every backend, and a run resumed from the
 * checkpoint of epoch e continues exactly as the uninterrupted run would. */
#ifndef AX_TRAIN_H
#define AX_TRAIN_H

#include <stdint.h>

#include "ax_data.h"
#include "ax_nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ax_sched { AX_SCHED_CONST, AX_SCHED_COSINE, AX_SCHED_STEP } ax_sched_t;

/* "const", "cosine", "step" -> 0, or -1 with a message. */
int ax_sched_parse(const char *s, ax_sched_t *out, char *err, size_t errlen);
const char *ax_sched_name(ax_sched_t s);

typedef struct ax_train_progress {
    int64_t epoch, epochs; /* 1-based epoch in progress */
    int64_t step, steps;   /* steps done in this epoch, steps per epoch */
    double loss, acc;      /* running mean over the epoch so far */
    double images_per_s;
    double lr;
    int epoch_done;        /* 1 once per epoch, after the test evaluation */
    double test_loss, test_acc; /* with epoch_done and a test set; else NaN */
    double epoch_seconds;  /* with epoch_done: the training pass of the epoch */
} ax_train_progress_t;

typedef struct ax_train_cfg {
    int64_t epochs;    /* total epochs of the run */
    int64_t batch;
    ax_opt_t opt;      /* kind, momentum, weight decay, Adam's betas and eps */
    float lr;          /* peak rate */
    ax_sched_t sched;  /* cosine: lr (1 + cos(pi t / T)) / 2 per step; step: x0.1 at 1/2 and 3/4 */
    uint64_t seed;
    int64_t limit;     /* first limit training images (0: all) */
    int64_t test_limit;/* first test_limit test images (0: all) */
    const char *out;   /* checkpoint written after every epoch (NULL: none) */
    int resume;        /* continue from out when it holds an unfinished run */
    int64_t stop_after;/* return after this many epochs of this call (0: run to the end) */
    /* written into the checkpoint's metadata and checked on resume */
    const char *mac_fwd, *mac_bwd, *data_name;
    double norm_scale, norm_mean, norm_std; /* x = (pixel * scale - mean) / std */
    void (*progress)(void *ctx, const ax_train_progress_t *p);
    void *ctx;
} ax_train_cfg_t;

typedef struct ax_train_result {
    int64_t epochs_run;     /* this call (0 when resuming a finished run) */
    int64_t first_epoch;    /* 1-based epoch this call started at */
    double train_loss, train_acc; /* last epoch */
    double test_loss, test_acc;   /* after the last epoch (NaN without a test set) */
    double seconds;         /* training passes, this call */
    double images_per_s;
    int diverged;           /* 1: stopped at a batch whose loss or gradient was not finite */
    int bad_input;          /* 1: the error is in the input, not the run: data that does not
                               fit the model, a --resume checkpoint that is malformed or not
                               of this run */
} ax_train_result_t;

/* 0 when the dataset fits m (image shape, labels below m->classes), or -1
 * with "what images are ... but model ..." in err. */
int ax_data_fits(const ax_model_t *m, const ax_dataset_t *d, const char *what, char *err, size_t errlen);

/* Trains m (initialised, engine and MAC set) on train; evaluates on test
 * (may be NULL) after each epoch. A run that does not resume starts with a
 * new optimizer (ax_opt_reset), whatever state m holds. 0, or -1 with a
 * message (a checkpoint that does not belong to this run, a GEMM error, a
 * failed save, or divergence: a batch whose loss or a gradient is inf or NaN
 * stops the run before its update, with res->diverged set; the weights are those of the
 * step before, and the checkpoint of the last finished epoch stays). */
int ax_train(ax_model_t *m, const ax_dataset_t *train, const ax_dataset_t *test,
             const ax_train_cfg_t *cfg, ax_train_result_t *res, char *err, size_t errlen);

/* Mean loss and top-1 accuracy of m on the first limit images of d (0: all)
 * in batches of batch. */
int ax_evaluate(ax_model_t *m, const ax_dataset_t *d, int64_t limit, int64_t batch, double *loss,
                double *acc, char *err, size_t errlen);
/* The same, and the logits of every image evaluated into logits (images x
 * m->classes floats, row by row; NULL: none). */
int ax_evaluate_logits(ax_model_t *m, const ax_dataset_t *d, int64_t limit, int64_t batch, double *loss,
                       double *acc, float *logits, char *err, size_t errlen);

/* Saves m (and opt, may be NULL) with the metadata of cfg and
 * epoch completed epochs. */
int ax_train_save(const char *path, const ax_model_t *m, const ax_opt_t *opt,
                  const ax_train_cfg_t *cfg, int64_t epoch, char *err, size_t errlen);

/* Loads the weights of a checkpoint into m (optimizer state ignored): the
 * file's "model" metadata, when present, must name m's architecture. */
int ax_model_load(ax_model_t *m, const char *path, char *err, size_t errlen);
/* The same from a checkpoint already loaded from path (named in messages). */
struct ax_ckpt;
int ax_model_load_ckpt(ax_model_t *m, const struct ax_ckpt *c, const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AX_TRAIN_H */
