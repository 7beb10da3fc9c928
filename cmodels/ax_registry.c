/* ax_registry.c — the unit table and the unit-spec parser. */
#include "ax_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOP {{0}}
const ax_unit_desc_t ax_unit_table[AX_UNIT_COUNT] = {
    {AX_MUL_EXACT, "mul_exact", AX_KIND_MUL, 0, NOP, 1,
     "correctly rounded product"},
    {AX_MUL_TRUNC, "mul_trunc", AX_KIND_MUL, 0, NOP, 1,
     "exact product, rounded toward zero"},
    {AX_MUL_DRUM, "mul_drum", AX_KIND_MUL, 1,
     {{"k", 6, 2, 24, 0, "significand bits kept (hidden bit included)"}}, 1,
     "significands cut to top k bits, lowest kept bit forced to 1, exact product, format rounding"},
    {AX_MUL_MITCHELL, "mul_mitchell", AX_KIND_MUL, 0, NOP, 1,
     "1+x+y if x+y<1 else 2(x+y), format rounding"},
    {AX_MUL_MBM, "mul_mbm", AX_KIND_MUL, 0, NOP, 1,
     "Mitchell + c=2^-4+2^-6 (c/2 if x+y>=1, none on carry-out), truncated"},
    {AX_MUL_REALM, "mul_realm", AX_KIND_MUL, 2,
     {{"m", 8, 1, 16, 1, "segments per fraction axis (power of two)"},
      {"q", 6, 1, 15, 0, "fraction bits of the error-reduction terms"}}, 1,
     "Mitchell + s_ij (segment of x, y) quantized to q bits, on the product scale, truncated"},
    {AX_ADD_EXACT, "add_exact", AX_KIND_ADD, 0, NOP, 0,
     "correctly rounded sum"},
    {AX_ADD_TRUNC, "add_trunc", AX_KIND_ADD, 0, NOP, 0,
     "alignment drops shifted-out bits (no guard/round/sticky), rounded toward zero"},
    {AX_ADD_LOA, "add_loa", AX_KIND_ADD, 1,
     {{"l", 8, 0, 27, 0, "low datapath bits computed as OR"}}, 0,
     "low l bits a|b, carry a_(l-1)&b_(l-1) into the exact upper part"},
    {AX_ADD_ETA, "add_eta", AX_KIND_ADD, 1,
     {{"l", 8, 0, 27, 0, "low datapath bits of the ETA-I lower part"}}, 0,
     "upper exact without carry-in; low l bits XOR down to first 1&1, then all 1"},
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
