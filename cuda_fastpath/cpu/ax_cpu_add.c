/* ax_cpu_add.c — the cpu backend's fp32 adder path (docs/fastpath.md,
 * "fp32 adder path"): GEMMs whose products and accumulator are plain fp32
 * (RNE, no :ftz/:sat) under any adder of the registry (add_trunc,
 * add_loa:l, add_eta:l, add_exact when flags are asked for), inputs of at
 * most 16 bits.
 *
 * The accumulator stays an fp32 bit pattern; each MAC step is the model's
 * ax_mul into fp32 and ax_add written out on uint32 lanes (16 at a time with
 * AVX-512, one at a time in portable C):
 *
 *   product  a normal fp32, exactly the model's bits, when both operands
 *            are finite, nonzero and of exponent within [-62, 62]: the
 *            exact product of the decoded values (mul_exact, mul_trunc,
 *            mul_drum, M <= 11: at most 24 bits), or the fp32 significand
 *            table T[xa][xb] (in [1/4, 8)) with ea + eb added to its
 *            exponent field. A zero operand times a finite one is a zero
 *            product, which leaves the accumulator as it is (x + 0 = x for
 *            every adder, and a fold from +0 never holds -0).
 *   sum      acc + a normal product: ax_align, the unit's significand adder
 *            and ax_round_pack on the W-bit datapath (W = 27, or 24 for
 *            add_trunc), for results that are normal (acc inf or NaN stays).
 *
 * Every other case is a "slow lane" that the models decide, per lane, from
 * the original operands: an operand inf, NaN, or of exponent outside
 * [-62, 62]; a sum that is tiny or overflows; a chunk's partial sum that
 * is not +0 or normal. So the result is the model's on every lane, and the
 * flags too (fast lanes raise only inexact).
 *
 * Narrow accumulators (c->narrow: acc other than plain fp32, no :ftz, no
 * flags asked for) take the same lanes holding the fp32 patterns of acc's
 * values: each product is first rounded to acc (the narrow path's pattern
 * rounding), the datapath is the model's shifted up by sh = 23 - M (jam at
 * bit sh, rounding at M + 1 bits), and results outside acc's normal range are
 * slow lanes decided in acc's encoding (docs/fastpath.md, "Approximate adders
 * into narrow accumulators"). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ax_cpu_add.h"

/* ---- decoding -------------------------------------------------------------------- */

/* One bit pattern x of f: idx = the class bits, or the fraction (FA_DEC_LUT;
 * 0 for FA_DEC_VALUE); v holds the bits of the exact value (FA_DEC_VALUE:
 * the operand, or its DRUM cut for param = k > 0) or (e << 23) + (sign << 31)
 * (FA_DEC_LUT), which added to T's bits scales T by 2^e and signs it. */
static void fa_decode(uint32_t x, ax_format_t f, int kind, int param, float *v, int32_t *idx)
{
    ax_unpacked_t u = ax_unpack(x, f);
    uint32_t bits = 0;
    if (u.cls == AX_CLS_ZERO) {
        *idx = FA_Z;
    } else if (u.cls != AX_CLS_FINITE || u.exp < -62 || u.exp > 62) {
        *idx = FA_X;
    } else if (kind == FA_DEC_LUT) {
        *idx = (int32_t)(u.sig & ax_fmt_mmask(f));
        bits = ((uint32_t)u.exp << 23) + (u.sign << 31);
    } else {
        *idx = 0;
        if (param > 0) { /* the cut significand, exact in fp32 */
            float m = (float)ax_drum_cut(u.sig, f.mbits, param);
            float y = ldexpf(u.sign ? -m : m, u.exp - (int)f.mbits);
            memcpy(&bits, &y, 4);
        } else {
            bits = ax_to_f32bits(x, f);
        }
    }
    memcpy(v, &bits, 4);
}

/* ---- one step on one lane (the portable kernel, and the reading of the SIMD one) ---- */

/* The unit's significand adder on the aligned x >= y (effective addition):
 * ax_sig_add_loa / ax_sig_add_eta with the upper part (x >> l) + (y >> l)
 * written as (x & ~mask) + (y & ~mask), l in 1..27. */
static inline __attribute__((always_inline)) uint32_t fa_sig_add(int add, uint32_t x, uint32_t y, int l)
{
    const uint32_t mask = (1u << l) - 1, hi = (x & ~mask) + (y & ~mask);
    if (add == FA_LOA) /* low l bits OR, carry x_(l-1) & y_(l-1) into the exact upper part */
        return hi + ((x & y & (1u << (l - 1))) << 1) + ((x | y) & mask);
    if (add == FA_ETA) { /* upper part without carry-in; low part XOR down to the first 1 & 1 */
        const uint32_t both = x & y & mask;
        return hi | ((x ^ y) & mask) | ((0xFFFFFFFFu >> __builtin_clz(both | 1)) & -(uint32_t)(both != 0));
    }
    return x + y;
}

/* acc + t for any acc and t a normal fp32: the model's bits, or *slow = 1
 * when the model must decide (a result that is tiny or overflows). Inexact
 * ORed into *inx. With t normal the larger operand is normal; the smaller
 * may be zero or subnormal, which aligns as a significand without its
 * hidden bit at exponent field 1 (the same bits, shifted the same, as
 * ax_align's normalized form). Reading aid for fa_add16, which does the
 * same on 16 lanes:
 *   order    |t| > |acc| swaps (ties keep acc: ax_align); the sign is the larger's
 *   align    both significands << G (3, add_trunc 0); the smaller >> d, the bits
 *            shifted out jammed into bit 0 (G = 3) or dropped (add_trunc)
 *   sum      x - y (effective subtraction, exact; 0 gives +0) or the unit's adder
 *   round    s << clz(s): the kept 24 bits on top, 8 below; RNE adds 1 when
 *            bit 7 (half) is set and so is any of bits 0-6 or the lsb (bit 8)
 *   pack     ((e_big - clz(s) + 7 - G) << 23) + the rounded 24-bit significand
 *            (which carries into the exponent when it reaches 2^24); normal
 *            when that is in [2^23, 0x7F800000) */
static inline __attribute__((always_inline)) uint32_t fa_add1(int add, int narrow, const fa_ctx_t *c,
                                                              uint32_t A, uint32_t T, int *slow, uint32_t *inx)
{
    /* branch-free: selects, not jumps (the signs and magnitudes are data) */
    const int g = add == FA_TRUNC ? 0 : 3, l = c->l;
    const uint32_t rnd = c->rnd;
    const uint32_t aa = A & 0x7FFFFFFFu, ta = T & 0x7FFFFFFFu;
    const int swap = ta > aa;
    const uint32_t big = swap ? ta : aa, small = swap ? aa : ta;
    const uint32_t sign = (swap ? T : A) & 0x80000000u;
    const uint32_t eb = big >> 23, esf = small >> 23, d = eb - esf - (esf == 0);
    const uint32_t x = ((big & 0x7FFFFFu) | 0x800000u) << g;
    const uint32_t y0 = ((small & 0x7FFFFFu) | (uint32_t)(esf != 0) << 23) << g;
    const uint32_t dd = d < 31 ? d : 31; /* y0 < 2^27: 31 shifts everything out */
    uint32_t y = y0 >> dd;
    if (narrow) { /* the model's bit 0 is the lane's bit sh: jam (or drop) below it */
        const int sticky = (y << dd) != y0 || (y & ~c->keep) != 0;
        y = (y & c->keep) | (g && sticky ? c->jam : 0);
    } else if (g) {
        y |= (y << dd) != y0;
    }
    uint32_t s = (A ^ T) >> 31 ? x - y : fa_sig_add(add, x, y, l);
    if (narrow) s &= c->keep; /* (eta fills below the model's datapath) */
    const int lz = __builtin_clz(s | 1);
    const uint32_t sal = s << lz;
    uint32_t q = sal >> 8;
    if (narrow) q = (q & c->keep) + (add != FA_TRUNC && (sal & c->half) && (sal & rnd) ? c->jam : 0);
    else if (add != FA_TRUNC) q += (sal >> 7) & ((sal & rnd) != 0);
    const uint32_t mag = ((eb - (uint32_t)lz + 7 - (uint32_t)g) << 23) + q;
    const int keep = aa >= 0x7F800000u; /* inf + finite, NaN + anything */
    /* tiny or overflow: the model decides */
    const int out = !keep && s && (narrow ? mag - c->lo >= c->span : mag - 0x00800000u >= 0x7F000000u);
    *slow |= out;
    *inx |= (uint32_t)(!keep && !out) & (sal & 0xFFu ? 1u : 0u);
    const uint32_t r = s ? mag | sign : 0; /* exact cancellation: +0 */
    return keep || out ? A : r;
}

/* A narrow accumulator: the fp32 product t converted to acc (the pattern
 * rounding of the narrow path); *slow when the result is not a normal
 * finite value of acc (the model decides). */
static inline __attribute__((always_inline)) uint32_t fa_convert1(const fa_ctx_t *c, uint32_t t, int *slow)
{
    const int sh = __builtin_ctz(c->jam);
    const uint32_t r = (t + ((t >> sh) & c->clsb) + c->chm1) & c->keep;
    *slow |= (r & 0x7FFFFFFFu) - c->lo >= c->span;
    return r;
}

/* The product of two operands of class P (see the file comment). */
static inline __attribute__((always_inline)) uint32_t fa_prod1(const fa_ctx_t *c, int prod, int32_t ka,
                                                               uint32_t va, int32_t kb, uint32_t vb)
{
    if (prod == FA_VALUE) {
        float x, y, z;
        memcpy(&x, &va, 4), memcpy(&y, &vb, 4);
        z = x * y;
        uint32_t r;
        memcpy(&r, &z, 4);
        return r;
    }
    uint32_t t;
    memcpy(&t, &c->lut[ka + kb], 4);
    return t + va + vb;
}

/* ---- the portable kernel ---------------------------------------------------------- */

static inline __attribute__((always_inline)) void
fa_kernel_c_body(fa_ctx_t *c, int add, int prod, int narrow, int64_t rb, int64_t jp,
                 uint32_t out[FA_R][FA_KC], uint32_t *fl)
{
    const int64_t k = c->k, i0 = rb * FA_R, j0 = jp * FA_KC;
    const int32_t *ka = c->akey + i0 * k, *kb = c->bkey + jp * k * FA_KC;
    const uint32_t *va = c->aval + i0 * k, *vb = c->bval + jp * k * FA_KC;
    uint32_t inx = 0;
    uint32_t acc[FA_R][FA_KC];
    for (int r = 0; r < FA_R; r++)
        for (int j = 0; j < FA_KC; j++) out[r][j] = 0;
    for (int64_t k0 = 0; k0 < k; k0 += c->chunk) {
        const int64_t k1 = k0 + c->chunk < k ? k0 + c->chunk : k;
        for (int r = 0; r < FA_R; r++)
            for (int j = 0; j < FA_KC; j++) acc[r][j] = 0;
        for (int64_t p = k0; p < k1; p++)
            for (int r = 0; r < FA_R; r++) {
                const int32_t a = ka[r * k + p];
                const uint32_t av = va[r * k + p];
                for (int j = 0; j < FA_KC; j++) {
                    const int32_t b = kb[p * FA_KC + j];
                    int slow = ((a | b) & FA_X) != 0;
                    if (!slow && ((a | b) & FA_Z)) continue; /* a zero product: acc unchanged */
                    uint32_t A = acc[r][j], n = A;
                    if (!slow) {
                        uint32_t t = fa_prod1(c, prod, a, av, b, vb[p * FA_KC + j]);
                        if (narrow) t = fa_convert1(c, t, &slow);
                        if (!slow) n = fa_add1(add, narrow, c, A, t, &slow, &inx);
                    }
                    if (slow && i0 + r < c->rows && j0 + j < c->lanes) n = ax_fa_slow_mac(c, A, i0 + r, j0 + j, p, fl);
                    acc[r][j] = n;
                }
            }
        if (k0 == 0 && k1 == k) { /* one chunk: the plain fold */
            memcpy(out, acc, sizeof acc);
            break;
        }
        for (int r = 0; r < FA_R; r++)
            for (int j = 0; j < FA_KC; j++) { /* total = ADD(total, partial) */
                const uint32_t T = acc[r][j], ta = T & 0x7FFFFFFFu;
                if (T == 0) continue;
                int slow = narrow ? ta - c->lo >= c->span : ta < 0x00800000u || ta >= 0x7F800000u;
                uint32_t n = out[r][j];
                if (!slow) n = fa_add1(add, narrow, c, out[r][j], T, &slow, &inx);
                if (slow) n = ax_fa_slow_add(c, out[r][j], T, fl);
                out[r][j] = n;
            }
    }
    if (inx) *fl |= AX_FLAG_INEXACT;
}

static void fa_kernel_c(fa_ctx_t *c, int64_t rb, int64_t jp, uint32_t out[FA_R][FA_KC], uint32_t *fl)
{
#define FA_C(a, p) fa_kernel_c_body(c, a, p, c->narrow, rb, jp, out, fl)
    if (c->prod == FA_VALUE) {
        switch (c->add) {
        case FA_TRUNC: FA_C(FA_TRUNC, FA_VALUE); break;
        case FA_LOA: FA_C(FA_LOA, FA_VALUE); break;
        case FA_ETA: FA_C(FA_ETA, FA_VALUE); break;
        default: FA_C(FA_PLAIN, FA_VALUE); break;
        }
    } else {
        switch (c->add) {
        case FA_TRUNC: FA_C(FA_TRUNC, FA_GATHER); break;
        case FA_LOA: FA_C(FA_LOA, FA_GATHER); break;
        case FA_ETA: FA_C(FA_ETA, FA_GATHER); break;
        default: FA_C(FA_PLAIN, FA_GATHER); break;
        }
    }
#undef FA_C
}

/* ---- tasks, packing, the entry point ------------------------------------------------ */

static void fa_task(void *p, int64_t t)
{
    fa_ctx_t *c = p;
    const int64_t nrb = c->mpad / FA_R, rb = t % nrb, jp = t / nrb;
    const ax_gemm_shape_t *s = c->s;
    uint32_t out[FA_R][FA_KC], fl = 0;
#ifdef FA_HAVE_AVX512
    if (c->avx512) ax_fa_avx512_kernel(c->prod, c->want_flags, c->narrow, c->add)(c, rb, jp, out, &fl);
    else
#endif
        fa_kernel_c(c, rb, jp, out, &fl);
    for (int r = 0; r < FA_R && rb * FA_R + r < c->rows; r++)
        for (int j = 0; j < FA_KC && jp * FA_KC + j < c->lanes; j++) {
            const int64_t i = rb * FA_R + r, l = jp * FA_KC + j;
            c->C[c->swap ? l * s->ldc + i : i * s->ldc + l] =
                c->narrow ? ax_cpu_pack_exact(out[r][j], c->cfg->acc) : out[r][j];
        }
    if (fl) __atomic_fetch_or(&c->flags, fl, __ATOMIC_RELAXED);
}

typedef struct fa_pack {
    fa_ctx_t *c;
    const ax_dec_table_t *t;
    int ashift; /* op(A)'s fraction: its offset in the table (the row's, or (xa << M) + xb) */
} fa_pack_t;

/* Element p of row i and of lane j: op(A) and op(B), or op(B)^T and op(A)^T. */
static inline uint32_t fa_row_elem(const fa_ctx_t *c, int64_t i, int64_t p)
{
    return c->swap ? c->B[ax_b_index(c->s, p, i)] : c->A[ax_a_index(c->s, i, p)];
}
static inline uint32_t fa_lane_elem(const fa_ctx_t *c, int64_t j, int64_t p)
{
    return c->swap ? c->A[ax_a_index(c->s, j, p)] : c->B[ax_b_index(c->s, p, j)];
}

/* The rows (tasks below mpad/R) and the lane panels (the rest); padding is +0. */
static void fa_pack_task(void *p, int64_t t)
{
    const fa_pack_t *d = p;
    fa_ctx_t *c = d->c;
    const int64_t k = c->k, nrb = c->mpad / FA_R;
    if (t < nrb) {
        const int shift = c->swap ? 0 : d->ashift;
        for (int64_t i = t * FA_R; i < (t + 1) * FA_R; i++)
            for (int64_t p = 0; p < k; p++) {
                int32_t key = FA_Z;
                uint32_t v = 0;
                if (i < c->rows) {
                    uint32_t x = fa_row_elem(c, i, p);
                    key = d->t->idx[x], memcpy(&v, &d->t->v[x], 4);
                    if (!(key & (FA_X | FA_Z))) key <<= shift;
                }
                c->akey[i * k + p] = key, c->aval[i * k + p] = v;
            }
    } else {
        const int64_t jp = t - nrb;
        const int shift = c->swap ? d->ashift : 0;
        for (int64_t p = 0; p < k; p++) /* p outer: an untransposed B is read along its rows */
            for (int64_t j = jp * FA_KC; j < (jp + 1) * FA_KC; j++) {
                const size_t at = (size_t)(jp * k * FA_KC + p * FA_KC + j % FA_KC);
                int32_t key = FA_Z;
                uint32_t v = 0;
                if (j < c->lanes) {
                    uint32_t x = fa_lane_elem(c, j, p);
                    key = d->t->idx[x], memcpy(&v, &d->t->v[x], 4);
                    if (!(key & (FA_X | FA_Z))) key <<= shift;
                }
                c->bkey[at] = key, c->bval[at] = v;
            }
    }
}

static int fa_have_avx512(const ax_fp_ctx_t *e)
{
#ifdef FA_HAVE_AVX512
    return ax_cpu_use_avx512(e) && __builtin_cpu_supports("avx512cd");
#else
    return 0;
#endif
}

int ax_cpu_fp32_adder(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                   const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags,
                   char *err, size_t errlen)
{
    /* which configurations: fp32 products and sums, an adder of the registry;
     * or (narrow) fp32 products into another accumulator format without :ftz,
     * no flags asked for */
    const int narrow = !ax_fmt_plain_fp32(cfg->acc);
    if (!ax_fmt_plain_fp32(cfg->prod) || ax_fmt_width(cfg->in) > 16) return -2;
    const ax_format_t F = cfg->acc;
    if (narrow && (flags || F.ebits < 2 || F.mbits < 1 || (F.flags & AX_FMT_FTZ))) return -2;
    fa_ctx_t c;
    memset(&c, 0, sizeof c);
    switch (cfg->add.id) {
    case AX_ADD_EXACT: c.add = FA_PLAIN; break;
    case AX_ADD_TRUNC: c.add = FA_TRUNC; break;
    case AX_ADD_LOA: c.add = FA_LOA; break;
    case AX_ADD_ETA: c.add = FA_ETA; break;
    default: return -2;
    }
    /* l clamped to the model's datapath, W = M + 1 + 3 (fp32: 27) */
    const int W = (int)F.mbits + 4, sh = 23 - (int)F.mbits;
    c.l = cfg->add.p[0] < W ? cfg->add.p[0] : W;
    if ((c.add == FA_LOA || c.add == FA_ETA) && c.l <= 0) c.add = FA_PLAIN;
    c.rnd = 0x17F;
    if (narrow) { /* the lane is the model's datapath shifted up by sh */
        const int rne = ax_unit_rm(cfg->add, F) == AX_RNE, crne = F.round == AX_RNE && sh > 0;
        const int32_t emin = ax_fmt_emin(F);
        c.narrow = 1;
        c.l += sh;
        c.keep = ~((UINT32_C(1) << sh) - 1), c.jam = UINT32_C(1) << sh;
        c.half = rne ? UINT32_C(0x80) << sh : 0;
        c.rnd = ((UINT32_C(0x80) << sh) - 1) | (UINT32_C(0x100) << sh);
        c.clsb = crne ? 1 : 0, c.chm1 = crne ? (UINT32_C(1) << (sh - 1)) - 1 : 0;
        c.lo = (uint32_t)(emin + 127) << 23;
        c.span = ax_to_f32bits(ax_fmt_maxfin(0, F), F) + 1 - c.lo;
    }
#ifdef AXSIM_TEST_HOOKS
    if (e->plant_bug == AX_PLANT_ADDER_TIE) c.rnd |= c.narrow ? c.jam << 7 : 0x1FF; /* tests: ties of an even lsb round up */
#endif
    c.want_flags = flags != NULL;

    /* lanes along n, or along m when that pads fewer of them (thin GEMMs:
     * conv1 of LeNet-5 has n = 6); the multiplier's operands keep their order */
    const int64_t pad4m = (s->m + FA_R - 1) / FA_R * FA_R, pad32n = (s->n + FA_KC - 1) / FA_KC * FA_KC;
    const int64_t pad32m = (s->m + FA_KC - 1) / FA_KC * FA_KC, pad4n = (s->n + FA_R - 1) / FA_R * FA_R;
    c.swap = pad32m * pad4n < pad4m * pad32n;

    /* where the products come from: the decoded values, or the table (rows
     * of 128 looked up by permutes on AVX-512 for M <= 7 when the lanes hold
     * op(B), else indexed by (xa << M) + xb) */
    const int id = cfg->mul.id, m = cfg->in.mbits;
    const int lut_forced = e->opts.cpu_path == AX_CPU_PATH_LUT && ax_lut_supported(cfg->mul, cfg->in);
    const int value = (id == AX_MUL_EXACT || id == AX_MUL_TRUNC || id == AX_MUL_DRUM) && m <= 11 && !lut_forced;
    int dec = FA_DEC_VALUE, param = 0, ashift = 0;
    c.avx512 = fa_have_avx512(e);
    if (c.swap && !value && c.avx512 && m <= 7) /* flipping trades permutes for gathers */
        c.swap = 3 * pad32m * pad4n < 2 * pad4m * pad32n;
    if (value) {
        c.prod = FA_VALUE;
        param = id == AX_MUL_DRUM ? cfg->mul.p[0] : 0;
    } else {
        if (!ax_lut_supported(cfg->mul, cfg->in)) return -2;
        ax_lut_t *l = ax_lut_get(&e->luts, cfg->mul, m);
        if (!l || !ax_lut_fits(l, cfg->prod) || !ax_lut_f32(l) || !(l->f32_min >= 0.25f)) return -2;
        if (c.want_flags && !ax_cpu_lut_exact(e, l)) return -2;
        dec = FA_DEC_LUT;
        if (c.avx512 && !c.swap && m <= 7 && ax_lut_f32_rows128(l)) c.prod = FA_PERM, c.lut = l->f32p, ashift = 7;
        else c.prod = FA_GATHER, c.lut = l->f32, ashift = m;
    }
    const ax_dec_table_t *t = ax_cpu_dec_table(e, cfg->in, dec, param, fa_decode);
    if (!t) return -2;
    static const char *const names[2][3][2] = {
        {{"cpu fp32 adder (portable C, product: value)", "cpu fp32 adder (portable C, product: value, lanes along m)"},
         {"-", "-"},
         {"cpu fp32 adder (portable C, product: LUT)", "cpu fp32 adder (portable C, product: LUT, lanes along m)"}},
        {{"cpu fp32 adder (AVX-512, product: value)", "cpu fp32 adder (AVX-512, product: value, lanes along m)"},
         {"cpu fp32 adder (AVX-512, product: LUT permute)", "-"},
         {"cpu fp32 adder (AVX-512, product: LUT gather)", "cpu fp32 adder (AVX-512, product: LUT gather, lanes along m)"}}};
    static const char *const narrow_names[2][3][2] = {
        {{"cpu narrow adder (portable C, product: value)", "cpu narrow adder (portable C, product: value, lanes along m)"},
         {"-", "-"},
         {"cpu narrow adder (portable C, product: LUT)", "cpu narrow adder (portable C, product: LUT, lanes along m)"}},
        {{"cpu narrow adder (AVX-512, product: value)", "cpu narrow adder (AVX-512, product: value, lanes along m)"},
         {"cpu narrow adder (AVX-512, product: LUT permute)", "-"},
         {"cpu narrow adder (AVX-512, product: LUT gather)", "cpu narrow adder (AVX-512, product: LUT gather, lanes along m)"}}};
    e->last_path = (narrow ? narrow_names : names)[c.avx512][c.prod][c.swap];

    c.cfg = cfg, c.s = s, c.k = s->k;
    c.rows = c.swap ? s->n : s->m, c.lanes = c.swap ? s->m : s->n;
    c.mpad = c.swap ? pad4n : pad4m, c.npad = c.swap ? pad32m : pad32n;
    c.chunk = s->chunk > 0 && s->chunk < s->k ? s->chunk : s->k;
    const size_t na = (size_t)(c.mpad * c.k) + 1, nb = (size_t)(c.npad * c.k) + 1;
    c.akey = ax_cpu_grow(e, 0, na * 4), c.aval = ax_cpu_grow(e, 1, na * 4);
    c.bkey = ax_cpu_grow(e, 2, nb * 4), c.bval = ax_cpu_grow(e, 3, nb * 4);
    if (!c.akey || !c.aval || !c.bkey || !c.bval)
        return ax_fail(err, errlen, "out of memory (GEMM %lldx%lldx%lld)", (long long)s->m,
                          (long long)s->n, (long long)s->k);
    fa_pack_t d = {&c, t, ashift};
    for (int64_t bi = 0; bi < s->batch; bi++) {
        c.A = A + bi * s->stride_a, c.B = B + bi * s->stride_b, c.C = C + bi * s->stride_c;
        ax_parallel_for(e->threads, c.mpad / FA_R + c.npad / FA_KC, fa_pack_task, &d);
        ax_parallel_for(e->threads, (c.mpad / FA_R) * (c.npad / FA_KC), fa_task, &c);
    }
    if (flags) *flags |= c.flags;
    return 0;
}
