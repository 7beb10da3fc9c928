/* ax_daa_gemm.c — a GEMM under a DAA configuration (ax_daa.h) on the host:
 * every output element is ax_daa_fold_chunked of its row, its partner row
 * and its column, the same function the cuda backend runs per thread. The
 * ref backend runs it on one thread, the cpu backend on all. */
#include <stdlib.h>

#include "ax_backend.h"
#include "ax_daa.h"

typedef struct daa_ctx {
    const ax_mac_cfg_t *cfg;
    const ax_gemm_shape_t *s;
    const uint32_t *A, *B;
    uint32_t *C;
    uint32_t *flags;        /* per task */
    ax_daa_count_t *cnt;    /* per task */
} daa_ctx_t;

/* task t: row t % m of batch item t / m, every column */
static void daa_task(void *vc, int64_t t)
{
    const daa_ctx_t *c = vc;
    const ax_gemm_shape_t *s = c->s;
    int stream;
    const int64_t b = t / s->m, i = t % s->m, pi = ax_daa_pair_row(i, s->m, s->pair_rows, &stream);
    const uint32_t *Ab = c->A + b * s->stride_a, *Bb = c->B + b * s->stride_b;
    const int64_t sa = s->trans_a ? s->lda : 1, sb = s->trans_b ? 1 : s->ldb;
    const uint32_t *row = Ab + ax_a_index(s, i, 0);
    const uint32_t *prow = pi >= 0 ? Ab + ax_a_index(s, pi, 0) : NULL;
    uint32_t fl = 0;
    ax_daa_count_t n = {0, 0};
    for (int64_t j = 0; j < s->n; j++)
        c->C[b * s->stride_c + i * s->ldc + j] =
            ax_daa_fold_chunked(c->cfg, row, prow, stream, Bb + ax_b_index(s, 0, j), sa, sb, s->k,
                                s->chunk, &fl, &n);
    c->flags[t] = fl;
    c->cnt[t] = n;
}

int ax_daa_gemm_host(int threads, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                     const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                     ax_daa_count_t *cnt, char *err, size_t errlen)
{
    const int64_t tasks = s->batch * s->m;
    daa_ctx_t c = {cfg, s, A, B, C, malloc((size_t)tasks * sizeof(uint32_t)),
                   malloc((size_t)tasks * sizeof(ax_daa_count_t))};
    if (!c.flags || !c.cnt) {
        free(c.flags);
        free(c.cnt);
        return ax_fail(err, errlen, "out of memory (DAA GEMM of %lld rows)", (long long)tasks);
    }
    ax_parallel_for(threads, tasks, daa_task, &c);
    uint32_t fl = 0;
    for (int64_t t = 0; t < tasks; t++) {
        fl |= c.flags[t];
        cnt->nonzero += c.cnt[t].nonzero;
        cnt->hi += c.cnt[t].hi;
    }
    if (flags) *flags |= fl;
    free(c.flags);
    free(c.cnt);
    return 0;
}
