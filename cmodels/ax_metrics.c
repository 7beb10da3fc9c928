/* ax_metrics.c — error metrics over the documented domain (ax_metrics.h). */
#include "ax_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ax_convert.h"
#include "ax_daa.h"
#include "ax_rng.h"

/* The i-th pair of the domain. */
static void domain_pair(int kind, ax_format_t f, uint64_t i, uint32_t *a, uint32_t *b)
{
    const int m = f.mbits;
    const uint64_t nfrac = UINT64_C(1) << m;
    uint32_t x = (uint32_t)(i % nfrac), y = (uint32_t)((i / nfrac) % nfrac);
    uint32_t e1 = (uint32_t)f.bias; /* biased exponent of 2^0 */
    *a = ax_pack(0, e1, x, f);
    if (kind == AX_KIND_MUL) {
        *b = ax_pack(0, e1, y, f);
        return;
    }
    uint64_t rest = i / nfrac / nfrac;
    uint32_t d = (uint32_t)(rest % (uint64_t)(m + 3)), s = (uint32_t)(rest / (uint64_t)(m + 3));
    /* 1.y * 2^-d, rounded into f when that is below its normal range */
    uint32_t fl = 0;
    *b = ax_round_pack(s, -(int32_t)d - m, (uint64_t)y | (UINT64_C(1) << m), f, AX_RNE, &fl);
}

int ax_metrics_compute(ax_unit_t u, ax_format_t f, ax_format_t fo, uint64_t max_enum,
                       uint64_t sample, uint64_t seed, ax_metrics_t *out)
{
    if (u.id < 0 || u.id >= AX_UNIT_COUNT) return -1;
    memset(out, 0, sizeof *out);
    const int kind = ax_unit_kind(u);
    const uint64_t nfrac = UINT64_C(1) << f.mbits;
    uint64_t domain = nfrac * nfrac;
    if (kind == AX_KIND_ADD) domain *= (uint64_t)(f.mbits + 3) * 2;
    out->domain = domain;
    out->seed = seed;
    out->sampled = domain > max_enum;
    out->n = out->sampled ? sample : domain;
    ax_unit_t ex = {kind == AX_KIND_ADD ? AX_ADD_EXACT : AX_MUL_EXACT, {0, 0}};
    ax_rng_t rng = {seed};
    double sum_ed = 0, sum_red = 0, sum_sre = 0, sum_sq = 0, max_exact = 0, wcre = 0;
    for (uint64_t k = 0; k < out->n; k++) {
        uint64_t i = out->sampled ? ax_rng_next(&rng) % domain : k;
        uint32_t a, b, fl = 0;
        domain_pair(kind, f, i, &a, &b);
        uint32_t r = ax_unit_apply(u, a, b, f, fo, &fl);
        uint32_t e = ax_unit_apply(ex, a, b, f, fo, &fl);
        if (r != e) out->errors++;
        double vr = ax_to_double(r, fo), ve = ax_to_double(e, fo);
        double ed = fabs(vr - ve);
        sum_ed += ed;
        sum_sq += (vr - ve) * (vr - ve);
        if (fabs(ve) > max_exact) max_exact = fabs(ve);
        if (ve != 0) {
            double red = ed / fabs(ve);
            out->n_rel++;
            sum_red += red;
            sum_sre += (vr - ve) / ve;
            if (red > wcre) wcre = red;
        }
    }
    double n = (double)out->n;
    out->error_rate = (double)out->errors / n;
    out->med = sum_ed / n;
    out->mse = sum_sq / n;
    out->nmed = max_exact > 0 ? out->med / max_exact : 0;
    out->mred = out->n_rel ? sum_red / (double)out->n_rel : 0;
    out->bias = out->n_rel ? sum_sre / (double)out->n_rel : 0;
    out->wcre = wcre;
    return 0;
}

/* ---- a DAA policy's error ------------------------------------------------------ */

static double gauss(ax_rng_t *r)
{
    double u = ax_rng_uniform(r), v = ax_rng_uniform(r);
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* x rounded to f (the reference conversion) */
static uint32_t quant(double x, ax_format_t f)
{
    uint64_t u;
    uint32_t fl = 0;
    memcpy(&u, &x, sizeof u);
    return ax_from_f64bits(u, f, &fl);
}

int ax_daa_metrics_compute(const ax_mac_cfg_t *c, uint64_t pairs, uint64_t terms, uint64_t seed,
                           ax_daa_metrics_t *out)
{
    memset(out, 0, sizeof *out);
    if (!ax_mac_is_daa(c) || pairs == 0 || terms == 0) return -1;
    out->pairs = pairs, out->terms = terms, out->seed = seed;
    uint32_t *a = malloc(3 * terms * sizeof *a);
    if (!a) return -1;
    uint32_t *a1 = a + terms, *b = a1 + terms;
    ax_rng_t r = {seed};
    ax_mac_cfg_t hi = *c, lo = *c;
    hi.daa.policy = AX_DAA_NONE;
    lo.daa.policy = AX_DAA_STATIC; /* its stream 1: every product through lo */
    double sum = 0, sum_hi = 0, sum_lo = 0;
    ax_daa_count_t cnt = {0, 0};
    for (uint64_t p = 0; p < pairs; p++) {
        for (uint64_t k = 0; k < terms; k++) {
            const double g0 = gauss(&r), g1 = gauss(&r), w = gauss(&r);
            a[k] = quant(g0 > 0 ? g0 : 0, c->in);
            a1[k] = quant(g1 > 0 ? g1 : 0, c->in);
            b[k] = quant(w, c->in);
        }
        for (int s = 0; s < 2; s++) {
            const uint32_t *x = s ? a1 : a, *y = s ? a : a1;
            double exact = 0, mag = 0;
            for (uint64_t k = 0; k < terms; k++) {
                const double t = ax_to_double(x[k], c->in) * ax_to_double(b[k], c->in);
                exact += t, mag += fabs(t);
            }
            if (mag == 0) continue;
            uint32_t fl = 0;
            const double d =
                ax_to_double(ax_daa_fold(c, x, y, s, b, 1, 1, 0, (int64_t)terms, &fl, &cnt), c->acc);
            const double dh = ax_to_double(ax_mac_fold(&hi, x, b, (size_t)terms, &fl), c->acc);
            /* all lo: stream 1 of the static policy, its partner stream 0 */
            const double dl =
                ax_to_double(ax_daa_fold(&lo, x, y, 1, b, 1, 1, 0, (int64_t)terms, &fl, NULL), c->acc);
            sum += fabs(d - exact) / mag;
            sum_hi += fabs(dh - exact) / mag;
            sum_lo += fabs(dl - exact) / mag;
            out->n++;
        }
    }
    free(a);
    if (out->n) {
        out->ned = sum / (double)out->n;
        out->ned_hi = sum_hi / (double)out->n;
        out->ned_lo = sum_lo / (double)out->n;
    }
    out->hi_fraction = cnt.nonzero ? (double)cnt.hi / (double)cnt.nonzero : 0;
    return 0;
}
