/* verb_survey.c — `axsim survey`: a summary of the units: the unit list, the
 * host-FPU check of the exact units, and the error metrics of every
 * approximate unit at its default parameters in bf16 and fp16. */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "ax_metrics.h"
#include "ax_metrics_json.h"
#include "cli.h"
#include "unit_reports.h"

static const char *survey_help =
    "usage: axsim survey [--random N] [--stride S] [--seed S] [--json]\n"
    "\n"
    "A summary of the units: lists them, checks the exact units against the host\n"
    "FPU (as axsim hostcheck, default 1000000 fp32 random pairs per unit, stride\n"
    "251 for 16-bit formats), and prints the error metrics (as axsim metrics) of\n"
    "every approximate unit, at its default parameters, in bf16 and fp16. --json\n"
    "prints one JSON document instead. Exit status 1 if the host-FPU check fails.\n"
    "(The main job, the accuracy of a network through each unit, is axsim estimate.)\n";

/* The metrics of every approximate unit in each format: a table, or objects in jm. */
static void metrics_table(uint64_t seed, cJSON *jm)
{
    static const char *fmts[] = {"bf16", "fp16"};
    if (!jm)
        printf("%-19s %-5s %9s %10s %11s %11s %11s %11s %11s\n", "unit", "fmt", "pairs", "err.rate", "MED",
               "MRED", "NMED", "WCRE", "bias");
    for (int fi = 0; fi < 2; fi++) {
        ax_format_t f;
        char err[256];
        ax_format_parse(fmts[fi], &f, err, sizeof err);
        for (int id = 0; id < AX_UNIT_COUNT; id++) {
            if (id == AX_MUL_EXACT || id == AX_ADD_EXACT) continue;
            ax_unit_t u = ax_unit_default((ax_unit_id_t)id);
            ax_metrics_t m;
            ax_metrics_compute(u, f, f, AX_METRICS_MAX_ENUM, AX_METRICS_SAMPLE, seed, &m);
            if (jm) {
                cJSON_AddItemToArray(jm, ax_metrics_json(u, f, f, &m));
                continue;
            }
            char un[64];
            printf("%-19s %-5s %8llu%s %10.4f %11.3e %11.3e %11.3e %11.3e %+11.3e\n", ax_unit_name(u, un, sizeof un),
                   fmts[fi], (unsigned long long)m.n, m.sampled ? "*" : " ", m.error_rate, m.med, m.mred, m.nmed,
                   m.wcre, m.bias);
        }
    }
}

int ax_verb_survey(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        fputs(survey_help, stdout);
        return AX_EXIT_OK;
    }
    uint64_t nrandom = 1000000, stride = 251, seed = 1;
    int json = 0;
    int rc = ax_cli_check_opts("survey", argc, argv, &nrandom, &stride, &seed, &json);
    if (rc >= 0) return rc;
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        int bad = ax_cli_hostcheck(nrandom, seed, (uint32_t)stride, cJSON_AddArrayToObject(doc, "hostcheck"), 1);
        metrics_table(seed, cJSON_AddArrayToObject(doc, "metrics"));
        cJSON_AddBoolToObject(doc, "hostcheck_passed", bad == 0);
        rc = ax_cli_write_json("survey", "-", doc);
        cJSON_Delete(doc);
        return bad ? AX_EXIT_FAIL : rc;
    }
    printf("== units ==\n");
    ax_cli_units_table();
    printf("\n== exact units against the host FPU ==\n");
    int bad = ax_cli_hostcheck(nrandom, seed, (uint32_t)stride, NULL, 0);
    printf("\n== error metrics against the exact unit (docs/units.md, 'Error metrics') ==\n");
    metrics_table(seed, NULL);
    printf("(* = seeded sample of the domain, seed %llu)\n\nhost-FPU check: %s\n", (unsigned long long)seed,
           bad ? "FAILED" : "passed");
    return bad ? AX_EXIT_FAIL : AX_EXIT_OK;
}
