/* ax_cpu_native.c — the cpu backend's native path (docs/fastpath.md).
 *
 * prod and acc are plain fp32 (RNE, no :ftz/:sat), add is add_exact, and no
 * flags are asked for. Then ADD is the IEEE fp32 addition (x86 SSE/AVX keep
 * subnormals; -ffp-contract=off: no FMA contraction) and MUL is computed in
 * fp32 exactly, per unit (the NAT_* kinds below): the native product of
 * exact values (mul_exact, mul_trunc, mul_drum on cut operands), Mitchell,
 * MBM and REALM from the fractions as floats, or the fp32 significand table
 * T[xa][xb] times 2^ea * 2^eb. The kinds with a power-of-two scale need every
 * operand exponent within [-62, 62] (checked while decoding; else the whole
 * GEMM goes to the next path) so that each product is a normal fp32, whose
 * rounding does not depend on its exponent. Zeros, infinities and NaNs
 * follow from IEEE arithmetic on +-0, +-inf and NaN values or scales; a NaN
 * result becomes the canonical NaN at the end (a NaN never leaves the fold).
 * tests/test_fastpath.cpp proves each kind against ref, on both kernels
 * (AVX-512 and portable C).
 *
 * The narrow path (below, "narrow formats") runs the same kernels for a
 * product or accumulator format other than plain fp32, rounding on the fp32
 * patterns; tests/test_fastpath_narrow.cpp proves it. */
#define _POSIX_C_SOURCE 200809L
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ax_cpu.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AX_HAVE_AVX512_KERNEL 1
#endif

/* Native kernel tiles: KR rows x KC columns (two AVX-512 registers per row),
 * or, for the value-product kinds with at most KCN columns, KRN x KCN (one
 * register per row, twice the rows: no work on padding columns). */
enum { KR = 6, KC = 32, KRN = 12, KCN = 16, KRMAX = 12, KCMAX = 32 };

/* fp32 values read from operand arrays of bit patterns (uint32_t) in place */
typedef float f32_alias __attribute__((__may_alias__));

/* ---- native path ---------------------------------------------------------------- */

/* NAT_EXACT: mul_exact; NAT_TRUNC: mul_trunc with M <= 11 (the exact
 * product fits fp32, so truncating a normal one changes nothing); NAT_MITCH:
 * mul_mitchell computed (1 + x + y or 2(x + y): exact in fp32 for M <= 22);
 * NAT_MBM: mul_mbm computed likewise (its terms have at most M + 3 bits, so
 * its truncation changes nothing for M <= 20); NAT_DRUM: mul_drum as the
 * exact product of the cut operands (a correctly rounded fp32 product, as the
 * unit rounds it); NAT_REALM: Mitchell plus the segment's term s_ij (2^-q
 * units, q <= 15: at most 3 + max(M, q) bits, so truncation changes nothing
 * for M <= 21); NAT_LUT: the fp32 significand table. */
enum { NAT_EXACT = 1, NAT_LUT = 2, NAT_TRUNC = 3, NAT_MITCH = 4, NAT_MBM = 5, NAT_DRUM = 6,
       NAT_REALM = 7 };

/* ---- narrow formats ------------------------------------------------------------- *
 *
 * The narrow path (docs/fastpath.md, "Narrow products and accumulators") runs
 * the same kernels for a product or accumulator format other than plain fp32,
 * under add_exact: every value stays a float32 value of its format, and
 *
 *   t = MUL(a, b) in fp32 (the kinds above; exact when a narrow product or an
 *       RTZ accumulator needs it)
 *   t = round(t, prod)      when prod is not plain fp32 (the multiplier's rounding)
 *   t = round(t, acc)       when acc is not prod (the conversion)
 *   acc = round(acc + t, acc), the addition in fp32 in acc's rounding mode
 *
 * The addition rounds twice (to fp32, then to acc); that is the correctly
 * rounded sum when acc has p <= 11 significand bits and RNE (24 >= 2p + 2), or
 * RTZ (truncating a truncation), and is exact wherever the sum lies below
 * acc's smallest normal. round() is integer arithmetic on the fp32 pattern
 * (NF_ON: round at bit 23 - M; for formats with 8 exponent bits that is also
 * the subnormal grid) plus, per format, the steps of NF_SUB (below 2^emin of a
 * format with fewer exponent bits: the grid 2^(emin - M), by adding and
 * removing 2^(emin - M + 23) in the format's rounding), NF_FTZ (tiny
 * results, tininess after rounding, become signed zero) and NF_OVF (above
 * max finite: inf, max finite or NaN as ax_round_pack decides).
 *
 * add_loa (4 <= l <= M + 3) takes the same kernels: its sum is the exact sum
 * of the larger operand moved by a few ulps (nr_add_v; docs/fastpath.md,
 * "add_loa on the native kernels"). */
enum { NF_ON = 1, NF_SUB = 2, NF_FTZ = 4, NF_OVF = 8, NF_ALL = 15 };

/* Rounding into one format, as integers and floats the kernels broadcast;
 * f (with f.round the rounding applied) is what the portable kernel hands
 * the model's conversion. Steps a format does not need are made no-ops
 * (sub_thr = tiny_thr = 0, maxfin = inf). */
typedef struct nr_fmt {
    ax_format_t f;
    int32_t sh;
    uint32_t lsb1, hm1, keep, sub_thr, tiny_thr, ovf_bits;
    float magic, maxfin;
    int plant;      /* tests (AX_PLANT_NARROW_TIE): ties round away from zero */
    uint32_t lmask, lcarry; /* the accumulator's add_loa: 2^(l-3) - 1, 2^(l-3) (0: planted bug) */
} nr_fmt_t;

/* The rounding variants the kernels are compiled for: {pf, cf, sf, loa}. A
 * configuration takes the first whose steps include the ones it needs (a
 * step a format does not need is a no-op, nr_fmt_t). 0: plain fp32. */
#define NR_SUM_ALL (NF_ALL & ~NF_SUB)
#define NR_VARIANT_LIST(X)                                                                          \
    X(0, 0, 0, 0, 0)                                                                                \
    X(1, 0, NF_ON, NF_ON, 0)                                     /* -> bf16 */                      \
    X(2, 0, NF_ON | NF_SUB | NF_OVF, NF_ON | NF_OVF, 0)          /* -> fp16, fp8 */                 \
    X(3, 0, NF_ALL, NR_SUM_ALL, 0)                               /* -> any */                       \
    X(4, NF_ON, 0, NF_ON, 0)                                     /* bf16 products into bf16 */      \
    X(5, NF_ON | NF_SUB | NF_OVF, 0, NF_ON | NF_OVF, 0)          /* fp16 products into fp16 */      \
    X(6, NF_ALL, 0, NR_SUM_ALL, 0)                               /* any into the same format */     \
    X(7, NF_ALL, NF_ALL, NR_SUM_ALL, 0)                          /* any into any */                 \
    X(8, 0, NF_ON, NF_ON, 1)                                     /* add_loa: -> bf16 */             \
    X(9, 0, NF_ON, NF_ON | NF_OVF, 1)                            /* add_loa: -> bf16:rtz, :sat */   \
    X(10, 0, NF_ON | NF_SUB | NF_OVF, NF_ON | NF_OVF, 1)         /* add_loa: -> fp16, fp8 */        \
    X(11, NF_ALL, 0, NR_SUM_ALL, 1)                              /* add_loa: any into the same */   \
    X(12, NF_ALL, NF_ALL, NR_SUM_ALL, 1)                         /* add_loa: any into any */
#define NR_ROW(i, pf, cf, sf, loa) {pf, cf, sf, loa},
static const int nr_variants[][4] = {NR_VARIANT_LIST(NR_ROW)};
#undef NR_ROW
enum { NR_VARIANTS = (int)(sizeof nr_variants / sizeof nr_variants[0]) };

/* Operands packed for the kernels: A as [mpad][k], B as panels of kc columns,
 * [npad/kc][k][kc] (tiles of kr x kc: KR x KC or KRN x KCN); idx = the
 * fraction (A: shifted up by M), val = the value (NAT_EXACT) or the signed
 * power-of-two scale (NAT_LUT). */
typedef struct nat_ctx {
    int kind;
    const ax_gemm_shape_t *s;
    int kr, kc;
    int64_t mpad, npad, k, chunk;
    int32_t *ia, *ib;
    float *va, *vb;
    const float *lut; /* fp32 significands, rows of 2^ashift entries */
    float realm[16 * 16]; /* NAT_REALM: s_ij * 2^-q, rows of 16 */
    float segs;           /* NAT_REALM: segments per axis */
    int ashift;
    int avx512;
    const f32_alias *a_direct; /* NAT_EXACT on plain fp32, op(A) = A: full row blocks read A itself */
    const f32_alias *b_direct; /* likewise op(B) = B with few row blocks: panels read B itself */
    uint32_t *C;
    int variant;          /* the kernel instance (nr_variants); 0: plain fp32 */
    int pf, cf, sf;       /* its rounding steps: product, conversion, sum (NF_*) */
    int rtz;              /* the accumulator rounds toward zero: the fp32 additions do */
    int loa;              /* the adder is add_loa (nr_add_v); add is it */
    ax_unit_t add;
    nr_fmt_t rp, ra;      /* rounding into prod and into acc */
} nat_ctx_t;

/* Decodes x: the scale (+-2^exp, +-0, +-inf, NaN) or the value (NAT_EXACT),
 * and the fraction; idx = INT32_MIN when a finite nonzero
 * exponent is outside [-62, 62] (not for NAT_EXACT). NAT_MITCH: idx holds the
 * fraction as float bits. param: mul_drum's k, plus NAT_STRICT for the narrow
 * path, which also flags infinities, NaNs and NAT_EXACT's exponents outside
 * [-62, 62] (its products must be finite and normal). */
enum { NAT_STRICT = 0x100 };
static void nat_decode(uint32_t x, ax_format_t f, int kind, int param, float *v, int32_t *idx)
{
    ax_unpacked_t u = ax_unpack(x, f);
    const int strict = (param & NAT_STRICT) != 0, u_drum_k = param & 0xFF;
    *idx = 0;
    switch (u.cls) {
    case AX_CLS_ZERO: *v = u.sign ? -0.0f : 0.0f; return;
    case AX_CLS_INF: *v = u.sign ? -INFINITY : INFINITY; break;
    case AX_CLS_QNAN:
    case AX_CLS_SNAN: *v = NAN; break;
    default: break;
    }
    if (u.cls != AX_CLS_FINITE) {
        if (strict) *idx = INT32_MIN;
        return;
    }
    const int out = u.exp < -62 || u.exp > 62;
    if (kind == NAT_DRUM) { /* the cut significand, exact in fp32 within the range */
        float m = (float)ax_drum_cut(u.sig, f.mbits, u_drum_k);
        *v = ldexpf(u.sign ? -m : m, u.exp - (int)f.mbits);
        if (out) *idx = INT32_MIN;
        return;
    }
    if (kind == NAT_EXACT || kind == NAT_TRUNC) {
        uint32_t b = ax_to_f32bits(x, f); /* finite, nonzero: exact (:ftz zeros are above) */
        memcpy(v, &b, 4);
        if ((kind == NAT_TRUNC || strict) && out) *idx = INT32_MIN;
        return;
    }
    if (out) {
        *idx = INT32_MIN;
        return;
    }
    *v = ldexpf(u.sign ? -1.0f : 1.0f, u.exp);
    if (kind == NAT_MITCH || kind == NAT_MBM || kind == NAT_REALM) { /* the fraction in [0, 1), exact */
        float fr = ldexpf((float)(u.sig & ax_fmt_mmask(f)), -(int)f.mbits);
        memcpy(idx, &fr, 4);
    } else {
        *idx = (int32_t)(u.sig & ax_fmt_mmask(f));
    }
}

/* round(x, r) of the narrow path by the model's own conversion (the
 * portable kernel's; the AVX-512 kernels compute it, nr_round_v) */
static float nr_round_s(float x, const nr_fmt_t *r)
{
    uint32_t b, fl = 0;
    memcpy(&b, &x, 4);
    if (r->plant && (b & UINT32_C(0x7FFFFFFF)) && (b & UINT32_C(0x7FFFFFFF)) < UINT32_C(0x7F800000))
        b++; /* one fp32 ulp away from zero: a tie now rounds away */
    b = ax_to_f32bits(ax_convert(b, ax_fmt_fp32(), r->f, &fl), r->f);
    memcpy(&x, &b, 4);
    return x;
}

/* One MAC step on a lane: acc + t (plain fp32), or the narrow path's step */
static inline float nat_step_s(const nat_ctx_t *c, float acc, float t)
{
    if (!c->variant) return acc + t;
    if (c->pf) t = nr_round_s(t, &c->rp);
    if (c->cf) t = nr_round_s(t, &c->ra);
    if (c->loa) { /* the model's adder on the accumulator's encodings */
        uint32_t fl = 0;
        const ax_format_t f = c->ra.f;
        return ax_f32_of(ax_to_f32bits(ax_add(c->add, ax_cpu_pack_exact(ax_bits_of(acc), f),
                                              ax_cpu_pack_exact(ax_bits_of(t), f), f, f, &fl), f));
    }
    return nr_round_s(acc + t, &c->ra);
}

/* Row block ib0 (values va, rows ldv apart) against panel jp (values vbp,
 * rows ldvb apart, ncols valid columns: the rest read as +0). */
static void nat_kernel_scalar(const nat_ctx_t *c, int64_t ib0, const f32_alias *va, int64_t ldv,
                              int64_t jp, const f32_alias *vbp, int64_t ldvb, int ncols,
                              float out[KRMAX][KCMAX])
{
    const int64_t k = c->k;
    const int32_t *ia = c->ia + ib0 * k;
    const int32_t *ibp = c->ib + jp * k * c->kc;
    for (int r = 0; r < c->kr; r++)
        for (int j = 0; j < c->kc; j++) out[r][j] = 0.0f;
    for (int64_t k0 = 0; k0 < k; k0 += c->chunk) {
        int64_t k1 = k0 + c->chunk < k ? k0 + c->chunk : k;
        for (int r = 0; r < c->kr; r++)
            for (int j = 0; j < c->kc; j++) {
                float acc = 0.0f;
                for (int64_t p = k0; p < k1; p++) {
                    float prod, sc = va[r * ldv + p] * (j < ncols ? vbp[p * ldvb + j] : 0.0f);
                    if (c->kind == NAT_EXACT || c->kind == NAT_TRUNC || c->kind == NAT_DRUM) {
                        prod = sc;
                    } else if (c->kind == NAT_MITCH || c->kind == NAT_MBM || c->kind == NAT_REALM) {
                        float fa, fb;
                        memcpy(&fa, &ia[r * k + p], 4), memcpy(&fb, &ibp[p * c->kc + j], 4);
                        float sum = fa + fb, v;
                        if (c->kind == NAT_MITCH) {
                            v = sum < 1.0f ? 1.0f + sum : sum + sum;
                        } else if (c->kind == NAT_REALM) {
                            v = (sum < 1.0f ? 1.0f + sum : sum + sum) +
                                c->realm[(int)(fa * c->segs) * 16 + (int)(fb * c->segs)];
                        } else if (sum < 1.0f) { /* MBM: c = 5/64, c/2 = 5/128 */
                            float t = sum + 0.078125f;
                            v = t < 1.0f ? 1.0f + t : 1.0f + sum;
                        } else {
                            float fr = (sum - 1.0f) + 0.0390625f;
                            v = fr < 1.0f ? 2.0f * (1.0f + fr) : sum + sum;
                        }
                        prod = v * sc;
                    } else {
                        prod = c->lut[ia[r * k + p] + ibp[p * c->kc + j]] * sc;
                    }
                    acc = nat_step_s(c, acc, prod);
                }
                /* one chunk: the fold itself (under :ftz it may be -0); chunks
                 * combine from +0 (ax_mac_fold_chunked) */
                out[r][j] = k1 - k0 == k ? acc
                            : c->loa     ? nat_step_s(c, out[r][j], acc)
                            : c->variant ? nr_round_s(out[r][j] + acc, &c->ra)
                                         : out[r][j] + acc;
            }
    }
}

#ifdef AX_HAVE_AVX512_KERNEL
/* t[16 q + i] for each lane's fraction x < 128: bits 0-4 by a permute over a
 * pair of registers, bit 5 (m5) and bit 6 (m6) by blends. */
__attribute__((target("avx512f"), always_inline)) static inline __m512
lut128(const __m512 t[8], __m512i x, __mmask16 m5, __mmask16 m6)
{
    return _mm512_mask_blend_ps(
        m6,
        _mm512_mask_blend_ps(m5, _mm512_permutex2var_ps(t[0], x, t[1]), _mm512_permutex2var_ps(t[2], x, t[3])),
        _mm512_mask_blend_ps(m5, _mm512_permutex2var_ps(t[4], x, t[5]), _mm512_permutex2var_ps(t[6], x, t[7])));
}

/* The broadcast constants of an nr_fmt_t */
typedef struct nr_vec {
    __m512i shv, lsb1, hm1, keep, sub_thr, tiny_thr, ovf_bits;
    __m512 magic, maxfin;
    int rtz;
    __m512i lmask, lcarry; /* add_loa: 2^(l-3) - 1 and 2^(l-3) */
} nr_vec_t;

__attribute__((target("avx512f"))) static void nr_vec_init(nr_vec_t *v, const nr_fmt_t *r)
{
    v->shv = _mm512_set1_epi32(r->sh), v->lsb1 = _mm512_set1_epi32((int32_t)r->lsb1);
    v->hm1 = _mm512_set1_epi32((int32_t)r->hm1), v->keep = _mm512_set1_epi32((int32_t)r->keep);
    v->sub_thr = _mm512_set1_epi32((int32_t)r->sub_thr);
    v->tiny_thr = _mm512_set1_epi32((int32_t)r->tiny_thr);
    v->ovf_bits = _mm512_set1_epi32((int32_t)r->ovf_bits);
    v->magic = _mm512_set1_ps(r->magic), v->maxfin = _mm512_set1_ps(r->maxfin);
    v->rtz = r->f.round == AX_RTZ;
    v->lmask = _mm512_set1_epi32((int32_t)r->lmask), v->lcarry = _mm512_set1_epi32((int32_t)r->lcarry);
}

/* round(x) into a format with the steps feat (NF_*; 0: x itself). The
 * pattern step keeps infinities and the default NaN (its fraction bits below
 * bit 22 are zero) as they are. */
__attribute__((target("avx512f"), always_inline)) static inline __m512
nr_round_v(__m512 x, const nr_vec_t *k, const int feat)
{
    if (!feat) return x;
    const __m512i u = _mm512_castps_si512(x);
    __m512i r = _mm512_add_epi32(u, _mm512_and_si512(_mm512_srlv_epi32(u, k->shv), k->lsb1));
    r = _mm512_and_si512(_mm512_add_epi32(r, k->hm1), k->keep);
    if (feat & (NF_SUB | NF_FTZ | NF_OVF)) {
        const __m512i sm = _mm512_set1_epi32(INT32_MIN);
        const __m512i sign = _mm512_and_si512(u, sm), a = _mm512_andnot_si512(sm, u);
        if (feat & NF_SUB) { /* |x| < 2^emin: the subnormal grid, in the format's rounding */
            const __m512 xa = _mm512_castsi512_ps(a);
            __m512 y = k->rtz ? _mm512_add_round_ps(xa, k->magic, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)
                              : _mm512_add_round_ps(xa, k->magic, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            y = _mm512_sub_ps(y, k->magic);
            r = _mm512_mask_or_epi32(r, _mm512_cmplt_epu32_mask(a, k->sub_thr), _mm512_castps_si512(y), sign);
        }
        if (feat & NF_FTZ) r = _mm512_mask_mov_epi32(r, _mm512_cmplt_epu32_mask(a, k->tiny_thr), sign);
        if (feat & NF_OVF) {
            __mmask16 m = _mm512_cmp_ps_mask(_mm512_castsi512_ps(_mm512_andnot_si512(sm, r)), k->maxfin,
                                             _CMP_GT_OQ);
            r = _mm512_mask_or_epi32(r, m, sign, k->ovf_bits);
        }
    }
    return _mm512_castsi512_ps(r);
}

/* The sum before its rounding: a + b in fp32, or add_loa's (docs/fastpath.md,
 * "add_loa on the native path"): the larger magnitude moved by
 * delta ulps, delta = 2^(l-3) c - and, where and = the low l - 3 bits of its
 * significand ANDed with those of the smaller one aligned to it, c = the top
 * one of them; then the fp32 addition. Effective additions only. */
__attribute__((target("avx512f"), always_inline)) static inline __m512
nr_add_v(__m512 a, __m512 b, const nr_vec_t *k, const int loa)
{
    if (!loa) return _mm512_add_ps(a, b);
    const __m512i SIGN = _mm512_set1_epi32(INT32_MIN), MANT = _mm512_set1_epi32(0x7FFFFF);
    const __m512i HID = _mm512_set1_epi32(0x800000), ONE = _mm512_set1_epi32(1);
    const __m512i INF = _mm512_set1_epi32(0x7F800000);
    const __m512i ua = _mm512_castps_si512(a), ub = _mm512_castps_si512(b);
    const __m512i aa = _mm512_andnot_si512(SIGN, ua), ba = _mm512_andnot_si512(SIGN, ub);
    const __m512i big = _mm512_max_epu32(aa, ba), small = _mm512_min_epu32(aa, ba);
    const __mmask16 swap = _mm512_cmpgt_epu32_mask(ba, aa);
    /* effective additions of finite values (an inf or NaN stays as it is) */
    const __mmask16 same =
        _mm512_mask_testn_epi32_mask(_mm512_cmplt_epu32_mask(big, INF), _mm512_xor_si512(ua, ub), SIGN);
    /* exponent difference of the normalized values (a subnormal's field counts as 1) */
    const __m512i d = _mm512_sub_epi32(_mm512_max_epu32(_mm512_srli_epi32(big, 23), ONE),
                                       _mm512_max_epu32(_mm512_srli_epi32(small, 23), ONE));
    const __m512i ms = _mm512_and_si512(small, MANT);
    const __m512i ss = _mm512_mask_or_epi32(ms, _mm512_cmpge_epu32_mask(small, HID), ms, HID);
    /* the larger's significand bits below l - 3 (never its hidden bit: l <= M + 3),
     * the smaller's aligned to them (shift counts >= 32 give 0) */
    const __m512i and_ = _mm512_ternarylogic_epi32(_mm512_srlv_epi32(big, k->shv),
                                                   _mm512_srlv_epi32(ss, _mm512_add_epi32(d, k->shv)),
                                                   k->lmask, 0x80);
    const __m512i c = _mm512_and_si512(_mm512_slli_epi32(and_, 1), k->lcarry);
    const __m512i dsh = _mm512_sllv_epi32(_mm512_maskz_sub_epi32(same, c, and_), k->shv);
    /* moved into the next binade with a remainder: there its last bit is half
     * an ulp (sh >= 1: fp32 has the bit); past fp32's range, inf */
    const __m512i bigp = _mm512_add_epi32(big, dsh);
    const __mmask16 over = _mm512_cmpgt_epu32_mask(
        bigp, _mm512_add_epi32(_mm512_max_epu32(_mm512_and_si512(big, INF), HID), HID));
    if (!over) /* the larger magnitude moved: the same pattern add on its signed pattern */
        return _mm512_add_ps(_mm512_castsi512_ps(_mm512_mask_add_epi32(ua, (__mmask16)~swap, ua, dsh)),
                             _mm512_castsi512_ps(_mm512_mask_add_epi32(ub, swap, ub, dsh)));
    __m512i hi = _mm512_or_si512(_mm512_andnot_si512(MANT, bigp), _mm512_srli_epi32(_mm512_and_si512(bigp, MANT), 1));
    hi = _mm512_mask_mov_epi32(hi, _mm512_cmpge_epu32_mask(bigp, INF), INF);
    const __m512i bp = _mm512_mask_mov_epi32(bigp, over, hi);
    const __m512i x = _mm512_or_si512(bp, _mm512_and_si512(_mm512_mask_blend_epi32(swap, ua, ub), SIGN));
    const __m512i y = _mm512_or_si512(small, _mm512_and_si512(_mm512_mask_blend_epi32(swap, ub, ua), SIGN));
    return _mm512_add_ps(_mm512_castsi512_ps(x), _mm512_castsi512_ps(y));
}

/* One MAC step on 16 lanes: acc + t, with the narrow path's roundings */
__attribute__((target("avx512f"), always_inline)) static inline __m512
nr_step_v(__m512 acc, __m512 t, const nr_vec_t *kp, const nr_vec_t *ka, const int pf, const int cf,
          const int sf, const int loa)
{
    t = nr_round_v(t, kp, pf);
    t = nr_round_v(t, ka, cf);
    return nr_round_v(nr_add_v(acc, t, ka, loa), ka, sf);
}

/* The kernel, instantiated per rounding variant (pf, cf, sf constant) */
__attribute__((target("avx512f"), always_inline)) static inline void
nat_kernel_avx512_t(const nat_ctx_t *c, int64_t ib0, const f32_alias *va, int64_t ldv, int64_t jp,
                    const f32_alias *vbp, int64_t ldvb, int ncols, float out[KRMAX][KCMAX],
                    const int pf, const int cf, const int sf, const int loa)
{
    nr_vec_t kp, ka;
    if (pf) nr_vec_init(&kp, &c->rp);
    if (cf | sf | loa) nr_vec_init(&ka, &c->ra);
#define NSTEP(acc, t) nr_step_v(acc, t, &kp, &ka, pf, cf, sf, loa)
    const int64_t k = c->k;
    const int32_t *ia = c->ia + ib0 * k;
    const int32_t *ibp = c->ib + jp * k * KC;
    /* columns past ncols load as +0 (and are never stored) */
    const __mmask16 bm0 = ncols >= 16 ? 0xFFFF : (__mmask16)((1u << ncols) - 1);
    const __mmask16 bm1 = ncols >= 32 ? 0xFFFF : ncols <= 16 ? 0 : (__mmask16)((1u << (ncols - 16)) - 1);
    __m512 tot[KR][2];
    for (int r = 0; r < KR; r++) tot[r][0] = tot[r][1] = _mm512_setzero_ps();
    for (int64_t k0 = 0; k0 < k; k0 += c->chunk) {
        int64_t k1 = k0 + c->chunk < k ? k0 + c->chunk : k;
        __m512 acc[KR][2];
        for (int r = 0; r < KR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
        if (c->kind == NAT_REALM) {
            /* the term row of a's segment in one register, looked up by b's segment */
            const __m512 one = _mm512_set1_ps(1.0f), segs = _mm512_set1_ps(c->segs);
            for (int64_t p = k0; p < k1; p++) {
                __m512 f0 = _mm512_castsi512_ps(_mm512_loadu_si512(ibp + p * KC));
                __m512 f1 = _mm512_castsi512_ps(_mm512_loadu_si512(ibp + p * KC + 16));
                __m512i j0 = _mm512_cvttps_epi32(_mm512_mul_ps(f0, segs));
                __m512i j1 = _mm512_cvttps_epi32(_mm512_mul_ps(f1, segs));
                __m512 b0 = _mm512_maskz_loadu_ps(bm0, vbp + p * ldvb);
                __m512 b1 = _mm512_maskz_loadu_ps(bm1, vbp + p * ldvb + 16);
                for (int r = 0; r < KR; r++) {
                    float fa;
                    memcpy(&fa, &ia[r * k + p], 4);
                    __m512 row = _mm512_loadu_ps(c->realm + 16 * (int)(fa * c->segs));
                    __m512 af = _mm512_set1_ps(fa), a = _mm512_set1_ps(va[r * ldv + p]);
                    __m512 s0 = _mm512_add_ps(af, f0), s1 = _mm512_add_ps(af, f1);
                    __m512 v0 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s0, one, _CMP_LT_OQ),
                                                     _mm512_add_ps(s0, s0), _mm512_add_ps(s0, one));
                    __m512 v1 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s1, one, _CMP_LT_OQ),
                                                     _mm512_add_ps(s1, s1), _mm512_add_ps(s1, one));
                    v0 = _mm512_add_ps(v0, _mm512_permutexvar_ps(j0, row));
                    v1 = _mm512_add_ps(v1, _mm512_permutexvar_ps(j1, row));
                    acc[r][0] = NSTEP(acc[r][0], _mm512_mul_ps(v0, _mm512_mul_ps(a, b0)));
                    acc[r][1] = NSTEP(acc[r][1], _mm512_mul_ps(v1, _mm512_mul_ps(a, b1)));
                }
            }
        } else if (c->kind == NAT_MITCH || c->kind == NAT_MBM) {
            const __m512 one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
            const __m512 cc = _mm512_set1_ps(0.078125f), c2 = _mm512_set1_ps(0.0390625f);
            const int mbm = c->kind == NAT_MBM;
            for (int64_t p = k0; p < k1; p++) {
                __m512 f0 = _mm512_castsi512_ps(_mm512_loadu_si512(ibp + p * KC));
                __m512 f1 = _mm512_castsi512_ps(_mm512_loadu_si512(ibp + p * KC + 16));
                __m512 b0 = _mm512_maskz_loadu_ps(bm0, vbp + p * ldvb);
                __m512 b1 = _mm512_maskz_loadu_ps(bm1, vbp + p * ldvb + 16);
                for (int r = 0; r < KR; r++) {
                    float fa;
                    memcpy(&fa, &ia[r * k + p], 4);
                    __m512 af = _mm512_set1_ps(fa), a = _mm512_set1_ps(va[r * ldv + p]);
                    __m512 s0 = _mm512_add_ps(af, f0), s1 = _mm512_add_ps(af, f1);
                    __m512 v0, v1;
                    if (!mbm) {
                        v0 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s0, one, _CMP_LT_OQ),
                                                  _mm512_add_ps(s0, s0), _mm512_add_ps(s0, one));
                        v1 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s1, one, _CMP_LT_OQ),
                                                  _mm512_add_ps(s1, s1), _mm512_add_ps(s1, one));
                    } else {
#define AX_MBM_V(sv)                                                                               \
    _mm512_mask_blend_ps(                                                                          \
        _mm512_cmp_ps_mask(sv, one, _CMP_LT_OQ),                                                   \
        _mm512_mask_blend_ps(_mm512_cmp_ps_mask(_mm512_add_ps(_mm512_sub_ps(sv, one), c2), one,    \
                                                _CMP_LT_OQ),                                        \
                             _mm512_add_ps(sv, sv),                                                \
                             _mm512_mul_ps(two, _mm512_add_ps(one, _mm512_add_ps(_mm512_sub_ps(sv, one), c2)))), \
        _mm512_mask_blend_ps(_mm512_cmp_ps_mask(_mm512_add_ps(sv, cc), one, _CMP_LT_OQ),          \
                             _mm512_add_ps(one, sv), _mm512_add_ps(one, _mm512_add_ps(sv, cc))))
                        v0 = AX_MBM_V(s0);
                        v1 = AX_MBM_V(s1);
#undef AX_MBM_V
                    }
                    acc[r][0] = NSTEP(acc[r][0], _mm512_mul_ps(v0, _mm512_mul_ps(a, b0)));
                    acc[r][1] = NSTEP(acc[r][1], _mm512_mul_ps(v1, _mm512_mul_ps(a, b1)));
                }
            }
        } else if (c->kind == NAT_EXACT || c->kind == NAT_TRUNC || c->kind == NAT_DRUM) {
            for (int64_t p = k0; p < k1; p++) {
                __m512 b0 = _mm512_maskz_loadu_ps(bm0, vbp + p * ldvb);
                __m512 b1 = _mm512_maskz_loadu_ps(bm1, vbp + p * ldvb + 16);
                for (int r = 0; r < KR; r++) {
                    __m512 a = _mm512_set1_ps(va[r * ldv + p]);
                    acc[r][0] = NSTEP(acc[r][0], _mm512_mul_ps(a, b0));
                    acc[r][1] = NSTEP(acc[r][1], _mm512_mul_ps(a, b1));
                }
            }
        } else if (c->ashift == 7) {
            /* a row of 128 fp32 significands in 8 registers, looked up by
             * permutes: bits 0-4 of the fraction within a pair of
             * registers, bits 5 and 6 by blends */
            const __m512i b5 = _mm512_set1_epi32(32), b6 = _mm512_set1_epi32(64);
            for (int64_t p = k0; p < k1; p++) {
                __m512i i0 = _mm512_loadu_si512(ibp + p * KC), i1 = _mm512_loadu_si512(ibp + p * KC + 16);
                __m512 b0 = _mm512_maskz_loadu_ps(bm0, vbp + p * ldvb);
                __m512 b1 = _mm512_maskz_loadu_ps(bm1, vbp + p * ldvb + 16);
                __mmask16 m50 = _mm512_test_epi32_mask(i0, b5), m60 = _mm512_test_epi32_mask(i0, b6);
                __mmask16 m51 = _mm512_test_epi32_mask(i1, b5), m61 = _mm512_test_epi32_mask(i1, b6);
                for (int r = 0; r < KR; r++) {
                    const float *row = c->lut + ia[r * k + p];
                    __m512 t[8];
                    for (int q = 0; q < 8; q++) t[q] = _mm512_loadu_ps(row + 16 * q);
                    __m512 a = _mm512_set1_ps(va[r * ldv + p]);
                    __m512 v0 = lut128(t, i0, m50, m60), v1 = lut128(t, i1, m51, m61);
                    acc[r][0] = NSTEP(acc[r][0], _mm512_mul_ps(v0, _mm512_mul_ps(a, b0)));
                    acc[r][1] = NSTEP(acc[r][1], _mm512_mul_ps(v1, _mm512_mul_ps(a, b1)));
                }
            }
        } else {
            for (int64_t p = k0; p < k1; p++) {
                __m512i i0 = _mm512_loadu_si512(ibp + p * KC), i1 = _mm512_loadu_si512(ibp + p * KC + 16);
                __m512 b0 = _mm512_maskz_loadu_ps(bm0, vbp + p * ldvb);
                __m512 b1 = _mm512_maskz_loadu_ps(bm1, vbp + p * ldvb + 16);
                for (int r = 0; r < KR; r++) {
                    __m512i ai = _mm512_set1_epi32(ia[r * k + p]);
                    __m512 a = _mm512_set1_ps(va[r * ldv + p]);
                    __m512 t0 = _mm512_i32gather_ps(_mm512_add_epi32(ai, i0), c->lut, 4);
                    __m512 t1 = _mm512_i32gather_ps(_mm512_add_epi32(ai, i1), c->lut, 4);
                    acc[r][0] = NSTEP(acc[r][0], _mm512_mul_ps(t0, _mm512_mul_ps(a, b0)));
                    acc[r][1] = NSTEP(acc[r][1], _mm512_mul_ps(t1, _mm512_mul_ps(a, b1)));
                }
            }
        }
        /* one chunk: the fold itself; chunks combine from +0 */
        for (int r = 0; r < KR; r++)
            for (int h = 0; h < 2; h++)
                tot[r][h] = k1 - k0 == k ? acc[r][h] : nr_round_v(nr_add_v(tot[r][h], acc[r][h], &ka, loa), &ka, sf);
    }
    for (int r = 0; r < KR; r++) {
        _mm512_storeu_ps(out[r], tot[r][0]);
        _mm512_storeu_ps(out[r] + 16, tot[r][1]);
    }
#undef NSTEP
}

/* KRN x KCN tiles for the value-product kinds (NAT_EXACT, NAT_TRUNC,
 * NAT_DRUM): per lane the same operations in the same order as above. */
__attribute__((target("avx512f"), always_inline)) static inline void
nat_kernel_avx512_narrow_t(const nat_ctx_t *c, const f32_alias *va, int64_t ldv, const f32_alias *vbp,
                           int64_t ldvb, int ncols, float out[KRMAX][KCMAX], const int pf, const int cf,
                           const int sf, const int loa)
{
    nr_vec_t kp, ka;
    if (pf) nr_vec_init(&kp, &c->rp);
    if (cf | sf | loa) nr_vec_init(&ka, &c->ra);
    const int64_t k = c->k;
    const __mmask16 bm = ncols >= 16 ? 0xFFFF : (__mmask16)((1u << ncols) - 1);
    __m512 tot[KRN];
    for (int r = 0; r < KRN; r++) tot[r] = _mm512_setzero_ps();
    for (int64_t k0 = 0; k0 < k; k0 += c->chunk) {
        int64_t k1 = k0 + c->chunk < k ? k0 + c->chunk : k;
        __m512 acc[KRN];
        for (int r = 0; r < KRN; r++) acc[r] = _mm512_setzero_ps();
        for (int64_t p = k0; p < k1; p++) {
            __m512 b = _mm512_maskz_loadu_ps(bm, vbp + p * ldvb);
            for (int r = 0; r < KRN; r++)
                acc[r] = nr_step_v(acc[r], _mm512_mul_ps(_mm512_set1_ps(va[r * ldv + p]), b), &kp, &ka, pf,
                                   cf, sf, loa);
        }
        for (int r = 0; r < KRN; r++)
            tot[r] = k1 - k0 == k ? acc[r] : nr_round_v(nr_add_v(tot[r], acc[r], &ka, loa), &ka, sf);
    }
    for (int r = 0; r < KRN; r++) _mm512_storeu_ps(out[r], tot[r]);
}


typedef void (*nat_kernel_fn)(const nat_ctx_t *, int64_t, const f32_alias *, int64_t, int64_t,
                              const f32_alias *, int64_t, int, float[KRMAX][KCMAX]);
typedef void (*nat_kernel_narrow_fn)(const nat_ctx_t *, const f32_alias *, int64_t, const f32_alias *,
                                     int64_t, int, float[KRMAX][KCMAX]);
#define NAT_INSTANCE(i, pf, cf, sf, loa)                                                                      \
    __attribute__((target("avx512f"))) static void nat_kernel_avx512_##i(                                  \
        const nat_ctx_t *c, int64_t ib0, const f32_alias *va, int64_t ldv, int64_t jp,                  \
        const f32_alias *vbp, int64_t ldvb, int ncols, float out[KRMAX][KCMAX])                         \
    {                                                                                                    \
        nat_kernel_avx512_t(c, ib0, va, ldv, jp, vbp, ldvb, ncols, out, pf, cf, sf, loa);                    \
    }                                                                                                    \
    __attribute__((target("avx512f"))) static void nat_kernel_avx512_narrow_##i(                           \
        const nat_ctx_t *c, const f32_alias *va, int64_t ldv, const f32_alias *vbp, int64_t ldvb,       \
        int ncols, float out[KRMAX][KCMAX])                                                              \
    {                                                                                                    \
        nat_kernel_avx512_narrow_t(c, va, ldv, vbp, ldvb, ncols, out, pf, cf, sf, loa);                      \
    }
NR_VARIANT_LIST(NAT_INSTANCE)
#undef NAT_INSTANCE
#define NAT_PTR(i, pf, cf, sf, loa) nat_kernel_avx512_##i,
#define NAT_PTR_NARROW(i, pf, cf, sf, loa) nat_kernel_avx512_narrow_##i,
static const nat_kernel_fn nat_kernels[NR_VARIANTS] = {NR_VARIANT_LIST(NAT_PTR)};
static const nat_kernel_narrow_fn nat_kernels_narrow[NR_VARIANTS] = {NR_VARIANT_LIST(NAT_PTR_NARROW)};
#undef NAT_PTR
#undef NAT_PTR_NARROW
#endif

static void nat_task(void *p, int64_t t)
{
    const nat_ctx_t *c = p;
    const int kr = c->kr, kc = c->kc;
    const int64_t nrb = c->mpad / kr, rb = t % nrb, jp = t / nrb;
    const ax_gemm_shape_t *s = c->s;
    float out[KRMAX][KCMAX];
    const f32_alias *va = c->va + rb * kr * c->k;
    int64_t ldv = c->k;
    if (c->a_direct && (rb + 1) * kr <= s->m) va = c->a_direct + rb * kr * s->lda, ldv = s->lda;
    const f32_alias *vbp = c->vb + jp * c->k * kc;
    int64_t ldvb = kc;
    int ncols = kc;
    if (c->b_direct) {
        vbp = c->b_direct + jp * kc, ldvb = s->ldb;
        ncols = s->n - jp * kc < kc ? (int)(s->n - jp * kc) : kc;
    }
    /* the narrow path's additions round as the accumulator does */
    const int mode = c->rtz ? fegetround() : 0;
    if (c->rtz) fesetround(FE_TOWARDZERO);
#ifdef AX_HAVE_AVX512_KERNEL
    if (c->avx512 && kc == KCN) nat_kernels_narrow[c->variant](c, va, ldv, vbp, ldvb, ncols, out);
    else if (c->avx512) nat_kernels[c->variant](c, rb * kr, va, ldv, jp, vbp, ldvb, ncols, out);
    else
#endif
        nat_kernel_scalar(c, rb * kr, va, ldv, jp, vbp, ldvb, ncols, out);
    if (c->rtz) fesetround(mode);
    for (int r = 0; r < kr && rb * kr + r < s->m; r++)
        for (int j = 0; j < kc && jp * kc + j < s->n; j++) {
            uint32_t bits;
            memcpy(&bits, &out[r][j], 4);
            if (c->variant) bits = ax_cpu_pack_exact(bits, c->ra.f);
            else if (out[r][j] != out[r][j]) bits = UINT32_C(0x7FC00000); /* the canonical NaN */
            c->C[(rb * kr + r) * s->ldc + jp * kc + j] = bits;
        }
}

/* Which native kind computes cfg's multiplier into fp32, 0 when none does.
 * The options may force the generic path, or the LUT wherever the unit has
 * one (tests and benchmarks of each path). */
static int mul_kind(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const float **lut, int *ashift)
{
    if (e->opts.cpu_path == AX_CPU_PATH_GENERIC) return 0;
    if (e->opts.cpu_path == AX_CPU_PATH_LUT && ax_lut_supported(cfg->mul, cfg->in)) goto lut;
    if (cfg->mul.id == AX_MUL_EXACT) return NAT_EXACT;
    if (cfg->mul.id == AX_MUL_TRUNC && cfg->in.mbits <= 11) return NAT_TRUNC;
    if (cfg->mul.id == AX_MUL_MITCHELL && cfg->in.mbits <= 22) return NAT_MITCH;
    if (cfg->mul.id == AX_MUL_MBM && cfg->in.mbits <= 20) return NAT_MBM;
    if (cfg->mul.id == AX_MUL_DRUM) return NAT_DRUM;
    if (cfg->mul.id == AX_MUL_REALM && cfg->in.mbits <= 21) return NAT_REALM;
    if (!ax_lut_supported(cfg->mul, cfg->in)) return 0;
lut:;
    ax_lut_t *l = ax_lut_get(&e->luts, cfg->mul, cfg->in.mbits);
    if (!l || !ax_lut_fits(l, cfg->prod) || !ax_lut_f32(l) || !(l->f32_min >= 0.25f)) return 0;
    /* rows of 128 for M <= 7 (the permute kernel), else the plain table */
    *lut = cfg->in.mbits <= 7 ? ax_lut_f32_rows128(l) : l->f32;
    *ashift = cfg->in.mbits <= 7 ? 7 : cfg->in.mbits;
    return *lut ? NAT_LUT : 0;
}

/* The adder as the native kernels compute it: 0 the exact sum (add_exact,
 * and add_loa and add_eta with l <= 3: the larger operand's significand has
 * its 3 guard bits zero, so their low parts add exactly); 1 add_loa with
 * 4 <= l <= M + 3 (*l its l: nr_add_v); -1 none (trunc, eta, loa with l = W). */
static int adder_kind(const ax_mac_cfg_t *cfg, int *l)
{
    const int w = (int)cfg->acc.mbits + 4, id = cfg->add.id;
    if (id == AX_ADD_EXACT) return 0;
    if (id != AX_ADD_LOA && id != AX_ADD_ETA) return -1;
    *l = cfg->add.p[0] < w ? cfg->add.p[0] : w;
    if (*l <= 3) return 0;
    return id == AX_ADD_LOA && *l <= w - 1 ? 1 : -1;
}

/* The native path proper: plain fp32 products and exact sums */
static int native_kind(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const float **lut, int *ashift)
{
    int l;
    if (!ax_fmt_plain_fp32(cfg->prod) || !ax_fmt_plain_fp32(cfg->acc) || adder_kind(cfg, &l) != 0) return 0;
    return mul_kind(e, cfg, lut, ashift);
}

/* 1 when the kind's fp32 product is the unit's exact significand product
 * (operands decoded strictly: finite, exponents within [-62, 62]) */
static int kind_exact(ax_fp_ctx_t *e, int kind, const ax_mac_cfg_t *cfg)
{
    switch (kind) {
    case NAT_EXACT:
    case NAT_TRUNC: return cfg->in.mbits <= 11;
    case NAT_MITCH:
    case NAT_MBM:
    case NAT_REALM: return 1; /* within mul_kind's limits */
    case NAT_DRUM: return (cfg->mul.p[0] < (int)cfg->in.mbits + 1 ? cfg->mul.p[0] : (int)cfg->in.mbits + 1) <= 12;
    case NAT_LUT: {
        ax_lut_t *l = ax_lut_get(&e->luts, cfg->mul, cfg->in.mbits);
        return l && ax_cpu_lut_exact(e, l);
    }
    default: return 0;
    }
}

/* The rounding steps a format needs (for_sum: of a sum of two of its values,
 * exact below 2^emin, so no subnormal step) */
static int nr_feat(ax_format_t f, int for_sum)
{
    int ft = NF_ON;
    if (f.ebits < 8 && !(f.flags & AX_FMT_FTZ) && !for_sum) ft |= NF_SUB;
    if (f.flags & AX_FMT_FTZ) ft |= NF_FTZ;
    if (f.ebits < 8 || (f.flags & (AX_FMT_FN | AX_FMT_SAT))) ft |= NF_OVF;
    return ft;
}

/* A format the rounding steps handle: 2 <= E <= 8, M >= 1, M <= 22 below 8
 * exponent bits (the subnormal step's constant) */
static int nr_format_ok(ax_format_t f)
{
    return f.ebits >= 2 && f.mbits >= 1 && (f.ebits == 8 || f.mbits <= 22);
}

static void nr_fmt_init(nr_fmt_t *r, ax_format_t f, int rm, int feat, int plant)
{
    memset(r, 0, sizeof *r);
    r->plant = plant;
    r->f = f;
    r->f.round = (uint8_t)rm;
    r->sh = 23 - (int)f.mbits;
    r->keep = r->sh ? ~((UINT32_C(1) << r->sh) - 1) : ~UINT32_C(0);
    r->lsb1 = rm == AX_RNE && r->sh && !plant ? 1 : 0; /* planted: (u + half) & keep, ties away */
    r->hm1 = rm == AX_RNE && r->sh ? (UINT32_C(1) << (r->sh - 1)) - (plant ? 0 : 1) : 0;
    const int32_t emin = ax_fmt_emin(f);
    r->magic = ldexpf(1.0f, emin - (int)f.mbits + 23);
    if (feat & NF_SUB) r->sub_thr = ax_bits_of(ldexpf(1.0f, emin));
    if (feat & NF_FTZ) { /* tiny: below 2^emin, less half an ulp at M + 1 bits under RNE */
        const double t = ldexp(1.0, emin) - (rm == AX_RNE ? ldexp(1.0, emin - (int)f.mbits - 2) : 0.0);
        float ft = (float)t;
        if ((double)ft < t) ft = nextafterf(ft, INFINITY);
        r->tiny_thr = ax_bits_of(ft);
    }
    r->maxfin = INFINITY;
    if (feat & NF_OVF) r->maxfin = ax_f32_of(ax_to_f32bits(ax_fmt_maxfin(0, f), f));
    r->ovf_bits = rm == AX_RTZ || (f.flags & AX_FMT_SAT) ? ax_bits_of(r->maxfin)
                  : (f.flags & AX_FMT_FN)                ? UINT32_C(0x7FC00000)
                                                         : UINT32_C(0x7F800000);
}

/* The narrow path's variant for cfg (product kind `kind`), its roundings set
 * in c; 0 when it does not take cfg. Conditions (docs/fastpath.md): add_exact;
 * formats the steps handle; an accumulator rounding to nearest with at most
 * 10 mantissa bits (so the fp32 sum rounded again is the correctly rounded
 * one) or toward zero, or fp32 itself; exact products where they are rounded
 * again or summed in RTZ; an infinite product only where every step after it
 * gives what the models' exit for infinities gives. */
static int narrow_variant(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, int kind, nat_ctx_t *c)
{
    const ax_format_t P = cfg->prod, A = cfg->acc;
    int l = 0;
    const int ak = adder_kind(cfg, &l), loa = ak == 1;
    if (ak < 0 || !kind || (loa && A.mbits > 22)) return 0; /* add_loa: B + delta needs a bit below */
    if (ax_fmt_plain_fp32(P) && ax_fmt_plain_fp32(A)) return 0; /* the native path proper */
    if (!nr_format_ok(A)) return 0;
    if (A.round == AX_RNE && A.mbits > 10 && A.mbits != 23) return 0;
    const int pround = !ax_fmt_plain_fp32(P), prm = ax_mul_rm(cfg->mul, P);
    if (pround && !nr_format_ok(P)) return 0;
    const int pf = pround ? nr_feat(P, 0) : 0;
    if ((pround || A.round == AX_RTZ) && !kind_exact(e, kind, cfg)) return 0;
    /* a product that overflows to inf must meet the accumulator as the models'
     * ax_exit_inf would: inf (IEEE-like) or max finite / NaN (FN) */
    if (pround && prm == AX_RNE && !(P.flags & (AX_FMT_FN | AX_FMT_SAT))) {
        const int sat = (A.flags & AX_FMT_SAT) != 0;
        if (!(A.flags & AX_FMT_FN) ? (A.round == AX_RTZ || sat) : (A.round == AX_RTZ && !sat)) return 0;
    }
    /* a plain fp32 accumulator: no conversion, the fp32 sum is the rounding;
     * add_loa toward zero: a larger operand at max finite moved up one ulp
     * carries into inf, which the overflow step brings back */
    const int plain = ax_fmt_plain_fp32(A);
    const int cf = plain || (pround && ax_fmt_eq(P, A)) ? 0 : nr_feat(A, 0);
    const int sf = plain ? 0 : nr_feat(A, 1) | (loa && A.round == AX_RTZ ? NF_OVF : 0);
    for (int v = 1; v < NR_VARIANTS; v++) {
        const int *nv = nr_variants[v];
        if ((pf == 0) != (nv[0] == 0) || (cf == 0) != (nv[1] == 0) || (pf & ~nv[0]) || (cf & ~nv[1]) ||
            (sf & ~nv[2]) || nv[3] != loa)
            continue;
        c->pf = pf, c->cf = cf, c->sf = sf;
        c->rtz = A.round == AX_RTZ;
        c->loa = loa, c->add = cfg->add;
        const int plant = e->plant_bug == AX_PLANT_NARROW_TIE;
        if (pround) nr_fmt_init(&c->rp, P, prm, pf, plant);
        nr_fmt_init(&c->ra, A, A.round, plain ? 0 : nr_feat(A, 0) | (sf & NF_OVF), plant);
        if (loa) {
            c->ra.lmask = (UINT32_C(1) << (l - 3)) - 1;
            c->ra.lcarry = e->plant_bug == AX_PLANT_LOA_CARRY ? 0 : c->ra.lmask + 1;
        }
        return v;
    }
    return 0;
}

/* Decoding op(A) rows (tasks below mpad/kr) and op(B) panels (the rest). */
typedef struct dec_ctx {
    nat_ctx_t *c;
    ax_format_t f;
    int kind; /* NAT_LUT: A's fractions are shifted up to the table's row */
    int drum_k;
    const ax_dec_table_t *t;
    const uint32_t *A, *B;
    int skip_b; /* B is shared with an earlier batch item, already decoded */
    int ok;
} dec_ctx_t;

static inline int dec_one(const dec_ctx_t *d, uint32_t x, float *v, int32_t *idx)
{
    if (d->t) *v = d->t->v[x], *idx = d->t->idx[x];
    else if (d->kind == NAT_EXACT && ax_fmt_plain_fp32(d->f)) memcpy(v, &x, 4), *idx = 0; /* itself */
    else nat_decode(x, d->f, d->kind, d->drum_k, v, idx);
    return *idx != INT32_MIN;
}

static void dec_task(void *p, int64_t t)
{
    dec_ctx_t *d = p;
    nat_ctx_t *c = d->c;
    const ax_gemm_shape_t *s = c->s;
    const int64_t k = c->k, kr = c->kr, kc = c->kc, nrb = c->mpad / kr;
    int ok = 1;
    if (t < nrb) {
        for (int64_t i = s->m; i < (t + 1) * kr; i++) /* padding rows: valid zeros */
            memset(&c->va[i * k], 0, (size_t)k * 4), memset(&c->ia[i * k], 0, (size_t)k * 4);
        if (c->a_direct) { /* full blocks are read in place; the last one is copied */
            if ((t + 1) * kr <= s->m) return;
            for (int64_t i = t * kr; i < s->m; i++)
                memcpy(&c->va[i * k], &d->A[ax_a_index(s, i, 0)], (size_t)k * 4);
            return;
        }
        for (int64_t i = t * kr; i < (t + 1) * kr && i < s->m; i++)
            for (int64_t p = 0; p < k; p++) {
                ok &= dec_one(d, d->A[ax_a_index(s, i, p)], &c->va[i * k + p], &c->ia[i * k + p]);
                if (d->kind == NAT_LUT && c->ia[i * k + p] != INT32_MIN) c->ia[i * k + p] <<= c->ashift;
            }
    } else {
        if (c->b_direct || d->skip_b) return; /* read in place (columns past n masked), or shared */
        const int64_t jp = t - nrb;
        for (int64_t j = s->n > jp * kc ? s->n : jp * kc; j < (jp + 1) * kc; j++)
            for (int64_t p = 0; p < k; p++) { /* padding columns: valid zeros */
                size_t at = (size_t)(jp * k * kc + p * kc + j % kc);
                c->vb[at] = 0.0f, c->ib[at] = 0;
            }
        const int64_t j1 = (jp + 1) * kc < s->n ? (jp + 1) * kc : s->n;
        if (d->kind == NAT_EXACT && ax_fmt_plain_fp32(d->f) && !s->trans_b) { /* rows as they are */
            for (int64_t p = 0; p < k; p++) /* (NAT_EXACT reads no fractions) */
                memcpy(&c->vb[(size_t)(jp * k * kc + p * kc)], &d->B[ax_b_index(s, p, jp * kc)],
                       (size_t)(j1 - jp * kc) * 4);
            return;
        }
        /* p outer: an untransposed B is read along its rows */
        for (int64_t p = 0; p < k; p++)
            for (int64_t j = jp * kc; j < j1; j++) {
                size_t at = (size_t)(jp * k * kc + p * kc + j % kc);
                ok &= dec_one(d, d->B[ax_b_index(s, p, j)], &c->vb[at], &c->ib[at]);
            }
    }
    if (!ok) __atomic_store_n(&d->ok, 0, __ATOMIC_RELAXED);
}

/* Task t of a parallel-for over items of per tasks each: fn on item t / per. */
typedef struct multi_ctx {
    void *items;
    size_t size;
    int64_t per;
    ax_task_fn fn;
} multi_ctx_t;

static void multi_task(void *p, int64_t t)
{
    const multi_ctx_t *m = p;
    m->fn((char *)m->items + (size_t)(t / m->per) * m->size, t % m->per);
}

/* nr: the narrow path's variant and roundings (narrow_variant), or NULL */
static int gemm_native(ax_fp_ctx_t *e, int kind, const float *lut, int ashift, const nat_ctx_t *nr,
                       const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s, const uint32_t *A,
                       const uint32_t *B, uint32_t *C, char *err, size_t errlen)
{
    nat_ctx_t c;
    if (nr) c = *nr;
    else memset(&c, 0, sizeof c);
    c.kind = kind, c.s = s, c.lut = lut, c.ashift = ashift, c.k = s->k, c.avx512 = ax_cpu_use_avx512(e);
    if (kind == NAT_REALM) { /* s_ij * 2^-q: exact floats */
        const int lg = ax_msb64((uint64_t)cfg->mul.p[0]), q = cfg->mul.p[1];
        c.segs = (float)(1 << lg);
        for (uint32_t i = 0; i < 16; i++)
            for (uint32_t j = 0; j < 16; j++)
                c.realm[i * 16 + j] = (i >> lg) || (j >> lg) ? 0.0f : ldexpf((float)ax_realm_term(lg, i, j, q), -q);
    }
    /* thin GEMMs (conv layers with few channels) of a value-product kind: KRN x KCN tiles */
    const int narrow = (kind == NAT_EXACT || kind == NAT_TRUNC || kind == NAT_DRUM) && s->n <= KCN;
    c.kr = narrow ? KRN : KR, c.kc = narrow ? KCN : KC;
    c.mpad = (s->m + c.kr - 1) / c.kr * c.kr;
    c.npad = (s->n + c.kc - 1) / c.kc * c.kc;
    c.chunk = s->chunk > 0 && s->chunk < s->k ? s->chunk : (s->k > 0 ? s->k : 1);
    size_t na = (size_t)(c.mpad * c.k) + 1, nb = (size_t)(c.npad * c.k) + 1;
    int rc = 1;
    nat_ctx_t *ic = NULL;
    dec_ctx_t *id = NULL;
    /* the narrow path decodes strictly: every operand finite, exponents in [-62, 62] */
    const int drum_k = (kind == NAT_DRUM ? cfg->mul.p[0] : 0) | (nr ? NAT_STRICT : 0);
    const ax_dec_table_t *tab = ax_cpu_dec_table(e, cfg->in, kind, drum_k, nat_decode);
    /* plain fp32 under mul_exact: the operands' bits are their values */
    const int plain_exact = kind == NAT_EXACT && ax_fmt_plain_fp32(cfg->in) && !nr;
    const int direct = plain_exact && !s->trans_a;
    /* B in place too when few row blocks share it (packing would cost as much as using it) */
    const int bdirect = plain_exact && !s->trans_b && c.mpad <= 4 * KR;
    /* batch items `items` at a time, each with its own buffers and contexts, in
     * one parallel-for: grouped convolutions give many small items (depthwise:
     * one per channel), where a parallel-for each cost more than the work */
    int64_t items = s->batch;
    if (items > 1024) items = 1024;
    while (items > 1 && (int64_t)(na + nb) * items > (INT64_C(1) << 22)) items /= 2;
    /* the engine's buffers, kept between calls (no page faults on a hot path) */
    c.ia = ax_cpu_grow(e, 0, na * 4 * (size_t)items), c.va = ax_cpu_grow(e, 1, na * 4 * (size_t)items);
    c.ib = ax_cpu_grow(e, 2, nb * 4 * (size_t)items), c.vb = ax_cpu_grow(e, 3, nb * 4 * (size_t)items);
    ic = malloc((size_t)items * sizeof *ic);
    id = malloc((size_t)items * sizeof *id);
    if (!c.ia || !c.va || !c.ib || !c.vb || !ic || !id) {
        rc = ax_fail(err, errlen, "out of memory (GEMM %lldx%lldx%lld)", (long long)s->m,
                        (long long)s->n, (long long)s->k);
        goto done;
    }
    const int64_t ndec = c.mpad / c.kr + c.npad / c.kc, ntile = (c.mpad / c.kr) * (c.npad / c.kc);
    for (int64_t b0 = 0; b0 < s->batch; b0 += items) {
        const int64_t nit = s->batch - b0 < items ? s->batch - b0 : items;
        for (int64_t u = 0; u < nit; u++) {
            const int64_t bi = b0 + u, ub = s->stride_b ? u : 0; /* a shared B once */
            ic[u] = c;
            ic[u].ia = c.ia + (size_t)u * na, ic[u].va = c.va + (size_t)u * na;
            ic[u].ib = c.ib + (size_t)ub * nb, ic[u].vb = c.vb + (size_t)ub * nb;
            ic[u].C = C + bi * s->stride_c;
            ic[u].a_direct = direct ? (const f32_alias *)(const void *)(A + bi * s->stride_a) : NULL;
            ic[u].b_direct = bdirect ? (const f32_alias *)(const void *)(B + bi * s->stride_b) : NULL;
            dec_ctx_t d = {&ic[u], cfg->in, kind, drum_k, tab, A + bi * s->stride_a,
                           B + bi * s->stride_b, u != ub, 1};
            id[u] = d;
        }
        multi_ctx_t md = {id, sizeof *id, ndec, dec_task}, mn = {ic, sizeof *ic, ntile, nat_task};
        ax_parallel_for(e->threads, nit * ndec, multi_task, &md);
        for (int64_t u = 0; u < nit; u++)
            if (!id[u].ok) { /* an exponent outside the native range: the generic path */
                rc = -2;
                goto done;
            }
        ax_parallel_for(e->threads, nit * ntile, multi_task, &mn);
    }
    rc = 0;
done:
    free(ic);
    free(id);
    return rc;
}

int ax_cpu_native(ax_fp_ctx_t *e, const ax_mac_cfg_t *cfg, const ax_gemm_shape_t *s,
                  const uint32_t *A, const uint32_t *B, uint32_t *C, uint32_t *flags, char *err,
                  size_t errlen)
{
    static const char *const names[] = {"", "cpu native fp32 (mul_exact)", "cpu native fp32 (LUT)",
                                        "cpu native fp32 (mul_trunc)", "cpu native fp32 (mul_mitchell)",
                                        "cpu native fp32 (mul_mbm)", "cpu native fp32 (mul_drum)",
                                        "cpu native fp32 (mul_realm)"};
    static const char *const nr_names[] = {"", "cpu native narrow (mul_exact)", "cpu native narrow (LUT)",
                                           "cpu native narrow (mul_trunc)", "cpu native narrow (mul_mitchell)",
                                           "cpu native narrow (mul_mbm)", "cpu native narrow (mul_drum)",
                                           "cpu native narrow (mul_realm)"};
    static const char *const loa_names[] = {"", "cpu native add_loa (mul_exact)", "cpu native add_loa (LUT)",
                                            "cpu native add_loa (mul_trunc)", "cpu native add_loa (mul_mitchell)",
                                            "cpu native add_loa (mul_mbm)", "cpu native add_loa (mul_drum)",
                                            "cpu native add_loa (mul_realm)"};
    if (flags) return -2;
    const float *lut = NULL;
    int ashift = 0;
    int kind = native_kind(e, cfg, &lut, &ashift);
    if (kind) {
        e->last_path = names[kind];
        return gemm_native(e, kind, lut, ashift, NULL, cfg, s, A, B, C, err, errlen);
    }
    /* the narrow path: a product or accumulator format other than plain fp32,
     * or add_loa */
    nat_ctx_t nr;
    memset(&nr, 0, sizeof nr);
    kind = mul_kind(e, cfg, &lut, &ashift);
    if (!(nr.variant = narrow_variant(e, cfg, kind, &nr))) return -2;
    e->last_path = nr.loa ? loa_names[kind] : nr_names[kind];
    return gemm_native(e, kind, lut, ashift, &nr, cfg, s, A, B, C, err, errlen);
}
