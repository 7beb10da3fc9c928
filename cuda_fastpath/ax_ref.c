/* ax_ref.c — the ref backend, the oracle: ax_mac_fold_chunked of the C
 * models on a copy of each row and column, one thread; the synapse of
 * spikes is ax_syn_fold on each output's spike and weight vectors. */
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

/* The synapse, literally: for each output element, its fold's spikes (0 for
 * a tap in the padding) and weights as two vectors, then ax_syn_fold. */
static int spike_ref(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                     const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags,
                     char *err, size_t errlen)
{
    x->last_path = "ref";
    const size_t kf = (size_t)s->kf, khw = (size_t)(s->kh * s->kw);
    uint8_t *sv = malloc(kf);
    uint32_t fl = 0;
    if (!sv) return ax_fail(err, errlen, "out of memory (synapse of %zu terms)", kf);
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t o = 0; o < s->oc; o++) {
            const int64_t g = o / s->ocg;
            for (int64_t oy = 0; oy < s->oh; oy++)
                for (int64_t ox = 0; ox < s->ow; ox++) {
                    for (int64_t ci = 0; ci < s->cg; ci++)
                        for (int64_t ky = 0; ky < s->kh; ky++)
                            for (int64_t kx = 0; kx < s->kw; kx++) {
                                const int64_t iy = oy * s->sh - s->ph + ky * s->dh;
                                const int64_t ix = ox * s->sw - s->pw + kx * s->dw;
                                const int in = iy >= 0 && iy < s->h && ix >= 0 && ix < s->w;
                                sv[(size_t)ci * khw + (size_t)(ky * s->kw + kx)] =
                                    in ? spk[((n * s->c + g * s->cg + ci) * s->h + iy) * s->w + ix] : 0;
                            }
                    y[((n * s->oc + o) * s->oh + oy) * s->ow + ox] =
                        ax_syn_fold(cfg, sv, w + o * s->kf, kf, &fl);
                }
        }
    free(sv);
    if (flags) *flags |= fl;
    return 0;
}

static int gemm_daa_ref(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                        const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                        ax_daa_count_t *cnt, char *err, size_t errlen)
{
    x->last_path = "ref daa";
    return ax_daa_gemm_host(1, cfg, s, A, B, C, flags, cnt, err, errlen);
}

const ax_backend_ops_t ax_backend_ref = {NULL, gemm_ref, NULL, NULL, NULL, spike_ref, gemm_daa_ref};
