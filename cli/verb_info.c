/* verb_info.c — `axsim formats` and `axsim units`. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int ax_verb_formats(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        printf("usage: axsim formats\n\nLists the number formats axsim accepts wherever a format "
               "is asked for\n(--fmt, --out-fmt).\n");
        return AX_EXIT_OK;
    }
    if (argc > 1) {
        ax_cli_error("formats", "unexpected argument '%s' (see axsim formats --help)", argv[1]);
        return AX_EXIT_USAGE;
    }
    fputs(ax_format_help, stdout);
    return AX_EXIT_OK;
}

static void param_text(const ax_unit_desc_t *d, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < d->nparams && n < len; i++) {
        const ax_param_desc_t *p = &d->params[i];
        n += (size_t)snprintf(buf + n, len - n, "%s%s=%d (%d..%d%s)", i ? " " : "", p->name,
                              p->def, p->min, p->max, p->pow2 ? ", power of 2" : "");
    }
    if (!n) snprintf(buf, len, "-");
}

int ax_verb_units(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: axsim units [--json]\n\nLists every arithmetic unit: name, kind, "
                   "parameters with defaults and ranges,\nand a one-line formula. A unit is named "
                   "on the command line as NAME or\nNAME:key=value,... (e.g. mul_drum:k=4, "
                   "mul_realm:m=8,q=6). docs/units.md\nhas each unit's exact definition.\n");
            return AX_EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else {
            ax_cli_error("units", "unknown option '%s' (see axsim units --help)", argv[i]);
            return AX_EXIT_USAGE;
        }
    }
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < AX_UNIT_COUNT; i++) {
            const ax_unit_desc_t *d = &ax_unit_table[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", d->name);
            cJSON_AddStringToObject(o, "kind", d->kind == AX_KIND_MUL ? "mul" : "add");
            cJSON *ps = cJSON_AddArrayToObject(o, "params");
            for (int k = 0; k < d->nparams; k++) {
                cJSON *p = cJSON_CreateObject();
                cJSON_AddStringToObject(p, "name", d->params[k].name);
                cJSON_AddNumberToObject(p, "default", d->params[k].def);
                cJSON_AddNumberToObject(p, "min", d->params[k].min);
                cJSON_AddNumberToObject(p, "max", d->params[k].max);
                cJSON_AddBoolToObject(p, "power_of_two", d->params[k].pow2);
                cJSON_AddStringToObject(p, "help", d->params[k].help);
                cJSON_AddItemToArray(ps, p);
            }
            cJSON_AddBoolToObject(o, "significand_stage", d->has_sig_stage);
            cJSON_AddStringToObject(o, "formula", d->formula);
            cJSON_AddItemToArray(arr, o);
        }
        char *s = cJSON_Print(arr);
        puts(s);
        cJSON_free(s);
        cJSON_Delete(arr);
        return AX_EXIT_OK;
    }
    printf("%-13s %-4s %-34s %s\n", "unit", "kind", "parameters (default, range)", "formula");
    for (int i = 0; i < AX_UNIT_COUNT; i++) {
        const ax_unit_desc_t *d = &ax_unit_table[i];
        char ps[128];
        param_text(d, ps, sizeof ps);
        printf("%-13s %-4s %-34s %s\n", d->name, d->kind == AX_KIND_MUL ? "mul" : "add", ps,
               d->formula);
    }
    return AX_EXIT_OK;
}
