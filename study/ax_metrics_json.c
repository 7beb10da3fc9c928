/* ax_metrics_json.c — the error metrics of one unit as JSON (ax_metrics_json.h). */
#include "ax_metrics_json.h"

#include <cjson/cJSON.h>

cJSON *ax_metrics_json(ax_unit_t u, ax_format_t f, ax_format_t fo, const ax_metrics_t *m)
{
    char un[64], fn[64];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "unit", ax_unit_name(u, un, sizeof un));
    cJSON_AddStringToObject(o, "format", ax_format_name(f, fn, sizeof fn));
    cJSON_AddStringToObject(o, "out_format", ax_format_name(fo, fn, sizeof fn));
    cJSON_AddNumberToObject(o, "domain_pairs", (double)m->domain);
    cJSON_AddNumberToObject(o, "pairs", (double)m->n);
    cJSON_AddBoolToObject(o, "sampled", m->sampled);
    if (m->sampled) cJSON_AddNumberToObject(o, "seed", (double)m->seed);
    cJSON_AddNumberToObject(o, "error_rate", m->error_rate);
    cJSON_AddNumberToObject(o, "med", m->med);
    cJSON_AddNumberToObject(o, "mred", m->mred);
    cJSON_AddNumberToObject(o, "nmed", m->nmed);
    cJSON_AddNumberToObject(o, "wcre", m->wcre);
    cJSON_AddNumberToObject(o, "bias", m->bias);
    cJSON_AddNumberToObject(o, "mse", m->mse);
    return o;
}
