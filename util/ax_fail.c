/* ax_fail.c — error messages (ax_fail.h). */
#include "ax_fail.h"

#include <stdarg.h>
#include <stdio.h>

int ax_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return -1;
    char raw[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p && o + 1 < errlen; p++) {
        if (*p >= 0x20 && *p != 0x7F) {
            err[o++] = (char)*p;
        } else {
            if (o + 5 > errlen) break;
            snprintf(err + o, 5, "\\x%02X", *p);
            o += 4;
        }
    }
    err[o] = 0;
    return -1;
}
