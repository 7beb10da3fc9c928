/* ax_ckpt.c — safetensors checkpoints (ax_ckpt.h), the header through cJSON. */
#define _POSIX_C_SOURCE 200809L
#include "ax_ckpt.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_atomic.h"
#include "ax_net_internal.h"

int ax_ckpt_add(ax_ckpt_t *c, const char *name, int ndim, const int64_t *dims, const float *data,
                char *err, size_t errlen)
{
    if (!name || !*name || !strcmp(name, "__metadata__"))
        return ax_fail(err, errlen, "checkpoint: tensor name '%s' is not allowed", name ? name : "(null)");
    if (ax_ckpt_find(c, name)) return ax_fail(err, errlen, "checkpoint: tensor '%s' added twice", name);
    if (ndim < 0 || ndim > AX_CKPT_MAX_DIMS) return ax_fail(err, errlen, "checkpoint: '%s' has rank %d", name, ndim);
    int64_t n = ax_net_count(dims, ndim);
    if (n < 0) return ax_fail(err, errlen, "checkpoint: '%s' is too large", name);
    ax_ckpt_tensor_t *t = realloc(c->t, (size_t)(c->n + 1) * sizeof *t);
    if (!t) return ax_fail(err, errlen, "checkpoint: out of memory");
    c->t = t;
    ax_ckpt_tensor_t *e = &c->t[c->n];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    e->data = malloc((size_t)(n ? n : 1) * sizeof(float));
    if (!e->name || !e->data) {
        free(e->name), free(e->data);
        return ax_fail(err, errlen, "checkpoint: out of memory");
    }
    e->ndim = ndim;
    memcpy(e->dims, dims, (size_t)ndim * sizeof *dims);
    e->count = n;
    if (n) memcpy(e->data, data, (size_t)n * sizeof(float));
    c->n++;
    return 0;
}

int ax_ckpt_set_meta(ax_ckpt_t *c, const char *key, const char *value)
{
    for (int i = 0; i < c->nmeta; i++)
        if (!strcmp(c->meta_key[i], key)) {
            char *v = strdup(value);
            if (!v) return -1;
            free(c->meta_value[i]);
            c->meta_value[i] = v;
            return 0;
        }
    char **k = realloc(c->meta_key, (size_t)(c->nmeta + 1) * sizeof *k);
    if (!k) return -1;
    c->meta_key = k;
    char **v = realloc(c->meta_value, (size_t)(c->nmeta + 1) * sizeof *v);
    if (!v) return -1;
    c->meta_value = v;
    c->meta_key[c->nmeta] = strdup(key);
    c->meta_value[c->nmeta] = strdup(value);
    if (!c->meta_key[c->nmeta] || !c->meta_value[c->nmeta]) {
        free(c->meta_key[c->nmeta]), free(c->meta_value[c->nmeta]);
        return -1;
    }
    c->nmeta++;
    return 0;
}

const char *ax_ckpt_meta(const ax_ckpt_t *c, const char *key)
{
    for (int i = 0; i < c->nmeta; i++)
        if (!strcmp(c->meta_key[i], key)) return c->meta_value[i];
    return NULL;
}

int ax_ckpt_meta_double(const ax_ckpt_t *c, const char *path, const char *key, double lo, double hi, double *v,
                        char *err, size_t errlen)
{
    const char *s = ax_ckpt_meta(c, key);
    if (!s) return 0;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(d) || d < lo || d > hi)
        return ax_fail(err, errlen, "%s: metadata %s '%.40s%s' is not a number in [%g, %g]", path, key, s,
                           strlen(s) > 40 ? "..." : "", lo, hi);
    *v = d;
    return 1;
}

int ax_ckpt_meta_int(const ax_ckpt_t *c, const char *path, const char *key, int64_t lo, int64_t hi, int64_t *v,
                     char *err, size_t errlen)
{
    const char *s = ax_ckpt_meta(c, key);
    if (!s) return 0;
    char *end;
    errno = 0;
    long long d = strtoll(s, &end, 10);
    if (end == s || *end || errno || (*s != '-' && (*s < '0' || *s > '9')) || d < lo || d > hi)
        return ax_fail(err, errlen, "%s: metadata %s '%.40s%s' is not an integer in %lld..%lld", path, key, s,
                           strlen(s) > 40 ? "..." : "", (long long)lo, (long long)hi);
    *v = d;
    return 1;
}

const ax_ckpt_tensor_t *ax_ckpt_find(const ax_ckpt_t *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->t[i].name, name)) return &c->t[i];
    return NULL;
}

static void shape_str(char *b, size_t n, int ndim, const int64_t *dims)
{
    size_t at = (size_t)snprintf(b, n, "[");
    for (int i = 0; i < ndim && at < n; i++) at += (size_t)snprintf(b + at, n - at, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (at < n) snprintf(b + at, n - at, "]");
}

const ax_ckpt_tensor_t *ax_ckpt_expect(const ax_ckpt_t *c, const char *path, const char *name,
                                       int ndim, const int64_t *dims, char *err, size_t errlen)
{
    const ax_ckpt_tensor_t *t = ax_ckpt_find(c, name);
    char want[160], got[160];
    shape_str(want, sizeof want, ndim, dims);
    if (!t) {
        ax_fail(err, errlen, "%s: no tensor '%s' (the model needs it, shape %s)", path, name, want);
        return NULL;
    }
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = t->dims[i] == dims[i];
    if (!same) {
        shape_str(got, sizeof got, t->ndim, t->dims);
        ax_fail(err, errlen, "%s: tensor '%s' has shape %s, the model needs %s", path, name, got, want);
        return NULL;
    }
    return t;
}

/* ---- save ---------------------------------------------------------------------- */

int ax_ckpt_save(const char *path, const ax_ckpt_t *c, char *err, size_t errlen)
{
    cJSON *h = cJSON_CreateObject();
    if (!h) return ax_fail(err, errlen, "%s: out of memory", path);
    if (c->nmeta) {
        cJSON *m = cJSON_AddObjectToObject(h, "__metadata__");
        for (int i = 0; m && i < c->nmeta; i++) cJSON_AddStringToObject(m, c->meta_key[i], c->meta_value[i]);
    }
    uint64_t off = 0;
    for (int i = 0; i < c->n; i++) {
        const ax_ckpt_tensor_t *t = &c->t[i];
        cJSON *o = cJSON_AddObjectToObject(h, t->name);
        double d[AX_CKPT_MAX_DIMS], r[2] = {(double)off, (double)(off + (uint64_t)t->count * 4)};
        for (int k = 0; k < t->ndim; k++) d[k] = (double)t->dims[k];
        if (!o) break;
        cJSON_AddStringToObject(o, "dtype", "F32");
        cJSON_AddItemToObject(o, "shape", cJSON_CreateDoubleArray(d, t->ndim));
        cJSON_AddItemToObject(o, "data_offsets", cJSON_CreateDoubleArray(r, 2));
        off += (uint64_t)t->count * 4;
    }
    char *js = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    if (!js) return ax_fail(err, errlen, "%s: out of memory", path);
    size_t jl = strlen(js), pad = (8 - jl % 8) % 8; /* the data starts 8-aligned */
    ax_atomic_t a;
    if (ax_atomic_begin(&a, path, err, errlen)) {
        free(js);
        return -1;
    }
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)(jl + pad) >> (8 * i));
    FILE *f = a.f;
    errno = 0;
    int ok = fwrite(len, 1, 8, f) == 8 && fwrite(js, 1, jl, f) == jl && fwrite("        ", 1, pad, f) == pad;
    free(js);
    for (int i = 0; ok && i < c->n; i++) /* float32 little-endian: the host's order on x86-64/aarch64 */
        ok = fwrite(c->t[i].data, 4, (size_t)c->t[i].count, f) == (size_t)c->t[i].count;
    if (!ok) {
        int e = errno ? errno : EIO;
        ax_atomic_abort(&a);
        return ax_fail(err, errlen, "%s: cannot write the checkpoint: %s (the previous file, if any, is unchanged)",
                           path, strerror(e));
    }
    return ax_atomic_commit(&a, err, errlen);
}

/* ---- load ------------------------------------------------------------------------ */

/* A safetensors dtype as ax_net_value's kind and size (0 if unknown).
 * Integer and boolean tensors (a PyTorch BatchNorm's num_batches_tracked is
 * I64) are read as float32 like the others: exact up to 2^24, which no
 * parameter a model loads needs to exceed. */
static int dtype_size(const char *d, char *kind)
{
    static const struct { const char *name; char kind; int size; } k[] = {
        {"F32", 'f', 4}, {"F16", 'f', 2}, {"BF16", 'B', 2}, {"F64", 'f', 8},
        {"I8", 'i', 1},  {"I16", 'i', 2}, {"I32", 'i', 4},  {"I64", 'i', 8},
        {"U8", 'u', 1},  {"U16", 'u', 2}, {"U32", 'u', 4},  {"U64", 'u', 8}, {"BOOL", 'b', 1}};
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (!strcmp(d, k[i].name)) {
            *kind = k[i].kind;
            return k[i].size;
        }
    return 0;
}

typedef struct range {
    uint64_t begin, end;
    int index;     /* the tensor */
    char kind;     /* its dtype, for ax_net_value */
    int size;
} range_t;

/* By begin, then end: an empty tensor at the start of another sorts first,
 * whatever the header's order. */
static int by_begin(const void *a, const void *b)
{
    const range_t *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name given twice among n (sorted in place), or NULL: O(n log n),
 * where a pairwise check took hours on a header of a million entries. */
static const char *first_twice(const char **names, int n)
{
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 1; i < n; i++)
        if (!strcmp(names[i - 1], names[i])) return names[i];
    return NULL;
}

/* A JSON number that is an integer in 0..2^53 (exact in a double). */
static int json_count(const cJSON *d, uint64_t *v)
{
    if (!cJSON_IsNumber(d) || !(d->valuedouble >= 0 && d->valuedouble <= 9007199254740992.0) ||
        d->valuedouble != floor(d->valuedouble))
        return 0;
    *v = (uint64_t)d->valuedouble;
    return 1;
}

int ax_ckpt_load(const char *path, ax_ckpt_t *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f) return ax_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *b = NULL;
    char *hs = NULL;
    cJSON *h = NULL;
    range_t *rg = NULL;
    int rc = -1;
    if (fseek(f, 0, SEEK_END) != 0) {
        ax_fail(err, errlen, "%s: cannot seek: %s", path, strerror(errno));
        goto done;
    }
    long fl = ftell(f);
    rewind(f);
    if (fl < 8) {
        ax_fail(err, errlen, "%s: not a safetensors file: %ld bytes, shorter than the 8-byte header length", path, fl);
        goto done;
    }
    b = malloc((size_t)fl);
    if (!b || fread(b, 1, (size_t)fl, f) != (size_t)fl) {
        ax_fail(err, errlen, "%s: cannot read %ld bytes", path, fl);
        goto done;
    }
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--) hl = hl << 8 | b[i];
    if (hl > (uint64_t)fl - 8 || hl > 100000000) {
        ax_fail(err, errlen, "%s: header length %llu does not fit the file (%ld bytes): truncated, or not safetensors",
             path, (unsigned long long)hl, fl);
        goto done;
    }
    hs = malloc(hl + 1);
    if (!hs) {
        ax_fail(err, errlen, "%s: out of memory", path);
        goto done;
    }
    memcpy(hs, b + 8, hl);
    hs[hl] = 0;
    const char *end = NULL;
    h = cJSON_ParseWithOpts(hs, &end, 0);
    if (!h || !cJSON_IsObject(h)) {
        ax_fail(err, errlen, "%s: the header is not a JSON object (error near byte %ld of the header)", path,
             end ? (long)(end - hs) : -1L);
        goto done;
    }
    const uint64_t data_len = (uint64_t)fl - 8 - hl;
    const unsigned char *data = b + 8 + hl;
    int n = cJSON_GetArraySize(h);
    c->t = calloc((size_t)n + 1, sizeof *c->t);
    rg = calloc((size_t)n + 1, sizeof *rg);
    if (!c->t || !rg) {
        ax_fail(err, errlen, "%s: out of memory", path);
        goto done;
    }
    int nr = 0;
    for (cJSON *e = h->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) {
            if (!cJSON_IsObject(e)) {
                ax_fail(err, errlen, "%s: __metadata__ is not an object", path);
                goto done;
            }
            if (c->meta_key) {
                ax_fail(err, errlen, "%s: __metadata__ appears twice in the header", path);
                goto done;
            }
            int nm = cJSON_GetArraySize(e);
            c->meta_key = calloc((size_t)nm + 1, sizeof *c->meta_key);
            c->meta_value = calloc((size_t)nm + 1, sizeof *c->meta_value);
            if (!c->meta_key || !c->meta_value) {
                ax_fail(err, errlen, "%s: out of memory", path);
                goto done;
            }
            for (cJSON *m = e->child; m; m = m->next) {
                if (!cJSON_IsString(m)) {
                    ax_fail(err, errlen, "%s: __metadata__ '%.100s' is not a string", path, m->string);
                    goto done;
                }
                c->meta_key[c->nmeta] = strdup(m->string);
                c->meta_value[c->nmeta] = strdup(m->valuestring);
                c->nmeta++;
                if (!c->meta_key[c->nmeta - 1] || !c->meta_value[c->nmeta - 1]) {
                    ax_fail(err, errlen, "%s: out of memory", path);
                    goto done;
                }
            }
            continue;
        }
        ax_ckpt_tensor_t *t = &c->t[c->n];
        t->name = strdup(e->string);
        if (!t->name) {
            ax_fail(err, errlen, "%s: out of memory", path);
            goto done;
        }
        c->n++;
        cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype"), *sh = cJSON_GetObjectItemCaseSensitive(e, "shape"),
              *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2) {
            ax_fail(err, errlen, "%s: tensor '%s' lacks a string dtype, a shape array or two data_offsets", path, t->name);
            goto done;
        }
        char kind;
        int size = dtype_size(dt->valuestring, &kind);
        if (!size) {
            ax_fail(err, errlen, "%s: tensor '%s' has dtype %s (supported: F32, F16, BF16, F64, I8..I64, "
                                   "U8..U64, BOOL)", path, t->name,
                 dt->valuestring);
            goto done;
        }
        t->ndim = cJSON_GetArraySize(sh);
        if (t->ndim > AX_CKPT_MAX_DIMS) {
            ax_fail(err, errlen, "%s: tensor '%s' has rank %d (at most %d)", path, t->name, t->ndim, AX_CKPT_MAX_DIMS);
            goto done;
        }
        int k = 0;
        for (cJSON *d = sh->child; d; d = d->next, k++) {
            uint64_t v;
            if (!json_count(d, &v)) {
                ax_fail(err, errlen, "%s: tensor '%s': shape entry %d is not an integer in 0..2^53", path,
                            t->name, k);
                goto done;
            }
            t->dims[k] = (int64_t)v;
        }
        t->count = ax_net_count(t->dims, t->ndim);
        if (t->count < 0) {
            ax_fail(err, errlen, "%s: tensor '%s': its shape holds more than 2^40 values", path, t->name);
            goto done;
        }
        uint64_t o0, o1;
        if (!json_count(cJSON_GetArrayItem(of, 0), &o0) || !json_count(cJSON_GetArrayItem(of, 1), &o1) || o1 < o0) {
            ax_fail(err, errlen, "%s: tensor '%s': data_offsets are not two integers begin <= end in 0..2^53",
                        path, t->name);
            goto done;
        }
        rg[nr].begin = o0, rg[nr].end = o1, rg[nr].index = c->n - 1;
        rg[nr].kind = kind, rg[nr].size = size;
        if (rg[nr].end - rg[nr].begin != (uint64_t)t->count * (uint64_t)size) {
            ax_fail(err, errlen, "%s: tensor '%s': data_offsets [%llu, %llu) hold %llu bytes, its shape and %s need %llu",
                 path, t->name, (unsigned long long)rg[nr].begin, (unsigned long long)rg[nr].end,
                 (unsigned long long)(rg[nr].end - rg[nr].begin), dt->valuestring,
                 (unsigned long long)t->count * (unsigned long long)size);
            goto done;
        }
        nr++;
    }
    /* unique names and metadata keys */
    const char **names = malloc(((size_t)(c->n > c->nmeta ? c->n : c->nmeta) + 1) * sizeof *names);
    if (!names) {
        ax_fail(err, errlen, "%s: out of memory", path);
        goto done;
    }
    for (int i = 0; i < c->n; i++) names[i] = c->t[i].name;
    const char *twice = first_twice(names, c->n);
    if (twice) ax_fail(err, errlen, "%s: tensor '%.200s' appears twice in the header", path, twice);
    for (int i = 0; !twice && i < c->nmeta; i++) names[i] = c->meta_key[i];
    if (!twice && (twice = first_twice(names, c->nmeta)))
        ax_fail(err, errlen, "%s: __metadata__ key '%.200s' appears twice", path, twice);
    free(names);
    if (twice) goto done;
    /* byte ranges: contiguous from 0, no overlap, no gap, exactly the data */
    qsort(rg, (size_t)nr, sizeof *rg, by_begin);
    uint64_t at = 0;
    for (int i = 0; i < nr; i++) {
        if (rg[i].begin != at) {
            ax_fail(err, errlen, "%s: tensor '%s' starts at byte %llu of the data, expected %llu (%s)", path,
                 c->t[rg[i].index].name, (unsigned long long)rg[i].begin, (unsigned long long)at,
                 rg[i].begin < at ? "it overlaps another tensor" : "a gap");
            goto done;
        }
        at = rg[i].end;
    }
    if (at != data_len) {
        ax_fail(err, errlen, "%s: the tensors cover %llu bytes but the file holds %llu after the header (%s)", path,
             (unsigned long long)at, (unsigned long long)data_len, at > data_len ? "truncated" : "trailing bytes");
        goto done;
    }
    for (int i = 0; i < nr; i++) {
        ax_ckpt_tensor_t *t = &c->t[rg[i].index];
        t->data = malloc((size_t)(t->count ? t->count : 1) * sizeof(float));
        if (!t->data) {
            ax_fail(err, errlen, "%s: out of memory for tensor '%s'", path, t->name);
            goto done;
        }
        for (int64_t j = 0; j < t->count; j++) t->data[j] = ax_net_value(data + rg[i].begin + (uint64_t)j * rg[i].size, rg[i].kind, rg[i].size, 0);
    }
    rc = 0;
done:
    fclose(f);
    free(b);
    free(hs);
    free(rg);
    cJSON_Delete(h);
    if (rc) ax_ckpt_free(c);
    return rc;
}

/* ---- renaming ---------------------------------------------------------------------- */

enum { RULE_STARS = 8, NAME_MAX_LEN = 256 };

/* Whether name matches pat, each '*' taking the shortest non-empty text that
 * lets the rest match, left to right; the texts into cap[] (begin, length). */
static int glob(const char *pat, const char *name, const char **cb, size_t *cl, int k)
{
    if (!*pat) return !*name;
    if (*pat != '*') return *pat == *name && glob(pat + 1, name + 1, cb, cl, k);
    for (size_t l = 1; name[l - 1]; l++) {
        cb[k] = name, cl[k] = l;
        if (glob(pat + 1, name + l, cb, cl, k + 1)) return 1;
    }
    return 0;
}

static int stars(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '*';
    return n;
}

int ax_ckpt_rename(ax_ckpt_t *c, const char *rules, char *err, size_t errlen)
{
    FILE *f = fopen(rules, "r");
    if (!f) return ax_fail(err, errlen, "%s: cannot open: %s", rules, strerror(errno));
    char *line = NULL, (*from)[NAME_MAX_LEN] = NULL, (*to)[NAME_MAX_LEN] = NULL;
    size_t cap = 0, nr = 0, rcap = 0;
    int rc = 0, lineno = 0;
    ssize_t got;
    while (!rc && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)got != strlen(line)) {
            rc = ax_fail(err, errlen, "%s:%d: a NUL byte in the line", rules, lineno);
            break;
        }
        char a[NAME_MAX_LEN + 1], b[NAME_MAX_LEN + 1], extra[2];
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        int n = sscanf(line, "%256s %256s %1s", a, b, extra);
        if (n <= 0) continue; /* blank or a comment */
        if (n != 2 || strlen(a) >= NAME_MAX_LEN || strlen(b) >= NAME_MAX_LEN)
            rc = ax_fail(err, errlen, "%s:%d: expected 'FROM TO' (two names under %d characters, '*' "
                                      "for any text), got '%.80s'", rules, lineno, NAME_MAX_LEN,
                         strtok(line, "\r\n"));
        else if (stars(a) != stars(b) || stars(a) > RULE_STARS)
            rc = ax_fail(err, errlen, "%s:%d: '%s' and '%s' must hold the same number of '*' (at most "
                                      "%d)", rules, lineno, a, b, RULE_STARS);
        else if (strstr(a, "**"))
            rc = ax_fail(err, errlen, "%s:%d: '%s': two '*' side by side match ambiguously", rules,
                         lineno, a);
        if (rc) break;
        if (nr == rcap) {
            rcap = rcap ? 2 * rcap : 16;
            void *x = realloc(from, rcap * sizeof *from), *y = x ? realloc(to, rcap * sizeof *to) : NULL;
            if (x) from = x;
            if (y) to = y;
            if (!x || !y) {
                rc = ax_fail(err, errlen, "%s: out of memory", rules);
                break;
            }
        }
        memcpy(from[nr], a, strlen(a) + 1), memcpy(to[nr], b, strlen(b) + 1), nr++;
    }
    if (!rc && ferror(f)) rc = ax_fail(err, errlen, "%s: cannot read: %s", rules, strerror(errno));
    fclose(f);
    free(line);
    /* every new name first, then the check that no two agree, then the swap */
    char **names = rc ? NULL : calloc((size_t)c->n + 1, sizeof *names);
    if (!rc && !names) rc = ax_fail(err, errlen, "%s: out of memory", rules);
    int renamed = 0;
    for (int i = 0; !rc && i < c->n; i++) {
        const char *cb[RULE_STARS];
        size_t cl[RULE_STARS];
        size_t r = 0;
        while (r < nr && !glob(from[r], c->t[i].name, cb, cl, 0)) r++;
        if (r == nr) continue;
        char out[4 * NAME_MAX_LEN] = "";
        size_t at = 0;
        int k = 0;
        for (const char *p = to[r]; *p && at < sizeof out - 1; p++) {
            if (*p != '*') {
                out[at++] = *p;
                continue;
            }
            size_t l = cl[k] < sizeof out - 1 - at ? cl[k] : sizeof out - 1 - at;
            memcpy(out + at, cb[k++], l), at += l;
        }
        out[at] = 0;
        if (!(names[i] = strdup(out))) rc = ax_fail(err, errlen, "%s: out of memory", rules);
        renamed++;
    }
    const char **sorted = rc ? NULL : malloc(((size_t)c->n + 1) * sizeof *sorted);
    if (!rc && !sorted) rc = ax_fail(err, errlen, "%s: out of memory", rules);
    for (int i = 0; !rc && i < c->n; i++) sorted[i] = names[i] ? names[i] : c->t[i].name;
    const char *twice = rc ? NULL : first_twice(sorted, c->n);
    if (twice) {
        int x = -1, y = -1;
        for (int i = 0; i < c->n && y < 0; i++)
            if (!strcmp(names[i] ? names[i] : c->t[i].name, twice)) *(x < 0 ? &x : &y) = i;
        rc = ax_fail(err, errlen, "%s: tensors '%.80s' and '%.80s' would both be named '%.80s'", rules,
                     c->t[x].name, c->t[y].name, twice);
    }
    free(sorted);
    for (int i = 0; names && i < c->n; i++) {
        if (!rc && names[i]) {
            free(c->t[i].name);
            c->t[i].name = names[i];
        } else {
            free(names[i]);
        }
    }
    free(names);
    free(from);
    free(to);
    return rc ? -1 : renamed;
}

void ax_ckpt_free(ax_ckpt_t *c)
{
    for (int i = 0; i < c->n; i++) free(c->t[i].name), free(c->t[i].data);
    free(c->t);
    for (int i = 0; i < c->nmeta; i++) free(c->meta_key[i]), free(c->meta_value[i]);
    free(c->meta_key);
    free(c->meta_value);
    memset(c, 0, sizeof *c);
}
