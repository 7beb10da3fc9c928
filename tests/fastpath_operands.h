// fastpath_operands.h — seeded operand matrices and GEMM shapes for the
// fast-path tests (cpu in test_fastpath.cpp and test_fastpath_adders.cpp,
// cuda in gpu/test_fastpath_gpu.cu): values near 1,
// special values sprinkled in, raw bit patterns, any exponent, all zeros, and
// one exponent far outside the native paths' range.
#ifndef AX_FASTPATH_OPERANDS_H
#define AX_FASTPATH_OPERANDS_H

#include <cstdint>
#include <vector>

#include "ax_fastpath.h"
#include "ax_format.h"
#include "ax_rng.h"

enum dist { NEAR_ONE, SPECIALS, SPECIALS_NORMAL, RAW, WIDE, ZEROS, ONE_HUGE };
static const char *const dist_names[] = {"near-one", "specials", "specials-no-subnormals", "raw-bits",
                                         "wide-exponents", "zeros", "one-huge-exponent"};

// The normal number of f with sign s, biased exponent field be (clamped to
// f's normal range) and mantissa mant; FN's NaN pattern becomes max finite.
inline uint32_t normal_operand(ax_format_t f, uint32_t s, int32_t be, uint32_t mant)
{
    if (be < 1) be = 1;
    if ((uint32_t)be > ax_fmt_emax_field(f)) be = (int32_t)ax_fmt_emax_field(f);
    const uint32_t x = ax_pack(s, (uint32_t)be, mant, f);
    return ax_is_nan(x, f) ? ax_fmt_maxfin(s, f) : x;
}

// Cancellation: each odd element of v the negation of the one before, every
// 4th of them an ulp off.
inline void cancel_pairs(std::vector<uint32_t> &v, ax_format_t f)
{
    for (size_t i = 1; i < v.size(); i += 2) {
        v[i] = v[i - 1] ^ ax_fmt_signbit(f);
        if (i % 8 == 3 && ax_frac(v[i], f) != 0) v[i] -= 1;
    }
}

// A random operand of f: near 1 (exponents -4..4); with zeros, infinities
// (max finite for FN formats), NaNs and subnormals sprinkled in (subnormal
// bf16 exponents are below -62: they send the native paths to generic); the
// same without subnormals; any bit pattern; any exponent; zero.
inline uint32_t operand(ax_rng_t *r, ax_format_t f, dist d)
{
    const uint32_t w = (uint32_t)ax_fmt_width(f);
    const uint32_t mant = (uint32_t)ax_rng_next(r) & ax_fmt_mmask(f), s = ax_rng_next(r) & 1;
    if (d == ZEROS) return ax_fmt_zero(s, f);
    if (d == RAW) return (uint32_t)ax_rng_next(r) & (w == 32 ? 0xFFFFFFFFu : (1u << w) - 1);
    if (d == SPECIALS || d == SPECIALS_NORMAL) {
        switch (ax_rng_below(r, 16)) {
        case 0:
        case 1: return ax_fmt_zero(s, f);
        case 2: return (f.flags & AX_FMT_FN) ? ax_fmt_maxfin(s, f) : ax_fmt_inf(s, f);
        case 3: return ax_fmt_nan(f);
        case 4:
            if (d == SPECIALS) return ax_pack(s, 0, mant ? mant : 1, f); // subnormal
            break;
        default: break;
        }
    }
    int32_t e = d == WIDE ? (int32_t)ax_rng_below(r, ax_fmt_emax_field(f)) + 1
                          : f.bias + (int32_t)ax_rng_below(r, 9) - 4;
    return normal_operand(f, s, e, mant);
}

inline std::vector<uint32_t> matrix(ax_rng_t *r, ax_format_t f, dist d, size_t n)
{
    std::vector<uint32_t> v(n);
    for (auto &x : v) x = operand(r, f, d == ONE_HUGE ? NEAR_ONE : d);
    if (d == ONE_HUGE && n > 0) // one exponent far outside [-62, 62]: native paths step aside
        v[n / 2] = ax_pack(0, ax_fmt_emax_field(f), 1, f);
    return v;
}

// Operands sized for shape s (batch strides: A and C packed, B per flag).
inline ax_gemm_shape_t shape(int64_t m, int64_t n, int64_t k, int ta, int tb, int64_t batch,
                             bool share_b, int64_t chunk)
{
    ax_gemm_shape_t s = ax_gemm_shape(m, n, k);
    s.trans_a = ta, s.trans_b = tb;
    s.lda = (ta ? m : k) + 3, s.ldb = (tb ? k : n) + 1, s.ldc = n + 2;
    s.batch = batch;
    s.stride_a = (ta ? k : m) * s.lda;
    s.stride_b = share_b ? 0 : (tb ? n : k) * s.ldb;
    s.stride_c = m * s.ldc;
    s.chunk = chunk;
    return s;
}

inline size_t a_size(const ax_gemm_shape_t &s) { return (size_t)(s.stride_a * (s.batch - 1) + (s.trans_a ? s.k : s.m) * s.lda); }
inline size_t b_size(const ax_gemm_shape_t &s) { return (size_t)(s.stride_b * (s.batch - 1) + (s.trans_b ? s.n : s.k) * s.ldb); }

#endif
