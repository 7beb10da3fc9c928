/* ax_mac_config.c — MAC configurations as one compact string (docs/units.md,
 * section 11):  mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32
 * Keys: mul (a multiplier), in (operand format), prod (product format), add
 * (an adder), acc (accumulator format); each at most once, in any order; a
 * missing key takes its default (mul_exact, fp32, fp32, add_exact, fp32).
 * Unit names may drop their mul_/add_ prefix; a unit's own parameters follow
 * it (mul=realm:m=8,q=6): a comma-separated item that is not one of the five
 * keys continues the unit before it. */
#include <stdio.h>
#include <string.h>

#include "ax_mac.h"
#include "ax_registry.h"

static const char *const mac_keys[] = {"mul", "in", "prod", "add", "acc"};

int ax_mac_parse(const char *spec, ax_mac_cfg_t *out, char *err, size_t errlen)
{
    char val[5][256];
    int seen[5] = {0}, last = -1;
    memset(val, 0, sizeof val);
    const char *s = spec;
    if (!*s) {
        snprintf(err, errlen, "empty MAC configuration; give key=value items, e.g. "
                              "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32");
        return -1;
    }
    while (*s) {
        size_t n = strcspn(s, ",");
        const char *eq = memchr(s, '=', n);
        int k = -1;
        for (int i = 0; eq && i < 5; i++)
            if (strlen(mac_keys[i]) == (size_t)(eq - s) && !strncmp(mac_keys[i], s, (size_t)(eq - s)))
                k = i;
        if (k >= 0) {
            if (seen[k]) {
                snprintf(err, errlen, "MAC configuration '%s': '%s' given twice", spec, mac_keys[k]);
                return -1;
            }
            seen[k] = 1;
            size_t vl = n - (size_t)(eq + 1 - s);
            if (vl == 0 || vl >= sizeof val[k]) {
                snprintf(err, errlen, "MAC configuration '%s': '%s' needs a value", spec,
                         mac_keys[k]);
                return -1;
            }
            memcpy(val[k], eq + 1, vl);
            last = k;
        } else if ((last == 0 || last == 3) && eq && n > 0) {
            /* a further parameter of the unit before: append ":key=value"
             * (its first) or ",key=value" */
            size_t have = strlen(val[last]);
            if (have + 1 + n >= sizeof val[last]) {
                snprintf(err, errlen, "MAC configuration '%s': unit too long", spec);
                return -1;
            }
            val[last][have] = strchr(val[last], ':') ? ',' : ':';
            memcpy(val[last] + have + 1, s, n);
        } else {
            snprintf(err, errlen,
                     "MAC configuration '%s': cannot read '%.*s'; keys: mul, in, prod, add, acc "
                     "(e.g. mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32)",
                     spec, (int)(n > 60 ? 60 : n), s);
            return -1;
        }
        s += n;
        if (*s == ',') {
            s++;
            if (!*s) {
                snprintf(err, errlen, "MAC configuration '%s' ends with a comma", spec);
                return -1;
            }
        }
    }
    ax_mac_cfg_t c;
    c.mul = ax_unit_default(AX_MUL_EXACT);
    c.add = ax_unit_default(AX_ADD_EXACT);
    char e2[400];
    const char *defaults[5] = {"", "fp32", "fp32", "", "fp32"};
    ax_format_t *fmts[5] = {NULL, &c.in, &c.prod, NULL, &c.acc};
    for (int k = 0; k < 5; k++) {
        const char *v = seen[k] ? val[k] : defaults[k];
        if (k == 0 || k == 3) {
            if (!seen[k]) continue;
            const char *prefix = k == 0 ? "mul_" : "add_";
            char full[300];
            if (strncmp(v, "mul_", 4) && strncmp(v, "add_", 4))
                snprintf(full, sizeof full, "%s%.255s", prefix, v);
            else /* a full name, of either kind: the check below names a wrong one */
                snprintf(full, sizeof full, "%.255s", v);
            ax_unit_t *u = k == 0 ? &c.mul : &c.add;
            if (ax_unit_parse(full, u, e2, sizeof e2)) {
                snprintf(err, errlen, "MAC configuration: %s: %s", mac_keys[k], e2);
                return -1;
            }
            if (ax_unit_kind(*u) != (k == 0 ? AX_KIND_MUL : AX_KIND_ADD)) {
                snprintf(err, errlen, "MAC configuration: %s=%s is %s, not %s", mac_keys[k], v,
                         k == 0 ? "an adder" : "a multiplier", k == 0 ? "a multiplier" : "an adder");
                return -1;
            }
        } else if (ax_format_parse(v, fmts[k], e2, sizeof e2)) {
            snprintf(err, errlen, "MAC configuration: %s: %s", mac_keys[k], e2);
            return -1;
        }
    }
    *out = c;
    return 0;
}

const char *ax_mac_name(const ax_mac_cfg_t *c, char *buf, size_t len)
{
    char m[96], a[96], fi[48], fp[48], fa[48];
    snprintf(buf, len, "mul=%s,in=%s,prod=%s,add=%s,acc=%s", ax_unit_name(c->mul, m, sizeof m),
             ax_format_name(c->in, fi, sizeof fi), ax_format_name(c->prod, fp, sizeof fp),
             ax_unit_name(c->add, a, sizeof a), ax_format_name(c->acc, fa, sizeof fa));
    return buf;
}
