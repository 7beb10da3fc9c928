/* fuzz_unit.c — ax_unit_parse (cmodels/ax_registry.c) on any unit spec:
 * no crash, a terminated error message; an accepted spec has its
 * parameters in the registry's ranges and its printed name parses back to
 * the same unit. */
#include "ax_registry.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size), err[512], name[128], e2[512];
    ax_unit_t u, v;
    if (ax_unit_parse(s, &u, err, sizeof err) == 0) {
        const ax_unit_desc_t *d = ax_unit_desc(u);
        CHECK(d != NULL, "'%s': unit id %d", s, (int)u.id);
        for (int i = 0; i < d->nparams; i++) {
            const ax_param_desc_t *p = &d->params[i];
            CHECK(u.p[i] >= p->min && u.p[i] <= p->max && (!p->pow2 || !(u.p[i] & (u.p[i] - 1))),
                  "'%s': %s=%d out of range", s, p->name, (int)u.p[i]);
        }
        ax_unit_name(u, name, sizeof name);
        CHECK(ax_unit_parse(name, &v, e2, sizeof e2) == 0, "'%s' printed as '%s': %s", s, name, e2);
        CHECK(v.id == u.id && !memcmp(v.p, u.p, sizeof u.p), "'%s' printed as '%s' differs", s,
              name);
    } else {
        fuzz_check_err(err, sizeof err);
    }
    free(s);
    return 0;
}
