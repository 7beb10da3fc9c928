/* unit_reports.h — what `axsim units`, `axsim hostcheck` and `axsim survey`
 * (the summary of the units) print alike (unit_reports.c). */
#ifndef AX_UNIT_REPORTS_H
#define AX_UNIT_REPORTS_H

#include <stdint.h>

struct cJSON;

/* One line per unit of the registry: name, kind, parameters, formula. */
void ax_cli_units_table(void);

/* The host-FPU check of mul_exact and add_exact in fp32 (the special-value
 * table and nrandom weighted random pairs), fp16 and bf16 (b strided by
 * stride), one line per unit and format with its mismatches decoded (none
 * when quiet), and an object per line in json (when not NULL). Returns the
 * number of lines that failed. */
int ax_cli_hostcheck(uint64_t nrandom, uint64_t seed, uint32_t stride, struct cJSON *json, int quiet);

/* The options of hostcheck and survey: --random N --stride S --seed S, and
 * --json where json is not NULL. -1 to go on, or an exit code. */
int ax_cli_check_opts(const char *verb, int argc, char **argv, uint64_t *nrandom, uint64_t *stride,
                      uint64_t *seed, int *json);

#endif
