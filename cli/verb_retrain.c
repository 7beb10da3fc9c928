/* verb_retrain.c — `axsim retrain`: approximation-aware fine-tuning of a
 * checkpoint, its test accuracy under the MAC before and after
 * (docs/train.md). */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "cli.h"
#include "net_opts.h"

static const char *help =
    "usage: axsim retrain --weights CKPT --mac CFG [options]\n\n"
    "Approximation-aware fine-tuning: loads an (exact) checkpoint, reports its\n"
    "test accuracy under --mac, trains with --mac in the forward GEMMs (and\n"
    "--bwd-mac in the gradient GEMMs), and reports the accuracy after.\n\n"
    "  --weights CKPT     the checkpoint to start from\n";

int ax_verb_retrain(int argc, char **argv)
{
    net_job_t j;
    net_opts_defaults(&j.o, "retrain");
    j.o.epochs = 1, j.o.lr = 0.001;
    int rc = net_job_open(&j, argc, argv, NO_TRAIN | NO_WEIGHTS | NO_TRAINSET, help);
    if (rc >= 0) return rc;
    const net_opts_t *o = &j.o;
    cJSON *root = net_json_head(&j);
    double acc0 = 0;
    ax_train_result_t res;
    rc = net_run_eval(&j, "before", &acc0, cJSON_AddObjectToObject(root, "before"));
    if (!rc) rc = net_run_training(&j, root, &res);
    if (!rc) {
        char mac[256];
        printf("%-8s %s, %s: accuracy %.2f%% (%+.2f points) after %llu epoch%s of retraining\n", "after",
               j.m->arch, ax_mac_name(&o->fwd, mac, sizeof mac), 100 * res.test_acc, 100 * (res.test_acc - acc0),
               (unsigned long long)o->epochs, o->epochs == 1 ? "" : "s");
        if (o->json) rc = ax_cli_write_json("retrain", o->json, root);
    }
    cJSON_Delete(root);
    net_job_close(&j);
    return rc;
}
