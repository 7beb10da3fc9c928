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
#include "ax_spec.h"

static const char *const mac_keys[] = {"mul", "in", "prod", "add", "acc"};
static const char mac_example[] = "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32";
static const char mac_what[] = "MAC configuration";

int ax_mac_parse(const char *spec, ax_mac_cfg_t *out, char *err, size_t errlen)
{
    ax_spec_items_t it;
    if (ax_spec_split(spec, mac_keys, 5, 1u << 0 | 1u << 3, mac_what, mac_example, &it, err,
                      errlen))
        return -1;
    ax_mac_cfg_t c;
    c.mul = ax_unit_default(AX_MUL_EXACT);
    c.add = ax_unit_default(AX_ADD_EXACT);
    char e2[400];
    ax_format_t *fmts[5] = {NULL, &c.in, &c.prod, NULL, &c.acc};
    for (int k = 0; k < 5; k++) {
        if (k == 0 || k == 3) {
            if (it.seen[k] && ax_spec_unit(mac_what, mac_keys[k], it.val[k],
                                           k == 0 ? AX_KIND_MUL : AX_KIND_ADD,
                                           k == 0 ? &c.mul : &c.add, err, errlen))
                return -1;
        } else if (ax_format_parse(it.seen[k] ? it.val[k] : "fp32", fmts[k], e2, sizeof e2)) {
            snprintf(err, errlen, "%s: %s: %s", mac_what, mac_keys[k], e2);
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
