/* verb_eval.c — `axsim eval`: test accuracy and loss of a checkpoint with
 * every multiply-accumulate through the configured MAC (docs/train.md). */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "cli.h"
#include "net_opts.h"

static const char *help =
    "usage: axsim eval --weights CKPT [options]\n\n"
    "Test accuracy and loss of a checkpoint with every multiply-accumulate\n"
    "through the MAC. Exit status: 0, 1 a failure while running, 2 bad usage or\n"
    "input.\n\n  --weights CKPT     safetensors checkpoint (axsim train, or a PyTorch\n"
    "                     state_dict of the same architecture; docs/checkpoints.md)\n"
    "  spiking models: a line per layer (spikes per neuron, synaptic operations per\n"
    "  image), and on request the membrane of chosen neurons at every time step,\n"
    "  under the configured arithmetic and in exact fp32 (docs/snn.md):\n"
    "  --trace L:I,...     neurons by layer and index (lif1:0,lif2:17; up to 16)\n"
    "  --trace-image N     which test image (default 0, the first)\n"
    "  --trace-out DIR     where trace.csv and trace.png go (default axsim-trace)\n"
    "  --predictions FILE  every test image's label, predicted class and logits,\n"
    "                     as NPY (FILE.npy: float32, images x (2 + classes)) or CSV\n"
    "                     (any other name), to compare per image with another tool\n";

int ax_verb_eval(int argc, char **argv)
{
    net_job_t j;
    net_opts_defaults(&j.o, "eval");
    int rc = net_job_open(&j, argc, argv, NO_WEIGHTS | NO_TRACE, help);
    if (rc >= 0) return rc;
    cJSON *root = net_json_head(&j);
    double acc;
    rc = net_run_eval(&j, "eval", &acc, root);
    if (!rc) rc = net_snn_trace(&j);
    if (!rc && j.o.json) rc = ax_cli_write_json("eval", j.o.json, root);
    cJSON_Delete(root);
    net_job_close(&j);
    return rc;
}
