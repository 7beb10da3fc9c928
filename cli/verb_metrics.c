/* verb_metrics.c — `axsim metrics`: error metrics of one unit in one format,
 * or of a DAA configuration's policy. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ax_mac.h"
#include "ax_metrics.h"
#include "ax_metrics_json.h"
#include "cli.h"

static const char *metrics_help =
    "usage: axsim metrics --unit U --fmt F [--out-fmt F2] [--seed S] [--json]\n"
    "       axsim metrics --mac daa:... [--pairs N] [--terms K] [--seed S] [--json]\n"
    "\n"
    "Error metrics of unit U against the exact unit of its kind, operands in\n"
    "format F, results in F2 (default F; a MAC's product format, e.g. fp32, shows\n"
    "the error before it is rounded into F):\n"
    "  error rate  share of results whose bits differ from the exact result\n"
    "  MED         mean error distance |approx - exact|\n"
    "  MRED        mean relative error distance |approx - exact| / |exact|\n"
    "  NMED        MED / max |exact|\n"
    "  WCRE        worst-case relative error\n"
    "  bias        mean signed relative error (approx - exact) / exact\n"
    "  MSE         mean squared error\n"
    "Domain: multipliers a = 1.x, b = 1.y over every fraction pair (x, y);\n"
    "adders a = 1.x, b = +-1.y * 2^-d, d = 0..M+2. Enumerated when the domain has at\n"
    "most 2^24 pairs, else a seeded sample of 2^22 pairs (its size and seed are\n"
    "printed). Definitions: docs/units.md, section 'Error metrics'.\n"
    "\n"
    "A DAA configuration (--mac daa:..., docs/units.md section 15): N pairs of\n"
    "dot products of K terms (default 2000 x 256), ReLU-like activations (half\n"
    "zeros) against normal weights: the mean normalized error |result - exact| /\n"
    "sum |a_k b_k| of the dot products under the policy, with every product\n"
    "through hi and through lo, and the share of non-zero products through hi.\n"
    "\n"
    "  --out-fmt F2  result format (default: F)\n"
    "  --seed S      sample seed (default 1)\n"
    "  --json        print the metrics as JSON\n";

/* --mac: a DAA policy's error (ax_daa_metrics_compute) */
static int daa_metrics(const char *spec, int unit_too, uint64_t pairs, uint64_t terms,
                       uint64_t seed, int json)
{
    ax_mac_cfg_t c;
    if (unit_too) {
        ax_cli_error("metrics", "--mac and --unit/--fmt/--out-fmt: give one");
        return AX_EXIT_USAGE;
    }
    if (ax_cli_mac("metrics", "--mac", spec, &c)) return AX_EXIT_USAGE;
    if (!ax_mac_is_daa(&c)) {
        ax_cli_error("metrics", "--mac %s: not a DAA configuration (daa:...); a unit's metrics: "
                                "--unit U --fmt F", spec);
        return AX_EXIT_USAGE;
    }
    if (pairs < 1 || pairs > 1000000 || terms < 1 || terms > 100000) {
        ax_cli_error("metrics", "--pairs takes 1..1000000 and --terms 1..100000");
        return AX_EXIT_USAGE;
    }
    ax_daa_metrics_t m;
    if (ax_daa_metrics_compute(&c, pairs, terms, seed, &m)) {
        ax_cli_error("metrics", "out of memory");
        return AX_EXIT_FAIL;
    }
    char name[512];
    ax_mac_name(&c, name, sizeof name);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "mac", name);
        cJSON_AddNumberToObject(o, "pairs", (double)m.pairs);
        cJSON_AddNumberToObject(o, "terms", (double)m.terms);
        cJSON_AddNumberToObject(o, "seed", (double)m.seed);
        cJSON_AddNumberToObject(o, "dot_products", (double)m.n);
        cJSON_AddNumberToObject(o, "ned", m.ned);
        cJSON_AddNumberToObject(o, "ned_all_hi", m.ned_hi);
        cJSON_AddNumberToObject(o, "ned_all_lo", m.ned_lo);
        cJSON_AddNumberToObject(o, "hi_fraction", m.hi_fraction);
        int rc = ax_cli_write_json("metrics", "-", o);
        cJSON_Delete(o);
        return rc;
    }
    printf("%s\n%llu pairs of %llu-term dot products (seed %llu), %llu with a non-zero term\n", name,
           (unsigned long long)m.pairs, (unsigned long long)m.terms, (unsigned long long)m.seed,
           (unsigned long long)m.n);
    printf("  NED, the policy     %.6e\n  NED, all hi         %.6e\n  NED, all lo         %.6e\n"
           "  hi fraction         %.4f of non-zero products\n",
           m.ned, m.ned_hi, m.ned_lo, m.hi_fraction);
    return AX_EXIT_OK;
}

int ax_verb_metrics(int argc, char **argv)
{
    static const struct option lo[] = {{"unit", 1, 0, 'u'}, {"fmt", 1, 0, 'f'}, {"out-fmt", 1, 0, 'o'},
                                       {"seed", 1, 0, 's'}, {"json", 0, 0, 'j'},   {"mac", 1, 0, 'm'},
                                       {"pairs", 1, 0, 'p'}, {"terms", 1, 0, 'k'}, {0, 0, 0, 0}};
    if (ax_cli_wants_help(argc, argv)) {
        fputs(metrics_help, stdout);
        return AX_EXIT_OK;
    }
    const char *unit = NULL, *fmt = NULL, *ofmt = NULL, *mac = NULL;
    uint64_t seed = 1, pairs = 2000, terms = 256;
    int json = 0, c;
    ax_cli_opt_begin();
    while ((c = ax_cli_opt("metrics", argc, argv, lo, 0)) > 0) {
        switch (c) {
        case 'u': unit = optarg; break;
        case 'f': fmt = optarg; break;
        case 'o': ofmt = optarg; break;
        case 's': if (ax_cli_u64("metrics", "--seed", optarg, &seed)) return AX_EXIT_USAGE; break;
        case 'j': json = 1; break;
        case 'm': mac = optarg; break;
        case 'p': if (ax_cli_u64("metrics", "--pairs", optarg, &pairs)) return AX_EXIT_USAGE; break;
        case 'k': if (ax_cli_u64("metrics", "--terms", optarg, &terms)) return AX_EXIT_USAGE; break;
        }
    }
    if (c < 0) return AX_EXIT_USAGE;
    if (mac) return daa_metrics(mac, unit || fmt || ofmt, pairs, terms, seed, json);
    if (!unit || !fmt) {
        ax_cli_error("metrics", "--unit and --fmt are required (see axsim metrics --help)");
        return AX_EXIT_USAGE;
    }
    ax_unit_t u;
    ax_format_t f, fo;
    if (ax_cli_unit("metrics", unit, &u) || ax_cli_format("metrics", "--fmt", fmt, &f) ||
        ax_cli_format("metrics", "--out-fmt", ofmt ? ofmt : fmt, &fo))
        return AX_EXIT_USAGE;
    ax_metrics_t m;
    ax_metrics_compute(u, f, fo, AX_METRICS_MAX_ENUM, AX_METRICS_SAMPLE, seed, &m);
    if (json) {
        cJSON *o = ax_metrics_json(u, f, fo, &m);
        int rc = ax_cli_write_json("metrics", "-", o);
        cJSON_Delete(o);
        return rc;
    }
    char un[64], fn[64], fon[64], res[80] = "";
    if (!ax_fmt_eq(f, fo)) snprintf(res, sizeof res, ", results in %s", ax_format_name(fo, fon, sizeof fon));
    printf("unit %s, format %s%s, %s %s\n", ax_unit_name(u, un, sizeof un),
           ax_format_name(f, fn, sizeof fn), res,
           ax_unit_kind(u) == AX_KIND_MUL ? "multiplier" : "adder",
           ax_unit_kind(u) == AX_KIND_MUL ? "(a = 1.x, b = 1.y)" : "(a = 1.x, b = +-1.y * 2^-d)");
    if (m.sampled)
        printf("pairs: %llu, a seeded sample (seed %llu) of %llu\n", (unsigned long long)m.n,
               (unsigned long long)m.seed, (unsigned long long)m.domain);
    else
        printf("pairs: %llu (all)\n", (unsigned long long)m.n);
    printf("  error rate  %.6f\n  MED         %.6e\n  MRED        %.6e\n  NMED        %.6e\n"
           "  WCRE        %.6e\n  bias        %+.6e\n  MSE         %.6e\n",
           m.error_rate, m.med, m.mred, m.nmed, m.wcre, m.bias, m.mse);
    return AX_EXIT_OK;
}
