/* ax_daa.h — dynamic asymmetric precision (DAA; docs/units.md section 15):
 * a processing element serves two dot products ("streams" 0 and 1: two
 * adjacent output rows i = 2j and 2j + 1 of a GEMM, which share the column
 * of B) with one high-precision multiplier (c->mul) and one low-precision
 * one (c->daa.lo, on operands rounded from c->in to c->daa.lo_in). At step k
 * the controller sees both streams' operands a0 = A[2j][k], a1 = A[2j+1][k]
 * and the shared b = B[k][n] and gives the high-precision multiplier to one
 * stream (ax_daa_decide); the other stream's product goes through lo. Both
 * products then follow the MAC of ax_mac.h: converted to the accumulator
 * format and added in ascending k by c->add, each stream in its own
 * accumulator. A row without a partner (the last of an odd count) has the
 * high-precision multiplier to itself.
 *
 * A product is zero when one operand is zero (ax_unpack: a :ftz format's
 * subnormals too) and the other is finite or zero, judged on the operands in
 * c->in (docs/units.md section 15). The fraction of high-precision products
 * counts the non-zero ones. Header-only, AX_HD: host and CUDA device. */
#ifndef AX_DAA_H
#define AX_DAA_H

#include "ax_mac.h"

/* 1 when a * b is zero (one operand zero, the other neither inf nor NaN) */
AX_HD int ax_daa_zero_product(uint32_t a, uint32_t b, ax_format_t f)
{
    const ax_unpacked_t ua = ax_unpack(a, f), ub = ax_unpack(b, f);
    if (ua.cls == AX_CLS_ZERO) return ub.cls == AX_CLS_ZERO || ub.cls == AX_CLS_FINITE;
    if (ub.cls == AX_CLS_ZERO) return ua.cls == AX_CLS_FINITE;
    return 0;
}

/* The product's size as the value-based controller sees it: the sum of the
 * operands' unbiased exponents (subnormals normalized); a zero product the
 * smallest, an inf or NaN operand the largest */
AX_HD int32_t ax_daa_magnitude(uint32_t a, uint32_t b, ax_format_t f)
{
    if (ax_daa_zero_product(a, b, f)) return INT32_MIN;
    const ax_unpacked_t ua = ax_unpack(a, f), ub = ax_unpack(b, f);
    if (ua.cls != AX_CLS_FINITE || ub.cls != AX_CLS_FINITE) return INT32_MAX;
    return ua.exp + ub.exp;
}

/* One round of the random policy's hash: xorshift-multiply */
AX_HD uint32_t ax_daa_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* The hash's state after the step's index and the pair's two A operands
 * (what every column of a pair step shares) */
AX_HD uint32_t ax_daa_hash_pair(uint32_t seed, uint64_t k, uint32_t a0, uint32_t a1)
{
    const uint32_t x = seed ^ ((uint32_t)k * 0x9e3779b9u) ^ (uint32_t)(k >> 32);
    return ax_daa_mix(ax_daa_mix(x ^ a0) ^ a1);
}

/* The random policy's hash of the step (seed, k and the three operands):
 * mix(mix(mix(mix(seed ^ k * 0x9e3779b9 ^ k >> 32 ^ a0) ^ a1) ^ b)) */
AX_HD uint32_t ax_daa_hash(uint32_t seed, uint64_t k, uint32_t a0, uint32_t a1, uint32_t b)
{
    return ax_daa_mix(ax_daa_mix(ax_daa_hash_pair(seed, k, a0, a1) ^ b));
}

/* The stream (0 or 1) that gets the high-precision multiplier at step k.
 * Ties go to stream 0:
 *   static  0
 *   zero    1 when stream 0's product is zero and stream 1's is not, else 0
 *   value   1 when stream 1's magnitude is larger than stream 0's, else 0
 *   random  bit 31 of ax_daa_hash(seed, k, a0, a1, b) */
AX_HD int ax_daa_decide(const ax_mac_cfg_t *c, uint64_t k, uint32_t a0, uint32_t a1, uint32_t b)
{
    switch (c->daa.policy) {
    case AX_DAA_ZERO:
        return ax_daa_zero_product(a0, b, c->in) && !ax_daa_zero_product(a1, b, c->in);
    case AX_DAA_VALUE:
        return ax_daa_magnitude(a1, b, c->in) > ax_daa_magnitude(a0, b, c->in);
    case AX_DAA_RANDOM:
        return (int)(ax_daa_hash(c->daa.seed, k, a0, a1, b) >> 31);
    default:
        return 0;
    }
}

/* One product in the product format: through mul (hi), or through lo on
 * the operands rounded to lo_in (the rounding's flags count: it is an
 * operation of the datapath) */
AX_HD uint32_t ax_daa_product(const ax_mac_cfg_t *c, int hi, uint32_t a, uint32_t b,
                              uint32_t *flags)
{
    if (hi) return ax_unit_apply(c->mul, a, b, c->in, c->prod, flags);
    if (!ax_fmt_eq(c->daa.lo_in, c->in)) {
        a = ax_convert(a, c->in, c->daa.lo_in, flags);
        b = ax_convert(b, c->in, c->daa.lo_in, flags);
    }
    return ax_unit_apply(c->daa.lo, a, b, c->daa.lo_in, c->prod, flags);
}

/* The pairing of a GEMM's m rows: rows are paired in segments of seg rows
 * (seg <= 0: one segment of m), 2j with 2j + 1 within each segment. Row i's
 * partner, or -1 (the last row of an odd segment); *stream: its place in
 * the pair, 0 or 1. */
AX_HD int64_t ax_daa_pair_row(int64_t i, int64_t m, int64_t seg, int *stream)
{
    if (seg <= 0) seg = m;
    const int64_t q = i % seg, pq = q ^ 1;
    *stream = (int)(q & 1);
    return pq < seg && i - q + pq < m ? i - q + pq : -1;
}

/* The counts of a fold: non-zero products, and those through mul */
typedef struct ax_daa_count {
    uint64_t nonzero, hi;
} ax_daa_count_t;

/* One step of the pair: both accumulators (stream 0's and stream 1's, in
 * c->acc) take their term; returns the stream that got mul. */
AX_HD int ax_daa_pair_step(const ax_mac_cfg_t *c, uint64_t k, uint32_t *acc0, uint32_t *acc1,
                           uint32_t a0, uint32_t a1, uint32_t b, uint32_t *flags)
{
    const int s = ax_daa_decide(c, k, a0, a1, b);
    const uint32_t p0 = ax_daa_product(c, s == 0, a0, b, flags);
    const uint32_t p1 = ax_daa_product(c, s == 1, a1, b, flags);
    *acc0 = ax_unit_apply(c->add, *acc0, ax_convert(p0, c->prod, c->acc, flags), c->acc, c->acc,
                          flags);
    *acc1 = ax_unit_apply(c->add, *acc1, ax_convert(p1, c->prod, c->acc, flags), c->acc, c->acc,
                          flags);
    return s;
}

/* One stream's fold, as a GEMM computes its output element on its own:
 * a[k*sa] its row, p[k*sa] the partner row (NULL: no partner, every
 * product through mul), stream its place in the pair (0: the even row),
 * b[k*sb] the shared column; k = k0 + i for the policy (the column index
 * the whole dot product has, so a chunk of it decides as the whole does).
 * The MAC's fold over n terms from acc (accumulator format: a partial sum,
 * as rtl/ax_daa_pe.v's seed_i); cnt (may be NULL) adds the counts. */
AX_HD uint32_t ax_daa_fold_from(const ax_mac_cfg_t *c, uint32_t acc, const uint32_t *a,
                                const uint32_t *p, int stream, const uint32_t *b, int64_t sa,
                                int64_t sb, uint64_t k0, int64_t n, uint32_t *flags,
                                ax_daa_count_t *cnt)
{
    for (int64_t i = 0; i < n; i++) {
        const uint32_t x = a[i * sa], y = b[i * sb];
        int hi = 1;
        if (p) {
            const uint32_t o = p[i * sa];
            hi = ax_daa_decide(c, k0 + (uint64_t)i, stream ? o : x, stream ? x : o, y) == stream;
        }
        if (cnt && !ax_daa_zero_product(x, y, c->in)) cnt->nonzero++, cnt->hi += (uint64_t)hi;
        const uint32_t t = ax_convert(ax_daa_product(c, hi, x, y, flags), c->prod, c->acc, flags);
        acc = ax_unit_apply(c->add, acc, t, c->acc, c->acc, flags);
    }
    return acc;
}

/* ax_daa_fold_from +0 */
AX_HD uint32_t ax_daa_fold(const ax_mac_cfg_t *c, const uint32_t *a, const uint32_t *p,
                           int stream, const uint32_t *b, int64_t sa, int64_t sb, uint64_t k0,
                           int64_t n, uint32_t *flags, ax_daa_count_t *cnt)
{
    return ax_daa_fold_from(c, ax_fmt_zero(0, c->acc), a, p, stream, b, sa, sb, k0, n, flags, cnt);
}

/* ax_daa_fold with chunked accumulation (ax_mac_fold_chunked's rule):
 * partial folds of chunk terms from +0, combined in order by c->add */
AX_HD uint32_t ax_daa_fold_chunked(const ax_mac_cfg_t *c, const uint32_t *a, const uint32_t *p,
                                   int stream, const uint32_t *b, int64_t sa, int64_t sb,
                                   int64_t n, int64_t chunk, uint32_t *flags, ax_daa_count_t *cnt)
{
    if (chunk <= 0 || chunk >= n) return ax_daa_fold(c, a, p, stream, b, sa, sb, 0, n, flags, cnt);
    uint32_t total = ax_fmt_zero(0, c->acc);
    for (int64_t k0 = 0; k0 < n; k0 += chunk) {
        const int64_t len = n - k0 < chunk ? n - k0 : chunk;
        const uint32_t part = ax_daa_fold(c, a + k0 * sa, p ? p + k0 * sa : NULL, stream,
                                          b + k0 * sb, sa, sb, (uint64_t)k0, len, flags, cnt);
        total = ax_unit_apply(c->add, total, part, c->acc, c->acc, flags);
    }
    return total;
}

#ifdef __cplusplus
extern "C" {
#endif
/* Host only (ax_mac_config.c): "static", "zero", "value", "random" ->
 * 0, or -1 with a message naming them; and back ("none" for AX_DAA_NONE) */
int ax_daa_policy_parse(const char *s, ax_daa_policy_t *out, char *err, size_t errlen);
const char *ax_daa_policy_name(ax_daa_policy_t p);
#ifdef __cplusplus
}
#endif

#endif /* AX_DAA_H */
