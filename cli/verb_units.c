/* verb_units.c — `axsim units`: every unit of the registry, as a table or
 * as JSON. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "unit_reports.h"

static cJSON *unit_json(const ax_unit_desc_t *d)
{
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
    return o;
}

int ax_verb_units(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        printf("usage: axsim units [--json]\n\nLists every arithmetic unit: name, kind, "
               "parameters with defaults and ranges,\nand a one-line formula. A unit is named "
               "on the command line as NAME or\nNAME:key=value,... (e.g. mul_drum:k=4, "
               "mul_realm:m=8,q=6). docs/units.md\nhas each unit's exact definition.\n");
        return AX_EXIT_OK;
    }
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json")) {
            ax_cli_error("units", "unknown option '%s' (see axsim units --help)", argv[i]);
            return AX_EXIT_USAGE;
        }
        json = 1;
    }
    if (!json) {
        ax_cli_units_table();
        return AX_EXIT_OK;
    }
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < AX_UNIT_COUNT; i++) cJSON_AddItemToArray(arr, unit_json(&ax_unit_table[i]));
    int rc = ax_cli_write_json("units", "-", arr);
    cJSON_Delete(arr);
    return rc;
}
