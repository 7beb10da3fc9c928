/* verb_check.c — `axsim hostcheck` (exact units against the host FPU) and
 * `axsim survey`, the main job: units, host-FPU check, error metrics. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ax_hostcheck.h"
#include "ax_metrics.h"
#include "cli.h"
#include "ax_clock.h"

typedef struct op_ctx {
    ax_unit_t u;
    ax_format_t f;
} op_ctx_t;

static uint32_t op(void *p, uint32_t a, uint32_t b, uint32_t *flags)
{
    const op_ctx_t *c = (const op_ctx_t *)p;
    return ax_unit_apply(c->u, a, b, c->f, c->f, flags);
}

/* Runs the host-FPU check of mul_exact and add_exact; one line per
 * (unit, format); returns the number of failing lines. */
static int hostcheck(uint64_t nrandom, uint64_t seed, uint32_t stride, cJSON *json, int quiet)
{
    static const char *fmts[] = {"fp32", "fp16", "bf16"};
    int bad = 0;
    for (int kind = 0; kind < 2; kind++) {
        for (int fi = 0; fi < 3; fi++) {
            op_ctx_t c;
            c.u = ax_unit_default(kind ? AX_ADD_EXACT : AX_MUL_EXACT);
            char err[256];
            ax_format_parse(fmts[fi], &c.f, err, sizeof err);
            ax_check_report_t r;
            double t0 = ax_clock_now();
            if (fi == 0) ax_hostcheck_fp32(kind, op, &c, nrandom, seed, &r);
            else ax_hostcheck_16(kind, c.f, op, &c, stride, 0, &r);
            double dt = ax_clock_now() - t0;
            const char *uname = kind ? "add_exact" : "mul_exact";
            if (!quiet) {
                printf("  %-9s %-5s %12llu vectors  %-4s  (%s, %.1f s)\n", uname, fmts[fi],
                       (unsigned long long)r.cases, r.fails ? "FAIL" : "ok",
                       fi == 0 ? "specials x specials + weighted random, flags too"
                               : "through float, strided pairs",
                       dt);
                char d[160], fl[80];
                for (int i = 0; i < r.nrec; i++) {
                    printf("    a %s\n", ax_cli_decode(r.rec[i].a, c.f, d, sizeof d));
                    printf("    b %s\n", ax_cli_decode(r.rec[i].b, c.f, d, sizeof d));
                    printf("    got  %s flags %s\n", ax_cli_decode(r.rec[i].got, c.f, d, sizeof d),
                           ax_flags_name(r.rec[i].got_flags, fl, sizeof fl));
                    printf("    host %s flags %s\n", ax_cli_decode(r.rec[i].want, c.f, d, sizeof d),
                           ax_flags_name(r.rec[i].want_flags, fl, sizeof fl));
                }
            }
            if (json) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "unit", uname);
                cJSON_AddStringToObject(o, "format", fmts[fi]);
                cJSON_AddNumberToObject(o, "vectors", (double)r.cases);
                cJSON_AddNumberToObject(o, "failures", (double)r.fails);
                cJSON_AddItemToArray(json, o);
            }
            if (r.fails || r.cases == 0) bad++;
        }
    }
    return bad;
}

static const char *hostcheck_help =
    "usage: axsim hostcheck [--random N] [--stride S] [--seed S]\n"
    "\n"
    "Checks mul_exact and add_exact against the host FPU, bit for bit:\n"
    "  fp32: every pair of a table of special values (zeros, subnormals, extremes,\n"
    "        infinities, quiet and signaling NaNs), then N weighted random pairs;\n"
    "        IEEE flags compared too (x86-64 detects tininess after rounding).\n"
    "  fp16, bf16: every a against b = 0, S, 2S, ... computed through float (exact\n"
    "        products; sums rounded twice, harmless since 24 >= 2p+2).\n"
    "A NaN result matches any NaN. Exit status 1 on any mismatch.\n"
    "\n"
    "  --random N   fp32 random pairs per unit (default 10000000)\n"
    "  --stride S   16-bit operand-b stride; 1 = all 2^32 pairs (default 251)\n"
    "  --seed S     random seed (default 1)\n";

static int parse_check_opts(const char *verb, int argc, char **argv, uint64_t *nrandom,
                            uint64_t *stride, uint64_t *seed, int *json, const char *help)
{
    static const struct option lo[] = {{"random", required_argument, 0, 'r'},
                                       {"stride", required_argument, 0, 't'},
                                       {"seed", required_argument, 0, 's'},
                                       {"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (ax_cli_u64(verb, "--random", optarg, nrandom)) return AX_EXIT_USAGE;
            break;
        case 't':
            if (ax_cli_u64(verb, "--stride", optarg, stride)) return AX_EXIT_USAGE;
            if (*stride < 1 || *stride > 65536) {
                ax_cli_error(verb, "--stride: must be 1..65536");
                return AX_EXIT_USAGE;
            }
            break;
        case 's':
            if (ax_cli_u64(verb, "--seed", optarg, seed)) return AX_EXIT_USAGE;
            break;
        case 'j':
            if (!json) goto bad;
            *json = 1;
            break;
        case 'h': fputs(help, stdout); return -1;
        default:
        bad:
            ax_cli_error(verb, "unknown option or missing value: %s (see axsim %s --help)",
                         argv[optind - 1], verb);
            return AX_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        ax_cli_error(verb, "unexpected argument '%s'", argv[optind]);
        return AX_EXIT_USAGE;
    }
    return 0;
}

int ax_verb_hostcheck(int argc, char **argv)
{
    uint64_t nrandom = 10000000, stride = 251, seed = 1;
    int rc = parse_check_opts("hostcheck", argc, argv, &nrandom, &stride, &seed, NULL,
                              hostcheck_help);
    if (rc) return rc < 0 ? AX_EXIT_OK : rc;
    printf("exact units against the host FPU:\n");
    int bad = hostcheck(nrandom, seed, (uint32_t)stride, NULL, 0);
    printf("%d passed, %d failed\n", 6 - bad, bad);
    return bad ? AX_EXIT_FAIL : AX_EXIT_OK;
}

static const char *survey_help =
    "usage: axsim survey [--random N] [--stride S] [--seed S] [--json]\n"
    "\n"
    "The main job (until networks exist): lists the units, checks the exact units\n"
    "against the host FPU (as axsim hostcheck, default 1000000 fp32 random pairs\n"
    "per unit, stride 251 for 16-bit formats), and prints the error metrics (as\n"
    "axsim metrics) of every approximate unit, at its default parameters, in bf16\n"
    "and fp16. --json prints one JSON document instead. Exit status 1 if the\n"
    "host-FPU check fails.\n";

int ax_verb_survey(int argc, char **argv)
{
    uint64_t nrandom = 1000000, stride = 251, seed = 1;
    int json = 0;
    int rc = parse_check_opts("survey", argc, argv, &nrandom, &stride, &seed, &json, survey_help);
    if (rc) return rc < 0 ? AX_EXIT_OK : rc;
    static const char *fmts[] = {"bf16", "fp16"};
    cJSON *doc = json ? cJSON_CreateObject() : NULL;
    if (!json) {
        printf("== units ==\n");
        char *av[] = {(char *)"units", NULL};
        ax_verb_units(1, av);
        printf("\n== exact units against the host FPU ==\n");
    }
    int bad = hostcheck(nrandom, seed, (uint32_t)stride,
                        json ? cJSON_AddArrayToObject(doc, "hostcheck") : NULL, json);
    if (!json) {
        printf("\n== error metrics against the exact unit (docs/units.md, 'Error metrics') ==\n");
        printf("%-19s %-5s %9s %10s %11s %11s %11s %11s %11s\n", "unit", "fmt", "pairs",
               "err.rate", "MED", "MRED", "NMED", "WCRE", "bias");
    }
    cJSON *jm = json ? cJSON_AddArrayToObject(doc, "metrics") : NULL;
    for (int fi = 0; fi < 2; fi++) {
        ax_format_t f;
        char err[256];
        ax_format_parse(fmts[fi], &f, err, sizeof err);
        for (int id = 0; id < AX_UNIT_COUNT; id++) {
            if (id == AX_MUL_EXACT || id == AX_ADD_EXACT) continue;
            ax_unit_t u = ax_unit_default((ax_unit_id_t)id);
            ax_metrics_t m;
            ax_metrics_compute(u, f, f, AX_METRICS_MAX_ENUM, AX_METRICS_SAMPLE, seed, &m);
            if (json) {
                cJSON_AddItemToArray(jm, ax_metrics_json(u, f, f, &m));
                continue;
            }
            char un[64];
            printf("%-19s %-5s %8llu%s %10.4f %11.3e %11.3e %11.3e %11.3e %+11.3e\n",
                   ax_unit_name(u, un, sizeof un), fmts[fi], (unsigned long long)m.n,
                   m.sampled ? "*" : " ", m.error_rate, m.med, m.mred, m.nmed, m.wcre, m.bias);
        }
    }
    if (json) {
        cJSON_AddBoolToObject(doc, "hostcheck_passed", bad == 0);
        char *s = cJSON_Print(doc);
        puts(s);
        cJSON_free(s);
        cJSON_Delete(doc);
    } else {
        printf("(* = seeded sample of the domain, seed %llu)\n\nhost-FPU check: %s\n",
               (unsigned long long)seed, bad ? "FAILED" : "passed");
    }
    return bad ? AX_EXIT_FAIL : AX_EXIT_OK;
}
