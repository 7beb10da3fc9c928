/* ax_metrics.c — error metrics over the documented domain (ax_metrics.h). */
#include "ax_metrics.h"

#include <math.h>
#include <string.h>

#include "ax_convert.h"
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
