/* ax_neuron.h — the spiking neuron of an SNN accelerator (docs/units.md,
 * section "The neuron"; docs/snn.md), on the units of ax_units.h. A
 * configuration is a neuron model, a membrane format, a multiplier and an
 * adder (both in the membrane format), the leak beta, the threshold theta
 * and a reset rule. One time step with input current I (in the membrane
 * format):
 *
 *   lif:  U' = ADD(MUL(beta, U), I)        if:  U' = ADD(U, I)
 *   S  = (U' >= theta), compared exactly in the membrane format
 *   S = 1:  subtract: U'' = ADD(U', -theta)   zero: U'' = +0   none: U'' = U'
 *   S = 0:  U'' = U'
 *
 * U'' is the next step's U; a neuron starts at U = +0. The compare reads both
 * operands as the format reads them (ax_unpack: :ftz flushes subnormals);
 * -0 equals +0; a NaN compares false (no spike); it raises no flag. MUL and
 * ADD are the units' own (their rounding, their flags); flags are the OR of
 * every operation's, ORed into *flags (never cleared here). The RTL of the
 * same contract is rtl/ax_neuron.v. Header-only, AX_HD: host and CUDA device.
 *
 * The synapse of binary spikes (ax_syn_fold in ax_mac.h) feeds I. */
#ifndef AX_NEURON_H
#define AX_NEURON_H

#include <stddef.h>

#include "ax_convert.h"
#include "ax_units.h"

typedef enum ax_neuron_model { AX_NEURON_LIF = 0, AX_NEURON_IF = 1 } ax_neuron_model_t;
typedef enum ax_neuron_reset {
    AX_RESET_SUBTRACT = 0,
    AX_RESET_ZERO = 1,
    AX_RESET_NONE = 2
} ax_neuron_reset_t;

typedef struct ax_neuron_cfg {
    int32_t model;      /* ax_neuron_model_t */
    int32_t reset;      /* ax_neuron_reset_t */
    ax_format_t fmt;    /* the membrane (and the input current, beta, theta) */
    ax_unit_t mul, add; /* lif's leak multiplier (unused by if), the adder */
    uint32_t beta;      /* bits in fmt; lif only */
    uint32_t theta;     /* bits in fmt; positive and finite */
} ax_neuron_cfg_t;

/* a >= b on values of f: exact, NaN false, -0 == +0, infinities ordered. */
AX_HD int ax_fmt_ge(uint32_t a, uint32_t b, ax_format_t f)
{
    ax_unpacked_t x = ax_unpack(a, f), y = ax_unpack(b, f);
    if (ax_is_nan_cls(x.cls) || ax_is_nan_cls(y.cls)) return 0;
    int sx = x.cls == AX_CLS_ZERO ? 0 : x.sign ? -1 : 1;
    int sy = y.cls == AX_CLS_ZERO ? 0 : y.sign ? -1 : 1;
    if (sx != sy) return sx > sy;
    if (sx == 0) return 1;
    /* same sign, both nonzero: compare magnitudes (inf above every finite) */
    int mag; /* -1, 0, 1: |a| against |b| */
    if (x.cls == AX_CLS_INF || y.cls == AX_CLS_INF)
        mag = (x.cls == AX_CLS_INF) - (y.cls == AX_CLS_INF);
    else if (x.exp != y.exp)
        mag = x.exp > y.exp ? 1 : -1;
    else
        mag = (x.sig > y.sig) - (x.sig < y.sig);
    return sx > 0 ? mag >= 0 : mag <= 0;
}

/* One time step: returns the membrane after the reset (the next step's U);
 * *spike the spike; *pre (may be NULL) the membrane before the reset. */
AX_HD uint32_t ax_neuron_step(const ax_neuron_cfg_t *c, uint32_t u, uint32_t in, int *spike,
                              uint32_t *pre, uint32_t *flags)
{
    uint32_t leak = c->model == AX_NEURON_IF ? u : ax_unit_apply(c->mul, c->beta, u, c->fmt, c->fmt, flags);
    uint32_t v = ax_unit_apply(c->add, leak, in, c->fmt, c->fmt, flags);
    int s = ax_fmt_ge(v, c->theta, c->fmt);
    if (pre) *pre = v;
    *spike = s;
    if (!s || c->reset == AX_RESET_NONE) return v;
    if (c->reset == AX_RESET_ZERO) return ax_fmt_zero(0, c->fmt);
    return ax_unit_apply(c->add, v, c->theta ^ ax_fmt_signbit(c->fmt), c->fmt, c->fmt, flags);
}

/* Host only (ax_neuron_config.c): a configuration from one compact string,
 * "neuron=lif,fmt=bf16,mul=exact,add=loa:l=6,beta=0.9,theta=1,reset=subtract"
 * (keys in any order; missing ones default to lif, fp32, mul_exact,
 * add_exact, beta 0.9, theta 1, subtract; beta and theta decimal, read as a
 * double and rounded into fmt, or 0x... bit patterns of fmt). 0, or -1 with a
 * message in err naming what was wrong and the valid choices. ax_neuron_name
 * writes the canonical string back (beta and theta as exact decimals). */
#ifdef __cplusplus
extern "C" {
#endif
int ax_neuron_parse(const char *spec, ax_neuron_cfg_t *out, char *err, size_t errlen);
const char *ax_neuron_name(const ax_neuron_cfg_t *c, char *buf, size_t len);
#ifdef __cplusplus
}
#endif

#endif /* AX_NEURON_H */
