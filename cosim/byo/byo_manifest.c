/* byo_manifest.c — the bring-your-own manifest: parse, check, generate the
 * build files' text (byo_manifest.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* realpath, getline, strtok_r */
#endif
#include "byo_manifest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ax_format.h"

const char *const ax_byo_fixed_params[10] = {"E",  "M",  "FN_I", "FTZ_I", "EO",
                                             "MO", "FN_O", "FTZ_O", "SAT_O", "RTZ_O"};

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

/* At most 60 bytes of s, control characters as \xNN, for messages. */
static const char *shown(const char *s, char *buf, size_t len)
{
    size_t k = 0, n = strlen(s);
    for (size_t i = 0; i < n && i < 60 && k + 5 < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) k += (size_t)snprintf(buf + k, len - k, "\\x%02X", c);
        else buf[k++] = (char)c;
    }
    snprintf(buf + k, len - k, "%s", n > 60 ? "..." : "");
    return buf;
}

int ax_byo_check_path(const char *what, const char *path, int strict, char *err, size_t errlen)
{
    char b[320];
    for (const char *c = path; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u < 0x20 || u == 0x7F) {
            snprintf(err, errlen, "%s '%s': the path holds a control character (0x%02X at byte "
                     "%zu); axsim writes it into generated build files, where a newline would "
                     "end a comment and start code, so it refuses it", what, shown(path, b, sizeof b),
                     u, (size_t)(c - path) + 1);
            return -1;
        }
    }
    if (strict && strpbrk(path, "\"\\;$ ")) {
        snprintf(err, errlen, "%s '%s': the path holds a character axsim cannot pass to CMake "
                 "(quote, backslash, ';', '$' or blank)", what, shown(path, b, sizeof b));
        return -1;
    }
    return 0;
}

/* A file named in the manifest, relative to the manifest's directory. */
static int resolve(const char *dir, const char *name, char *out)
{
    char p[PATH_MAX * 2];
    int n = snprintf(p, sizeof p, "%s%s%s", name[0] == '/' ? "" : dir, name[0] == '/' ? "" : "/",
                     name);
    if (n < 0 || (size_t)n >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return realpath(p, out) ? 0 : -1;
}

/* NAME=INTEGER, the integer a Verilog integer parameter holds (32-bit signed). */
static int parse_param(const char *s, char *name, size_t nlen, long *v, char *why, size_t wlen)
{
    const char *eq = strchr(s, '=');
    if (!eq || (size_t)(eq - s) >= nlen) {
        snprintf(why, wlen, " is not NAME=INTEGER");
        return -1;
    }
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = 0;
    const char *d = eq + 1;
    int neg = *d == '-';
    if (*d == '-' || *d == '+') d++;
    if (!is_ident(name) || !*d) {
        snprintf(why, wlen, " is not NAME=INTEGER");
        return -1;
    }
    int64_t x = 0;
    for (; *d; d++) {
        if (*d < '0' || *d > '9') {
            snprintf(why, wlen, " is not NAME=INTEGER (decimal digits, optionally signed)");
            return -1;
        }
        if (x <= INT64_C(1) << 32) x = x * 10 + (*d - '0'); /* saturates past 2^32 */
    }
    if (neg) x = -x;
    if (x < INT32_MIN || x > INT32_MAX) {
        snprintf(why, wlen, ": the value is out of range: Verilog integer parameters are 32-bit "
                 "signed, -2147483648..2147483647");
        return -1;
    }
    *v = (long)x;
    return 0;
}

#define MERR(...)                                                                                \
    do {                                                                                         \
        int k_ = snprintf(err, errlen, "%s:%d: ", path, line);                                   \
        if (k_ >= 0 && (size_t)k_ < errlen) snprintf(err + k_, errlen - (size_t)k_, __VA_ARGS__); \
        free(buf);                                                                               \
        return -1;                                                                               \
    } while (0)

int ax_byo_parse(FILE *f, const char *path, const char *dir, ax_byo_manifest_t *m, char *err,
                 size_t errlen)
{
    int line = 0;
    memset(m, 0, sizeof *m);
    m->axsim_rtl = 1;
    int seen[K_COUNT] = {0};
    char *buf = NULL, sb[320];
    size_t cap = 0;
    for (;;) {
        errno = 0;
        ssize_t len = getline(&buf, &cap, f);
        if (len < 0) {
            if (ferror(f) || !feof(f)) {
                line++;
                MERR("read error: %s", strerror(errno ? errno : EIO));
            }
            break;
        }
        line++;
        const char *nul = memchr(buf, 0, (size_t)len);
        if (nul)
            MERR("the line holds a NUL byte (at byte %zu); a manifest is text",
                 (size_t)(nul - buf) + 1);
        if ((size_t)len - (len > 0 && buf[len - 1] == '\n') > AX_BYO_MAX_LINE)
            MERR("line longer than %d characters", AX_BYO_MAX_LINE);
        char *hash = strchr(buf, '#');
        if (hash) *hash = 0;
        char *s = trim(buf);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) MERR("expected 'key = value', got '%s'", shown(s, sb, sizeof sb));
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        int k = 0;
        while (k < K_COUNT && strcmp(keys[k], key)) k++;
        if (k == K_COUNT)
            MERR("unknown key '%s' (keys: name, kind, verilog, top, c_source, c_function, "
                 "formats, parameters, axsim_rtl)", shown(key, sb, sizeof sb));
        if (seen[k]) MERR("'%s' given twice (first on line %d)", key, seen[k]);
        seen[k] = line;
        if (!*val) MERR("'%s' has no value", key);
        /* list values: separated by commas or blanks */
        char *items[AX_BYO_MAX_ITEMS], *save = NULL;
        int n = 0;
        for (char *t = strtok_r(val, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
            if (n == AX_BYO_MAX_ITEMS) MERR("'%s': more than %d items", key, AX_BYO_MAX_ITEMS);
            items[n++] = t;
        }
        if (n == 0) MERR("'%s' has no value", key);
        if (n > 1 && (k == K_NAME || k == K_KIND || k == K_TOP || k == K_CFN || k == K_RTL))
            MERR("'%s' takes one value, got %d", key, n);
        switch (k) {
        case K_NAME:
        case K_TOP:
        case K_CFN: {
            char *dst = k == K_NAME ? m->name : k == K_TOP ? m->top : m->function;
            size_t cap = k == K_NAME ? sizeof m->name : k == K_TOP ? sizeof m->top
                                                                  : sizeof m->function;
            if (!is_ident(items[0]) || strlen(items[0]) >= cap)
                MERR("%s '%s' is not an identifier (letters, digits, _; at most %zu characters)",
                     key, shown(items[0], sb, sizeof sb), cap - 1);
            strcpy(dst, items[0]);
            break;
        }
        case K_KIND:
            if (strcmp(items[0], "mul") && strcmp(items[0], "add"))
                MERR("kind '%s': give mul or add", shown(items[0], sb, sizeof sb));
            strcpy(m->kind, items[0]);
            break;
        case K_RTL:
            if (strcmp(items[0], "yes") && strcmp(items[0], "no"))
                MERR("axsim_rtl '%s': give yes or no", shown(items[0], sb, sizeof sb));
            m->axsim_rtl = !strcmp(items[0], "yes");
            break;
        case K_VERILOG:
        case K_CSRC:
            for (int i = 0; i < n; i++) {
                char *dst = k == K_VERILOG ? m->verilog[i] : m->csrc[i];
                char why[PATH_MAX + 512];
                if (ax_byo_check_path(key, items[i], 0, why, sizeof why)) MERR("%s", why);
                if (resolve(dir, items[i], dst))
                    MERR("%s '%s': %s (paths are relative to the manifest's folder %s)", key,
                         shown(items[i], sb, sizeof sb), strerror(errno), dir);
                if (ax_byo_check_path(key, dst, 1, why, sizeof why)) MERR("%s", why);
            }
            if (k == K_VERILOG) m->nverilog = n;
            else m->ncsrc = n;
            break;
        case K_FORMATS:
            for (int i = 0; i < n; i++) {
                char in[64], e2[512];
                for (const char *c = items[i]; *c; c++)
                    if ((unsigned char)*c < 0x20 || *c == 0x7F)
                        MERR("formats: '%s': a control character is not part of a format name",
                             shown(items[i], sb, sizeof sb));
                const char *arrow = strstr(items[i], "->");
                size_t li = arrow ? (size_t)(arrow - items[i]) : strlen(items[i]);
                if (li >= sizeof in || (arrow && strlen(arrow + 2) >= sizeof m->fout[i]))
                    MERR("format '%s' is too long", shown(items[i], sb, sizeof sb));
                memcpy(in, items[i], li);
                in[li] = 0;
                ax_format_t fi, fo;
                if (ax_format_parse(in, &fi, e2, sizeof e2))
                    MERR("formats: '%s': %s", shown(items[i], sb, sizeof sb), e2);
                if (arrow && ax_format_parse(arrow + 2, &fo, e2, sizeof e2))
                    MERR("formats: '%s': %s", shown(items[i], sb, sizeof sb), e2);
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
                char why[160];
                if (parse_param(items[i], m->pname[i], sizeof m->pname[i], &m->pvalue[i], why,
                                sizeof why))
                    MERR("parameters: '%s'%s", shown(items[i], sb, sizeof sb), why);
                for (int j = 0; j < 10; j++)
                    if (!strcmp(m->pname[i], ax_byo_fixed_params[j]))
                        MERR("parameters: '%s': axsim sets %s itself from the formats (E, M, "
                             "FN_I, FTZ_I, EO, MO, FN_O, FTZ_O, SAT_O, RTZ_O)",
                             shown(items[i], sb, sizeof sb), m->pname[i]);
                for (int j = 0; j < i; j++)
                    if (!strcmp(m->pname[i], m->pname[j]))
                        MERR("parameters: '%s' given twice", m->pname[i]);
            }
            m->nparams = n;
            break;
        }
    }
    free(buf);
    for (int k = 0; k < K_COUNT; k++)
        if (!seen[k] && k != K_PARAMS && k != K_RTL) {
            snprintf(err, errlen, "%s: the manifest lacks '%s'", path, keys[k]);
            return -1;
        }
    return 0;
}

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sbuf_t;

static void sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf_t *b, const char *fmt, ...)
{
    if (b->oom) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;
        return;
    }
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t cap = (b->n + (size_t)k + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* s as one CMake quoted argument: "..." with \ " $ escaped (';' and control
 * characters are refused before, by ax_byo_check_path). */
static void sb_quoted(sbuf_t *b, const char *s)
{
    sb_printf(b, "\"");
    for (; *s; s++) {
        if (*s == '\\' || *s == '"' || *s == '$') sb_printf(b, "\\%c", *s);
        else sb_printf(b, "%c", *s);
    }
    sb_printf(b, "\"");
}

int ax_byo_generate(const ax_byo_manifest_t *m, const char *manifest, const ax_byo_paths_t *p,
                    char **cmake, char **header, char *err, size_t errlen)
{
    *cmake = *header = NULL;
    /* every path written below; the parser checked the sources already */
    if (ax_byo_check_path("the manifest", manifest, 0, err, errlen) ||
        ax_byo_check_path("axsim's source folder", p->source_dir, 0, err, errlen) ||
        ax_byo_check_path("Verilator's folder", p->verilator_root, 0, err, errlen) ||
        ax_byo_check_path("axsim's verifier library", p->verify_lib, 0, err, errlen) ||
        ax_byo_check_path("axsim's C model library", p->cmodels_lib, 0, err, errlen))
        return -1;
    for (int i = 0; i < m->nverilog; i++)
        if (ax_byo_check_path("verilog", m->verilog[i], 1, err, errlen)) return -1;
    for (int i = 0; i < m->ncsrc; i++)
        if (ax_byo_check_path("c_source", m->csrc[i], 1, err, errlen)) return -1;
    char srcdir[PATH_MAX + 16];
    sbuf_t c = {0}, h = {0}, e = {0};
    /* the manifest's path only in comments, quoted: no control characters,
     * and no backslash can end (and so continue) the C++ comment */
    sb_printf(&c, "# generated by `axsim verify --manifest \"%s\"`; rewritten on every run\n"
                  "cmake_minimum_required(VERSION 3.25)\nproject(axsim_byo_%s C CXX)\n"
                  "find_package(verilator REQUIRED HINTS ", manifest, m->name);
    sb_quoted(&c, p->verilator_root);
    sb_printf(&c, ")\nfind_package(Threads REQUIRED)\nadd_executable(axsim-verify-byo ");
    snprintf(srcdir, sizeof srcdir, "%s/cosim/verify_builtin.cpp", p->source_dir);
    sb_quoted(&c, srcdir);
    for (int i = 0; i < m->ncsrc; i++) {
        sb_printf(&c, "\n  ");
        sb_quoted(&c, m->csrc[i]);
    }
    sb_printf(&c, ")\nset_target_properties(axsim-verify-byo PROPERTIES CXX_STANDARD 17 C_STANDARD 11)\n"
                  "target_compile_options(axsim-verify-byo PRIVATE -O2)\n"
                  "target_include_directories(axsim-verify-byo PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}\n  ");
    snprintf(srcdir, sizeof srcdir, "%s/cosim", p->source_dir);
    sb_quoted(&c, srcdir);
    sb_printf(&c, " ");
    snprintf(srcdir, sizeof srcdir, "%s/cmodels", p->source_dir);
    sb_quoted(&c, srcdir);
    sb_printf(&c, ")\ntarget_link_libraries(axsim-verify-byo PRIVATE ");
    sb_quoted(&c, p->verify_lib);
    sb_printf(&c, " ");
    sb_quoted(&c, p->cmodels_lib);
    sb_printf(&c, " Threads::Threads m)\n");
    sb_printf(&h, "// generated by axsim verify --manifest \"%s\"\n", manifest);
    sb_printf(&h, "extern \"C\" uint32_t %s(uint32_t a, uint32_t b, ax_format_t fi, "
                  "ax_format_t fo, uint32_t *flags);\n", m->function);
    for (int i = 0; i < m->nfmt; i++) {
        ax_format_t fi, fo;
        char e2[256];
        if (ax_format_parse(m->fin[i], &fi, e2, sizeof e2) ||
            ax_format_parse(m->fout[i], &fo, e2, sizeof e2)) {
            snprintf(err, errlen, "formats: %s", e2);
            free(c.s), free(h.s), free(e.s);
            return -1;
        }
        sb_printf(&c, "verilate(axsim-verify-byo PREFIX Vbyo_%d TOP_MODULE %s SOURCES", i, m->top);
        for (int k = 0; k < m->nverilog; k++) {
            sb_printf(&c, " ");
            sb_quoted(&c, m->verilog[k]);
        }
        sb_printf(&c, "\n  VERILATOR_ARGS -Wall -Wno-fatal -O2");
        if (m->axsim_rtl) {
            snprintf(srcdir, sizeof srcdir, "%s/rtl", p->source_dir);
            sb_printf(&c, " -y ");
            sb_quoted(&c, srcdir);
            snprintf(srcdir, sizeof srcdir, "-I%s/rtl", p->source_dir);
            sb_printf(&c, " ");
            sb_quoted(&c, srcdir);
        }
        sb_printf(&c,
                  "\n  -GE=%d -GM=%d -GFN_I=%d -GFTZ_I=%d -GEO=%d -GMO=%d -GFN_O=%d -GFTZ_O=%d "
                  "-GSAT_O=%d -GRTZ_O=%d",
                  fi.ebits, fi.mbits, !!(fi.flags & AX_FMT_FN), !!(fi.flags & AX_FMT_FTZ), fo.ebits,
                  fo.mbits, !!(fo.flags & AX_FMT_FN), !!(fo.flags & AX_FMT_FTZ),
                  !!(fo.flags & AX_FMT_SAT), fo.round == AX_RTZ);
        for (int k = 0; k < m->nparams; k++) sb_printf(&c, " -G%s=%ld", m->pname[k], m->pvalue[k]);
        sb_printf(&c, ")\n");
        sb_printf(&h, "#include \"Vbyo_%d.h\"\n", i);
        sb_printf(&e, "    {\"%s.%s.%s\", \"%s\", \"%s\", \"%s\", %s, 0, ax_make_rtl<Vbyo_%d>, "
                      "nullptr, %s, nullptr, nullptr, nullptr}, \\\n",
                  m->name, m->fin[i], m->fout[i], m->name, m->fin[i], m->fout[i],
                  strcmp(m->kind, "add") ? "AX_DUT_MUL" : "AX_DUT_ADD", i, m->function);
    }
    sb_printf(&h, "#define AXSIM_VERIFY_DUTS \\\n%s\n", e.s ? e.s : "");
    int oom = c.oom || h.oom || e.oom;
    free(e.s);
    if (oom) {
        free(c.s), free(h.s);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *cmake = c.s;
    *header = h.s;
    return 0;
}
