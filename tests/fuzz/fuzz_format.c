/* fuzz_format.c — ax_format_parse (cmodels/ax_format.c) on any string:
 * no crash, a terminated error message, and for every accepted name a
 * well-formed format whose printed name parses back to the same format. */
#include "ax_format.h"
#include "fuzz_util.h"

static int same(ax_format_t a, ax_format_t b)
{
    return a.ebits == b.ebits && a.mbits == b.mbits && a.flags == b.flags &&
           a.round == b.round && a.bias == b.bias;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[512], name[64], e2[512];
    ax_format_t f, g;
    memset(err, 0x55, sizeof err);
    if (ax_format_parse(s, &f, err, sizeof err) == 0) {
        CHECK(f.ebits >= 1 && f.ebits <= 8 && f.mbits <= 23 && 1 + f.ebits + f.mbits <= 32,
              "'%s' gave e%dm%d", s, f.ebits, f.mbits);
        CHECK(f.bias == (1 << (f.ebits - 1)) - 1, "'%s': bias %d", s, (int)f.bias);
        CHECK(ax_fmt_width(f) == 1 + f.ebits + f.mbits, "'%s': width", s);
        ax_format_name(f, name, sizeof name);
        CHECK(ax_format_parse(name, &g, e2, sizeof e2) == 0, "'%s' printed as '%s': %s", s, name, e2);
        CHECK(same(f, g), "'%s' printed as '%s' parses to another format", s, name);
    } else {
        fuzz_check_err(err, sizeof err);
    }
    /* without an error buffer too (the API allows err = NULL) */
    ax_format_parse(s, &f, NULL, 0);
    free(s);
    return 0;
}
