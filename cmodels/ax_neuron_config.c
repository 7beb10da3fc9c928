/* ax_neuron_config.c — neuron configurations as one compact string
 * (docs/units.md, "The neuron"):
 *   neuron=lif,fmt=bf16,mul=exact,add=loa:l=6,beta=0.9,theta=1,reset=subtract
 * Keys: neuron (lif, if), fmt (the membrane format), mul (lif's leak
 * multiplier), add (the adder), beta (lif's leak, 0 <= beta <= 1), theta (the
 * threshold, positive and finite), reset (subtract, zero, none); each at most
 * once, in any order; unit parameters follow their unit as in a MAC string. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_neuron.h"
#include "ax_registry.h"
#include "ax_spec.h"

enum { K_NEURON, K_FMT, K_MUL, K_ADD, K_BETA, K_THETA, K_RESET, K_COUNT };
static const char *const keys[K_COUNT] = {"neuron", "fmt", "mul", "add", "beta", "theta", "reset"};
static const char example[] = "neuron=lif,fmt=bf16,mul=exact,add=loa:l=6,beta=0.9,theta=1,"
                              "reset=subtract";
static const char what[] = "neuron configuration";
static const char *const model_names[] = {"lif", "if"};
static const char *const reset_names[] = {"subtract", "zero", "none"};

static int pick(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) return i;
    return -1;
}

/* A value in f from a decimal (rounded from the double strtod reads) or a
 * 0x bit pattern of f. */
static int read_value(const char *key, const char *v, ax_format_t f, uint32_t *out, char *err,
                      size_t errlen)
{
    char *end;
    errno = 0;
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        unsigned long long b = strtoull(v + 2, &end, 16);
        int w = ax_fmt_width(f);
        if (!v[2] || *end || errno || b >> w) {
            snprintf(err, errlen,
                     "%s: %s=%s is not a bit pattern of the membrane format (%d bits, e.g. %s=0x%x)",
                     what, key, v, w, key, (unsigned)ax_from_f64bits(0x3FF0000000000000ull, f, &(uint32_t){0}));
            return -1;
        }
        *out = (uint32_t)b;
        return 0;
    }
    double d = strtod(v, &end);
    if (end == v || *end || d != d) {
        snprintf(err, errlen, "%s: %s=%s is not a number (a decimal such as 0.9, or 0x bits)",
                 what, key, v);
        return -1;
    }
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint32_t fl = 0;
    *out = ax_from_f64bits(bits, f, &fl);
    return 0;
}

int ax_neuron_parse(const char *spec, ax_neuron_cfg_t *out, char *err, size_t errlen)
{
    ax_spec_items_t it;
    if (ax_spec_split(spec, keys, K_COUNT, 1u << K_MUL | 1u << K_ADD, what, example, &it, err,
                      errlen))
        return -1;
    ax_neuron_cfg_t c;
    memset(&c, 0, sizeof c);
    c.model = AX_NEURON_LIF;
    c.reset = AX_RESET_SUBTRACT;
    c.mul = ax_unit_default(AX_MUL_EXACT);
    c.add = ax_unit_default(AX_ADD_EXACT);
    if (it.seen[K_NEURON] && (c.model = pick(it.val[K_NEURON], model_names, 2)) < 0) {
        snprintf(err, errlen, "%s: neuron=%s is not a neuron model; choose lif or if", what,
                 it.val[K_NEURON]);
        return -1;
    }
    if (it.seen[K_RESET] && (c.reset = pick(it.val[K_RESET], reset_names, 3)) < 0) {
        snprintf(err, errlen, "%s: reset=%s is not a reset rule; choose subtract, zero or none",
                 what, it.val[K_RESET]);
        return -1;
    }
    char e2[400];
    if (ax_format_parse(it.seen[K_FMT] ? it.val[K_FMT] : "fp32", &c.fmt, e2, sizeof e2)) {
        snprintf(err, errlen, "%s: fmt: %s", what, e2);
        return -1;
    }
    if (c.model == AX_NEURON_IF && (it.seen[K_MUL] || it.seen[K_BETA])) {
        snprintf(err, errlen,
                 "%s: neuron=if has no leak, so no %s; use neuron=lif for a leaky neuron", what,
                 it.seen[K_MUL] ? "multiplier (mul)" : "beta");
        return -1;
    }
    if (it.seen[K_MUL] &&
        ax_spec_unit(what, "mul", it.val[K_MUL], AX_KIND_MUL, &c.mul, err, errlen))
        return -1;
    if (it.seen[K_ADD] &&
        ax_spec_unit(what, "add", it.val[K_ADD], AX_KIND_ADD, &c.add, err, errlen))
        return -1;
    if (read_value("beta", it.seen[K_BETA] ? it.val[K_BETA] : "0.9", c.fmt, &c.beta, err, errlen) ||
        read_value("theta", it.seen[K_THETA] ? it.val[K_THETA] : "1", c.fmt, &c.theta, err,
                   errlen))
        return -1;
    if (c.model == AX_NEURON_IF) c.beta = 0;
    uint32_t one = ax_from_f64bits(0x3FF0000000000000ull, c.fmt, &(uint32_t){0});
    uint32_t zero = ax_fmt_zero(0, c.fmt);
    if (c.model == AX_NEURON_LIF && !(ax_fmt_ge(c.beta, zero, c.fmt) && ax_fmt_ge(one, c.beta, c.fmt))) {
        snprintf(err, errlen, "%s: beta=%s is outside [0, 1] in the membrane format (a leak "
                              "keeps 0 <= beta <= 1; 1 is an integrate-and-fire neuron)",
                 what, it.val[K_BETA]);
        return -1;
    }
    ax_unpacked_t th = ax_unpack(c.theta, c.fmt);
    if (th.cls != AX_CLS_FINITE || th.sign) {
        snprintf(err, errlen,
                 "%s: theta=%s is not a positive finite value in the membrane format", what,
                 it.seen[K_THETA] ? it.val[K_THETA] : "1");
        return -1;
    }
    *out = c;
    return 0;
}

const char *ax_neuron_name(const ax_neuron_cfg_t *c, char *buf, size_t len)
{
    char f[48], a[96], m[96], mul[120] = "";
    if (c->model == AX_NEURON_LIF)
        snprintf(mul, sizeof mul, ",mul=%s", ax_unit_name(c->mul, m, sizeof m));
    char beta[48] = "";
    if (c->model == AX_NEURON_LIF)
        snprintf(beta, sizeof beta, ",beta=%.17g", ax_to_double(c->beta, c->fmt));
    snprintf(buf, len, "neuron=%s,fmt=%s%s,add=%s%s,theta=%.17g,reset=%s",
             model_names[c->model], ax_format_name(c->fmt, f, sizeof f), mul,
             ax_unit_name(c->add, a, sizeof a), beta, ax_to_double(c->theta, c->fmt),
             reset_names[c->reset]);
    return buf;
}
