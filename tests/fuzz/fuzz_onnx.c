/* fuzz_onnx.c — the ONNX importer ax_onnx_load (networks/ax_onnx.c: the
 * protobuf-c reader, the graph's sort, every operator's checks) on any
 * file. An accepted model is whole: a classifier of at least two classes
 * whose nodes read earlier nodes or the input, whose parameters all have
 * values, with a notes string that fits. A refusal's message quotes no
 * control byte of the file's names. */
#include "ax_onnx.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024], notes[512];
    memset(err, 0x55, sizeof err);
    ax_model_t *m = ax_onnx_load(fuzz_file(data, size), notes, sizeof notes, err, sizeof err);
    if (m) {
        CHECK(m->classes >= 2 && m->nnodes >= 1, "%d classes, %d nodes", m->classes, m->nnodes);
        CHECK(m->in_c >= 1 && m->in_h >= 1 && m->in_w >= 1, "input %lldx%lldx%lld", (long long)m->in_c,
              (long long)m->in_h, (long long)m->in_w);
        for (int i = 0; i < m->nnodes; i++)
            for (int k = 0; k < 2; k++)
                CHECK(m->node[i].in[k] >= -1 && m->node[i].in[k] < i, "node %d reads %d", i, m->node[i].in[k]);
        for (int p = 0; p < m->nparams; p++) {
            volatile float sink = 0;
            for (int64_t k = 0; k < m->param[p].count; k++) sink += m->param[p].w[k];
            (void)sink;
        }
        CHECK(memchr(notes, 0, sizeof notes) != NULL, "notes not terminated");
        ax_model_free(m);
    } else {
        fuzz_check_err_text(err, sizeof err); /* the path is /proc/self/fd/N */
    }
    return 0;
}
