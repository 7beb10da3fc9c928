/* fuzz_ckpt.c — the safetensors checkpoint reader ax_ckpt_load
 * (networks/ax_ckpt.c), header JSON and metadata included, on any file. An
 * accepted checkpoint is whole: every tensor findable by its name, count the
 * product of its dims, every value readable, every metadata entry findable. */
#include "ax_ckpt.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ax_ckpt_t c;
    char err[1024];
    memset(&c, 0, sizeof c);
    memset(err, 0x55, sizeof err);
    if (ax_ckpt_load(fuzz_file(data, size), &c, err, sizeof err) == 0) {
        CHECK(c.n >= 0 && (c.n == 0 || c.t), "%d tensors", c.n);
        for (int i = 0; i < c.n; i++) {
            const ax_ckpt_tensor_t *t = &c.t[i];
            CHECK(t->name && ax_ckpt_find(&c, t->name) == t, "tensor %d not found by name", i);
            CHECK(t->ndim >= 0 && t->ndim <= AX_CKPT_MAX_DIMS, "ndim %d", t->ndim);
            int64_t count = 1;
            for (int d = 0; d < t->ndim; d++) {
                CHECK(t->dims[d] >= 0, "dim %lld", (long long)t->dims[d]);
                count *= t->dims[d];
            }
            CHECK(count == t->count, "%s: count %lld, dims give %lld", t->name,
                  (long long)t->count, (long long)count);
            CHECK(t->count == 0 || t->data, "%s: no data", t->name);
            volatile float sink = 0;
            for (int64_t k = 0; k < t->count; k++) sink += t->data[k];
            (void)sink;
        }
        for (int i = 0; i < c.nmeta; i++)
            CHECK(c.meta_key[i] && c.meta_value[i] && ax_ckpt_meta(&c, c.meta_key[i]),
                  "metadata %d not found", i);
        ax_ckpt_free(&c);
    } else {
        fuzz_check_err(err, sizeof err);
    }
    return 0;
}
