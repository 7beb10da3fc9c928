/* ax_registry.c — the unit table and the unit-spec parser. */
#include "ax_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* rtl_code: the UNIT parameter of rtl_top. The RTL names the codes
 * (rtl/ax_units.vh: `AX_MUL_DRUM), so they are free to differ from the C
 * enum's order; keep a code once given. */
const ax_unit_desc_t ax_unit_table[AX_UNIT_COUNT] = {
    [AX_MUL_EXACT] = {
        .id = AX_MUL_EXACT, .name = "mul_exact", .kind = AX_KIND_MUL, .has_sig_stage = 1,
        .formula = "correctly rounded product",
        .rtl_top = "ax_mul", .rtl_code = 0},
    [AX_MUL_TRUNC] = {
        .id = AX_MUL_TRUNC, .name = "mul_trunc", .kind = AX_KIND_MUL, .has_sig_stage = 1,
        .formula = "exact product, rounded toward zero",
        .rtl_top = "ax_mul", .rtl_code = 1},
    [AX_MUL_DRUM] = {
        .id = AX_MUL_DRUM, .name = "mul_drum", .kind = AX_KIND_MUL, .has_sig_stage = 1,
        .nparams = 1,
        .params = {{"k", 6, 2, 24, 0, "significand bits kept (hidden bit included)", "K"}},
        .formula = "significands cut to top k bits, lowest kept bit forced to 1, exact product, "
                   "format rounding",
        .rtl_top = "ax_mul", .rtl_code = 2},
    [AX_MUL_MITCHELL] = {
        .id = AX_MUL_MITCHELL, .name = "mul_mitchell", .kind = AX_KIND_MUL, .has_sig_stage = 1,
        .formula = "1+x+y if x+y<1 else 2(x+y), format rounding",
        .rtl_top = "ax_mul", .rtl_code = 3},
    [AX_MUL_MBM] = {
        .id = AX_MUL_MBM, .name = "mul_mbm", .kind = AX_KIND_MUL, .has_sig_stage = 1,
        .formula = "Mitchell + c=2^-4+2^-6 (c/2 if x+y>=1, none on carry-out), truncated",
        .rtl_top = "ax_mul", .rtl_code = 4},
    [AX_MUL_REALM] = {
        .id = AX_MUL_REALM, .name = "mul_realm", .kind = AX_KIND_MUL, .has_sig_stage = 1,
        .nparams = 2,
        .params = {{"m", 8, 1, 16, 1, "segments per fraction axis (power of two)", "SEGS"},
                   {"q", 6, 1, 15, 0, "fraction bits of the error-reduction terms", "Q"}},
        .formula = "Mitchell + s_ij (segment of x, y) quantized to q bits, on the product scale, "
                   "truncated",
        .rtl_top = "ax_mul", .rtl_code = 5},
    [AX_ADD_EXACT] = {
        .id = AX_ADD_EXACT, .name = "add_exact", .kind = AX_KIND_ADD,
        .formula = "correctly rounded sum",
        .rtl_top = "ax_add", .rtl_code = 0},
    [AX_ADD_TRUNC] = {
        .id = AX_ADD_TRUNC, .name = "add_trunc", .kind = AX_KIND_ADD,
        .formula = "alignment drops shifted-out bits (no guard/round/sticky), rounded toward zero",
        .rtl_top = "ax_add", .rtl_code = 1},
    [AX_ADD_LOA] = {
        .id = AX_ADD_LOA, .name = "add_loa", .kind = AX_KIND_ADD,
        .nparams = 1,
        .params = {{"l", 8, 0, 27, 0, "low datapath bits computed as OR", "L"}},
        .formula = "low l bits a|b, carry a_(l-1)&b_(l-1) into the exact upper part",
        .rtl_top = "ax_add", .rtl_code = 2},
    [AX_ADD_ETA] = {
        .id = AX_ADD_ETA, .name = "add_eta", .kind = AX_KIND_ADD,
        .nparams = 1,
        .params = {{"l", 8, 0, 27, 0, "low datapath bits of the ETA-I lower part", "L"}},
        .formula = "upper exact without carry-in; low l bits XOR down to first 1&1, then all 1",
        .rtl_top = "ax_add", .rtl_code = 3},
};

const ax_unit_desc_t *ax_unit_desc(ax_unit_t u)
{
    return (u.id >= 0 && u.id < AX_UNIT_COUNT) ? &ax_unit_table[u.id] : NULL;
}

const ax_unit_desc_t *ax_unit_find(const char *name)
{
    for (int i = 0; i < AX_UNIT_COUNT; i++)
        if (!strcmp(ax_unit_table[i].name, name)) return &ax_unit_table[i];
    return NULL;
}

ax_unit_t ax_unit_default(ax_unit_id_t id)
{
    ax_unit_t u;
    memset(&u, 0, sizeof u);
    u.id = id;
    for (int i = 0; i < ax_unit_table[id].nparams; i++) u.p[i] = ax_unit_table[id].params[i].def;
    return u;
}

static void list_units(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < AX_UNIT_COUNT && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", ax_unit_table[i].name);
}

static void list_params(const ax_unit_desc_t *d, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    if (d->nparams == 0) {
        snprintf(buf, len, "none");
        return;
    }
    for (int i = 0; i < d->nparams && n < len; i++) {
        const ax_param_desc_t *p = &d->params[i];
        n += (size_t)snprintf(buf + n, len - n, "%s%s=%d..%d%s (default %d)", i ? ", " : "",
                              p->name, p->min, p->max, p->pow2 ? " power of two" : "", p->def);
    }
}

int ax_unit_parse(const char *spec, ax_unit_t *out, char *err, size_t errlen)
{
    char name[64], list[512];
    size_t nl = strcspn(spec, ":");
    if (nl >= sizeof name) nl = sizeof name - 1;
    memcpy(name, spec, nl);
    name[nl] = 0;
    const ax_unit_desc_t *d = ax_unit_find(name);
    if (!d) {
        list_units(list, sizeof list);
        snprintf(err, errlen, "unknown unit '%s'; valid units: %s", name, list);
        return -1;
    }
    ax_unit_t u = ax_unit_default(d->id);
    const char *s = spec + strcspn(spec, ":");
    int seen[AX_UNIT_MAX_PARAMS] = {0};
    while (*s == ':' || *s == ',') {
        s++;
        size_t n = strcspn(s, ",");
        list_params(d, list, sizeof list);
        if (n == 0) {
            snprintf(err, errlen, "unit '%s': empty parameter in '%s'; parameters: %s", d->name,
                     spec, list);
            return -1;
        }
        const char *eq = memchr(s, '=', n);
        if (!eq) {
            snprintf(err, errlen, "unit '%s': parameter '%.*s' is not key=value; parameters: %s",
                     d->name, (int)n, s, list);
            return -1;
        }
        int k = -1;
        for (int i = 0; i < d->nparams; i++)
            if (strlen(d->params[i].name) == (size_t)(eq - s) &&
                !strncmp(d->params[i].name, s, (size_t)(eq - s)))
                k = i;
        if (k < 0) {
            snprintf(err, errlen, "unit '%s' has no parameter '%.*s'; parameters: %s", d->name,
                     (int)(eq - s), s, list);
            return -1;
        }
        if (seen[k]++) {
            snprintf(err, errlen, "unit '%s': parameter '%s' given twice", d->name,
                     d->params[k].name);
            return -1;
        }
        /* the value: 1 to 9 decimal digits, nothing else */
        const char *vs = eq + 1;
        size_t vl = n - (size_t)(vs - s);
        long v = 0;
        int ok = vl >= 1 && vl <= 9;
        for (size_t i = 0; ok && i < vl; i++) {
            if (vs[i] < '0' || vs[i] > '9') ok = 0;
            else v = v * 10 + (vs[i] - '0');
        }
        const ax_param_desc_t *p = &d->params[k];
        if (!ok || v < p->min || v > p->max || (p->pow2 && (v & (v - 1)))) {
            snprintf(err, errlen, "unit '%s': bad value '%.*s' for '%s'; parameters: %s", d->name,
                     (int)(vl > 40 ? 40 : vl), vs, p->name, list);
            return -1;
        }
        u.p[k] = (int32_t)v;
        s += n;
    }
    *out = u;
    return 0;
}

const char *ax_unit_name(ax_unit_t u, char *buf, size_t len)
{
    const ax_unit_desc_t *d = ax_unit_desc(u);
    if (!d) {
        snprintf(buf, len, "?");
        return buf;
    }
    size_t n = (size_t)snprintf(buf, len, "%s", d->name);
    for (int i = 0; i < d->nparams && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%c%s=%d", i ? ',' : ':', d->params[i].name,
                              u.p[i]);
    return buf;
}
