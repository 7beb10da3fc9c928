/* cli_output.c — the outputs of axsim's verbs (cli.h): a new file is refused
 * when it exists, JSON goes to stdout ("-") or atomically to a file. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_atomic.h"
#include "cli.h"

int ax_cli_check_new_file(const char *verb, const char *opt, const char *path)
{
    char err[1024];
    if (!path || !strcmp(path, "-")) return 0;
    if (access(path, F_OK) == 0) {
        ax_cli_error(verb, "%s %s exists (axsim does not overwrite it: remove it or give another name)", opt, path);
        return AX_EXIT_USAGE;
    }
    if (ax_atomic_probe(path, err, sizeof err)) {
        ax_cli_error(verb, "%s %s", opt, err);
        return AX_EXIT_USAGE;
    }
    return 0;
}

int ax_cli_write_json(const char *verb, const char *path, const cJSON *root)
{
    char *s = cJSON_Print(root), err[1024];
    int rc = AX_EXIT_OK;
    if (!s) {
        ax_cli_error(verb, "--json %s: out of memory", path);
        return AX_EXIT_FAIL;
    }
    if (!strcmp(path, "-")) {
        printf("%s\n", s);
        fflush(stdout);
    } else if (ax_atomic_write(path, s, strlen(s), err, sizeof err)) {
        ax_cli_error(verb, "--json %s", err);
        rc = AX_EXIT_FAIL;
    }
    cJSON_free(s);
    return rc;
}
