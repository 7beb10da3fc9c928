/* byo_manifest.h — the bring-your-own manifest (docs/byo-unit.md): parsing
 * and checking it, and the text of the CMake project and the header that
 * `axsim verify --manifest` generates from it. Pure (no build is run, no
 * file is written), so the fuzzer (tests/fuzz/fuzz_byo.c) runs the very code
 * the CLI runs; byo.c (ax_byo.h) writes the files and runs the build. */
#ifndef AX_BYO_MANIFEST_H
#define AX_BYO_MANIFEST_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

enum { AX_BYO_MAX_ITEMS = 16, AX_BYO_MAX_LINE = 4094 };

typedef struct ax_byo_manifest {
    char name[64], kind[8], top[128], function[128];
    char verilog[AX_BYO_MAX_ITEMS][PATH_MAX], csrc[AX_BYO_MAX_ITEMS][PATH_MAX];
    char fin[AX_BYO_MAX_ITEMS][64], fout[AX_BYO_MAX_ITEMS][64];
    char pname[AX_BYO_MAX_ITEMS][96]; /* Verilog parameter overrides pname = pvalue */
    long pvalue[AX_BYO_MAX_ITEMS];
    int nverilog, ncsrc, nfmt, nparams, axsim_rtl;
} ax_byo_manifest_t;

/* Where axsim's own parts are, as the generated CMake project needs them. */
typedef struct ax_byo_paths {
    const char *source_dir, *verilator_root, *verify_lib, *cmodels_lib;
} ax_byo_paths_t;

/* 0 when path may be written into a generated file; else -1 and, in err,
 * "WHAT 'path': why". Control characters (a newline would end a comment
 * and start code) are refused everywhere; with strict, also the characters
 * CMake lists or the Verilator command line cannot carry: " \ ; $ blank. */
int ax_byo_check_path(const char *what, const char *path, int strict, char *err, size_t errlen);

/* Reads the manifest from f (named path; relative file names resolved in
 * dir, which must exist). 0, or -1 with "path:line: why" in err. */
int ax_byo_parse(FILE *f, const char *path, const char *dir, ax_byo_manifest_t *m, char *err,
                 size_t errlen);

/* The generated CMakeLists.txt and verify_models.h (malloc'ed; the caller
 * frees them) of a parsed manifest read from manifest. 0, or -1 (out of
 * memory, or a path refused by ax_byo_check_path, with the reason in err). */
int ax_byo_generate(const ax_byo_manifest_t *m, const char *manifest, const ax_byo_paths_t *p,
                    char **cmake, char **header, char *err, size_t errlen);

/* Verilog parameters axsim sets itself from the formats (a manifest may not
 * override them). */
extern const char *const ax_byo_fixed_params[10];

#endif
