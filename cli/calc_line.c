/* calc_line.c — one vector line of `axsim calc` (calc_line.h). */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "calc_line.h"

#include <stdio.h>
#include <string.h>

enum { ECHO_MAX = 40 };

const char *ax_calc_echo(const char *s, size_t n, char *buf, size_t len)
{
    size_t k = 0, shown = n > ECHO_MAX ? ECHO_MAX : n;
    if (len == 0) return buf;
    buf[0] = 0;
    if (k + 1 < len) buf[k++] = '\'';
    for (size_t i = 0; i < shown && k + 5 < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F) buf[k++] = (char)c;
        else k += (size_t)snprintf(buf + k, len - k, "\\x%02X", c);
    }
    buf[k < len ? k : len - 1] = 0;
    if (n > shown) snprintf(buf + k, len - k, "...' (%zu bytes)", n);
    else snprintf(buf + k, len - k, "'");
    return buf;
}

/* One hex field; -1 if it is not hex or has more than 8 digits. */
static int parse_hex(const char *s, uint32_t *v)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    size_t n = strlen(s);
    if (n == 0 || n > 8) return -1;
    uint32_t x = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return -1;
        x = (x << 4) | (uint32_t)d;
    }
    *v = x;
    return 0;
}

static int fits(uint32_t x, ax_format_t f)
{
    return ax_fmt_width(f) == 32 || (x >> ax_fmt_width(f)) == 0;
}

int ax_calc_parse_line(char *line, size_t len, ax_format_t fi, ax_format_t fo, int check,
                       ax_calc_vec_t *out, char *err, size_t errlen)
{
    static const char *what[] = {"operand a", "operand b", "expected result", "flags"};
    char name[64], echo[256];
    memset(out, 0, sizeof *out);
    /* a NUL would end the line for every string function below and hide
     * the bytes after it */
    const char *nul = memchr(line, 0, len);
    if (nul) {
        snprintf(err, errlen, "the line holds a NUL byte (at byte %zu of %zu); vector lines "
                 "are text", (size_t)(nul - line) + 1, len);
        return -1;
    }
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *tok[4], *save = NULL;
    int nt = 0;
    for (char *s = strtok_r(line, " \t\r\n", &save); s; s = strtok_r(NULL, " \t\r\n", &save)) {
        if (nt == 4) {
            nt = 5;
            break;
        }
        tok[nt++] = s;
    }
    if (nt == 0) return 0;
    if (nt < 2 || nt > 4) {
        snprintf(err, errlen, "expected 2 to 4 hex fields (a b [result [flags]]), found %s",
                 nt < 2 ? "1" : "more than 4");
        return -1;
    }
    for (int i = 0; i < nt; i++) {
        uint32_t *v = &out->v[i];
        if (parse_hex(tok[i], v)) {
            snprintf(err, errlen, "%s %s is not a hexadecimal number of at most 8 digits",
                     what[i], ax_calc_echo(tok[i], strlen(tok[i]), echo, sizeof echo));
            return -1;
        }
        if (i < 3 && !fits(*v, i < 2 ? fi : fo)) {
            ax_format_t f = i < 2 ? fi : fo;
            snprintf(err, errlen, "%s 0x%X does not fit in %s (%d bits)", what[i], *v,
                     ax_format_name(f, name, sizeof name), ax_fmt_width(f));
            return -1;
        }
        if (i == 3 && *v > 0x1F) {
            snprintf(err, errlen, "flags 0x%X has bits beyond 0x1F", *v);
            return -1;
        }
    }
    if (check && nt < 3) {
        snprintf(err, errlen, "--check needs an expected result (third field)");
        return -1;
    }
    out->nt = nt;
    return 0;
}
