/* ax_cpu_generic.c — the cpu backend's generic path: any MAC configuration,
 * flags or not: the models' own stages on pre-unpacked operands
 * (ax_mac_step.h, the step the cuda backend runs too), the significand LUT
 * where it fits. */
#define _POSIX_C_SOURCE 200809L
#include "ax_cpu.h"

#include <stdlib.h>
#include <string.h>

enum { GEN_ROWS = 8 };

typedef struct gen_ctx {
    const ax_mac_cfg_t *cfg;
    const ax_gemm_shape_t *s;
    const ax_unpacked_t *a; /* op(A) rows, [m][k] */
    const ax_unpacked_t *b; /* op(B) columns, [n][k] */
    const uint32_t *lut;    /* significand table or NULL */
    int lut_shift;
    uint32_t *C;
    uint32_t flags;
} gen_ctx_t;

static uint32_t gen_fold(const gen_ctx_t *g, const ax_unpacked_t *a, const ax_unpacked_t *b,
                         int64_t k0, int64_t k1, uint32_t *fl)
{
    const ax_mac_cfg_t *c = g->cfg;
    const int conv = !ax_fmt_eq(c->prod, c->acc);
    uint32_t acc = ax_fmt_zero(0, c->acc);
    for (int64_t p = k0; p < k1; p++) acc = ax_step_mac(c, conv, acc, a[p], b[p], g->lut, g->lut_shift, 0, fl);
    return acc;
}

static void gen_task(void *p, int64_t t)
{
    gen_ctx_t *g = p;
    const ax_gemm_shape_t *s = g->s;
    const int64_t k = s->k, chunk = s->chunk > 0 && s->chunk < k ? s->chunk : 0;
    uint32_t fl = 0;
    int64_t i1 = (t + 1) * GEN_ROWS < s->m ? (t + 1) * GEN_ROWS : s->m;
    for (int64_t i = t * GEN_ROWS; i < i1; i++)
        for (int64_t j = 0; j < s->n; j++) {
            const ax_unpacked_t *a = g->a + i * k, *b = g->b + j * k;
            uint32_t r;
            if (!chunk) {
                r = gen_fold(g, a, b, 0, k, &fl);
            } else {
                r = ax_fmt_zero(0, g->cfg->acc);
                for (int64_t k0 = 0; k0 < k; k0 += chunk) {
                    uint32_t part = gen_fold(g, a, b, k0, k0 + chunk < k ? k0 + chunk : k, &fl);
                    r = ax_unit_apply(g->cfg->add, r, part, g->cfg->acc, g->cfg->acc, &fl);
                }
            }
            g->C[i * s->ldc + j] = r;
        }
    __atomic_fetch_or(&g->flags, fl, __ATOMIC_RELAXED);
}

int ax_cpu_generic(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                        const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                        char *err, size_t errlen)
{
    const int64_t m = s->m, n = s->n, k = s->k;
    ax_unpacked_t *a = malloc((size_t)(m * k + 1) * sizeof *a);
    ax_unpacked_t *b = malloc((size_t)(n * k + 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return ax_fail(err, errlen, "out of memory (GEMM %lldx%lldx%lld)", (long long)m,
                       (long long)n, (long long)k);
    }
    gen_ctx_t g;
    memset(&g, 0, sizeof g);
    g.cfg = cfg, g.s = s, g.a = a, g.b = b;
    if (ax_lut_supported(cfg->mul, cfg->in)) {
        ax_lut_t *l = ax_lut_get(&x->luts, cfg->mul, cfg->in.mbits);
        if (l && ax_lut_fits(l, cfg->prod)) g.lut = l->sig, g.lut_shift = l->shift;
    }
    for (int64_t bi = 0; bi < s->batch; bi++) {
        const uint32_t *Ab = A + bi * s->stride_a, *Bb = B + bi * s->stride_b;
        for (int64_t i = 0; i < m; i++)
            for (int64_t p = 0; p < k; p++) a[i * k + p] = ax_unpack(Ab[ax_a_index(s, i, p)], cfg->in);
        for (int64_t j = 0; j < n; j++)
            for (int64_t p = 0; p < k; p++) b[j * k + p] = ax_unpack(Bb[ax_b_index(s, p, j)], cfg->in);
        g.C = C + bi * s->stride_c;
        ax_parallel_for(x->threads, (m + GEN_ROWS - 1) / GEN_ROWS, gen_task, &g);
    }
    free(a);
    free(b);
    if (flags) *flags |= g.flags;
    return 0;
}
