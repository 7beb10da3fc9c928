/* byo.c — axsim verify --manifest FILE: bring your own unit (docs/byo-unit.md).
 *
 * Reads the manifest (key = value lines), writes a small CMake project into a
 * cache directory that verilates the user's Verilog once per format, compiles
 * the user's C model and links both with axsim's verifier (cosim/verify.cpp,
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

#include "ax_cache.h"
#include "ax_format.h"
#include "cli.h"

#define MAX_ITEMS 16

typedef struct {
    char name[64], kind[8], top[128], function[128];
    char verilog[MAX_ITEMS][PATH_MAX], csrc[MAX_ITEMS][PATH_MAX];
    char fin[MAX_ITEMS][64], fout[MAX_ITEMS][64], params[MAX_ITEMS][96];
    int nverilog, ncsrc, nfmt, nparams, axsim_rtl;
} manifest_t;

static const char *const keys[] = {"name",     "kind",       "verilog", "top", "c_source",
                                   "c_function", "formats", "parameters", "axsim_rtl"};
enum { K_NAME, K_KIND, K_VERILOG, K_TOP, K_CSRC, K_CFN, K_FORMATS, K_PARAMS, K_RTL, K_COUNT };

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

static int is_ident(const char *s)
{
    if (!*s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

#define MERR(...)                                                                                \
    do {                                                                                         \
        fprintf(stderr, "axsim verify: %s:%d: ", path, line);                                   \
        fprintf(stderr, __VA_ARGS__);                                                            \
        fputc('\n', stderr);                                                                     \
        fclose(f);                                                                               \
        return -1;                                                                               \
    } while (0)

/* A file named in the manifest, relative to the manifest's directory. */
static int resolve(const char *dir, const char *name, char *out)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s%s%s", name[0] == '/' ? "" : dir, name[0] == '/' ? "" : "/", name);
    return realpath(p, out) ? 0 : -1;
}

static int parse_manifest(const char *path, const char *dir, manifest_t *m)
{
    FILE *f = fopen(path, "r");
    int line = 0;
    if (!f) {
        fprintf(stderr, "axsim verify: cannot open the manifest %s: %s\n", path, strerror(errno));
        return -1;
    }
    memset(m, 0, sizeof *m);
    m->axsim_rtl = 1;
    int seen[K_COUNT] = {0};
    char buf[4096];
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (!strchr(buf, '\n') && !feof(f)) MERR("line longer than %zu characters", sizeof buf - 2);
        char *hash = strchr(buf, '#');
        if (hash) *hash = 0;
        char *s = trim(buf);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) MERR("expected 'key = value', got '%s'", s);
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        int k = 0;
        while (k < K_COUNT && strcmp(keys[k], key)) k++;
        if (k == K_COUNT)
            MERR("unknown key '%s' (keys: name, kind, verilog, top, c_source, c_function, "
                 "formats, parameters, axsim_rtl)", key);
        if (seen[k]) MERR("'%s' given twice (first on line %d)", key, seen[k]);
        seen[k] = line;
        if (!*val) MERR("'%s' has no value", key);
        /* list values: separated by commas or blanks */
        char *items[MAX_ITEMS];
        int n = 0;
        for (char *t = strtok(val, ", \t"); t; t = strtok(NULL, ", \t")) {
            if (n == MAX_ITEMS) MERR("'%s': more than %d items", key, MAX_ITEMS);
            items[n++] = t;
        }
        if (n > 1 && (k == K_NAME || k == K_KIND || k == K_TOP || k == K_CFN || k == K_RTL))
            MERR("'%s' takes one value, got %d", key, n);
        switch (k) {
        case K_NAME:
        case K_TOP:
        case K_CFN: {
            char *dst = k == K_NAME ? m->name : k == K_TOP ? m->top : m->function;
            size_t cap = k == K_NAME ? sizeof m->name : sizeof m->top;
            if (!is_ident(items[0]) || strlen(items[0]) >= cap)
                MERR("%s '%s' is not an identifier (letters, digits, _; at most %zu characters)",
                     key, items[0], cap - 1);
            strcpy(dst, items[0]);
            break;
        }
        case K_KIND:
            if (strcmp(items[0], "mul") && strcmp(items[0], "add"))
                MERR("kind '%s': give mul or add", items[0]);
            strcpy(m->kind, items[0]);
            break;
        case K_RTL:
            if (strcmp(items[0], "yes") && strcmp(items[0], "no"))
                MERR("axsim_rtl '%s': give yes or no", items[0]);
            m->axsim_rtl = !strcmp(items[0], "yes");
            break;
        case K_VERILOG:
        case K_CSRC:
            for (int i = 0; i < n; i++) {
                char *dst = k == K_VERILOG ? m->verilog[i] : m->csrc[i];
                if (resolve(dir, items[i], dst))
                    MERR("%s '%s': %s (paths are relative to the manifest's folder %s)", key,
                         items[i], strerror(errno), dir);
                if (strpbrk(dst, "\"\\;$ ") )
                    MERR("%s '%s': the path %s holds a character axsim cannot pass to CMake "
                         "(quote, backslash, ';', '$' or blank)", key, items[i], dst);
            }
            if (k == K_VERILOG) m->nverilog = n;
            else m->ncsrc = n;
            break;
        case K_FORMATS:
            for (int i = 0; i < n; i++) {
                char in[64], err[512];
                const char *arrow = strstr(items[i], "->");
                size_t li = arrow ? (size_t)(arrow - items[i]) : strlen(items[i]);
                if (li >= sizeof in || (arrow && strlen(arrow + 2) >= sizeof m->fout[i]))
                    MERR("format '%s' is too long", items[i]);
                memcpy(in, items[i], li);
                in[li] = 0;
                ax_format_t fi, fo;
                if (ax_format_parse(in, &fi, err, sizeof err))
                    MERR("formats: '%s': %s", items[i], err);
                if (arrow && ax_format_parse(arrow + 2, &fo, err, sizeof err))
                    MERR("formats: '%s': %s", items[i], err);
                if (fi.mbits == 0 || (arrow && fo.mbits == 0))
                    MERR("formats: '%s': the verifier's RTL interface needs at least one "
                         "mantissa bit", items[i]);
                strcpy(m->fin[i], in);
                strcpy(m->fout[i], arrow ? arrow + 2 : in);
            }
            m->nfmt = n;
            break;
        case K_PARAMS:
            for (int i = 0; i < n; i++) {
                char pname[96];
                long v;
                int used = 0;
                if (strlen(items[i]) >= sizeof m->params[i] ||
                    sscanf(items[i], "%95[A-Za-z0-9_]=%ld%n", pname, &v, &used) != 2 ||
                    items[i][used] || !is_ident(pname))
                    MERR("parameters: '%s' is not NAME=INTEGER", items[i]);
                strcpy(m->params[i], items[i]);
            }
            m->nparams = n;
            break;
        }
    }
    if (ferror(f)) MERR("read error: %s", strerror(errno));
    fclose(f);
    for (int k = 0; k < K_COUNT; k++)
        if (!seen[k] && k != K_PARAMS && k != K_RTL) {
            fprintf(stderr, "axsim verify: %s: the manifest lacks '%s'\n", path, keys[k]);
            return -1;
        }
    return 0;
}

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

typedef struct {
    char *s;
    size_t n, cap;
} sbuf_t;

static void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort();
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
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

#ifdef AXSIM_BYO_SOURCE_DIR
static int generate(const manifest_t *m, const char *manifest, const char *cache)
{
    sbuf_t c = {0}, h = {0};
    sb_printf(&c,
              "# generated by `axsim verify --manifest %s`; rewritten on every run\n"
              "cmake_minimum_required(VERSION 3.25)\nproject(axsim_byo_%s C CXX)\n"
              "find_package(verilator REQUIRED HINTS \"%s\")\nfind_package(Threads REQUIRED)\n"
              "add_executable(axsim-verify-byo \"%s/cosim/verify_builtin.cpp\"",
              manifest, m->name, AXSIM_BYO_VERILATOR_ROOT, AXSIM_BYO_SOURCE_DIR);
    for (int i = 0; i < m->ncsrc; i++) sb_printf(&c, "\n  \"%s\"", m->csrc[i]);
    sb_printf(&c,
              ")\nset_target_properties(axsim-verify-byo PROPERTIES CXX_STANDARD 17 C_STANDARD 11)\n"
              "target_compile_options(axsim-verify-byo PRIVATE -O2)\n"
              "target_include_directories(axsim-verify-byo PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}\n"
              "  \"%s/cosim\" \"%s/cmodels\")\n"
              "target_link_libraries(axsim-verify-byo PRIVATE \"%s\" \"%s\" Threads::Threads m)\n",
              AXSIM_BYO_SOURCE_DIR, AXSIM_BYO_SOURCE_DIR, AXSIM_BYO_VERIFY_LIB,
              AXSIM_BYO_CMODELS_LIB);
    sb_printf(&h, "// generated by axsim verify --manifest %s\n", manifest);
    sb_printf(&h, "extern \"C\" uint32_t %s(uint32_t a, uint32_t b, ax_format_t fi, "
                  "ax_format_t fo, uint32_t *flags);\n", m->function);
    sbuf_t e = {0};
    for (int i = 0; i < m->nfmt; i++) {
        ax_format_t fi, fo;
        char err[256];
        ax_format_parse(m->fin[i], &fi, err, sizeof err);
        ax_format_parse(m->fout[i], &fo, err, sizeof err);
        sb_printf(&c, "verilate(axsim-verify-byo PREFIX Vbyo_%d TOP_MODULE %s SOURCES", i, m->top);
        for (int k = 0; k < m->nverilog; k++) sb_printf(&c, " \"%s\"", m->verilog[k]);
        sb_printf(&c, "\n  VERILATOR_ARGS -Wall -Wno-fatal -O2");
        if (m->axsim_rtl)
            sb_printf(&c, " -y \"%s/rtl\" -I\"%s/rtl\"", AXSIM_BYO_SOURCE_DIR, AXSIM_BYO_SOURCE_DIR);
        sb_printf(&c,
                  "\n  -GE=%d -GM=%d -GFN_I=%d -GFTZ_I=%d -GEO=%d -GMO=%d -GFN_O=%d -GFTZ_O=%d "
                  "-GSAT_O=%d -GRTZ_O=%d",
                  fi.ebits, fi.mbits, !!(fi.flags & AX_FMT_FN), !!(fi.flags & AX_FMT_FTZ), fo.ebits,
                  fo.mbits, !!(fo.flags & AX_FMT_FN), !!(fo.flags & AX_FMT_FTZ),
                  !!(fo.flags & AX_FMT_SAT), fo.round == AX_RTZ);
        for (int k = 0; k < m->nparams; k++) sb_printf(&c, " -G%s", m->params[k]);
        sb_printf(&c, ")\n");
        sb_printf(&h, "#include \"Vbyo_%d.h\"\n", i);
        sb_printf(&e, "    {\"%s.%s.%s\", \"%s\", \"%s\", \"%s\", %s, 0, ax_make_rtl<Vbyo_%d>, "
                      "nullptr, %s, nullptr, nullptr, nullptr}, \\\n",
                  m->name, m->fin[i], m->fout[i], m->name, m->fin[i], m->fout[i],
                  strcmp(m->kind, "add") ? "AX_DUT_MUL" : "AX_DUT_ADD", i, m->function);
    }
    sb_printf(&h, "#define AXSIM_VERIFY_DUTS \\\n%s\n", e.s);
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/CMakeLists.txt", cache);
    int rc = write_if_changed(p, c.s);
    snprintf(p, sizeof p, "%s/verify_models.h", cache);
    rc |= write_if_changed(p, h.s);
    free(c.s);
    free(h.s);
    free(e.s);
    return rc;
}
#endif

int ax_byo_verify(int argc, char **argv, int at)
{
    if (at + 1 >= argc) {
        ax_cli_error("verify", "--manifest needs a file");
        return AX_EXIT_USAGE;
    }
#ifndef AXSIM_BYO_SOURCE_DIR
    ax_cli_error("verify", "this axsim was built without Verilator, so it cannot build your "
                 "unit; install verilator (scripts/setup.sh) and rebuild");
    return AX_EXIT_FAIL;
#else
    const char *arg = argv[at + 1];
    char path[PATH_MAX], dir[PATH_MAX];
    if (!realpath(arg, path)) {
        ax_cli_error("verify", "cannot open the manifest %s: %s", arg, strerror(errno));
        return AX_EXIT_USAGE;
    }
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    manifest_t m;
    if (parse_manifest(path, dir[0] ? dir : "/", &m)) return AX_EXIT_USAGE;

    /* the cache folder: $AXSIM_CACHE_DIR, $XDG_CACHE_HOME/axsim or ~/.cache/axsim */
    char base[PATH_MAX - 80], cache[PATH_MAX]; /* room for /byo/<name, < 64>-<hash> */
    if (ax_cache_dir(base, sizeof base)) {
        ax_cli_error("verify", "no cache folder: set AXSIM_CACHE_DIR (or HOME)");
        return AX_EXIT_FAIL;
    }
    snprintf(cache, sizeof cache, "%s/byo/%s-%08x", base, m.name, fnv(path));
    if (ax_mkdirs(cache)) {
        ax_cli_error("verify", "cannot create the cache folder %s: %s", cache, strerror(errno));
        return AX_EXIT_FAIL;
    }
    if (generate(&m, path, cache)) return AX_EXIT_FAIL;

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
            ax_cli_error("verify", "configuring the build of %s failed; the end of %s:", m.name, log);
            show_tail(log, 25);
            return AX_EXIT_FAIL;
        }
    }
    char *bld[] = {AXSIM_BYO_CMAKE, "--build", bdir, NULL};
    if (run_logged(bld, log)) {
        ax_cli_error("verify", "building %s failed (Verilog or C errors?); the end of %s:", m.name, log);
        show_tail(log, 25);
        return AX_EXIT_FAIL;
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
    ax_cli_error("verify", "cannot run %s: %s", exe, strerror(errno));
    return AX_EXIT_FAIL;
#endif
}
