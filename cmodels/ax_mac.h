/* ax_mac.h — the multiply-accumulate of a DNN accelerator (docs: DESIGN.md,
 * "MAC semantics"), on the units of ax_units.h. A configuration is a
 * multiplier, an input format, a product format, an adder and an
 * accumulator format:
 *
 *   acc = +0 (acc format)
 *   for k in 0..n-1:  acc = ADD(acc, convert(MUL(a[k], b[k]), prod -> acc))
 *
 * MUL maps in -> prod (the multiplier's rounding: prod's, or RTZ for the
 * units that always truncate); convert is ax_convert (rounds with acc's
 * mode); ADD has both operands and the result in acc. Flags: the OR of every
 * operation's flags, ORed into *flags (never cleared here). The RTL of the
 * same contract is rtl/ax_mac.v. Header-only, AX_HD: host and CUDA device.
 *
 *   ax_mac_cfg_t c = {mul, in, prod, add, acc};   // daa zero: a plain MAC
 *   uint32_t flags = 0, r = ax_mac_fold(&c, a, b, n, &flags);   // n = 0: +0 */
#ifndef AX_MAC_H
#define AX_MAC_H

#include <stddef.h>

#include "ax_convert.h"
#include "ax_units.h"

/* Dynamic asymmetric precision (DAA; ax_daa.h, docs/units.md section 15):
 * two dot products ("streams": two adjacent output rows of a GEMM) share a
 * processing element with one high-precision multiplier (mul) and one
 * low-precision one (lo, on operands rounded to lo_in); at every step a
 * controller policy gives mul to one stream and lo to the other. */
typedef enum ax_daa_policy {
    AX_DAA_NONE = 0, /* a plain MAC: every product through mul */
    AX_DAA_STATIC,   /* stream 0 always gets mul (the ablation baseline) */
    AX_DAA_ZERO,     /* a stream whose product is zero yields mul to the other */
    AX_DAA_VALUE,    /* the larger product by exponents gets mul */
    AX_DAA_RANDOM,   /* a seeded hash of the step's operands decides */
    AX_DAA_POLICIES
} ax_daa_policy_t;

typedef struct ax_daa {
    int32_t policy;    /* ax_daa_policy_t */
    ax_unit_t lo;      /* the low-precision multiplier */
    ax_format_t lo_in; /* its operand format: in, or narrower */
    uint32_t seed;     /* AX_DAA_RANDOM's */
} ax_daa_t;

typedef struct ax_mac_cfg {
    ax_unit_t mul;        /* a multiplier (AX_KIND_MUL); under DAA the high-precision one */
    ax_format_t in, prod; /* operands a, b; the multiplier's result */
    ax_unit_t add;        /* an adder (AX_KIND_ADD) */
    ax_format_t acc;      /* the adder's operands and result */
    ax_daa_t daa;         /* policy AX_DAA_NONE (zero-initialized): a plain MAC */
} ax_mac_cfg_t;

/* 1 for a DAA configuration: its results depend on the partner row, so the
 * per-element folds below do not give them (ax_daa.h does) */
AX_HD int ax_mac_is_daa(const ax_mac_cfg_t *c)
{
    return c->daa.policy != AX_DAA_NONE;
}

/* One term: ADD(acc, convert(MUL(a, b))). acc is in c->acc, a and b in c->in.
 * A DAA configuration's mul here: a plain step; ax_daa.h has the pair's. */
AX_HD uint32_t ax_mac_step(const ax_mac_cfg_t *c, uint32_t acc, uint32_t a, uint32_t b,
                           uint32_t *flags)
{
    uint32_t p = ax_unit_apply(c->mul, a, b, c->in, c->prod, flags);
    uint32_t t = ax_convert(p, c->prod, c->acc, flags);
    return ax_unit_apply(c->add, acc, t, c->acc, c->acc, flags);
}

/* The dot product of a[0..n-1] and b[0..n-1], folded in ascending k from +0. */
AX_HD uint32_t ax_mac_fold(const ax_mac_cfg_t *c, const uint32_t *a, const uint32_t *b, size_t n,
                           uint32_t *flags)
{
    uint32_t acc = ax_fmt_zero(0, c->acc);
    for (size_t k = 0; k < n; k++) acc = ax_mac_step(c, acc, a[k], b[k], flags);
    return acc;
}

/* Chunked accumulation, for accelerators that accumulate that way: partial
 * folds of chunk terms each (the last may be shorter), each from +0, then
 * combined in order with the same adder: total = +0; total = ADD(total,
 * partial_j) for j ascending. chunk = 0 or chunk >= n is ax_mac_fold (x + 0
 * is x for every adder, and a fold from +0 never gives -0). */
AX_HD uint32_t ax_mac_fold_chunked(const ax_mac_cfg_t *c, const uint32_t *a, const uint32_t *b,
                                   size_t n, size_t chunk, uint32_t *flags)
{
    if (chunk == 0 || chunk >= n) return ax_mac_fold(c, a, b, n, flags);
    uint32_t total = ax_fmt_zero(0, c->acc);
    for (size_t k0 = 0; k0 < n; k0 += chunk) {
        size_t len = n - k0 < chunk ? n - k0 : chunk;
        uint32_t part = ax_mac_fold(c, a + k0, b + k0, len, flags);
        total = ax_unit_apply(c->add, total, part, c->acc, c->acc, flags);
    }
    return total;
}

/* The synapse of binary spikes (docs/snn.md): an accumulate, no multiplier.
 * A spike s[k] = 1 adds its weight, converted from the input format to the
 * accumulator format; s[k] = 0 adds nothing:
 *
 *   acc = +0 (acc format)
 *   for k in 0..n-1 with s[k] != 0:  acc = ADD(acc, convert(w[k], in -> acc))
 *
 * The multiplier and the product format of c are not used. An event-driven
 * kernel that visits only the active k in ascending order gives these bits. */
AX_HD uint32_t ax_syn_step(const ax_mac_cfg_t *c, uint32_t acc, uint32_t w, uint32_t *flags)
{
    uint32_t t = ax_convert(w, c->in, c->acc, flags);
    return ax_unit_apply(c->add, acc, t, c->acc, c->acc, flags);
}

AX_HD uint32_t ax_syn_fold(const ax_mac_cfg_t *c, const uint8_t *s, const uint32_t *w, size_t n,
                           uint32_t *flags)
{
    uint32_t acc = ax_fmt_zero(0, c->acc);
    for (size_t k = 0; k < n; k++)
        if (s[k]) acc = ax_syn_step(c, acc, w[k], flags);
    return acc;
}

/* Host only (ax_mac_config.c): a configuration from one compact string,
 * "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32" (keys in any order; missing
 * ones default to mul_exact, fp32, fp32, add_exact, fp32; unit parameters
 * follow their unit: "mul=realm:m=8,q=6"). 0, or -1 with a message in err
 * naming what was wrong. ax_mac_name writes the canonical string back. */
#ifdef __cplusplus
extern "C" {
#endif
int ax_mac_parse(const char *spec, ax_mac_cfg_t *out, char *err, size_t errlen);
const char *ax_mac_name(const ax_mac_cfg_t *c, char *buf, size_t len);
#ifdef __cplusplus
}
#endif

#endif /* AX_MAC_H */
