/* cli.h — what the verbs of axsim share: option helpers, error reporting,
 * decoding of values for humans. */
#ifndef AX_CLI_H
#define AX_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ax_convert.h"
#include "ax_format.h"
#include "ax_registry.h"

/* Exit codes: 0 success, 1 check failed, 2 bad usage or bad input. */
enum { AX_EXIT_OK = 0, AX_EXIT_FAIL = 1, AX_EXIT_USAGE = 2 };

/* Prints "axsim VERB: message" to stderr. */
void ax_cli_error(const char *verb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse --fmt / --unit values; print a clear error and return -1 on failure. */
int ax_cli_format(const char *verb, const char *opt, const char *s, ax_format_t *f);
int ax_cli_unit(const char *verb, const char *s, ax_unit_t *u);

/* Parses a non-negative decimal integer option value; -1 on error. */
int ax_cli_u64(const char *verb, const char *opt, const char *s, uint64_t *v);
/* --threads: 0 (every core) to AX_CLI_MAX_THREADS; -1 on error. */
enum { AX_CLI_MAX_THREADS = 1024 };
int ax_cli_threads(const char *verb, const char *s, uint64_t *v);
/* Splits a comma list in place (empty entries skipped): the count, or -1
 * when it has more than max entries. */
int ax_cli_split(char *s, char **out, int max);

/* Human decoding of a bit pattern: "0x3fc0 = +1.1000000b * 2^0 = 1.5". */
const char *ax_cli_decode(uint32_t x, ax_format_t f, char *buf, size_t len);
/* Hex digits needed for a format's width. */
int ax_cli_hexdigits(ax_format_t f);

/* Metrics of one unit as a JSON object (verb_metrics.c). */
struct cJSON;
struct ax_metrics;
struct cJSON *ax_metrics_json(ax_unit_t u, ax_format_t f, ax_format_t fo,
                              const struct ax_metrics *m);

/* Verbs. argv[0] is the verb name. */
int ax_verb_formats(int argc, char **argv);
int ax_verb_units(int argc, char **argv);
int ax_verb_calc(int argc, char **argv);
int ax_verb_metrics(int argc, char **argv);
int ax_verb_hostcheck(int argc, char **argv);
int ax_verb_survey(int argc, char **argv);
int ax_verb_verify(int argc, char **argv);
int ax_verb_bench(int argc, char **argv);
int ax_bench_train(int argc, char **argv); /* bench_train.c: argv[0] = "train" */
int ax_verb_gemm(int argc, char **argv);
int ax_verb_train(int argc, char **argv);
int ax_verb_eval(int argc, char **argv);
int ax_verb_retrain(int argc, char **argv);
int ax_verb_estimate(int argc, char **argv);
/* axsim verify --manifest FILE (byo.c); argv[at] is "--manifest" */
int ax_byo_verify(int argc, char **argv, int at);

/* True when argv holds -h or --help. */
int ax_cli_wants_help(int argc, char **argv);

#endif
