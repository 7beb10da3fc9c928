/* byo.c — axsim verify --manifest FILE: bring your own unit (ax_byo.h,
 * docs/byo-unit.md).
 *
 * Reads the manifest (key = value lines), writes a small CMake project into a
 * cache directory that verilates the user's Verilog once per format, compiles
 * the user's C model and links both with axsim's verifier (cosim/verify*.cpp,
 * built with axsim), builds it (CMake and Ninja rebuild only what changed
 * since the last run) and runs it with the remaining verify options. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ax_byo.h"
#include "ax_cache.h"
#include "ax_fail.h"
#include "ax_format.h"
#include "byo_manifest.h"

/* axsim's exit codes (cli/cli.h) */
enum { BYO_EXIT_FAIL = 1, BYO_EXIT_USAGE = 2 };

/* Prints "axsim verify: err" to stderr, as the other verbs print their
 * errors (messages are made by ax_fail: cut at 2 KB, control bytes escaped),
 * and returns code. */
static int report(int code, const char *err)
{
    fprintf(stderr, "axsim verify: %s\n", err);
    return code;
}

#ifdef AXSIM_BYO_SOURCE_DIR /* building a unit needs Verilator */
/* FNV-1a: the cache folder of a manifest path */
static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Writes text to path unless the file already holds exactly that text (so
 * that an unchanged manifest does not make CMake reconfigure). */
static int write_if_changed(const char *path, const char *text)
{
    size_t n = strlen(text);
    FILE *f = fopen(path, "r");
    if (f) {
        char *old = malloc(n + 2);
        size_t got = old ? fread(old, 1, n + 1, f) : 0;
        int same = old && got == n && !memcmp(old, text, n);
        free(old);
        fclose(f);
        if (same) return 0;
    }
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f || fwrite(text, 1, n, f) != n || fclose(f) || rename(tmp, path)) {
        fprintf(stderr, "axsim verify: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Runs argv with stdout and stderr appended to log; returns the exit status. */
static int run_logged(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd < 0) _exit(127);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void show_tail(const char *log, int lines)
{
    FILE *f = fopen(log, "r");
    if (!f) return;
    char **ring = calloc((size_t)lines, sizeof *ring), buf[1024];
    int n = 0;
    while (ring && fgets(buf, sizeof buf, f)) {
        free(ring[n % lines]);
        ring[n % lines] = strdup(buf);
        n++;
    }
    fclose(f);
    for (int i = n > lines ? n - lines : 0; ring && i < n; i++) fprintf(stderr, "  | %s", ring[i % lines]);
    for (int i = 0; ring && i < lines; i++) free(ring[i]);
    free(ring);
}

/* Writes the build files of the manifest (byo_manifest.c makes their text). */
static int generate(const ax_byo_manifest_t *m, const char *manifest, const char *cache)
{
    static const ax_byo_paths_t paths = {AXSIM_BYO_SOURCE_DIR, AXSIM_BYO_VERILATOR_ROOT,
                                         AXSIM_BYO_VERIFY_LIB, AXSIM_BYO_CMODELS_LIB};
    char *c, *h, err[PATH_MAX + 512];
    if (ax_byo_generate(m, manifest, &paths, &c, &h, err, sizeof err)) {
        report(BYO_EXIT_FAIL, err);
        return -1;
    }
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/CMakeLists.txt", cache);
    int rc = write_if_changed(p, c);
    snprintf(p, sizeof p, "%s/verify_models.h", cache);
    rc |= write_if_changed(p, h);
    free(c);
    free(h);
    return rc;
}
#endif

int ax_byo_verify(int argc, char **argv, int at)
{
    char path[PATH_MAX], dir[PATH_MAX], err[PATH_MAX + 1024];
    if (at + 1 >= argc) return report(BYO_EXIT_USAGE, "--manifest needs a file");
    /* the manifest is read and checked first, with or without Verilator */
    const char *arg = argv[at + 1];
    if (!realpath(arg, path)) {
        ax_fail(err, sizeof err, "cannot open the manifest %s: %s", arg, strerror(errno));
        return report(BYO_EXIT_USAGE, err);
    }
    /* its path goes into the generated files' comments */
    if (ax_byo_check_path("the manifest", path, 0, err, sizeof err))
        return report(BYO_EXIT_USAGE, err);
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    FILE *mf = fopen(path, "r");
    if (!mf) {
        ax_fail(err, sizeof err, "cannot open the manifest %s: %s", path, strerror(errno));
        return report(BYO_EXIT_USAGE, err);
    }
    ax_byo_manifest_t m;
    int bad = ax_byo_parse(mf, path, dir[0] ? dir : "/", &m, err, sizeof err);
    fclose(mf);
    if (bad) return report(BYO_EXIT_USAGE, err);
#if !defined(AXSIM_BYO_SOURCE_DIR) && defined(AXSIM_NO_VERILATED)
    return report(BYO_EXIT_FAIL, "this build has no verilated models (configured with "
                  "-DAXSIM_BUILD_VERILATED=OFF), so it cannot build your unit; reconfigure with "
                  "-DAXSIM_BUILD_VERILATED=ON and rebuild");
#elif !defined(AXSIM_BYO_SOURCE_DIR)
    return report(BYO_EXIT_FAIL, "this axsim was built without Verilator, so it cannot build "
                  "your unit; install verilator (scripts/setup.sh) and rebuild");
#else

    /* the cache folder: $AXSIM_CACHE_DIR, $XDG_CACHE_HOME/axsim or ~/.cache/axsim */
    char base[PATH_MAX - 80], cache[PATH_MAX]; /* room for /byo/<name, < 64>-<hash> */
    if (ax_cache_dir(base, sizeof base))
        return report(BYO_EXIT_FAIL, "no cache folder: set AXSIM_CACHE_DIR (or HOME)");
    snprintf(cache, sizeof cache, "%s/byo/%s-%08x", base, m.name, fnv(path));
    if (ax_mkdirs(cache)) {
        ax_fail(err, sizeof err, "cannot create the cache folder %s: %s", cache, strerror(errno));
        return report(BYO_EXIT_FAIL, err);
    }
    if (generate(&m, path, cache)) return BYO_EXIT_FAIL;

    char bdir[PATH_MAX + 16], log[PATH_MAX + 16], exe[PATH_MAX + 48];
    snprintf(bdir, sizeof bdir, "%s/build", cache);
    snprintf(log, sizeof log, "%s/build.log", cache);
    snprintf(exe, sizeof exe, "%s/axsim-verify-byo", bdir);
    fprintf(stderr, "axsim verify: building %s in %s (log: %s)\n", m.name, cache, log);
    FILE *lf = fopen(log, "w"); /* a fresh log per run */
    if (lf) fclose(lf);
    char ninja[PATH_MAX + 32], make[PATH_MAX + 32];
    snprintf(ninja, sizeof ninja, "%s/build.ninja", bdir);
    snprintf(make, sizeof make, "%s/Makefile", bdir);
    if (access(ninja, F_OK) != 0 && access(make, F_OK) != 0) { /* not configured (yet) */
        char *cfg[] = {AXSIM_BYO_CMAKE, "-S", cache, "-B", bdir, "-G", AXSIM_BYO_GENERATOR,
                       "-DCMAKE_BUILD_TYPE=Release", NULL};
        if (run_logged(cfg, log)) {
            ax_fail(err, sizeof err, "configuring the build of %s failed; the end of %s:", m.name,
                    log);
            report(BYO_EXIT_FAIL, err);
            show_tail(log, 25);
            return BYO_EXIT_FAIL;
        }
    }
    char *bld[] = {AXSIM_BYO_CMAKE, "--build", bdir, NULL};
    if (run_logged(bld, log)) {
        ax_fail(err, sizeof err, "building %s failed (Verilog or C errors?); the end of %s:",
                m.name, log);
        report(BYO_EXIT_FAIL, err);
        show_tail(log, 25);
        return BYO_EXIT_FAIL;
    }
    /* the verifier, with every option but --manifest FILE */
    char **nargv = calloc((size_t)argc, sizeof *nargv);
    int k = 0;
    nargv[k++] = "axsim verify";
    for (int i = 1; i < argc; i++)
        if (i != at && i != at + 1) nargv[k++] = argv[i];
    nargv[k] = NULL;
    fflush(stderr);
    execv(exe, nargv);
    ax_fail(err, sizeof err, "cannot run %s: %s", exe, strerror(errno));
    return report(BYO_EXIT_FAIL, err);
#endif
}
