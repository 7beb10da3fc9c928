/* ax_ref.c — the ref backend, the oracle: ax_mac_fold_chunked of the C
 * models on a copy of each row and column, one thread. */
#include <stdlib.h>

#include "ax_backend.h"

static int gemm_ref(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                    const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                    char *err, size_t errlen)
{
    x->last_path = "ref";
    size_t k = (size_t)s->k;
    uint32_t *a = malloc((k + 1) * sizeof *a), *b = malloc((k + 1) * sizeof *b), fl = 0;
    if (!a || !b) {
        free(a);
        free(b);
        return ax_fail(err, errlen, "out of memory (GEMM k=%zu)", k);
    }
    for (int64_t bi = 0; bi < s->batch; bi++) {
        const uint32_t *Ab = A + bi * s->stride_a, *Bb = B + bi * s->stride_b;
        uint32_t *Cb = C + bi * s->stride_c;
        for (int64_t i = 0; i < s->m; i++) {
            for (size_t p = 0; p < k; p++) a[p] = Ab[ax_a_index(s, i, (int64_t)p)];
            for (int64_t j = 0; j < s->n; j++) {
                for (size_t p = 0; p < k; p++) b[p] = Bb[ax_b_index(s, (int64_t)p, j)];
                Cb[i * s->ldc + j] = ax_mac_fold_chunked(cfg, a, b, k, (size_t)s->chunk, &fl);
            }
        }
    }
    free(a);
    free(b);
    if (flags) *flags |= fl;
    return 0;
}

const ax_backend_ops_t ax_backend_ref = {NULL, gemm_ref, NULL, NULL, NULL};
