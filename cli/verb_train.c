/* verb_train.c — `axsim train`: a DNN trained from a seeded initialization
 * with every multiply-accumulate of its linear and conv layers through the
 * configured MAC; a checkpoint after every epoch, --resume (docs/train.md).
 * The options, data and model setup are net_opts.c; the run, net_run.c. */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "cli.h"
#include "net_opts.h"

static const char *help =
    "usage: axsim train [options] --out CKPT\n\n"
    "Trains a model from a seeded initialization with every multiply-accumulate\n"
    "of its linear and conv layers through the MAC (docs/train.md). A checkpoint\n"
    "is written after every epoch; --resume continues an interrupted run bit for\n"
    "bit. Exit status: 0 done, 1 a failure while training, 2 bad usage or input.\n\n";

int ax_verb_train(int argc, char **argv)
{
    net_job_t j;
    net_opts_defaults(&j.o, "train");
    int rc = net_job_open(&j, argc, argv, NO_TRAIN | NO_TRAINSET, help);
    if (rc >= 0) return rc;
    const net_opts_t *o = &j.o;
    if (!o->quiet) {
        char snn[400] = "", desc[380];
        if (ax_model_is_spiking(j.m))
            snprintf(snn, sizeof snn, " per time step; %s", ax_snn_describe(&j.m->snn, desc, sizeof desc));
        fprintf(stderr, "axsim train: %s (%lld parameters, %lld MACs per image%s) on %lld images\n",
                j.m->arch, (long long)ax_model_param_count(j.m), (long long)j.m->macs_fwd, snn,
                (long long)(o->limit && (int64_t)o->limit < j.tr.n ? (int64_t)o->limit : j.tr.n));
    }
    cJSON *root = net_json_head(&j);
    ax_train_result_t res;
    rc = net_run_training(&j, root, &res);
    if (!rc) {
        printf("%s: test accuracy %.2f%% (loss %.4f) after %llu epochs; checkpoint %s\n", j.m->arch,
               100 * res.test_acc, res.test_loss, (unsigned long long)o->epochs, o->out);
        if (o->json) rc = ax_cli_write_json("train", o->json, root);
    }
    cJSON_Delete(root);
    net_job_close(&j);
    return rc;
}
