/* ax_cpu_add_avx512.c — the AVX-512 kernels of the fp32 adder path
 * (ax_cpu_add.h): 16 lanes of uint32 at a time, one instance per adder,
 * product source and flags; the lanes the models decide are patched through
 * ax_cpu_add_slow.c. */
#define _POSIX_C_SOURCE 200809L
#include "ax_cpu_add.h"

#include <string.h>

#ifdef FA_HAVE_AVX512
#define FA_TARGET __attribute__((target("avx512f,avx512cd")))
#define FA_INLINE FA_TARGET static inline __attribute__((always_inline))
#define V1(x) _mm512_set1_epi32((int)(x))

/* A narrow accumulator's constants (fa_ctx_t), broadcast */
typedef struct fa_nv {
    __m512i keep, jam, half, clsb, chm1, lo, span, sh;
} fa_nv_t;

/* fa_add1 on 16 lanes: acc A + products T on the lanes of fast (the rest
 * keep A). Lanes the models must decide are ORed into *slow (their result
 * here is A); inexact lanes into *inx. narrow: the lanes hold values of a
 * narrow accumulator, nv its constants. */
FA_INLINE __m512i fa_add16(int add, int l, __m512i rnd, __m512i A, __m512i T, __mmask16 fast,
                           __mmask16 *slow, __mmask16 *inx, int want_flags, int narrow, const fa_nv_t *nv)
{
    const int g = add == FA_TRUNC ? 0 : 3;
    const __m512i SIGN = V1(0x80000000u), ONE = V1(1), HID = V1(0x800000), MANT = V1(0x7FFFFF);
    const __m512i aa = _mm512_andnot_si512(SIGN, A), ta = _mm512_andnot_si512(SIGN, T);
    const __mmask16 go = fast & _mm512_cmplt_epu32_mask(aa, V1(0x7F800000)); /* acc inf, NaN: kept */
    const __mmask16 swap = _mm512_cmpgt_epu32_mask(ta, aa);
    const __m512i big = _mm512_max_epu32(aa, ta), small = _mm512_min_epu32(aa, ta);
    const __mmask16 sub = _mm512_test_epi32_mask(_mm512_xor_si512(A, T), SIGN);
    const __m512i eb = _mm512_srli_epi32(big, 23);
    const __m512i d = _mm512_sub_epi32(eb, _mm512_max_epu32(_mm512_srli_epi32(small, 23), ONE));
    /* (m & 0x7FFFFF) | 0x800000: ternary logic (a & b) | c = 0xEA; the smaller's
     * hidden bit only when it is normal */
    const __m512i x = _mm512_slli_epi32(_mm512_ternarylogic_epi32(big, MANT, HID, 0xEA), g);
    const __m512i sm = _mm512_and_si512(small, MANT);
    const __m512i y0 = _mm512_slli_epi32(_mm512_mask_or_epi32(sm, _mm512_cmpge_epu32_mask(small, HID), sm, HID), g);
    __m512i y = _mm512_srlv_epi32(y0, d); /* counts >= 32 give 0 */
    if (narrow) { /* the model's bit 0 is the lane's bit sh: jam (or drop) below it */
        const __mmask16 st = _mm512_cmpneq_epi32_mask(_mm512_sllv_epi32(y, d), y0) |
                             _mm512_test_epi32_mask(_mm512_andnot_si512(nv->keep, y), _mm512_andnot_si512(nv->keep, y));
        y = _mm512_and_si512(y, nv->keep);
        if (g) y = _mm512_mask_or_epi32(y, st, y, nv->jam);
    } else if (g) {
        y = _mm512_mask_or_epi32(y, _mm512_cmpneq_epi32_mask(_mm512_sllv_epi32(y, d), y0), y, ONE);
    }
    __m512i s;
    if (add == FA_LOA || add == FA_ETA) { /* ternary logic: a&b&c 0x80, (a|b)&c 0xA8, (a^b)&c 0x28, a|b|c 0xFE */
        const __m512i mask = V1((1u << l) - 1);
        const __m512i hi = _mm512_add_epi32(_mm512_andnot_si512(mask, x), _mm512_andnot_si512(mask, y));
        if (add == FA_LOA) {
            const __m512i carry = _mm512_slli_epi32(_mm512_ternarylogic_epi32(x, y, V1(1u << (l - 1)), 0x80), 1);
            s = _mm512_add_epi32(_mm512_add_epi32(hi, carry), _mm512_ternarylogic_epi32(x, y, mask, 0xA8));
        } else {
            const __m512i fill = _mm512_srlv_epi32(V1(0xFFFFFFFFu), _mm512_lzcnt_epi32(_mm512_ternarylogic_epi32(x, y, mask, 0x80)));
            s = _mm512_ternarylogic_epi32(hi, _mm512_ternarylogic_epi32(x, y, mask, 0x28), fill, 0xFE);
        }
    } else {
        s = _mm512_add_epi32(x, y);
    }
    s = _mm512_mask_sub_epi32(s, sub, x, y);
    if (narrow && add == FA_ETA) s = _mm512_and_si512(s, nv->keep); /* eta fills below the model's datapath */
    const __mmask16 nz = _mm512_test_epi32_mask(s, s);
    const __m512i lz = _mm512_lzcnt_epi32(s);
    const __m512i sal = _mm512_sllv_epi32(s, lz);
    /* the significand plus the exponent's constant part; +1 (narrow: + 2^sh) rounds up */
    __m512i q = _mm512_srli_epi32(sal, 8);
    if (narrow) q = _mm512_and_si512(q, nv->keep);
    q = _mm512_add_epi32(q, V1((uint32_t)(7 - g) << 23));
    if (add != FA_TRUNC && narrow)
        q = _mm512_mask_add_epi32(q, _mm512_test_epi32_mask(sal, nv->half) & _mm512_test_epi32_mask(sal, rnd), q,
                                  nv->jam);
    else if (add != FA_TRUNC)
        q = _mm512_mask_add_epi32(q, _mm512_test_epi32_mask(sal, V1(0x80)) & _mm512_test_epi32_mask(sal, rnd), q, ONE);
    const __m512i mag = _mm512_add_epi32(_mm512_slli_epi32(_mm512_sub_epi32(eb, lz), 23), q);
    const __mmask16 dp = go & nz;
    const __mmask16 out = narrow ? _mm512_mask_cmpge_epu32_mask(dp, _mm512_sub_epi32(mag, nv->lo), nv->span)
                                 : _mm512_mask_cmpge_epu32_mask(dp, _mm512_sub_epi32(mag, HID), V1(0x7F000000));
    *slow |= out;
    if (want_flags) *inx |= _mm512_mask_test_epi32_mask(dp & ~out, sal, V1(0xFF));
    /* mag | (sign of the larger & SIGN): ternary logic a | (b & c) = 0xF8; +0 when s = 0 */
    const __m512i res = _mm512_maskz_ternarylogic_epi32(nz, mag, _mm512_mask_blend_epi32(swap, A, T), SIGN, 0xF8);
    return _mm512_mask_mov_epi32(A, go, res);
}

/* t[16 q + i] for each lane's fraction x < 128 (as lut128 in ax_cpu_native.c). */
FA_INLINE __m512i fa_lut128(const float *row, __m512i x, __mmask16 m5, __mmask16 m6)
{
    __m512 t[8];
    for (int q = 0; q < 8; q++) t[q] = _mm512_loadu_ps(row + 16 * q);
    return _mm512_castps_si512(_mm512_mask_blend_ps(
        m6,
        _mm512_mask_blend_ps(m5, _mm512_permutex2var_ps(t[0], x, t[1]), _mm512_permutex2var_ps(t[2], x, t[3])),
        _mm512_mask_blend_ps(m5, _mm512_permutex2var_ps(t[4], x, t[5]), _mm512_permutex2var_ps(t[6], x, t[7]))));
}

/* Slow lanes of one step: the models on the original operands. */
FA_TARGET __attribute__((noinline)) static void fa_patch(const fa_ctx_t *c, int64_t i, int64_t j0, int64_t p,
                                                         uint32_t lanes, __m512i old0, __m512i old1,
                                                         __m512i *new0, __m512i *new1, uint32_t *fl)
{
    uint32_t o[32], n[32];
    _mm512_storeu_si512(o, old0), _mm512_storeu_si512(o + 16, old1);
    _mm512_storeu_si512(n, *new0), _mm512_storeu_si512(n + 16, *new1);
    if (i < c->rows)
        for (; lanes; lanes &= lanes - 1) {
            const int j = __builtin_ctz(lanes);
            if (j0 + j < c->lanes) n[j] = ax_fa_slow_mac(c, o[j], i, j0 + j, p, fl);
        }
    *new0 = _mm512_loadu_si512(n), *new1 = _mm512_loadu_si512(n + 16);
}

FA_TARGET __attribute__((noinline)) static void fa_patch_add(const fa_ctx_t *c, uint32_t lanes, __m512i old0,
                                                             __m512i old1, __m512i t0, __m512i t1,
                                                             __m512i *new0, __m512i *new1, uint32_t *fl)
{
    uint32_t o[32], t[32], n[32];
    _mm512_storeu_si512(o, old0), _mm512_storeu_si512(o + 16, old1);
    _mm512_storeu_si512(t, t0), _mm512_storeu_si512(t + 16, t1);
    _mm512_storeu_si512(n, *new0), _mm512_storeu_si512(n + 16, *new1);
    for (; lanes; lanes &= lanes - 1) {
        const int j = __builtin_ctz(lanes);
        n[j] = ax_fa_slow_add(c, o[j], t[j], fl);
    }
    *new0 = _mm512_loadu_si512(n), *new1 = _mm512_loadu_si512(n + 16);
}

/* A narrow accumulator: the products converted to acc (the narrow path's
 * pattern rounding); lanes whose result is not a normal finite value of acc
 * leave *fast for *slow. */
FA_INLINE __m512i fa_convert16(__m512i t, const fa_nv_t *nv, __mmask16 *fast, __mmask16 *slow)
{
    const __m512i r = _mm512_and_si512(
        _mm512_add_epi32(_mm512_add_epi32(t, _mm512_and_si512(_mm512_srlv_epi32(t, nv->sh), nv->clsb)), nv->chm1),
        nv->keep);
    const __mmask16 bad = _mm512_mask_cmpge_epu32_mask(
        *fast, _mm512_sub_epi32(_mm512_andnot_si512(V1(0x80000000u), r), nv->lo), nv->span);
    *fast &= (__mmask16)~bad, *slow |= bad;
    return r;
}

FA_INLINE void fa_kernel_avx512_body(fa_ctx_t *c, int add, int prod, int want_flags, int narrow, int64_t rb,
                                     int64_t jp, uint32_t out[FA_R][FA_KC], uint32_t *fl)
{
    fa_nv_t nv;
    if (narrow) {
        nv.keep = V1(c->keep), nv.jam = V1(c->jam), nv.half = V1(c->half), nv.clsb = V1(c->clsb);
        nv.chm1 = V1(c->chm1), nv.lo = V1(c->lo), nv.span = V1(c->span), nv.sh = V1(__builtin_ctz(c->jam));
    }
    const int64_t k = c->k, i0 = rb * FA_R, j0 = jp * FA_KC;
    const int32_t *ka = c->akey + i0 * k, *kb = c->bkey + jp * k * FA_KC;
    const uint32_t *va = c->aval + i0 * k, *vb = c->bval + jp * k * FA_KC;
    const int l = c->l;
    const __m512i rnd = V1(c->rnd), XB = V1(FA_X), ZB = V1(FA_Z), B5 = V1(32), B6 = V1(64);
    __mmask16 inx = 0;
    __m512i tot[FA_R][2];
    for (int r = 0; r < FA_R; r++) tot[r][0] = tot[r][1] = _mm512_setzero_si512();
    for (int64_t k0 = 0; k0 < k; k0 += c->chunk) {
        const int64_t k1 = k0 + c->chunk < k ? k0 + c->chunk : k;
        __m512i acc[FA_R][2];
        for (int r = 0; r < FA_R; r++) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
        for (int64_t p = k0; p < k1; p++) {
            const __m512i kb0 = _mm512_loadu_si512(kb + p * FA_KC), kb1 = _mm512_loadu_si512(kb + p * FA_KC + 16);
            const __m512i vb0 = _mm512_loadu_si512(vb + p * FA_KC), vb1 = _mm512_loadu_si512(vb + p * FA_KC + 16);
            const __mmask16 bx0 = _mm512_test_epi32_mask(kb0, XB), bx1 = _mm512_test_epi32_mask(kb1, XB);
            const __mmask16 bz0 = _mm512_test_epi32_mask(kb0, ZB), bz1 = _mm512_test_epi32_mask(kb1, ZB);
            __mmask16 m50 = 0, m60 = 0, m51 = 0, m61 = 0;
            if (prod == FA_PERM) {
                m50 = _mm512_test_epi32_mask(kb0, B5), m60 = _mm512_test_epi32_mask(kb0, B6);
                m51 = _mm512_test_epi32_mask(kb1, B5), m61 = _mm512_test_epi32_mask(kb1, B6);
            }
            for (int r = 0; r < FA_R; r++) {
                const int32_t a = ka[r * k + p];
                const __mmask16 ax = (__mmask16)-(int)((a >> 30) & 1), az = (__mmask16)-(int)((a >> 29) & 1);
                __mmask16 sl0 = bx0 | ax, sl1 = bx1 | ax;
                __mmask16 f0 = (__mmask16) ~(sl0 | bz0 | az), f1 = (__mmask16) ~(sl1 | bz1 | az);
                __m512i t0, t1;
                if (prod == FA_VALUE) {
                    const __m512 x = _mm512_castsi512_ps(V1(va[r * k + p]));
                    t0 = _mm512_castps_si512(_mm512_mul_ps(x, _mm512_castsi512_ps(vb0)));
                    t1 = _mm512_castps_si512(_mm512_mul_ps(x, _mm512_castsi512_ps(vb1)));
                } else {
                    const __m512i sa = V1(va[r * k + p]);
                    if (prod == FA_PERM) {
                        const float *row = c->lut + (a & FA_IDX);
                        t0 = fa_lut128(row, kb0, m50, m60), t1 = fa_lut128(row, kb1, m51, m61);
                    } else {
                        const __m512i ai = V1(a & FA_IDX);
                        t0 = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), f0, _mm512_add_epi32(ai, kb0), c->lut, 4);
                        t1 = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), f1, _mm512_add_epi32(ai, kb1), c->lut, 4);
                    }
                    t0 = _mm512_add_epi32(t0, _mm512_add_epi32(sa, vb0));
                    t1 = _mm512_add_epi32(t1, _mm512_add_epi32(sa, vb1));
                }
                if (narrow) t0 = fa_convert16(t0, &nv, &f0, &sl0), t1 = fa_convert16(t1, &nv, &f1, &sl1);
                const __m512i o0 = acc[r][0], o1 = acc[r][1];
                acc[r][0] = fa_add16(add, l, rnd, o0, t0, f0, &sl0, &inx, want_flags, narrow, &nv);
                acc[r][1] = fa_add16(add, l, rnd, o1, t1, f1, &sl1, &inx, want_flags, narrow, &nv);
                if (__builtin_expect((sl0 | sl1) != 0, 0))
                    fa_patch(c, i0 + r, j0, p, (uint32_t)sl0 | (uint32_t)sl1 << 16, o0, o1, &acc[r][0], &acc[r][1], fl);
            }
        }
        if (k0 == 0 && k1 == k) { /* one chunk: the plain fold */
            for (int r = 0; r < FA_R; r++) tot[r][0] = acc[r][0], tot[r][1] = acc[r][1];
            break;
        }
        for (int r = 0; r < FA_R; r++) { /* total = ADD(total, partial) */
            __mmask16 fv[2], sl[2];
            for (int v = 0; v < 2; v++) {
                const __m512i ta = _mm512_andnot_si512(V1(0x80000000u), acc[r][v]);
                const __mmask16 tz = _mm512_cmpeq_epi32_mask(acc[r][v], _mm512_setzero_si512());
                fv[v] = narrow ? _mm512_cmplt_epu32_mask(_mm512_sub_epi32(ta, nv.lo), nv.span)
                               : _mm512_cmplt_epu32_mask(_mm512_sub_epi32(ta, V1(0x00800000)), V1(0x7F000000));
                sl[v] = (__mmask16) ~(tz | fv[v]);
            }
            const __m512i o0 = tot[r][0], o1 = tot[r][1];
            tot[r][0] = fa_add16(add, l, rnd, o0, acc[r][0], fv[0], &sl[0], &inx, want_flags, narrow, &nv);
            tot[r][1] = fa_add16(add, l, rnd, o1, acc[r][1], fv[1], &sl[1], &inx, want_flags, narrow, &nv);
            if (sl[0] | sl[1])
                fa_patch_add(c, (uint32_t)sl[0] | (uint32_t)sl[1] << 16, o0, o1, acc[r][0], acc[r][1], &tot[r][0],
                             &tot[r][1], fl);
        }
    }
    for (int r = 0; r < FA_R; r++) {
        _mm512_storeu_si512(out[r], tot[r][0]);
        _mm512_storeu_si512(out[r] + 16, tot[r][1]);
    }
    if (inx) *fl |= AX_FLAG_INEXACT;
}

/* One instance per adder x product source x (w: 0, 1 flags asked for; 2 a
 * narrow accumulator, no flags). */
#define FA_K(a, p, w)                                                                              \
    FA_TARGET static void fa_k_##a##_##p##_##w(fa_ctx_t *c, int64_t rb, int64_t jp,             \
                                               uint32_t out[FA_R][FA_KC], uint32_t *fl)         \
    {                                                                                              \
        fa_kernel_avx512_body(c, FA_##a, FA_##p, w == 1, w == 2, rb, jp, out, fl);                \
    }
#define FA_K_ADDERS(p, w) FA_K(PLAIN, p, w) FA_K(TRUNC, p, w) FA_K(LOA, p, w) FA_K(ETA, p, w)
FA_K_ADDERS(VALUE, 0)
FA_K_ADDERS(VALUE, 1)
FA_K_ADDERS(VALUE, 2)
FA_K_ADDERS(PERM, 0)
FA_K_ADDERS(PERM, 1)
FA_K_ADDERS(PERM, 2)
FA_K_ADDERS(GATHER, 0)
FA_K_ADDERS(GATHER, 1)
FA_K_ADDERS(GATHER, 2)
#undef FA_K_ADDERS
#undef FA_K

#define FA_ROW(p, w) {fa_k_PLAIN_##p##_##w, fa_k_TRUNC_##p##_##w, fa_k_LOA_##p##_##w, fa_k_ETA_##p##_##w}
static const fa_kernel_fn fa_kernels[3][3][4] = {
    {FA_ROW(VALUE, 0), FA_ROW(VALUE, 1), FA_ROW(VALUE, 2)},
    {FA_ROW(PERM, 0), FA_ROW(PERM, 1), FA_ROW(PERM, 2)},
    {FA_ROW(GATHER, 0), FA_ROW(GATHER, 1), FA_ROW(GATHER, 2)},
};
#undef FA_ROW
#undef V1

fa_kernel_fn ax_fa_avx512_kernel(int prod, int want_flags, int narrow, int add)
{
    return fa_kernels[prod][narrow ? 2 : want_flags][add];
}
#endif
