/* fuzz_replay_main.c — main() of a fuzz harness in a build without libFuzzer
 * (gcc): runs every file of the given folders (and every given file) once
 * through LLVMFuzzerTestOneInput, in name order, and prints how many ran.
 * Exit 0, or 1 when nothing ran (a missing corpus must not pass); a failing
 * input aborts, so CTest reports the test failed and the name printed last
 * is the input's. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) abort();
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        buf = realloc(buf, cap *= 2);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "fuzz replay: read error on %s\n", path);
        free(buf);
        return -1;
    }
    fprintf(stderr, "fuzz replay: %s (%zu bytes)\n", path, n);
    /* an exact-size copy, so that a read past the end is one */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) abort();
    memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    long ran = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue; /* libFuzzer options: ignored */
        struct stat st;
        if (stat(argv[i], &st)) {
            fprintf(stderr, "fuzz replay: %s: no such file or folder\n", argv[i]);
            errors++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i])) errors++;
            else ran++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "fuzz replay: cannot read the folder %s\n", argv[i]);
            errors++;
            continue;
        }
        char **names = NULL;
        size_t nn = 0;
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            names = realloc(names, (nn + 1) * sizeof *names);
            size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
            names[nn] = malloc(l);
            if (!names || !names[nn]) abort();
            snprintf(names[nn++], l, "%s/%s", argv[i], e->d_name);
        }
        closedir(d);
        if (nn) qsort(names, nn, sizeof *names, by_name);
        for (size_t k = 0; k < nn; k++) {
            if (!stat(names[k], &st) && S_ISREG(st.st_mode)) {
                if (run_file(names[k])) errors++;
                else ran++;
            }
            free(names[k]);
        }
        free(names);
    }
    printf("fuzz replay: %ld inputs ran, %ld errors\n", ran, errors);
    return ran == 0 || errors ? 1 : 0;
}
