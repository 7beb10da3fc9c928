/* ax_metrics.h — error metrics of a unit against the exact unit of its kind.
 *
 * Domain (documented in docs/units.md):
 *   multipliers: a = 1.x, b = 1.y (exponent 0, positive), every (x, y);
 *   adders:      a = 1.x, b = +-1.y * 2^-d, d = 0..M+2, every (x, y, d, sign).
 * Enumerated when the domain has at most max_pairs pairs, otherwise a seeded
 * uniform sample of `sample` pairs. Values compared as doubles (exact). */
#ifndef AX_METRICS_H
#define AX_METRICS_H

#include <stdint.h>

#include "ax_format.h"
#include "ax_units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ax_metrics {
    uint64_t domain;  /* pairs in the domain */
    uint64_t n;       /* pairs evaluated */
    int sampled;      /* 1: n is a seeded sample of the domain */
    uint64_t seed;
    uint64_t errors;  /* results whose bits differ from the exact unit's */
    uint64_t n_rel;   /* pairs with a non-zero exact result (relative metrics) */
    double error_rate;/* errors / n */
    double med;       /* mean |approx - exact| */
    double mred;      /* mean |approx - exact| / |exact| */
    double nmed;      /* med / max |exact| */
    double wcre;      /* max |approx - exact| / |exact| */
    double bias;      /* mean (approx - exact) / exact */
    double mse;       /* mean (approx - exact)^2 */
} ax_metrics_t;

/* A DAA policy's error (docs/units.md section 15, "Error metrics of a
 * policy"): pairs of dot products of terms each, a[k] = max(0, g) (ReLU
 * activations: about half zeros) and b[k] = g' (weights), g, g' standard
 * normal, both rounded to the MAC's input format; the exact terms t_k =
 * a[k] b[k] and their sum in double. ned is the mean normalized error
 * distance |result - exact| / sum_k |t_k| of both streams under the policy
 * (bounded where the sum cancels, unlike a relative error), ned_hi with
 * every product through hi (the plain MAC), ned_lo through lo (on operands
 * rounded to lo_in); hi_fraction the policy's share of non-zero products
 * through hi. Dot products whose terms are all zero are left out. */
typedef struct ax_daa_metrics {
    uint64_t pairs, terms, seed;
    uint64_t n;           /* dot products in the means */
    double ned, ned_hi, ned_lo;
    double hi_fraction;
} ax_daa_metrics_t;

struct ax_mac_cfg;
/* 0, or -1 when c is not a DAA configuration or a size is 0 */
int ax_daa_metrics_compute(const struct ax_mac_cfg *c, uint64_t pairs, uint64_t terms,
                           uint64_t seed, ax_daa_metrics_t *out);

#define AX_METRICS_MAX_ENUM (UINT64_C(1) << 24)
#define AX_METRICS_SAMPLE (UINT64_C(1) << 22)

/* Operands in f (the domain above), results in fo (f itself for a unit on
 * one format; the product format for a multiplier inside a MAC). Fills *out;
 * returns 0, or -1 if the unit is unknown. */
int ax_metrics_compute(ax_unit_t u, ax_format_t f, ax_format_t fo, uint64_t max_enum,
                       uint64_t sample, uint64_t seed, ax_metrics_t *out);

#ifdef __cplusplus
}
#endif

#endif
