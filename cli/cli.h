/* cli.h — what the verbs of axsim share: option parsing, error reporting,
 * outputs, decoding of values for humans (cli_util.c, cli_output.c). */
#ifndef AX_CLI_H
#define AX_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ax_convert.h"
#include "ax_fastpath.h"
#include "ax_format.h"
#include "ax_mac.h"
#include "ax_registry.h"

/* Exit codes: 0 success, 1 check failed, 2 bad usage or bad input. */
enum { AX_EXIT_OK = 0, AX_EXIT_FAIL = 1, AX_EXIT_USAGE = 2 };

/* ---- messages and options (cli_util.c) ---- */

/* Prints "axsim VERB: message" to stderr, the message cut at 2 KB. */
void ax_cli_error(const char *verb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True when argv holds -h or --help. */
int ax_cli_wants_help(int argc, char **argv);

/* The long options of argv (argv[0] the verb) one by one, getopt_long with
 * lo: after ax_cli_opt_begin, each call returns the next option's code
 * (with optarg); 0 at the end, argv[optind..] then holding at most nargs
 * arguments; -1 after a message naming what was wrong (an unknown option, a
 * missing value, an argument too many). */
struct option;
void ax_cli_opt_begin(void);
int ax_cli_opt(const char *verb, int argc, char **argv, const struct option *lo, int nargs);

/* Option values; each prints a clear error and returns -1 on failure. */
int ax_cli_format(const char *verb, const char *opt, const char *s, ax_format_t *f);
int ax_cli_unit(const char *verb, const char *s, ax_unit_t *u);
int ax_cli_mac(const char *verb, const char *opt, const char *s, ax_mac_cfg_t *c);
int ax_cli_backend(const char *verb, const char *s, ax_backend_t *b); /* --backend */
/* A non-negative decimal integer (digits only). */
int ax_cli_u64(const char *verb, const char *opt, const char *s, uint64_t *v);
/* --threads: 0 (every core) to AX_CLI_MAX_THREADS. */
enum { AX_CLI_MAX_THREADS = 1024 };
int ax_cli_threads(const char *verb, const char *s, uint64_t *v);
/* A finite number >= 0 (> 0 when positive) and <= max. */
int ax_cli_double(const char *verb, const char *opt, const char *s, int positive, double max, double *v);
/* Splits a comma list in place (empty entries skipped): the count, or -1
 * when it has more than max entries. */
int ax_cli_split(char *s, char **out, int max);

/* Human decoding of a bit pattern: "0x3fc0 = +1.1000000b * 2^0 = 1.5". */
const char *ax_cli_decode(uint32_t x, ax_format_t f, char *buf, size_t len);
/* Hex digits needed for a format's width. */
int ax_cli_hexdigits(ax_format_t f);

/* ---- outputs (cli_output.c) ---- */

/* Refuses before any work an output path that exists (but "-", stdout) or
 * whose folder cannot take a new file. 0, or AX_EXIT_USAGE with the reason. */
int ax_cli_check_new_file(const char *verb, const char *opt, const char *path);
/* root as indented JSON to path: "-" is stdout, else the file is written
 * atomically (a failure leaves what was there). 0, or AX_EXIT_FAIL with the
 * reason printed. */
struct cJSON;
int ax_cli_write_json(const char *verb, const char *path, const struct cJSON *root);

/* ---- verbs: argv[0] is the verb name ---- */
int ax_verb_formats(int argc, char **argv);
int ax_verb_units(int argc, char **argv);
int ax_verb_calc(int argc, char **argv);
int ax_verb_metrics(int argc, char **argv);
int ax_verb_hostcheck(int argc, char **argv);
int ax_verb_survey(int argc, char **argv);
int ax_verb_verify(int argc, char **argv);
int ax_verb_gemm(int argc, char **argv);
int ax_verb_bench(int argc, char **argv);
int ax_verb_bench_train(int argc, char **argv); /* verb_bench_train.c: argv[0] = "train" */
int ax_verb_train(int argc, char **argv);
int ax_verb_eval(int argc, char **argv);
int ax_verb_retrain(int argc, char **argv);
int ax_verb_estimate(int argc, char **argv);
int ax_verb_accel(int argc, char **argv);     /* verb_accel.c, accel_cycle.c */
/* The main job's accelerator section (verb_accel.c): the shipped LeNet-5 on
 * axsim accel's default array and MAC, analytic, into OUTDIR/accel (kept
 * as it is when resuming and it is complete). 0, or an exit code. */
int ax_accel_main_section(const char *outdir, int resuming);

#endif
