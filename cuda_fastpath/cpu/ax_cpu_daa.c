/* ax_cpu_daa.c — the cpu backend's fast DAA path (ax_daa.h; docs/fastpath.md,
 * "DAA"). It takes the configurations whose every step is IEEE fp32
 * arithmetic: hi and lo both mul_exact, in within fp32 (at most 8 exponent
 * and 23 fraction bits), product and accumulator plain fp32, add_exact, no
 * flags asked for. Then each product is one correctly rounded fp32 multiply
 * of the operands' values (in, or rounded to lo_in by ax_convert) and each
 * accumulation one fp32 add: what mul_exact and add_exact compute, bit for
 * bit, as on the native path (ax_cpu_native.c). Operands holding an inf or a
 * NaN, and every other configuration, go to the generic path (-2). Operands
 * of at most 16 bits decode through a table of both values (the engine's
 * cache, ax_cpu_dec_table); the columns fold in blocks of 64, built for
 * AVX-512 too.
 *
 * The controller: with A and B finite, the static, zero and value policies
 * decide from the pair's two A operands alone when b is non-zero (the
 * exponent of b adds to both magnitudes) and give hi to stream 0 when b is
 * zero (two zero products tie); so each pair step k has one decision,
 * made once, and the column loop runs branch-free. The random policy hashes
 * every step's three operands (ax_daa_hash), as the model does. */
#define _POSIX_C_SOURCE 200809L
#include "ax_cpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ax_daa.h"
#include "ax_pool.h"

/* One batch item's GEMM. */
typedef struct daa_fast {
    const ax_mac_cfg_t *cfg;
    const ax_gemm_shape_t *s;
    const uint32_t *A, *B;
    uint32_t *C;
    float *va, *la;       /* m x k: A's values, in and rounded to lo_in */
    int16_t *key;         /* m x k: A's magnitude keys (mag_key) */
    float *vb, *lb;       /* k x n: B's values, the same */
    uint32_t *bb;         /* k x n: B's bits (the random policy's hash) */
    int64_t *bnz;         /* k: B's non-zero values in row k */
    int special;          /* an inf or NaN met: the generic path */
    ax_daa_count_t *cnt;  /* per row task */
    int oom;
    int avx512;           /* the column blocks' AVX-512 build */
    const ax_dec_table_t *tab; /* in's values and lo values (in of at most 16 bits) */
} daa_fast_t;

/* x of f as a float (exact: f is within fp32); an inf or NaN sets *special
 * and gives its own float (the lo operands may round to them) */
static float dec(uint32_t x, ax_format_t f, int *special)
{
    const ax_unpacked_t u = ax_unpack(x, f);
    switch (u.cls) {
    case AX_CLS_ZERO: return u.sign ? -0.0f : 0.0f;
    case AX_CLS_FINITE: {
        const float v = ldexpf((float)u.sig, u.exp - (int)f.mbits);
        return u.sign ? -v : v;
    }
    case AX_CLS_INF: *special = 1; return u.sign ? -INFINITY : INFINITY;
    default: *special = 1; return NAN;
    }
}

/* x of in, and x rounded to lo_in (ax_daa_product's rounding), as floats */
static void dec_pair(const ax_mac_cfg_t *c, uint32_t x, float *v, float *l, int *special)
{
    *v = dec(x, c->in, special);
    if (ax_fmt_eq(c->daa.lo_in, c->in)) {
        *l = *v;
        return;
    }
    uint32_t fl = 0;
    int lo_special = 0; /* a finite operand may round to inf or NaN: that is lo's result */
    *l = dec(ax_convert(x, c->in, c->daa.lo_in, &fl), c->daa.lo_in, &lo_special);
}

/* The decode table of in formats of at most 16 bits (ax_cpu_dec_table):
 * v the value in in, idx the float bits of its rounding to lo_in, which
 * param packs (the bias follows from the exponent bits); an inf or NaN in in
 * is an inf or NaN v */
enum { DEC_DAA = 100 };
static int pack_fmt(ax_format_t f)
{
    return f.ebits | f.mbits << 8 | f.flags << 16 | f.round << 24;
}

static void dec_fill(uint32_t x, ax_format_t f, int kind, int param, float *v, int32_t *idx)
{
    (void)kind;
    ax_mac_cfg_t c;
    memset(&c, 0, sizeof c);
    c.in = f;
    c.daa.lo_in.ebits = (uint8_t)(param & 0xff), c.daa.lo_in.mbits = (uint8_t)(param >> 8 & 0xff);
    c.daa.lo_in.flags = (uint8_t)(param >> 16 & 0xff), c.daa.lo_in.round = (uint8_t)(param >> 24 & 0xff);
    c.daa.lo_in.bias = (1 << (c.daa.lo_in.ebits - 1)) - 1;
    int special = 0;
    float l;
    dec_pair(&c, x, v, &l, &special);
    memcpy(idx, &l, 4);
}

/* x's value and lo value, through the table when there is one */
static inline void dec_one(const daa_fast_t *d, uint32_t x, float *v, float *l, int *special)
{
    if (d->tab) {
        *v = d->tab->v[x];
        memcpy(l, &d->tab->idx[x], 4);
        if (!isfinite(*v)) *special = 1;
    } else {
        dec_pair(d->cfg, x, v, l, special);
    }
}

/* The controller's view of a finite value v of in: its unbiased exponent,
 * subnormals normalized (ax_unpack's exp of the same value), INT16_MIN for
 * a zero (an :ftz subnormal decodes to zero) */
static inline int16_t mag_key(float v)
{
    uint32_t b;
    memcpy(&b, &v, 4);
    b &= 0x7fffffffu;
    if (!b) return INT16_MIN;
    if (b >> 23) return (int16_t)((int)(b >> 23) - 127);
    return (int16_t)(-118 - __builtin_clz(b)); /* b x 2^-149, leading bit 31 - clz */
}

/* task t < m: row t of op(A); else row t - m of op(B) */
static void dec_task(void *p, int64_t t)
{
    daa_fast_t *d = p;
    const ax_gemm_shape_t *s = d->s;
    int special = 0;
    if (t < s->m) {
        for (int64_t q = 0; q < s->k; q++) {
            dec_one(d, d->A[ax_a_index(s, t, q)], &d->va[t * s->k + q], &d->la[t * s->k + q], &special);
            d->key[t * s->k + q] = mag_key(d->va[t * s->k + q]);
        }
    } else {
        const int64_t q = t - s->m;
        int64_t nz = 0;
        for (int64_t j = 0; j < s->n; j++) {
            const uint32_t x = d->B[ax_b_index(s, q, j)];
            dec_one(d, x, &d->vb[q * s->n + j], &d->lb[q * s->n + j], &special);
            nz += d->vb[q * s->n + j] != 0.0f;
            if (d->bb) d->bb[q * s->n + j] = x;
        }
        d->bnz[q] = nz;
    }
    if (special) __atomic_store_n(&d->special, 1, __ATOMIC_RELAXED);
}

/* The static, zero and value policies' decision for b finite and non-zero,
 * from the pair's keys: 1 when stream 1 gets hi (ax_daa_decide; a0, a1
 * finite: the exponent of b adds to both magnitudes) */
static inline int decide_fin(int policy, int16_t k0, int16_t k1)
{
    if (policy == AX_DAA_ZERO) return k0 == INT16_MIN && k1 != INT16_MIN;
    if (policy == AX_DAA_VALUE) return k1 != INT16_MIN && (k0 == INT16_MIN || k1 > k0);
    return 0;
}

/* The pair's columns [j0, j0 + jn), jn <= JB, over the steps [q0, q1):
 * acc0 and acc1 (stream 0's and 1's sums of those columns) in place. d1[q]:
 * the static, zero and value policies' decision where b is non-zero; the
 * random policy hashes each step instead and counts into n. The body is
 * compiled twice: for AVX-512 and for the baseline ISA. */
enum { JB = 64 };
#define DAA_BLOCK_BODY                                                                          \
    const ax_gemm_shape_t *s = d->s;                                                            \
    const int64_t N = s->n, K = s->k;                                                           \
    float a0[JB], a1[JB];                                                                       \
    for (int64_t j = 0; j < jn; j++) a0[j] = acc0[j], a1[j] = acc1[j];                         \
    for (int64_t q = q0; q < q1; q++) {                                                         \
        const float x0 = d->va[i0 * K + q], y0 = d->la[i0 * K + q];                             \
        const float *bv = d->vb + q * N + j0, *bl = d->lb + q * N + j0;                        \
        if (i1 < 0) { /* hi to itself */                                                        \
            for (int64_t j = 0; j < jn; j++) a0[j] += x0 * bv[j];                               \
            continue;                                                                           \
        }                                                                                       \
        const float x1 = d->va[i1 * K + q], y1 = d->la[i1 * K + q];                             \
        if (rnd) { /* the hash's pair part once, its column part per b */                     \
            const ax_mac_cfg_t *c = d->cfg;                                                     \
            const uint32_t hp = ax_daa_hash_pair(c->daa.seed, (uint64_t)q,                      \
                                                 d->A[ax_a_index(s, i0, q)],                    \
                                                 d->A[ax_a_index(s, i1, q)]);                   \
            const uint32_t *bits = d->bb + q * N + j0;                                          \
            uint32_t hs[JB];                                                                    \
            for (int64_t j = 0; j < jn; j++) hs[j] = ax_daa_mix(ax_daa_mix(hp ^ bits[j])) >> 31; \
            for (int64_t j = 0; j < jn; j++) {                                                  \
                a0[j] += hs[j] ? y0 * bl[j] : x0 * bv[j];                                       \
                a1[j] += hs[j] ? x1 * bv[j] : y1 * bl[j];                                       \
            }                                                                                   \
            uint64_t nzb = 0, h1 = 0;                                                           \
            for (int64_t j = 0; j < jn; j++) nzb += bv[j] != 0.0f, h1 += hs[j] && bv[j] != 0.0f; \
            n->nonzero += ((uint64_t)(x0 != 0.0f) + (uint64_t)(x1 != 0.0f)) * nzb;              \
            n->hi += (x0 != 0.0f) * (nzb - h1) + (x1 != 0.0f) * h1;                             \
        } else if (!d1[q]) {                                                                    \
            for (int64_t j = 0; j < jn; j++) a0[j] += x0 * bv[j], a1[j] += y1 * bl[j];          \
        } else { /* stream 1 has hi where b is non-zero */                                      \
            for (int64_t j = 0; j < jn; j++) {                                                  \
                const int h = bv[j] != 0.0f;                                                    \
                a0[j] += h ? y0 * bl[j] : x0 * bv[j];                                           \
                a1[j] += h ? x1 * bv[j] : y1 * bl[j];                                           \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    for (int64_t j = 0; j < jn; j++) acc0[j] = a0[j], acc1[j] = a1[j];

#define DAA_BLOCK_ARGS                                                                          \
    const daa_fast_t *d, int64_t i0, int64_t i1, int64_t q0, int64_t q1, int64_t j0, int64_t jn, \
        const uint8_t *d1, int rnd, float *acc0, float *acc1, ax_daa_count_t *n

static void block_base(DAA_BLOCK_ARGS) { DAA_BLOCK_BODY }
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f"))) static void block_avx512(DAA_BLOCK_ARGS) { DAA_BLOCK_BODY }
#else
#define block_avx512 block_base
#endif

/* The chunk [q0, q1) of the pair (i0, i1) (i1 < 0: no partner) into acc0
 * and acc1, every column, block by block; the counts into n */
static void fold_chunk(const daa_fast_t *d, int64_t i0, int64_t i1, int64_t q0, int64_t q1,
                       const uint8_t *d1, float *acc0, float *acc1, ax_daa_count_t *n)
{
    const int64_t N = d->s->n, K = d->s->k;
    const int rnd = d->cfg->daa.policy == AX_DAA_RANDOM && i1 >= 0;
    for (int64_t j0 = 0; j0 < N; j0 += JB) {
        const int64_t jn = N - j0 < JB ? N - j0 : JB;
        (d->avx512 ? block_avx512 : block_base)(d, i0, i1, q0, q1, j0, jn, d1, rnd, acc0 + j0,
                                                acc1 + j0, n);
    }
    if (rnd) return;
    /* the counts, step by step: non-zero b times non-zero a, hi by d1 */
    for (int64_t q = q0; q < q1; q++) {
        const uint64_t nb = (uint64_t)d->bnz[q];
        const float x0 = d->va[i0 * K + q];
        if (i1 < 0) {
            if (x0 != 0.0f) n->nonzero += nb, n->hi += nb;
            continue;
        }
        const float x1 = d->va[i1 * K + q];
        n->nonzero += ((uint64_t)(x0 != 0.0f) + (uint64_t)(x1 != 0.0f)) * nb;
        n->hi += (d1[q] ? x1 != 0.0f : x0 != 0.0f) ? nb : 0;
    }
}

static void store(uint32_t *row, const float *acc, int64_t n)
{
    for (int64_t j = 0; j < n; j++) {
        uint32_t bits;
        memcpy(&bits, &acc[j], 4);
        row[j] = acc[j] != acc[j] ? UINT32_C(0x7FC00000) : bits; /* the canonical NaN */
    }
}

/* task t: row t of op(A) when it is a pair's stream 0 or has no partner */
static void row_task(void *p, int64_t t)
{
    daa_fast_t *d = p;
    const ax_gemm_shape_t *s = d->s;
    int stream;
    const int64_t i1 = ax_daa_pair_row(t, s->m, s->pair_rows, &stream), N = s->n, K = s->k;
    if (stream) return;
    float *buf = malloc((size_t)N * 4 * sizeof(float) + (size_t)K);
    if (!buf) {
        __atomic_store_n(&d->oom, 1, __ATOMIC_RELAXED);
        return;
    }
    float *acc0 = buf, *acc1 = buf + N, *part0 = buf + 2 * N, *part1 = buf + 3 * N;
    uint8_t *d1 = (uint8_t *)(buf + 4 * N); /* the decisions where b is non-zero */
    const int policy = d->cfg->daa.policy;
    for (int64_t q = 0; q < K; q++)
        d1[q] = i1 >= 0 && decide_fin(policy, d->key[t * K + q], d->key[i1 * K + q]);
    ax_daa_count_t n = {0, 0};
    for (int64_t j = 0; j < 2 * N; j++) buf[j] = 0.0f;
    const int64_t chunk = s->chunk;
    if (chunk <= 0 || chunk >= K) {
        fold_chunk(d, t, i1, 0, K, d1, acc0, acc1, &n);
    } else { /* partial folds from +0, combined in order (ax_daa_fold_chunked) */
        for (int64_t q0 = 0; q0 < K; q0 += chunk) {
            for (int64_t j = 0; j < 2 * N; j++) part0[j] = 0.0f;
            fold_chunk(d, t, i1, q0, K - q0 < chunk ? K : q0 + chunk, d1, part0, part1, &n);
            for (int64_t j = 0; j < N; j++) acc0[j] += part0[j], acc1[j] += part1[j];
        }
    }
    store(d->C + t * s->ldc, acc0, N);
    if (i1 >= 0) store(d->C + i1 * s->ldc, acc1, N);
    d->cnt[t] = n;
    free(buf);
}

int ax_cpu_daa(ax_fp_ctx_t *x, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s, const uint32_t *A,
               const uint32_t *B, uint32_t *C, uint32_t *flags, ax_daa_count_t *cnt, char *err,
               size_t errlen)
{
    if (flags || s->k < 1 || cfg->mul.id != AX_MUL_EXACT || cfg->daa.lo.id != AX_MUL_EXACT ||
        cfg->add.id != AX_ADD_EXACT || !ax_fmt_plain_fp32(cfg->prod) || !ax_fmt_plain_fp32(cfg->acc) ||
        cfg->in.ebits > 8 || cfg->in.mbits > 23)
        return -2;
    size_t mk, kn, b1, b2;
    if (__builtin_mul_overflow((size_t)s->m, (size_t)s->k, &mk) ||
        __builtin_mul_overflow((size_t)s->k, (size_t)s->n, &kn) ||
        __builtin_mul_overflow(mk, 2 * sizeof(float) + sizeof(int16_t), &b1) ||
        __builtin_mul_overflow(kn, 2 * sizeof(float) + sizeof(uint32_t), &b2))
        return ax_fail(err, errlen, "DAA GEMM %lldx%lldx%lld: its buffers overflow", (long long)s->m,
                       (long long)s->n, (long long)s->k);
    daa_fast_t d;
    memset(&d, 0, sizeof d);
    d.cfg = cfg, d.s = s, d.avx512 = ax_cpu_use_avx512(x);
    d.tab = ax_cpu_dec_table(x, cfg->in, DEC_DAA, pack_fmt(cfg->daa.lo_in), dec_fill);
    /* the engine's buffers, kept between calls (no page faults on a hot path) */
    float *fa = ax_cpu_grow(x, 0, b1), *fb = ax_cpu_grow(x, 1, b2);
    d.bnz = ax_cpu_grow(x, 2, (size_t)s->k * sizeof *d.bnz);
    d.cnt = ax_cpu_grow(x, 3, (size_t)s->m * sizeof *d.cnt);
    if (!fa || !fb || !d.bnz || !d.cnt)
        return ax_fail(err, errlen, "out of memory (DAA GEMM %lldx%lldx%lld)", (long long)s->m,
                       (long long)s->n, (long long)s->k);
    memset(d.cnt, 0, (size_t)s->m * sizeof *d.cnt);
    d.va = fa, d.la = fa + mk, d.key = (int16_t *)(void *)(fa + 2 * mk);
    d.vb = fb, d.lb = fb + kn;
    d.bb = cfg->daa.policy == AX_DAA_RANDOM ? (uint32_t *)(void *)(fb + 2 * kn) : NULL;
    /* each batch item in turn: its operands decoded (a shared B once), then
     * its rows. An inf or NaN sends the whole GEMM to the generic path,
     * which writes every output again; the counts are added at the end. */
    ax_daa_count_t total = {0, 0};
    for (int64_t b = 0; b < s->batch; b++) {
        d.A = A + b * s->stride_a, d.B = B + b * s->stride_b, d.C = C + b * s->stride_c;
        const int decode_b = b == 0 || s->stride_b != 0;
        if (ax_parallel_for(x->threads, s->m + (decode_b ? s->k : 0), dec_task, &d))
            return ax_fail(err, errlen, "DAA GEMM: the worker threads failed");
        if (d.special) return -2;
        if (ax_parallel_for(x->threads, s->m, row_task, &d) || d.oom)
            return ax_fail(err, errlen, "out of memory (DAA GEMM rows)");
        for (int64_t i = 0; i < s->m; i++) total.nonzero += d.cnt[i].nonzero, total.hi += d.cnt[i].hi;
        memset(d.cnt, 0, (size_t)s->m * sizeof *d.cnt);
    }
    cnt->nonzero += total.nonzero, cnt->hi += total.hi;
    return 0;
}
