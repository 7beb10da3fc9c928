/* ax_spec.c — the key=value reader of ax_spec.h. */
#include "ax_spec.h"

#include <stdio.h>
#include <string.h>

#include "ax_registry.h"
#include "ax_units.h"

static int key_index(const char *s, size_t len, const char *const *keys, int nkeys)
{
    for (int i = 0; i < nkeys; i++)
        if (strlen(keys[i]) == len && !strncmp(keys[i], s, len)) return i;
    return -1;
}

int ax_spec_split(const char *spec, const char *const *keys, int nkeys, unsigned unit_keys,
                  const char *what, const char *example, ax_spec_items_t *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    char names[200] = "";
    for (int i = 0; i < nkeys; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 keys[i]);
    if (!*spec) {
        snprintf(err, errlen, "empty %s; give key=value items, e.g. %s", what, example);
        return -1;
    }
    int last = -1;
    const char *s = spec;
    while (*s) {
        size_t n = strcspn(s, ",");
        const char *eq = memchr(s, '=', n);
        int k = eq ? key_index(s, (size_t)(eq - s), keys, nkeys) : -1;
        if (k >= 0) {
            if (out->seen[k]) {
                snprintf(err, errlen, "%s '%s': '%s' given twice", what, spec, keys[k]);
                return -1;
            }
            size_t vl = n - (size_t)(eq + 1 - s);
            if (vl == 0 || vl >= AX_SPEC_VAL) {
                snprintf(err, errlen, "%s '%s': '%s' needs a value", what, spec, keys[k]);
                return -1;
            }
            out->seen[k] = 1;
            memcpy(out->val[k], eq + 1, vl);
            last = k;
        } else if (last >= 0 && ((unit_keys >> last) & 1u) && eq && n > 0) {
            /* a further parameter of the unit before: ":key=value" (its
             * first) or ",key=value" */
            char *v = out->val[last];
            size_t have = strlen(v);
            if (have + 1 + n >= AX_SPEC_VAL) {
                snprintf(err, errlen, "%s '%s': unit too long", what, spec);
                return -1;
            }
            v[have] = strchr(v, ':') ? ',' : ':';
            memcpy(v + have + 1, s, n);
        } else {
            snprintf(err, errlen, "%s '%s': cannot read '%.*s'; keys: %s (e.g. %s)", what, spec,
                     (int)(n > 60 ? 60 : n), s, names, example);
            return -1;
        }
        s += n;
        if (*s == ',') {
            s++;
            if (!*s) {
                snprintf(err, errlen, "%s '%s' ends with a comma", what, spec);
                return -1;
            }
        }
    }
    return 0;
}

int ax_spec_unit(const char *what, const char *key, const char *v, int kind, ax_unit_t *u,
                 char *err, size_t errlen)
{
    char full[300], e2[400];
    if (strncmp(v, "mul_", 4) && strncmp(v, "add_", 4))
        snprintf(full, sizeof full, "%s%.255s", kind == AX_KIND_MUL ? "mul_" : "add_", v);
    else /* a full name, of either kind: the check below names a wrong one */
        snprintf(full, sizeof full, "%.255s", v);
    if (ax_unit_parse(full, u, e2, sizeof e2)) {
        snprintf(err, errlen, "%s: %s: %s", what, key, e2);
        return -1;
    }
    if (ax_unit_kind(*u) != kind) {
        snprintf(err, errlen, "%s: %s=%s is %s, not %s", what, key, v,
                 kind == AX_KIND_MUL ? "an adder" : "a multiplier",
                 kind == AX_KIND_MUL ? "a multiplier" : "an adder");
        return -1;
    }
    return 0;
}
