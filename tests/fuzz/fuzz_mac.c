/* fuzz_mac.c — ax_mac_parse (cmodels/ax_mac_config.c) on any MAC
 * configuration string: no crash, a terminated error message; an accepted
 * configuration has a multiplier and an adder, and its printed name parses
 * back to the same configuration. */
#include "ax_mac.h"
#include "ax_registry.h"
#include "fuzz_util.h"

static int same_fmt(ax_format_t a, ax_format_t b)
{
    return a.ebits == b.ebits && a.mbits == b.mbits && a.flags == b.flags &&
           a.round == b.round && a.bias == b.bias;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[1024], name[512], e2[1024];
    ax_mac_cfg_t c, d;
    if (ax_mac_parse(s, &c, err, sizeof err) == 0) {
        CHECK(ax_unit_kind(c.mul) == AX_KIND_MUL && ax_unit_kind(c.add) == AX_KIND_ADD,
              "'%s': unit kinds", s);
        ax_mac_name(&c, name, sizeof name);
        CHECK(ax_mac_parse(name, &d, e2, sizeof e2) == 0, "'%s' printed as '%s': %s", s, name, e2);
        CHECK(d.mul.id == c.mul.id && !memcmp(d.mul.p, c.mul.p, sizeof c.mul.p) &&
                  d.add.id == c.add.id && !memcmp(d.add.p, c.add.p, sizeof c.add.p) &&
                  same_fmt(c.in, d.in) && same_fmt(c.prod, d.prod) && same_fmt(c.acc, d.acc),
              "'%s' printed as '%s' differs", s, name);
    } else {
        fuzz_check_err(err, sizeof err);
    }
    free(s);
    return 0;
}
