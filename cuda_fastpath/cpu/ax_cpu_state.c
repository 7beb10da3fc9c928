/* ax_cpu_state.c — the cpu backend's state (ax_cpu.h): decode tables,
 * buffers kept between calls, the kernel choice. The paths use it; it
 * uses none of them. */
#define _POSIX_C_SOURCE 200809L
#include "ax_cpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const ax_dec_table_t *ax_cpu_dec_table(ax_fp_ctx_t *x, ax_format_t f, int kind, int param,
                                       ax_dec_fill_fn fill)
{
    ax_cpu_state_t *st = ax_cpu_st(x);
    if (ax_fmt_width(f) > 16) return NULL;
    for (int i = 0; i < st->ndec; i++)
        if (ax_fmt_eq(st->dec[i].f, f) && st->dec[i].kind == kind && st->dec[i].param == param)
            return &st->dec[i];
    size_t n = (size_t)1 << ax_fmt_width(f);
    ax_dec_table_t t = {f, kind, param, malloc(n * sizeof(float)), malloc(n * sizeof(int32_t))};
    if (!t.v || !t.idx) {
        free(t.v), free(t.idx);
        return NULL;
    }
    for (size_t b = 0; b < n; b++) fill((uint32_t)b, f, kind, param, &t.v[b], &t.idx[b]);
    if (st->ndec == 8) {
        free(st->dec[0].v), free(st->dec[0].idx);
        memmove(st->dec, st->dec + 1, 7 * sizeof st->dec[0]);
        st->ndec--;
    }
    st->dec[st->ndec] = t;
    return &st->dec[st->ndec++];
}

void *ax_cpu_grow(ax_fp_ctx_t *x, int i, size_t bytes)
{
    ax_cpu_state_t *st = ax_cpu_st(x);
    if (st->buf_cap[i] < bytes) {
        free(st->buf[i]);
        st->buf[i] = malloc(bytes);
        st->buf_cap[i] = st->buf[i] ? bytes : 0;
    }
    return st->buf[i];
}

int ax_cpu_use_avx512(const ax_fp_ctx_t *x)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return !x->opts.cpu_scalar && __builtin_cpu_supports("avx512f");
#else
    (void)x;
    return 0;
#endif
}

void ax_cpu_release(ax_fp_ctx_t *x)
{
    ax_cpu_state_t *st = ax_cpu_st(x);
    if (!st) return;
    for (int i = 0; i < 4; i++) free(st->buf[i]);
    for (int i = 0; i < st->ndec; i++) free(st->dec[i].v), free(st->dec[i].idx);
    free(st);
    x->state = NULL;
}

int ax_cpu_lut_exact(ax_fp_ctx_t *e, ax_lut_t *l)
{
    ax_cpu_state_t *st = ax_cpu_st(e);
    for (int i = 0; i < st->nfa_exact; i++)
        if (st->fa_exact[i].u.id == l->unit.id && st->fa_exact[i].u.p[0] == l->unit.p[0] &&
            st->fa_exact[i].u.p[1] == l->unit.p[1] && st->fa_exact[i].m == l->m)
            return st->fa_exact[i].exact;
    const ax_format_t fp32 = ax_fmt_fp32();
    const ax_unpacked_t one = {AX_CLS_FINITE, 0, 0, 0};
    uint32_t fl = 0;
    for (size_t i = 0; i < (size_t)1 << (2 * l->m) && !fl; i++)
        ax_lut_finish(l->unit, one, one, l->sig[i], l->m, l->shift, fp32, &fl);
    if (st->nfa_exact == 8) memmove(st->fa_exact, st->fa_exact + 1, 7 * sizeof st->fa_exact[0]), st->nfa_exact--;
    st->fa_exact[st->nfa_exact].u = l->unit, st->fa_exact[st->nfa_exact].m = l->m;
    st->fa_exact[st->nfa_exact].exact = fl == 0;
    return st->fa_exact[st->nfa_exact++].exact;
}

uint32_t ax_cpu_pack_exact(uint32_t b, ax_format_t f)
{
    const int sh = 23 - (int)f.mbits;
    const uint32_t sign = b >> 31, mag = b & UINT32_C(0x7FFFFFFF);
    if (mag > UINT32_C(0x7F800000)) return ax_fmt_nan(f);
    if (mag == UINT32_C(0x7F800000)) return ax_fmt_inf(sign, f); /* (an FN format has none) */
    uint32_t enc;
    const int32_t emin = ax_fmt_emin(f);
    if (f.ebits == 8) { /* fp32's exponents, subnormals included */
        enc = mag >> sh;
    } else if (mag >= (uint32_t)(emin + 127) << 23) { /* normal: rebias */
        enc = (mag - ((uint32_t)(127 - f.bias) << 23)) >> sh;
    } else { /* subnormal (or zero): the multiple of 2^(emin - M) */
        float v;
        memcpy(&v, &mag, 4);
        enc = (uint32_t)ldexpf(v, (int)f.mbits - emin);
    }
    return (sign << (f.ebits + f.mbits)) | enc;
}
