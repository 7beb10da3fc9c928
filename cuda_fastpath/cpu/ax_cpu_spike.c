/* ax_cpu_spike.c — the cpu backend's synapse of spiking networks
 * (ax_backend.h, ax_spike_shape_t; docs/fastpath.md, "The synapse of
 * spiking networks"), event-driven:
 *
 * Rows. A row is one output position (n, oy, ox); a linear layer's rows are
 * its images. For each row and group, the ascending list of the fold's
 * indices k = (ci*kh + ky)*kw + kx whose tap lies inside the input and holds
 * a spike is built once (lists of a block of rows, on every core); then every
 * output of the group is folded over that list, in its order. Inputs without
 * a spike are never touched again, and a fold visits exactly the k that
 * ax_syn_fold adds, in the same order: the same bits and flags.
 *
 * Native fp32 (no flags asked for, acc plain fp32 RNE, add_exact): ADD is the
 * IEEE fp32 addition (x86-64 SSE/AVX keep subnormals; -ffp-contract=off), so
 * the fold is native float additions of the converted weights. The weights
 * are converted once per call by the model's own ax_convert (in -> fp32: a
 * table per input format of at most 16 bits; fp32 itself as it is, its NaNs
 * included, since any NaN operand gives a NaN sum) and laid out k-major per
 * group, wt[g][k][o], so that acc[o] += wt[g][k][o] runs across the outputs
 * (16 lanes of an AVX-512 register, 8 registers: 128 outputs per chunk) while
 * each output's fold stays ascending in k. The accumulator starts at +0 and is
 * never -0 (+0 + -0 = +0 under RNE), as ax_syn_fold's; a NaN result becomes
 * the canonical NaN at the end (a NaN never leaves a fold, so this is the
 * same as canonicalizing each step).
 *
 * Generic (everything else): ax_syn_step on each (list entry, output), flags
 * ORed over the call. The multiplier is not used, so there is no LUT. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "ax_cpu.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SPK_HAVE_AVX512 1
#endif

enum {
    SPK_CH = 128,       /* native: outputs per chunk (8 AVX-512 registers) */
    SPK_LB = 16,        /* rows per list-building task */
    SPK_DEC = 48,       /* decode-table kind (ax_cpu_dec_table): the fp32 value */
    SPK_BUF_LIST = 0,   /* the engine's buffers (ax_cpu_grow) */
    SPK_BUF_CNT = 1,
    SPK_BUF_WT = 2,
    SPK_PF = 8          /* native: the weights of the list entry this far ahead are prefetched */
};
#define SPK_BLOCK_ENTRIES (INT64_C(1) << 22) /* list entries per block of rows */

typedef struct spk_ctx {
    const ax_mac_cfg_t *cfg;
    const ax_spike_shape_t *s;
    const uint8_t *spk;
    const uint32_t *w;  /* [oc][kf] as given (generic) */
    float *wt;          /* native: [g][kf][ocg], converted to fp32 */
    uint32_t *y;
    int64_t p;          /* oh*ow: rows per image */
    int64_t r0, nrows;  /* the block: rows r0 .. r0 + nrows - 1 */
    int32_t *list;      /* row rl of the block, group g: list + rl*ldl + g*kf */
    int32_t *cnt;       /* its length: cnt[rl*groups + g] */
    int64_t ldl;        /* c*kh*kw */
    int64_t rb, gpt;    /* fold tasks: rb rows x gpt groups */
    int linear;         /* 1 x 1 images, 1 x 1 kernels: the list is the row's nonzero bytes */
    int avx512;
    const ax_dec_table_t *tab; /* native: the decode table of cfg->in, or NULL */
    uint32_t flags;     /* ORed by every generic task */
} spk_ctx_t;

/* ---- the event lists ------------------------------------------------------------- */

/* The taps [*k0, *k1) of a kernel of k taps whose input index base + tap*d
 * lies in [0, n). */
static void tap_range(int64_t base, int64_t d, int64_t k, int64_t n, int64_t *k0, int64_t *k1)
{
    int64_t lo = base >= 0 ? 0 : (-base + d - 1) / d;
    int64_t hi = n - 1 - base < 0 ? 0 : (n - 1 - base) / d + 1;
    if (hi > k) hi = k;
    if (lo > hi) lo = hi;
    *k0 = lo, *k1 = hi;
}

/* The indices i < n with b[i] != 0, ascending, into out; their number.
 * Branch-free (out[c] is written for every input, kept when it spiked: c <=
 * i, so the write stays inside the list); eight inputs at a time are skipped
 * when none spiked. */
static int64_t nonzero(const uint8_t *b, int64_t n, int32_t *out)
{
    int64_t c = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, b + i, 8);
        if (!v) continue;
        for (int j = 0; j < 8; j++) out[c] = (int32_t)(i + j), c += b[i + j] != 0;
    }
    for (; i < n; i++) out[c] = (int32_t)i, c += b[i] != 0;
    return c;
}

static void list_task(void *vc, int64_t t)
{
    spk_ctx_t *c = vc;
    const ax_spike_shape_t *s = c->s;
    const int64_t hw = s->h * s->w;
    for (int64_t rl = t * SPK_LB; rl < (t + 1) * SPK_LB && rl < c->nrows; rl++) {
        const int64_t r = c->r0 + rl, n = r / c->p, pos = r % c->p, oy = pos / s->ow, ox = pos % s->ow;
        int64_t ky0, ky1, kx0, kx1;
        const int64_t by = oy * s->sh - s->ph, bx = ox * s->sw - s->pw; /* iy = by + ky*dh */
        tap_range(by, s->dh, s->kh, s->h, &ky0, &ky1);
        tap_range(bx, s->dw, s->kw, s->w, &kx0, &kx1);
        for (int64_t g = 0; g < s->groups; g++) {
            const uint8_t *sb = c->spk + (n * s->c + g * s->cg) * hw;
            int32_t *l = c->list + rl * c->ldl + g * s->kf;
            int64_t cnt = 0;
            if (c->linear) {
                cnt = nonzero(sb, s->kf, l);
            } else {
                for (int64_t ci = 0; ci < s->cg; ci++)
                    for (int64_t ky = ky0; ky < ky1; ky++) {
                        const uint8_t *row = sb + ci * hw + (by + ky * s->dh) * s->w + bx;
                        const int64_t k = (ci * s->kh + ky) * s->kw;
                        for (int64_t kx = kx0; kx < kx1; kx++) /* branch-free, as nonzero */
                            l[cnt] = (int32_t)(k + kx), cnt += row[kx * s->dw] != 0;
                    }
            }
            c->cnt[rl * s->groups + g] = (int32_t)cnt;
        }
    }
}

/* ---- native fp32 --------------------------------------------------------------------- */

/* The fp32 value of x of f: the model's conversion (in -> plain fp32 is exact
 * for finite values; :ftz and NaN rules as the model has them). */
static void spk_fill(uint32_t x, ax_format_t f, int kind, int param, float *v, int32_t *idx)
{
    (void)kind, (void)param;
    uint32_t fl = 0, b = ax_convert(x, f, ax_fmt_fp32(), &fl);
    memcpy(v, &b, 4);
    *idx = 0;
}

/* wt[g][k][o] = the fp32 value of w[g*ocg + o][k], for the k of block t
 * (SPK_KB of them) of group t / kblocks, 16 outputs at a time: 16 rows of w
 * read along k, SPK_KB rows of wt written 64 bytes each. */
enum { SPK_KB = 64, SPK_OB = 16 };
enum { CVT_PLAIN, CVT_TABLE, CVT_MODEL };

static inline __attribute__((always_inline)) void wt_tile(const spk_ctx_t *c, const uint32_t *src,
                                                          int64_t ldsrc, float *dst, int64_t lddst,
                                                          int64_t no, int64_t nk, const int mode)
{
    const ax_format_t f = c->cfg->in;
    const uint32_t mask = ax_fmt_width(f) >= 32 ? 0xFFFFFFFFu : (1u << ax_fmt_width(f)) - 1;
    for (int64_t k = 0; k < nk; k++)
        for (int64_t o = 0; o < no; o++) {
            const uint32_t x = src[o * ldsrc + k];
            float v;
            if (mode == CVT_PLAIN) { /* itself; a NaN stays a NaN */
                memcpy(&v, &x, 4);
            } else if (mode == CVT_TABLE) {
                v = c->tab->v[x & mask];
            } else {
                uint32_t fl = 0, b = ax_convert(x, f, c->cfg->acc, &fl);
                memcpy(&v, &b, 4);
            }
            dst[k * lddst + o] = v;
        }
}

static void wt_task(void *vc, int64_t t)
{
    const spk_ctx_t *c = vc;
    const ax_spike_shape_t *s = c->s;
    const int64_t kb = (s->kf + SPK_KB - 1) / SPK_KB, g = t / kb, k0 = t % kb * SPK_KB;
    const int64_t nk = k0 + SPK_KB < s->kf ? SPK_KB : s->kf - k0;
    const int mode = ax_fmt_plain_fp32(c->cfg->in) ? CVT_PLAIN : c->tab ? CVT_TABLE : CVT_MODEL;
    for (int64_t o0 = 0; o0 < s->ocg; o0 += SPK_OB) {
        const int64_t no = s->ocg - o0 < SPK_OB ? s->ocg - o0 : SPK_OB;
        const uint32_t *src = c->w + (g * s->ocg + o0) * s->kf + k0;
        float *dst = c->wt + (g * s->kf + k0) * s->ocg + o0;
        if (mode == CVT_PLAIN) wt_tile(c, src, s->kf, dst, s->ocg, no, nk, CVT_PLAIN);
        else if (mode == CVT_TABLE) wt_tile(c, src, s->kf, dst, s->ocg, no, nk, CVT_TABLE);
        else wt_tile(c, src, s->kf, dst, s->ocg, no, nk, CVT_MODEL);
    }
}

/* out[j] = +0 + wg[l[0]*ldw + j] + wg[l[1]*ldw + j] + ... for j < nl: each
 * lane's fold in list order. */
static void fold_scalar(const float *wg, int64_t ldw, const int32_t *l, int64_t cnt, int nl,
                        float *out)
{
    for (int j = 0; j < nl; j++) out[j] = 0.0f;
    for (int64_t i = 0; i < cnt; i++) {
        const float *p = wg + (int64_t)l[i] * ldw;
        for (int j = 0; j < nl; j++) out[j] = out[j] + p[j];
    }
}

#ifdef SPK_HAVE_AVX512
/* The same with NR registers of 16 lanes (the last one masked to nl); named
 * accumulators, so that they stay in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void
fold_avx512_n(const float *wg, int64_t ldw, const int32_t *l, int64_t cnt, int nl, float *out,
              const int NR)
{
    const int tail = nl - 16 * (NR - 1);
    const __mmask16 last = tail >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << tail) - 1);
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
#define SPK_LD(j) (NR - 1 == (j) ? _mm512_maskz_loadu_ps(last, p + 16 * (j)) : _mm512_loadu_ps(p + 16 * (j)))
    for (int64_t i = 0; i < cnt; i++) {
        const float *p = wg + (int64_t)l[i] * ldw;
        {
            const float *q = wg + (int64_t)l[i + SPK_PF < cnt ? i + SPK_PF : cnt - 1] * ldw;
            for (int j = 0; j < NR; j++) _mm_prefetch((const char *)(q + 16 * j), _MM_HINT_T0);
        }
        a0 = _mm512_add_ps(a0, SPK_LD(0));
        if (NR > 1) a1 = _mm512_add_ps(a1, SPK_LD(1));
        if (NR > 2) a2 = _mm512_add_ps(a2, SPK_LD(2));
        if (NR > 3) a3 = _mm512_add_ps(a3, SPK_LD(3));
        if (NR > 4) a4 = _mm512_add_ps(a4, SPK_LD(4));
        if (NR > 5) a5 = _mm512_add_ps(a5, SPK_LD(5));
        if (NR > 6) a6 = _mm512_add_ps(a6, SPK_LD(6));
        if (NR > 7) a7 = _mm512_add_ps(a7, SPK_LD(7));
    }
#undef SPK_LD
#define SPK_ST(j, a)                                                                               \
    (NR - 1 == (j) ? _mm512_mask_storeu_ps(out + 16 * (j), last, a) : _mm512_storeu_ps(out + 16 * (j), a))
    SPK_ST(0, a0);
    if (NR > 1) SPK_ST(1, a1);
    if (NR > 2) SPK_ST(2, a2);
    if (NR > 3) SPK_ST(3, a3);
    if (NR > 4) SPK_ST(4, a4);
    if (NR > 5) SPK_ST(5, a5);
    if (NR > 6) SPK_ST(6, a6);
    if (NR > 7) SPK_ST(7, a7);
#undef SPK_ST
}

__attribute__((target("avx512f"))) static void fold_avx512(const float *wg, int64_t ldw,
                                                           const int32_t *l, int64_t cnt, int nl,
                                                           float *out)
{
    switch ((nl + 15) / 16) {
    case 1: fold_avx512_n(wg, ldw, l, cnt, nl, out, 1); return;
    case 2: fold_avx512_n(wg, ldw, l, cnt, nl, out, 2); return;
    case 3: fold_avx512_n(wg, ldw, l, cnt, nl, out, 3); return;
    case 4: fold_avx512_n(wg, ldw, l, cnt, nl, out, 4); return;
    case 5: fold_avx512_n(wg, ldw, l, cnt, nl, out, 5); return;
    case 6: fold_avx512_n(wg, ldw, l, cnt, nl, out, 6); return;
    case 7: fold_avx512_n(wg, ldw, l, cnt, nl, out, 7); return;
    default: fold_avx512_n(wg, ldw, l, cnt, nl, out, 8); return;
    }
}
#endif

/* Fold task t: rows [rb0, rb0 + rb) of the block x groups [g0, g0 + gpt);
 * chunk by chunk, so that the rows share the chunk's columns of wt in the
 * cache. */
static void nat_task(void *vc, int64_t t)
{
    const spk_ctx_t *c = vc;
    const ax_spike_shape_t *s = c->s;
    const int64_t nrb = (c->nrows + c->rb - 1) / c->rb, rb0 = t % nrb * c->rb, g0 = t / nrb * c->gpt;
    const int64_t rb1 = rb0 + c->rb < c->nrows ? rb0 + c->rb : c->nrows;
    const int64_t g1 = g0 + c->gpt < s->groups ? g0 + c->gpt : s->groups;
    float out[SPK_CH];
    for (int64_t g = g0; g < g1; g++)
        for (int64_t o0 = 0; o0 < s->ocg; o0 += SPK_CH) {
            const int nl = s->ocg - o0 < SPK_CH ? (int)(s->ocg - o0) : SPK_CH;
            const float *wg = c->wt + g * s->kf * s->ocg + o0;
            for (int64_t rl = rb0; rl < rb1; rl++) {
                const int64_t r = c->r0 + rl, n = r / c->p, pos = r % c->p;
                const int32_t *l = c->list + rl * c->ldl + g * s->kf;
                const int64_t cnt = c->cnt[rl * s->groups + g];
#ifdef SPK_HAVE_AVX512
                if (c->avx512) fold_avx512(wg, s->ocg, l, cnt, nl, out);
                else
#endif
                    fold_scalar(wg, s->ocg, l, cnt, nl, out);
                uint32_t *yo = c->y + (n * s->oc + g * s->ocg + o0) * c->p + pos;
                for (int j = 0; j < nl; j++) {
                    uint32_t bits;
                    memcpy(&bits, &out[j], 4);
                    if (out[j] != out[j]) bits = UINT32_C(0x7FC00000); /* the canonical NaN */
                    yo[j * c->p] = bits;
                }
            }
        }
}

/* ---- generic ------------------------------------------------------------------------ */

static void gen_task(void *vc, int64_t t)
{
    spk_ctx_t *c = vc;
    const ax_spike_shape_t *s = c->s;
    const ax_mac_cfg_t *cfg = c->cfg;
    const int64_t nrb = (c->nrows + c->rb - 1) / c->rb, rb0 = t % nrb * c->rb, g0 = t / nrb * c->gpt;
    const uint32_t zero = ax_fmt_zero(0, cfg->acc);
    uint32_t fl = 0;
    for (int64_t rl = rb0; rl < rb0 + c->rb && rl < c->nrows; rl++) {
        const int64_t r = c->r0 + rl, n = r / c->p, pos = r % c->p;
        for (int64_t g = g0; g < g0 + c->gpt && g < s->groups; g++) {
            const int32_t *l = c->list + rl * c->ldl + g * s->kf;
            const int64_t cnt = c->cnt[rl * s->groups + g];
            for (int64_t o = g * s->ocg; o < (g + 1) * s->ocg; o++) {
                const uint32_t *wo = c->w + o * s->kf;
                uint32_t acc = zero;
                for (int64_t i = 0; i < cnt; i++) acc = ax_syn_step(cfg, acc, wo[l[i]], &fl);
                c->y[(n * s->oc + o) * c->p + pos] = acc;
            }
        }
    }
    if (fl) __atomic_fetch_or(&c->flags, fl, __ATOMIC_RELAXED);
}

/* ---- entry ---------------------------------------------------------------------------- */

int ax_cpu_spike(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_spike_shape_t *s,
                 const uint8_t *spk, const uint32_t *w, uint32_t *y, uint32_t *flags, char *err,
                 size_t errlen)
{
    if (!x->state && !(x->state = calloc(1, sizeof(ax_cpu_state_t))))
        return ax_fail(err, errlen, "out of memory (cpu backend state)");
    if (s->kf > INT32_MAX)
        return ax_fail(err, errlen,
                       "synapse: a fold of %lld terms is too long for the cpu backend (at most %d)",
                       (long long)s->kf, INT32_MAX);
    spk_ctx_t c;
    memset(&c, 0, sizeof c);
    c.cfg = cfg, c.s = s, c.spk = spk, c.w = w, c.y = y;
    c.p = s->oh * s->ow;
    c.ldl = s->groups * s->kf; /* = c*kh*kw */
    /* 1 x 1 images and kernels, no padding: the one tap of every input is inside */
    c.linear = s->h == 1 && s->w == 1 && s->kh == 1 && s->kw == 1 && s->ph == 0 && s->pw == 0;
    c.avx512 = ax_cpu_use_avx512(x);
    const int native = !flags && ax_fmt_plain_fp32(cfg->acc) && cfg->add.id == AX_ADD_EXACT &&
                       x->opts.cpu_path != AX_CPU_PATH_GENERIC;
    const int64_t rows = s->n * c.p;
    /* a block of rows whose lists fill about SPK_BLOCK_ENTRIES entries (at least one row) */
    const int64_t per = SPK_BLOCK_ENTRIES / c.ldl, blk = per < 1 ? 1 : per < rows ? per : rows;
    int64_t nl_elems, nc_elems, nw_elems = 0;
    if (__builtin_mul_overflow(blk, c.ldl, &nl_elems) || __builtin_mul_overflow(blk, s->groups, &nc_elems) ||
        (native && __builtin_mul_overflow(s->oc, s->kf, &nw_elems)))
        return ax_fail(err, errlen, "synapse: buffers too large");
    c.list = ax_cpu_grow(x, SPK_BUF_LIST, (size_t)nl_elems * sizeof(int32_t));
    c.cnt = c.list ? ax_cpu_grow(x, SPK_BUF_CNT, (size_t)nc_elems * sizeof(int32_t)) : NULL;
    if (!c.cnt || (native && !(c.wt = ax_cpu_grow(x, SPK_BUF_WT, (size_t)(nw_elems + 1) * sizeof(float)))))
        return ax_fail(err, errlen,
                       "out of memory (synapse: event lists of %lld rows x %lld inputs%s)",
                       (long long)blk, (long long)c.ldl, native ? ", converted weights" : "");
    if (native) {
        if (!ax_fmt_plain_fp32(cfg->in) && ax_fmt_width(cfg->in) <= 16)
            c.tab = ax_cpu_dec_table(x, cfg->in, SPK_DEC, 0, spk_fill); /* NULL: convert each */
        ax_parallel_for(x->threads, s->groups * ((s->kf + SPK_KB - 1) / SPK_KB), wt_task, &c);
        x->last_path = c.avx512 ? "cpu synapse native fp32 (AVX-512)"
                                : "cpu synapse native fp32 (portable C)";
    } else {
        x->last_path = "cpu synapse generic";
    }
    /* fold tasks: gpt groups (so that a task has about SPK_CH outputs when the
     * groups are small) x rb rows (about 8 tasks per thread) */
    c.gpt = s->ocg >= SPK_CH ? 1 : (SPK_CH / s->ocg < s->groups ? SPK_CH / s->ocg : s->groups);
    const int64_t ngb = (s->groups + c.gpt - 1) / c.gpt;
    for (int64_t r0 = 0; r0 < rows; r0 += blk) {
        c.r0 = r0, c.nrows = rows - r0 < blk ? rows - r0 : blk;
        ax_parallel_for(x->threads, (c.nrows + SPK_LB - 1) / SPK_LB, list_task, &c);
        int64_t want = 8 * (int64_t)x->threads;
        want = want / ngb > 0 ? want / ngb : 1; /* row blocks wanted */
        c.rb = c.nrows / want > 16 ? 16 : c.nrows / want > 0 ? c.nrows / want : 1;
        const int64_t nrb = (c.nrows + c.rb - 1) / c.rb;
        ax_parallel_for(x->threads, nrb * ngb, native ? nat_task : gen_task, &c);
    }
    if (flags) *flags |= c.flags;
    return 0;
}
