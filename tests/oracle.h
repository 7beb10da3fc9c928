// oracle.h — an independent reference for formats of at most 16 bits, for
// tests only: values decoded with ldexpl from the fields, rounding by search
// over every encoding (nearest, ties to the even encoding), tininess judged
// by rounding to precision with an unbounded exponent. Shares no code with
// cmodels/ beyond the format descriptor. long double holds every product and
// sum of two such values exactly.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "ax_flags.h"
#include "ax_format.h"

struct Oracle {
    ax_format_t f;
    uint32_t maxfin;            // largest positive finite encoding
    std::vector<long double> v; // value of encodings 0..maxfin+1 (the last is virtual)

    explicit Oracle(ax_format_t fmt) : f(fmt)
    {
        const int M = f.mbits, E = f.ebits;
        const uint32_t emask = (1u << E) - 1, mmask = (1u << M) - 1;
        bool fn = (f.flags & AX_FMT_FN) != 0;
        maxfin = fn ? ((emask << M) | mmask) - 1 : ((emask - 1) << M) | mmask;
        if (fn && M == 0) maxfin = (emask - 1) << M;
        for (uint32_t x = 0; x <= maxfin + 1; x++) v.push_back(field_value(x));
    }

    // Value of a non-negative finite-looking pattern (no special cases).
    long double field_value(uint32_t x) const
    {
        const int M = f.mbits;
        uint32_t e = x >> M, m = x & ((1u << M) - 1);
        if (e == 0) return ldexpl((long double)m, 1 - f.bias - M);
        return ldexpl((long double)((1u << M) | m), (int)e - f.bias - M);
    }

    bool is_nan(uint32_t x) const
    {
        uint32_t mag = x & ((1u << (f.ebits + f.mbits)) - 1);
        uint32_t emask = (1u << f.ebits) - 1;
        if (f.flags & AX_FMT_FN) return mag == ((emask << f.mbits) | ((1u << f.mbits) - 1));
        return (mag >> f.mbits) == emask && (mag & ((1u << f.mbits) - 1)) != 0;
    }
    bool is_inf(uint32_t x) const
    {
        uint32_t mag = x & ((1u << (f.ebits + f.mbits)) - 1);
        return !(f.flags & AX_FMT_FN) && mag == ((1u << f.ebits) - 1) << f.mbits;
    }
    uint32_t sign_bit() const { return 1u << (f.ebits + f.mbits); }

    // Decoded value (NaN, +-inf, +-0 included). Ignores :ftz.
    long double value(uint32_t x) const
    {
        if (is_nan(x)) return NAN;
        long double s = (x & sign_bit()) ? -1.0L : 1.0L;
        if (is_inf(x)) return s * INFINITY;
        return s * field_value(x & (sign_bit() - 1));
    }

    // Rounds |a| to precision M+1 with an unbounded exponent (for tininess).
    long double round_unbounded(long double a, int rm) const
    {
        int e;
        frexpl(a, &e); // a = fr * 2^e, fr in [0.5, 1)
        long double scaled = ldexpl(a, f.mbits + 1 - e), fl = floorl(scaled);
        long double rem = scaled - fl;
        // ties to the even encoding; with M = 0 the kept significand is always
        // 1 and the encoding's lsb is the exponent field's (e - 1 + bias)
        bool odd = f.mbits == 0 ? ((e - 1 + f.bias) & 1) != 0 : fmodl(fl, 2.0L) == 1.0L;
        if (rm == AX_RNE && (rem > 0.5L || (rem == 0.5L && odd))) fl += 1;
        return ldexpl(fl, e - f.mbits - 1);
    }

    // Correctly rounds a real value into the format (mode rm); flags as IEEE.
    uint32_t round(long double a, int rm, uint32_t *flags) const
    {
        uint32_t s = std::signbit(a) ? sign_bit() : 0;
        if (std::isnan(a)) return nan_bits();
        long double m = fabsl(a);
        if (std::isinf(a)) {
            if (!(f.flags & AX_FMT_FN)) return s | (((1u << f.ebits) - 1) << f.mbits);
            if (f.flags & AX_FMT_SAT) return *flags |= AX_FLAG_OVERFLOW | AX_FLAG_INEXACT, s | maxfin;
            return *flags |= AX_FLAG_INVALID, nan_bits();
        }
        if (m == 0) return s;
        long double minnorm = ldexpl(1.0L, 1 - f.bias);
        bool tiny = m < minnorm && round_unbounded(m, rm) < minnorm;
        if (tiny && (f.flags & AX_FMT_FTZ)) {
            *flags |= AX_FLAG_UNDERFLOW | AX_FLAG_INEXACT;
            return s;
        }
        // largest encoding with value <= m (binary search over 0..maxfin+1)
        uint32_t lo = 0, hi = maxfin + 1;
        if (m >= v[hi]) lo = hi;
        else
            while (hi - lo > 1) {
                uint32_t mid = lo + (hi - lo) / 2;
                (v[mid] <= m ? lo : hi) = mid;
            }
        uint32_t r = lo;
        bool exact = v[lo] == m;
        if (!exact) {
            if (lo == maxfin + 1) r = lo; // beyond the virtual next: overflow
            else if (rm == AX_RNE) {
                long double dl = m - v[lo], dh = v[lo + 1] - m;
                r = (dh < dl || (dh == dl && ((lo + 1) & 1) == 0)) ? lo + 1 : lo;
            }
        }
        if (r > maxfin) {
            *flags |= AX_FLAG_OVERFLOW | AX_FLAG_INEXACT;
            if (rm == AX_RTZ || (f.flags & AX_FMT_SAT)) return s | maxfin;
            if (f.flags & AX_FMT_FN) return nan_bits();
            return s | (((1u << f.ebits) - 1) << f.mbits);
        }
        if (!exact) *flags |= AX_FLAG_INEXACT | (tiny ? AX_FLAG_UNDERFLOW : 0);
        return s | r;
    }

    uint32_t nan_bits() const
    {
        uint32_t emask = (1u << f.ebits) - 1;
        if (f.flags & AX_FMT_FN) return (emask << f.mbits) | ((1u << f.mbits) - 1);
        return (emask << f.mbits) | (1u << (f.mbits - 1));
    }
};
