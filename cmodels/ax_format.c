/* ax_format.c — the format name parser and printer. */
#include "ax_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ax_format_help =
    "named formats:\n"
    "  fp32      e8m23  IEEE binary32\n"
    "  tf32      e8m10  NVIDIA TensorFloat-32 (19 bits)\n"
    "  fp16      e5m10  IEEE binary16\n"
    "  bf16      e8m7   bfloat16\n"
    "  fp8e4m3   e4m3   OCP E4M3FN: bias 7, no infinities, NaN only S.1111.111, max 448\n"
    "  fp8e5m2   e5m2   OCP E5M2 (IEEE-like)\n"
    "custom:\n"
    "  eXmY      1<=X<=8, 0<=Y<=23, 1+X+Y<=32, IEEE-like, bias 2^(X-1)-1 (Y=0 implies :fn)\n"
    "suffixes (any order, may be combined):\n"
    "  :rtz      round toward zero instead of round-to-nearest-even\n"
    "  :ftz      subnormal inputs and results flushed to signed zero\n"
    "  :sat      overflow saturates to +-max finite; an infinity stays infinite\n"
    "            where the format has one and becomes +-max finite where it has none\n"
    "  :fn       finite only: no infinities, NaN only all-ones (as E4M3FN)\n";

ax_format_t ax_format_make(int ebits, int mbits)
{
    ax_format_t f;
    f.ebits = (uint8_t)ebits;
    f.mbits = (uint8_t)mbits;
    f.flags = mbits == 0 ? AX_FMT_FN : 0;
    f.round = AX_RNE;
    f.bias = (1 << (ebits - 1)) - 1;
    return f;
}

static const struct {
    const char *name;
    int e, m, flags;
} named[] = {
    {"fp32", 8, 23, 0},    {"tf32", 8, 10, 0},    {"fp16", 5, 10, 0},
    {"bf16", 8, 7, 0},     {"fp8e4m3", 4, 3, AX_FMT_FN}, {"fp8e5m2", 5, 2, 0},
};

const char *ax_format_named(int i)
{
    return i >= 0 && i < (int)(sizeof named / sizeof named[0]) ? named[i].name : NULL;
}

static int fail(char *err, size_t len, const char *name, const char *why)
{
    if (err && len)
        snprintf(err, len,
                 "unknown format '%s': %s; valid forms: fp32, tf32, fp16, bf16, fp8e4m3, "
                 "fp8e5m2, eXmY (1<=X<=8, 0<=Y<=23, 1+X+Y<=32), each with optional "
                 "suffixes :rtz :ftz :sat :fn",
                 name, why);
    return -1;
}

/* Parses a decimal number of 1..2 digits at *p, advancing p. */
static int parse_small(const char **p, int *v)
{
    const char *s = *p;
    int n = 0, d = 0;
    while (*s >= '0' && *s <= '9' && d < 3) n = n * 10 + (*s++ - '0'), d++;
    if (d == 0 || d > 2) return -1;
    *p = s, *v = n;
    return 0;
}

int ax_format_parse(const char *name, ax_format_t *out, char *err, size_t errlen)
{
    if (!name || !*name) return fail(err, errlen, name ? name : "", "empty name");
    size_t baselen = strcspn(name, ":");
    ax_format_t f;
    int found = 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strlen(named[i].name) == baselen && strncmp(name, named[i].name, baselen) == 0) {
            f = ax_format_make(named[i].e, named[i].m);
            f.flags |= (uint8_t)named[i].flags;
            found = 1;
        }
    }
    if (!found) {
        const char *p = name;
        int e, m;
        if (*p++ != 'e' || parse_small(&p, &e) || *p++ != 'm' || parse_small(&p, &m) ||
            p != name + baselen)
            return fail(err, errlen, name, "not a named format and not of the form eXmY");
        if (e < 1 || e > 8) return fail(err, errlen, name, "exponent width X must be 1..8");
        if (m > 23) return fail(err, errlen, name, "mantissa width Y must be 0..23");
        if (1 + e + m > 32) return fail(err, errlen, name, "1+X+Y must be at most 32");
        f = ax_format_make(e, m);
    }
    const char *s = name + baselen;
    while (*s == ':') {
        s++;
        size_t n = strcspn(s, ":");
        if (n == 3 && !strncmp(s, "rtz", 3)) f.round = AX_RTZ;
        else if (n == 3 && !strncmp(s, "ftz", 3)) f.flags |= AX_FMT_FTZ;
        else if (n == 3 && !strncmp(s, "sat", 3)) f.flags |= AX_FMT_SAT;
        else if (n == 2 && !strncmp(s, "fn", 2)) f.flags |= AX_FMT_FN;
        else return fail(err, errlen, name, "unknown suffix");
        s += n;
    }
    *out = f;
    return 0;
}

const char *ax_format_name(ax_format_t f, char *buf, size_t len)
{
    const char *base = NULL;
    int fn_named = 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].e == f.ebits && named[i].m == f.mbits &&
            (named[i].flags & AX_FMT_FN) == (f.flags & AX_FMT_FN))
            base = named[i].name, fn_named = named[i].flags & AX_FMT_FN;
    char tmp[16];
    if (!base) snprintf(tmp, sizeof tmp, "e%dm%d", f.ebits, f.mbits), base = tmp;
    snprintf(buf, len, "%s%s%s%s%s", base, f.round == AX_RTZ ? ":rtz" : "",
             (f.flags & AX_FMT_FTZ) ? ":ftz" : "", (f.flags & AX_FMT_SAT) ? ":sat" : "",
             ((f.flags & AX_FMT_FN) && !fn_named && f.mbits > 0) ? ":fn" : "");
    return buf;
}

const char *ax_flags_name(uint32_t flags, char *buf, size_t len)
{
    static const char *names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < 5 && n < len; i++)
        if (flags & (1u << i)) n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", names[i]);
    if (!n) snprintf(buf, len, "none");
    return buf;
}
