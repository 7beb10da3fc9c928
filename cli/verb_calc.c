/* verb_calc.c — `axsim calc`: a unit applied to vector lines in Berkeley
 * TestFloat's format, optionally checked against the expected columns. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_units.h"
#include "calc_line.h"
#include "cli.h"

static const char *calc_help =
    "usage: axsim calc --unit U --fmt F [--out-fmt F2] [--check] [--check-nans] [FILE|-]\n"
    "\n"
    "Reads vector lines (from FILE, or standard input when FILE is - or absent) in\n"
    "Berkeley TestFloat's format: hexadecimal operand a, operand b, then optionally\n"
    "the expected result and the expected flags, separated by white space. A 0x\n"
    "prefix is allowed; '#' starts a comment; blank lines are skipped.\n"
    "\n"
    "Without --check, writes one line 'a b result flags' per vector.\n"
    "With --check, compares each result (a NaN matches any NaN unless --check-nans)\n"
    "and, where the line has them, the flags; prints the first 20 mismatches decoded\n"
    "and ends with 'N passed, M failed'. Exit status: 0 all passed, 1 a mismatch or\n"
    "no vectors at all, 2 bad usage, a malformed line or a read error (named by\n"
    "its line number).\n"
    "\n"
    "  --unit U       unit spec, e.g. mul_exact, mul_drum:k=4 (axsim units)\n"
    "  --fmt F        input format, e.g. bf16, fp8e4m3, e6m9:rtz (axsim formats)\n"
    "  --out-fmt F2   output format (default: the input format)\n"
    "  --check        compare with the expected columns\n"
    "  --check-nans   with --check, NaN results must match bit for bit\n"
    "\n"
    "flags (hex, as SoftFloat): 01 inexact, 02 underflow, 04 overflow, 08 infinite,\n"
    "10 invalid.\n";

typedef struct calc_opts {
    ax_unit_t unit;
    ax_format_t fi, fo;
    int check, check_nans;
} calc_opts_t;

static void report(const calc_opts_t *o, const char *src, long line, uint32_t a, uint32_t b,
                   uint32_t r, uint32_t rf, uint32_t want, int has_flags, uint32_t wf)
{
    char d[160], fl[80];
    printf("mismatch at %s:%ld\n", src, line);
    printf("  a         %s\n", ax_cli_decode(a, o->fi, d, sizeof d));
    printf("  b         %s\n", ax_cli_decode(b, o->fi, d, sizeof d));
    printf("  result    %s  flags %02X (%s)\n", ax_cli_decode(r, o->fo, d, sizeof d), rf,
           ax_flags_name(rf, fl, sizeof fl));
    printf("  expected  %s", ax_cli_decode(want, o->fo, d, sizeof d));
    if (has_flags) printf("  flags %02X (%s)", wf, ax_flags_name(wf, fl, sizeof fl));
    printf("\n");
}

static int run(const calc_opts_t *o, FILE *in, const char *src)
{
    char *buf = NULL;
    size_t cap = 0;
    long lineno = 0;
    uint64_t passed = 0, failed = 0;
    const int wi = ax_cli_hexdigits(o->fi), wo = ax_cli_hexdigits(o->fo);
    int status = AX_EXIT_OK;
    for (;;) {
        /* getline gives -1 at the end of the input and on an error; an error
         * such as ENOMEM (a huge line) sets neither feof nor always ferror,
         * so errno is cleared first and the end is checked with feof */
        errno = 0;
        ssize_t len = getline(&buf, &cap, in);
        if (len < 0) {
            if (ferror(in) || !feof(in)) {
                int e = errno ? errno : EIO;
                ax_cli_error("calc", "%s:%ld: read error: %s (the vectors from this line on "
                             "were not read)", src, lineno + 1, strerror(e));
                status = AX_EXIT_USAGE;
            }
            break;
        }
        lineno++;
        ax_calc_vec_t vec;
        char err[512];
        if (ax_calc_parse_line(buf, (size_t)len, o->fi, o->fo, o->check, &vec, err, sizeof err)) {
            ax_cli_error("calc", "%s:%ld: %s", src, lineno, err);
            status = AX_EXIT_USAGE;
            break;
        }
        if (vec.nt == 0) continue;
        const int nt = vec.nt;
        const uint32_t *v = vec.v;
        uint32_t flags = 0;
        uint32_t r = ax_unit_apply(o->unit, v[0], v[1], o->fi, o->fo, &flags);
        if (!o->check) {
            printf("%0*X %0*X %0*X %02X\n", wi, v[0], wi, v[1], wo, r, flags);
            continue;
        }
        int ok = r == v[2] ||
                 (!o->check_nans && ax_is_nan(r, o->fo) && ax_is_nan(v[2], o->fo));
        if (nt == 4 && flags != v[3]) ok = 0;
        if (ok) {
            passed++;
        } else {
            if (failed < 20) report(o, src, lineno, v[0], v[1], r, flags, v[2], nt == 4, v[3]);
            failed++;
        }
    }
    free(buf);
    if (status != AX_EXIT_OK) return status;
    if (o->check) {
        if (failed > 20) printf("(%llu more mismatches not shown)\n",
                                (unsigned long long)(failed - 20));
        printf("%llu passed, %llu failed\n", (unsigned long long)passed,
               (unsigned long long)failed);
        if (passed + failed == 0) {
            ax_cli_error("calc", "%s: no vectors", src);
            return AX_EXIT_FAIL;
        }
        return failed ? AX_EXIT_FAIL : AX_EXIT_OK;
    }
    return AX_EXIT_OK;
}

int ax_verb_calc(int argc, char **argv)
{
    static const struct option lo[] = {{"unit", 1, 0, 'u'},  {"fmt", 1, 0, 'f'},        {"out-fmt", 1, 0, 'o'},
                                       {"check", 0, 0, 'c'}, {"check-nans", 0, 0, 'n'}, {0, 0, 0, 0}};
    if (ax_cli_wants_help(argc, argv)) {
        fputs(calc_help, stdout);
        return AX_EXIT_OK;
    }
    calc_opts_t o;
    memset(&o, 0, sizeof o);
    const char *unit = NULL, *fmt = NULL, *ofmt = NULL;
    int c;
    ax_cli_opt_begin();
    while ((c = ax_cli_opt("calc", argc, argv, lo, 1)) > 0) {
        switch (c) {
        case 'u': unit = optarg; break;
        case 'f': fmt = optarg; break;
        case 'o': ofmt = optarg; break;
        case 'c': o.check = 1; break;
        case 'n': o.check_nans = 1; break;
        }
    }
    if (c < 0) return AX_EXIT_USAGE;
    if (!unit || !fmt) {
        ax_cli_error("calc", "--unit and --fmt are required (see axsim calc --help)");
        return AX_EXIT_USAGE;
    }
    if (ax_cli_unit("calc", unit, &o.unit) || ax_cli_format("calc", "--fmt", fmt, &o.fi))
        return AX_EXIT_USAGE;
    o.fo = o.fi;
    if (ofmt && ax_cli_format("calc", "--out-fmt", ofmt, &o.fo)) return AX_EXIT_USAGE;
    if (o.check_nans && !o.check) {
        ax_cli_error("calc", "--check-nans needs --check");
        return AX_EXIT_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : "-";
    if (!strcmp(path, "-")) return run(&o, stdin, "<stdin>");
    FILE *in = fopen(path, "r");
    if (!in) {
        ax_cli_error("calc", "cannot open '%s': %s", path, strerror(errno));
        return AX_EXIT_USAGE;
    }
    int rc = run(&o, in, path);
    fclose(in);
    return rc;
}
