/* unit_reports.c — the unit table and the host-FPU check report, printed by
 * `axsim units`, `axsim hostcheck` and `axsim survey` (unit_reports.h). */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ax_clock.h"
#include "ax_hostcheck.h"
#include "cli.h"
#include "unit_reports.h"

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

void ax_cli_units_table(void)
{
    printf("%-13s %-4s %-34s %s\n", "unit", "kind", "parameters (default, range)", "formula");
    for (int i = 0; i < AX_UNIT_COUNT; i++) {
        const ax_unit_desc_t *d = &ax_unit_table[i];
        char ps[128];
        param_text(d, ps, sizeof ps);
        printf("%-13s %-4s %-34s %s\n", d->name, d->kind == AX_KIND_MUL ? "mul" : "add", ps, d->formula);
    }
}

/* ---- the host-FPU check ------------------------------------------------------------ */

typedef struct op_ctx {
    ax_unit_t u;
    ax_format_t f;
} op_ctx_t;

static uint32_t op(void *p, uint32_t a, uint32_t b, uint32_t *flags)
{
    const op_ctx_t *c = (const op_ctx_t *)p;
    return ax_unit_apply(c->u, a, b, c->f, c->f, flags);
}

static void print_check(const char *uname, const char *fmt, int fp32, const ax_check_report_t *r,
                        const op_ctx_t *c, double seconds)
{
    printf("  %-9s %-5s %12llu vectors  %-4s  (%s, %.1f s)\n", uname, fmt, (unsigned long long)r->cases,
           r->fails ? "FAIL" : "ok",
           fp32 ? "specials x specials + weighted random, flags too" : "through float, strided pairs", seconds);
    char d[160], fl[80];
    for (int i = 0; i < r->nrec; i++) {
        printf("    a %s\n", ax_cli_decode(r->rec[i].a, c->f, d, sizeof d));
        printf("    b %s\n", ax_cli_decode(r->rec[i].b, c->f, d, sizeof d));
        printf("    got  %s flags %s\n", ax_cli_decode(r->rec[i].got, c->f, d, sizeof d),
               ax_flags_name(r->rec[i].got_flags, fl, sizeof fl));
        printf("    host %s flags %s\n", ax_cli_decode(r->rec[i].want, c->f, d, sizeof d),
               ax_flags_name(r->rec[i].want_flags, fl, sizeof fl));
    }
}

int ax_cli_hostcheck(uint64_t nrandom, uint64_t seed, uint32_t stride, cJSON *json, int quiet)
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
            const char *uname = kind ? "add_exact" : "mul_exact";
            if (!quiet) print_check(uname, fmts[fi], fi == 0, &r, &c, ax_clock_now() - t0);
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

int ax_cli_check_opts(const char *verb, int argc, char **argv, uint64_t *nrandom, uint64_t *stride,
                      uint64_t *seed, int *json)
{
    static const struct option lo[] = {{"random", 1, 0, 'r'}, {"stride", 1, 0, 't'}, {"seed", 1, 0, 's'},
                                       {"json", 0, 0, 'j'},   {0, 0, 0, 0}};
    int c;
    ax_cli_opt_begin();
    while ((c = ax_cli_opt(verb, argc, argv, lo, 0)) > 0) {
        if (c == 'r' && ax_cli_u64(verb, "--random", optarg, nrandom)) return AX_EXIT_USAGE;
        if (c == 's' && ax_cli_u64(verb, "--seed", optarg, seed)) return AX_EXIT_USAGE;
        if (c == 't' && ax_cli_u64(verb, "--stride", optarg, stride)) return AX_EXIT_USAGE;
        if (c == 't' && (*stride < 1 || *stride > 65536)) {
            ax_cli_error(verb, "--stride: must be 1..65536");
            return AX_EXIT_USAGE;
        }
        if (c == 'j' && !json) {
            ax_cli_error(verb, "unknown option '--json' (see axsim %s --help)", verb);
            return AX_EXIT_USAGE;
        }
        if (c == 'j') *json = 1;
    }
    return c < 0 ? AX_EXIT_USAGE : -1;
}
