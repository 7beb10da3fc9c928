/* ax_hostcheck.c — the host-FPU check (ax_hostcheck.h). Compiled with
 * -frounding-math -fsignaling-nans so the compiler keeps every operation
 * where it stands between clearing and reading the flags. */
#include "ax_hostcheck.h"

#include <fenv.h>
#include <string.h>

#include "ax_convert.h"
#include "ax_flags.h"
#include "ax_rng.h"
#include "ax_units.h"



uint32_t ax_host_f32(int kind, uint32_t a, uint32_t b, uint32_t *flags)
{
    volatile float x = ax_f32_of(a), y = ax_f32_of(b), r;
    feclearexcept(FE_ALL_EXCEPT);
    if (kind == AX_KIND_ADD) r = x + y;
    else r = x * y;
    int e = fetestexcept(FE_ALL_EXCEPT);
    *flags = ((e & FE_INEXACT) ? AX_FLAG_INEXACT : 0) | ((e & FE_UNDERFLOW) ? AX_FLAG_UNDERFLOW : 0) |
             ((e & FE_OVERFLOW) ? AX_FLAG_OVERFLOW : 0) | ((e & FE_DIVBYZERO) ? AX_FLAG_INFINITE : 0) |
             ((e & FE_INVALID) ? AX_FLAG_INVALID : 0);
    return ax_bits_of(r);
}

static const uint32_t specials[] = {
    0x00000000, 0x80000000, /* zeros */
    0x00000001, 0x80000001, /* min subnormal */
    0x00000002, 0x00400000, 0x007FFFFF, 0x807FFFFF, /* subnormals, max subnormal */
    0x00800000, 0x80800000, 0x00800001, 0x00FFFFFF, /* min normal and near */
    0x3F800000, 0xBF800000, 0x3F800001, 0x3FFFFFFF, /* 1, 1+ulp, 2-ulp */
    0x3FC00000, 0x3F7FFFFF, 0x40000000, 0x33800000, /* 1.5, 1-ulp/2, 2, 2^-24 */
    0x5F800000, 0x1F800000, 0x20000000, 0x1F000000, /* 2^64, 2^-64, 2^-63, 2^-65 */
    0x7F7FFFFF, 0xFF7FFFFF, 0x7F000000, 0x7EFFFFFF, /* max finite and near */
    0x7F800000, 0xFF800000,                         /* infinities */
    0x7FC00000, 0xFFC00001, 0x7F800001, 0xFFBFFFFF, /* quiet and signaling NaNs */
};

const uint32_t *ax_hostcheck_f32_specials(int *n)
{
    *n = (int)(sizeof specials / sizeof specials[0]);
    return specials;
}

static int same(uint32_t got, uint32_t want, ax_format_t f)
{
    if (ax_is_nan(want, f)) return ax_is_nan(got, f);
    return got == want;
}

static void record(ax_check_report_t *rep, uint32_t a, uint32_t b, uint32_t got, uint32_t want,
                   uint32_t gf, uint32_t wf)
{
    rep->fails++;
    if (rep->nrec < AX_CHECK_MAX_RECORDS) {
        ax_check_fail_t *r = &rep->rec[rep->nrec++];
        r->a = a, r->b = b, r->got = got, r->want = want, r->got_flags = gf, r->want_flags = wf;
    }
}

static void check_f32(int kind, ax_binop_fn fn, void *ctx, uint32_t a, uint32_t b,
                      ax_check_report_t *rep)
{
    uint32_t wf, gf = 0;
    uint32_t want = ax_host_f32(kind, a, b, &wf);
    uint32_t got = fn(ctx, a, b, &gf);
    rep->cases++;
    if (!same(got, want, ax_format_make(8, 23)) || gf != wf) record(rep, a, b, got, want, gf, wf);
}

/* A weighted random fp32 operand: exponent near the range's edges or
 * anywhere, significand from patterns or random bits. */
static uint32_t rand_f32(ax_rng_t *r, int32_t ebase)
{
    uint64_t z = ax_rng_next(r);
    uint32_t s = (uint32_t)(z & 1), e, m;
    switch ((z >> 1) & 7) {
    case 0: e = 0; break;                                  /* subnormal / zero */
    case 1: e = 1 + ax_rng_below(r, 3); break;             /* smallest normals */
    case 2: e = 252 + ax_rng_below(r, 4); break;           /* largest, inf/NaN */
    case 3:
    case 4: e = ebase < 0 ? 100 + ax_rng_below(r, 55) : (uint32_t)ebase; break;
    default: e = ax_rng_below(r, 256); break;
    }
    switch ((z >> 4) & 7) {
    case 0: m = 0; break;
    case 1: m = 0x7FFFFF; break;
    case 2: m = UINT32_C(1) << ax_rng_below(r, 23); break;
    case 3: m = 0x7FFFFF ^ (UINT32_C(1) << ax_rng_below(r, 23)); break;
    default: m = (uint32_t)(z >> 40) & 0x7FFFFF; break;
    }
    return (s << 31) | (e << 23) | m;
}

void ax_hostcheck_fp32(int kind, ax_binop_fn fn, void *ctx, uint64_t nrandom, uint64_t seed,
                       ax_check_report_t *rep)
{
    memset(rep, 0, sizeof *rep);
    int n;
    const uint32_t *sp = ax_hostcheck_f32_specials(&n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) check_f32(kind, fn, ctx, sp[i], sp[j], rep);
    ax_rng_t r = {seed};
    for (uint64_t k = 0; k < nrandom; k++) {
        uint32_t a, b;
        if (k & 1) { /* uniform bits */
            uint64_t z = ax_rng_next(&r);
            a = (uint32_t)z, b = (uint32_t)(z >> 32);
        } else {
            a = rand_f32(&r, -1);
            int32_t ea = (int32_t)((a >> 23) & 0xFF);
            int32_t eb = -1;
            switch (ax_rng_below(&r, 4)) {
            case 0: /* mul: product near the underflow or overflow threshold */
                eb = (kind == AX_KIND_MUL)
                         ? 127 - ea + (ax_rng_below(&r, 2) ? -(int32_t)ax_rng_below(&r, 30)
                                                            : 253 - 127 + (int32_t)ax_rng_below(&r, 4))
                         : ea; /* add: equal exponents, cancellation */
                break;
            case 1: eb = ea + (int32_t)ax_rng_below(&r, 28) - 2; break; /* add: near */
            default: break;
            }
            if (eb < 0 || eb > 255) eb = -1;
            b = rand_f32(&r, eb);
        }
        check_f32(kind, fn, ctx, a, b, rep);
    }
}

/* float -> bf16, round to nearest even (classic bit formulation; NaN kept). */
static uint32_t host_to_bf16(float f)
{
    uint32_t u = ax_bits_of(f);
    if ((u & 0x7FFFFFFF) > 0x7F800000) return 0x7FC0;
    return (u + 0x7FFF + ((u >> 16) & 1)) >> 16;
}

static uint32_t host_to_fp16(float f)
{
    _Float16 h = (_Float16)f;
    uint16_t x;
    memcpy(&x, &h, sizeof x);
    return x;
}

static float host_from_fp16(uint32_t a)
{
    uint16_t x = (uint16_t)a;
    _Float16 h;
    memcpy(&h, &x, sizeof h);
    return (float)h;
}

void ax_hostcheck_16(int kind, ax_format_t f, ax_binop_fn fn, void *ctx, uint32_t stride,
                     uint32_t offset, ax_check_report_t *rep)
{
    memset(rep, 0, sizeof *rep);
    const int is_bf16 = f.ebits == 8;
    static float val[0x10000]; /* operand values, decoded by the host */
    for (uint32_t a = 0; a < 0x10000; a++) val[a] = is_bf16 ? ax_f32_of(a << 16) : host_from_fp16(a);
    if (stride == 0) stride = 1;
    for (uint64_t b = offset; b < 0x10000; b += stride) {
        for (uint32_t a = 0; a < 0x10000; a++) {
            float r = kind == AX_KIND_ADD ? val[a] + val[b] : val[a] * val[b];
            uint32_t want = is_bf16 ? host_to_bf16(r) : host_to_fp16(r);
            uint32_t gf = 0, got = fn(ctx, a, (uint32_t)b, &gf);
            rep->cases++;
            if (!same(got, want, f)) record(rep, a, (uint32_t)b, got, want, gf, 0);
        }
    }
}
