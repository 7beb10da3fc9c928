/* ax_accel_text.h — what the accelerator's text readers share (SCALE-Sim's
 * configuration and topology, the energy table): lines read with their
 * number and a clear error for a line too long, fields trimmed. Private to
 * cosim/accel. */
#ifndef AX_ACCEL_TEXT_H
#define AX_ACCEL_TEXT_H

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static inline char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

/* One line of at most len - 1 bytes into buf, without its newline; 1 at the
 * end of the file, -1 for a line too long */
static inline int read_line(FILE *f, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, f)) return 1;
    size_t n = strlen(buf);
    if (n == len - 1 && buf[n - 1] != '\n' && !feof(f)) return -1;
    if (n && buf[n - 1] == '\n') buf[--n] = 0;
    if (n && buf[n - 1] == '\r') buf[--n] = 0;
    return 0;
}

/* The next line into buf (*lineno counts it): 0; 1 at the end of the file;
 * -1 with "file:line: ..." for a line too long */
static inline int next_line(FILE *f, const char *path, char *buf, size_t len, int *lineno,
                            char *err, size_t errlen)
{
    int r = read_line(f, buf, len);
    if (r > 0) return 1;
    ++*lineno;
    if (r < 0) {
        snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, *lineno, len - 2);
        return -1;
    }
    return 0;
}

#endif
