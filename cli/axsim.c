/* axsim.c — the axsim command: dispatches to one verb per file. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>

#include "ax_convert.h"
#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *what;
} verbs[] = {
    {"formats", ax_verb_formats, "list the number formats and the format-name syntax"},
    {"units", ax_verb_units, "list the arithmetic units, their parameters and formulas"},
    {"calc", ax_verb_calc, "apply a unit to TestFloat-style vector lines; --check compares"},
    {"metrics", ax_verb_metrics, "error metrics of a unit against the exact unit"},
    {"hostcheck", ax_verb_hostcheck, "check the exact units against the host FPU"},
    {"verify", ax_verb_verify, "verify the RTL against the C models (Verilator), or your own unit"},
    {"gemm", ax_verb_gemm, "one GEMM through a MAC configuration on a chosen backend (--check vs ref)"},
    {"bench", ax_verb_bench, "MAC/s of the GEMM/conv backends next to OpenBLAS and cuBLAS"},
    {"train", ax_verb_train, "train a DNN with every MAC through the configured unit (checkpoints, --resume)"},
    {"eval", ax_verb_eval, "test accuracy of a checkpoint under a MAC configuration"},
    {"retrain", ax_verb_retrain, "approximation-aware fine-tuning of a checkpoint, accuracy before and after"},
    {"estimate", ax_verb_estimate, "the main job: accuracy of a planned accelerator, unit by unit (RTL checked)"},
    {"survey", ax_verb_survey, "units, host-FPU check, metrics of every unit"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axsim VERB [options]   (axsim VERB --help for a verb's options)\n\n"
            "axsim is a co-simulation harness for approximate arithmetic in DNN and SNN\n"
            "accelerators: bit-exact C models of exact and approximate floating-point units.\n\n"
            "verbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].what);
    fprintf(out, "\n  --version  print the version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return AX_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("axsim %s\n", AXSIM_VERSION);
        return AX_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return AX_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[1], verbs[i].name)) return verbs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "axsim: unknown verb '%s'\n\n", argv[1]);
    usage(stderr);
    return AX_EXIT_USAGE;
}

/* ---- shared helpers (cli.h) ---------------------------------------------- */

void ax_cli_error(const char *verb, const char *fmt, ...)
{
    /* a message quotes what the user gave: a 100 kB option value is cut, not
     * echoed whole */
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof msg)
        fprintf(stderr, "axsim %s: %s... (%d bytes in all)\n", verb, msg, n);
    else
        fprintf(stderr, "axsim %s: %s\n", verb, msg);
}

int ax_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

int ax_cli_format(const char *verb, const char *opt, const char *s, ax_format_t *f)
{
    char err[512];
    if (ax_format_parse(s, f, err, sizeof err) == 0) return 0;
    ax_cli_error(verb, "%s: %s", opt, err);
    return -1;
}

int ax_cli_unit(const char *verb, const char *s, ax_unit_t *u)
{
    char err[768];
    if (ax_unit_parse(s, u, err, sizeof err) == 0) return 0;
    ax_cli_error(verb, "--unit: %s", err);
    return -1;
}

int ax_cli_u64(const char *verb, const char *opt, const char *s, uint64_t *v)
{
    /* decimal digits only: strtoull alone takes " 7", "+7", "0x10" and reads
     * "010" as octal 8 */
    char *end;
    errno = 0;
    unsigned long long x = *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
    if (*s < '0' || *s > '9' || *end || errno) {
        ax_cli_error(verb, "%s: '%.40s%s' is not a non-negative decimal integer%s", opt, s, strlen(s) > 40 ? "..." : "",
                     errno == ERANGE ? " below 2^64" : "");
        return -1;
    }
    *v = x;
    return 0;
}

int ax_cli_threads(const char *verb, const char *s, uint64_t *v)
{
    if (ax_cli_u64(verb, "--threads", s, v)) return -1;
    if (*v > AX_CLI_MAX_THREADS) {
        ax_cli_error(verb, "--threads %llu: at most %d (0: every core)", (unsigned long long)*v, AX_CLI_MAX_THREADS);
        return -1;
    }
    return 0;
}

int ax_cli_split(char *s, char **out, int max)
{
    int n = 0;
    for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
        if (n == max) return -1;
        out[n++] = t;
    }
    return n;
}

int ax_cli_hexdigits(ax_format_t f) { return (ax_fmt_width(f) + 3) / 4; }

const char *ax_cli_decode(uint32_t x, ax_format_t f, char *buf, size_t len)
{
    const int w = ax_cli_hexdigits(f), M = f.mbits;
    char sig[40];
    uint32_t e = ax_expf(x, f), m = ax_frac(x, f);
    char s = ax_sign(x, f) ? '-' : '+';
    if (ax_is_nan(x, f)) {
        snprintf(buf, len, "0x%0*x = NaN", w, x);
        return buf;
    }
    if (ax_is_inf(x, f)) {
        snprintf(buf, len, "0x%0*x = %cinf", w, x, s);
        return buf;
    }
    int k = 0;
    sig[k++] = e ? '1' : '0';
    if (M) sig[k++] = '.';
    for (int i = M - 1; i >= 0; i--) sig[k++] = (char)('0' + ((m >> i) & 1));
    sig[k] = 0;
    int32_t ue = e ? (int32_t)e - f.bias : ax_fmt_emin(f);
    snprintf(buf, len, "0x%0*x = %c%sb * 2^%d = %.9g%s", w, x, s, sig, ue, ax_to_double(x, f),
             e ? "" : (m ? " (subnormal)" : ""));
    return buf;
}

