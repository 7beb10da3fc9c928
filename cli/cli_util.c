/* cli_util.c — what every verb of axsim uses (cli.h): error messages, option
 * parsing and option values, the human decoding of a bit pattern. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* ---- options ------------------------------------------------------------------ */

void ax_cli_opt_begin(void)
{
    optind = 1;
    opterr = 0;
}

int ax_cli_opt(const char *verb, int argc, char **argv, const struct option *lo, int nargs)
{
    int c = getopt_long(argc, argv, ":", lo, NULL);
    if (c == -1) {
        if (argc - optind <= nargs) return 0;
        ax_cli_error(verb, "unexpected argument '%s'", argv[optind + nargs]);
    } else if (c == ':') {
        ax_cli_error(verb, "option %s needs a value", argv[optind - 1]);
    } else if (c == '?' || c == 0) {
        ax_cli_error(verb, "unknown option '%s' (see axsim %s --help)", argv[optind - 1], verb);
    } else {
        return c;
    }
    return -1;
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

int ax_cli_mac(const char *verb, const char *opt, const char *s, ax_mac_cfg_t *c)
{
    char err[256];
    if (ax_mac_parse(s, c, err, sizeof err) == 0) return 0;
    ax_cli_error(verb, "%s '%s': %s", opt, s, err);
    return -1;
}

int ax_cli_backend(const char *verb, const char *s, ax_backend_t *b)
{
    char err[256];
    if (ax_backend_parse(s, b, err, sizeof err) == 0) return 0;
    ax_cli_error(verb, "--backend: %s", err);
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

int ax_cli_double(const char *verb, const char *opt, const char *s, int positive, double max, double *v)
{
    char *end;
    double x = strtod(s, &end);
    if (end != s && !*end && isfinite(x) && (positive ? x > 0 : x >= 0) && x <= max) {
        *v = x;
        return 0;
    }
    char most[48] = "";
    if (isfinite(max)) snprintf(most, sizeof most, " of at most %g", max);
    ax_cli_error(verb, "%s '%.40s%s': expected a %s number%s", opt, s, strlen(s) > 40 ? "..." : "",
                 positive ? "positive" : "non-negative", most);
    return -1;
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

/* ---- decoding ------------------------------------------------------------------- */

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
