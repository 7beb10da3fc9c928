/* calc_line.h — one vector line of `axsim calc` (TestFloat's format: hex a,
 * hex b, optionally the expected result and flags), parsed and checked
 * against the formats. Pure: no I/O, so the fuzzer (tests/fuzz/fuzz_calc.c)
 * runs the very code the CLI runs. */
#ifndef AX_CALC_LINE_H
#define AX_CALC_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "ax_format.h"

typedef struct ax_calc_vec {
    int nt;        /* fields read: 0 (blank or comment line), else 2..4 */
    uint32_t v[4]; /* a, b, expected result, expected flags */
} ax_calc_vec_t;

/* Parses line[0..len) in place (it is modified; line[len] must be 0). 0 on
 * success (out->nt == 0 for a line without vector), else -1 with the reason
 * in err, without file or line number: a NUL byte in the line, a field that
 * is not hex of at most 8 digits (echoed shortened, see ax_calc_echo), an
 * operand or result wider than its format, flags above 0x1F, not 2 to 4
 * fields, no expected result when check is set. */
int ax_calc_parse_line(char *line, size_t len, ax_format_t fi, ax_format_t fo, int check,
                       ax_calc_vec_t *out, char *err, size_t errlen);

/* A field for an error message: at most 40 bytes of s[0..n), bytes outside
 * printable ASCII as \xNN, and "...' (N bytes)" when cut: "'ABC'" or
 * "'AAAA...' (1048576 bytes)". Returns buf. */
const char *ax_calc_echo(const char *s, size_t n, char *buf, size_t len);

#endif
