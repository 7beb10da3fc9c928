/* fail_getline.c — a test-only LD_PRELOAD shim: getline() fails with ENOMEM
 * on its Nth call (N from $AXSIM_TEST_FAIL_GETLINE), as glibc's does when
 * the line does not fit in memory: -1, errno ENOMEM, neither the end-of-file
 * nor the error flag of the stream set. Every other call is the real
 * getline. (getline, getdelim and __getdelim, which glibc inlines getline
 * as.) Used by tests/cli/test_cli.sh, case calc_read_error. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* 1 when this call is the one to fail (counted over every entry point) */
static int fail_now(void)
{
    static long calls, at = -1;
    if (at < 0) {
        const char *s = getenv("AXSIM_TEST_FAIL_GETLINE");
        at = s ? atol(s) : 0;
    }
    if (at > 0 && ++calls == at) {
        fprintf(stderr, "fail_getline: call %ld fails with ENOMEM\n", calls);
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

typedef ssize_t (*getdelim_t)(char **, size_t *, int, FILE *);

static ssize_t next_getdelim(const char *name, char **line, size_t *cap, int delim, FILE *f)
{
    getdelim_t real = (getdelim_t)dlsym(RTLD_NEXT, name);
    return real(line, cap, delim, f);
}

/* glibc's <stdio.h> inlines getline as __getdelim when optimizing */
ssize_t __getdelim(char **line, size_t *cap, int delim, FILE *f)
{
    return fail_now() ? -1 : next_getdelim("__getdelim", line, cap, delim, f);
}

ssize_t getdelim(char **line, size_t *cap, int delim, FILE *f)
{
    return fail_now() ? -1 : next_getdelim("getdelim", line, cap, delim, f);
}

ssize_t getline(char **line, size_t *cap, FILE *f)
{
    return fail_now() ? -1 : next_getdelim("getdelim", line, cap, '\n', f);
}
