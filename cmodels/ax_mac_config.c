/* ax_mac_config.c — MAC configurations as one compact string (docs/units.md,
 * section 11):  mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32
 * Keys: mul (a multiplier), in (operand format), prod (product format), add
 * (an adder), acc (accumulator format); each at most once, in any order; a
 * missing key takes its default (mul_exact, fp32, fp32, add_exact, fp32).
 * Unit names may drop their mul_/add_ prefix; a unit's own parameters follow
 * it (mul=realm:m=8,q=6): a comma-separated item that is not one of the five
 * keys continues the unit before it.
 * A DAA configuration (ax_daa.h) starts with "daa:" and names the
 * high-precision multiplier hi (for mul), the low-precision one lo, its
 * operand format lo_in (default: in), the policy (default value) and, for
 * the random policy, a seed:
 *   daa:hi=exact,lo=mitchell,lo_in=bf16,policy=value,in=bf16,prod=fp32,add=exact,acc=fp32 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_daa.h"
#include "ax_registry.h"
#include "ax_spec.h"

static const char *const mac_keys[] = {"mul", "in", "prod", "add", "acc"};
static const char mac_example[] = "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32";
static const char mac_what[] = "MAC configuration";

static const char *const daa_keys[] = {"hi", "in", "prod", "add", "acc",
                                       "lo", "lo_in", "policy", "seed"};
static const char daa_example[] =
    "daa:hi=exact,lo=mitchell,policy=value,in=bf16,prod=fp32,add=exact,acc=fp32";
static const char *const policy_names[] = {"none", "static", "zero", "value", "random"};

int ax_daa_policy_parse(const char *s, ax_daa_policy_t *out, char *err, size_t errlen)
{
    for (int p = AX_DAA_STATIC; p < AX_DAA_POLICIES; p++)
        if (!strcmp(s, policy_names[p])) {
            *out = (ax_daa_policy_t)p;
            return 0;
        }
    snprintf(err, errlen, "unknown DAA policy '%s' (static: stream 0 always high precision; zero: "
                          "a zero product yields it; value: the larger product by exponents; "
                          "random: a seeded hash)", s);
    return -1;
}

const char *ax_daa_policy_name(ax_daa_policy_t p)
{
    return (unsigned)p < AX_DAA_POLICIES ? policy_names[p] : "?";
}

/* keys 0..4 of both forms are mul/hi, in, prod, add, acc */
static int parse_common(const ax_spec_items_t *it, const char *const *keys, ax_mac_cfg_t *c,
                        char *err, size_t errlen)
{
    char e2[400];
    ax_format_t *fmts[5] = {NULL, &c->in, &c->prod, NULL, &c->acc};
    for (int k = 0; k < 5; k++) {
        if (k == 0 || k == 3) {
            if (it->seen[k] && ax_spec_unit(mac_what, keys[k], it->val[k],
                                            k == 0 ? AX_KIND_MUL : AX_KIND_ADD,
                                            k == 0 ? &c->mul : &c->add, err, errlen))
                return -1;
        } else if (ax_format_parse(it->seen[k] ? it->val[k] : "fp32", fmts[k], e2, sizeof e2)) {
            snprintf(err, errlen, "%s: %s: %s", mac_what, keys[k], e2);
            return -1;
        }
    }
    return 0;
}

static int parse_daa(const char *spec, ax_mac_cfg_t *c, char *err, size_t errlen)
{
    ax_spec_items_t it;
    if (ax_spec_split(spec, daa_keys, 9, 1u << 0 | 1u << 3 | 1u << 5, "DAA configuration",
                      daa_example, &it, err, errlen) ||
        parse_common(&it, daa_keys, c, err, errlen))
        return -1;
    if (!it.seen[5]) {
        snprintf(err, errlen, "DAA configuration: lo (the low-precision multiplier) is missing, "
                              "e.g. %s", daa_example);
        return -1;
    }
    if (ax_spec_unit(mac_what, "lo", it.val[5], AX_KIND_MUL, &c->daa.lo, err, errlen)) return -1;
    c->daa.lo_in = c->in;
    char e2[400], fi[48], fl[48];
    if (it.seen[6] && ax_format_parse(it.val[6], &c->daa.lo_in, e2, sizeof e2)) {
        snprintf(err, errlen, "%s: lo_in: %s", mac_what, e2);
        return -1;
    }
    if (c->daa.lo_in.ebits > c->in.ebits || c->daa.lo_in.mbits > c->in.mbits) {
        snprintf(err, errlen, "DAA configuration: lo_in=%s is wider than in=%s: the low-precision "
                              "multiplier takes the operands rounded to a format no wider than "
                              "theirs", ax_format_name(c->daa.lo_in, fl, sizeof fl),
                 ax_format_name(c->in, fi, sizeof fi));
        return -1;
    }
    ax_daa_policy_t p = AX_DAA_VALUE;
    char e3[600];
    if (it.seen[7] && ax_daa_policy_parse(it.val[7], &p, e3, sizeof e3)) {
        snprintf(err, errlen, "DAA configuration: policy: %s", e3);
        return -1;
    }
    c->daa.policy = p;
    if (it.seen[8]) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(it.val[8], &end, 10);
        if (*end || end == it.val[8] || errno || v > UINT32_MAX || it.val[8][0] == '-') {
            snprintf(err, errlen, "DAA configuration: seed '%s': give a whole number 0..%u",
                     it.val[8], UINT32_MAX);
            return -1;
        }
        if (p != AX_DAA_RANDOM) {
            snprintf(err, errlen, "DAA configuration: seed is for policy=random, not %s",
                     policy_names[p]);
            return -1;
        }
        c->daa.seed = (uint32_t)v;
    }
    return 0;
}

int ax_mac_parse(const char *spec, ax_mac_cfg_t *out, char *err, size_t errlen)
{
    ax_mac_cfg_t c;
    memset(&c, 0, sizeof c);
    c.mul = ax_unit_default(AX_MUL_EXACT);
    c.add = ax_unit_default(AX_ADD_EXACT);
    if (!strncmp(spec, "daa:", 4)) {
        if (parse_daa(spec + 4, &c, err, errlen)) return -1;
    } else {
        ax_spec_items_t it;
        if (ax_spec_split(spec, mac_keys, 5, 1u << 0 | 1u << 3, mac_what, mac_example, &it, err,
                          errlen) ||
            parse_common(&it, mac_keys, &c, err, errlen))
            return -1;
    }
    *out = c;
    return 0;
}

const char *ax_mac_name(const ax_mac_cfg_t *c, char *buf, size_t len)
{
    char m[96], a[96], fi[48], fp[48], fa[48], l[96], fl[48], sd[32] = "";
    if (ax_mac_is_daa(c)) {
        if (c->daa.policy == AX_DAA_RANDOM) snprintf(sd, sizeof sd, ",seed=%u", c->daa.seed);
        snprintf(buf, len, "daa:hi=%s,lo=%s,lo_in=%s,policy=%s%s,in=%s,prod=%s,add=%s,acc=%s",
                 ax_unit_name(c->mul, m, sizeof m), ax_unit_name(c->daa.lo, l, sizeof l),
                 ax_format_name(c->daa.lo_in, fl, sizeof fl),
                 ax_daa_policy_name((ax_daa_policy_t)c->daa.policy), sd,
                 ax_format_name(c->in, fi, sizeof fi), ax_format_name(c->prod, fp, sizeof fp),
                 ax_unit_name(c->add, a, sizeof a), ax_format_name(c->acc, fa, sizeof fa));
        return buf;
    }
    snprintf(buf, len, "mul=%s,in=%s,prod=%s,add=%s,acc=%s", ax_unit_name(c->mul, m, sizeof m),
             ax_format_name(c->in, fi, sizeof fi), ax_format_name(c->prod, fp, sizeof fp),
             ax_unit_name(c->add, a, sizeof a), ax_format_name(c->acc, fa, sizeof fa));
    return buf;
}
