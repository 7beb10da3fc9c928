/* fuzz_util.h — what the harnesses of tests/fuzz/ share: the input as a
 * file for readers that take a path (a memfd, named /proc/self/fd/N, so
 * nothing is left on disk), a NUL-terminated copy, and CHECK (an invariant
 * that fails the run: abort, which libFuzzer and the replay main report). */
#ifndef AX_FUZZ_UTIL_H
#define AX_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);            \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
            abort();                                                                             \
        }                                                                                        \
    } while (0)

/* data[0..n) as the whole content of one in-memory file; its path. */
static inline const char *fuzz_file(const void *data, size_t n)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("axsim-fuzz", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) || (n && pwrite(fd, data, n, 0) != (ssize_t)n)) {
        perror("fuzz_file");
        abort();
    }
    return path;
}

/* A NUL-terminated malloc'ed copy of data[0..n) (exactly n + 1 bytes, so
 * that the sanitizers see a read past the end). */
static inline char *fuzz_str(const void *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s) abort();
    if (n) memcpy(s, data, n);
    s[n] = 0;
    return s;
}

/* err must be a terminated string of fewer than len bytes. */
static inline void fuzz_check_err(const char *err, size_t len)
{
    CHECK(memchr(err, 0, len) != NULL, "error message not terminated");
}

/* ... and, for messages that quote the input, hold no control character
 * (a quoted ESC or newline would reach the user's terminal or forge a line). */
static inline void fuzz_check_err_text(const char *err, size_t len)
{
    fuzz_check_err(err, len);
    for (const char *c = err; *c; c++)
        CHECK((unsigned char)*c >= 0x20 && *c != 0x7F, "control character 0x%02X in message: %s",
              (unsigned char)*c, err);
}

#endif
