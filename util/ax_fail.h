/* ax_fail.h — the one way axsim's libraries report an error: a message in
 * the caller's buffer and -1. Messages often quote what a user gave (a file
 * header, an option, a tensor name), so control bytes are written as \xNN:
 * no escape sequence or forged line reaches a terminal. */
#ifndef AX_FAIL_H
#define AX_FAIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* printf into err (when err is not NULL and errlen > 0), at most 2 KB of
 * it, control bytes escaped; returns -1. */
int ax_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* AX_FAIL_H */
