/* ax_data.c — IDX and NPY readers, image/label datasets (ax_data.h). */
#include "ax_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ax_net_internal.h"
#include "ax_rng.h"

/* A file read as far as its header asks and no further, decompressed when it
 * is gzip (zlib reads plain files as they are): the reader never holds more
 * than the size the header declares, so a gzip bomb or /dev/zero costs no
 * more memory than a file of that size. */
typedef struct src {
    gzFile f;
    const char *path;
    unsigned char *b;
    size_t len, cap;
} src_t;

/* Trailing bytes counted past the declared end before giving up counting. */
#define TAIL_COUNT_MAX ((size_t)1 << 26)

static int src_open(src_t *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    errno = 0;
    s->f = gzopen(path, "rb");
    if (!s->f) return ax_fail(err, errlen, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    return 0;
}

static void src_close(src_t *s)
{
    if (s->f) gzclose(s->f);
    free(s->b);
    memset(s, 0, sizeof *s);
}

static int src_error(src_t *s, char *err, size_t errlen)
{
    int e;
    const char *m = gzerror(s->f, &e);
    return ax_fail(err, errlen, "%s: read error after %zu bytes: %s (a corrupt or truncated gzip file?)", s->path,
                       s->len, e == Z_ERRNO ? strerror(errno) : m);
}

/* Reads until s->len >= want or the end of the file (s->len < want then). */
static int src_fill(src_t *s, size_t want, char *err, size_t errlen)
{
    while (s->len < want) {
        if (s->len == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 65536;
            if (cap > want) cap = want;
            unsigned char *nb = realloc(s->b, cap);
            if (!nb) return ax_fail(err, errlen, "%s: out of memory after %zu bytes", s->path, s->len);
            s->b = nb, s->cap = cap;
        }
        size_t room = s->cap - s->len;
        unsigned chunk = room > (1u << 30) ? (1u << 30) : (unsigned)room;
        int got = gzread(s->f, s->b + s->len, chunk);
        if (got < 0) return src_error(s, err, errlen);
        if (got == 0) break;
        s->len += (size_t)got;
    }
    return 0;
}

/* Bytes after s->len (counted up to TAIL_COUNT_MAX, read and dropped). */
static int src_tail(src_t *s, size_t *tail, char *err, size_t errlen)
{
    unsigned char buf[65536];
    *tail = 0;
    while (*tail <= TAIL_COUNT_MAX) {
        int got = gzread(s->f, buf, sizeof buf);
        if (got < 0) return src_error(s, err, errlen);
        if (got == 0) break;
        *tail += (size_t)got;
    }
    return 0;
}

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int fill(ax_array_t *out, const unsigned char *data, char kind, int size, int big,
                const char *path, char *err, size_t errlen)
{
    out->data = malloc((size_t)(out->count ? out->count : 1) * sizeof(float));
    if (!out->data) return ax_fail(err, errlen, "%s: out of memory for %lld values", path, (long long)out->count);
    if (kind == 'u' && size == 1) /* bytes, the MNIST family's pixels: the common case */
        for (int64_t i = 0; i < out->count; i++) out->data[i] = (float)data[i];
    else
        for (int64_t i = 0; i < out->count; i++) out->data[i] = ax_net_value(data + i * size, kind, size, big);
    out->integral = kind != 'f';
    return 0;
}

/* The values the header declares: reads exactly header + count*size bytes,
 * then checks nothing follows. */
static int read_data(src_t *s, size_t header, int64_t count, int size, char *err, size_t errlen)
{
    if (count > AX_ARRAY_MAX_VALUES)
        return ax_fail(err, errlen, "%s: the header declares %lld values; axsim reads at most %lld per array",
                           s->path, (long long)count, (long long)AX_ARRAY_MAX_VALUES);
    size_t want = header + (size_t)count * (size_t)size, tail;
    if (src_fill(s, want, err, errlen)) return -1;
    if (s->len < want)
        return ax_fail(err, errlen,
                    "%s: truncated: the header says %lld values of %d bytes (%zu bytes of data "
                    "after a %zu-byte header), the file has %zu bytes of data",
                    s->path, (long long)count, size, want - header, header, s->len - header);
    if (src_tail(s, &tail, err, errlen)) return -1;
    if (tail > TAIL_COUNT_MAX)
        return ax_fail(err, errlen, "%s: more than %zu bytes longer than its header says (%lld values of %d bytes)",
                           s->path, TAIL_COUNT_MAX, (long long)count, size);
    if (tail)
        return ax_fail(err, errlen, "%s: %zu bytes longer than its header says (%lld values of %d bytes)",
                           s->path, tail, (long long)count, size);
    return 0;
}

int ax_idx_load(const char *path, ax_array_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    src_t s;
    if (src_open(&s, path, err, errlen)) return -1;
    int rc = -1;
    const unsigned char *b;
    if (src_fill(&s, 4, err, errlen)) goto done;
    b = s.b;
    if (s.len < 4) {
        ax_fail(err, errlen, "%s: not an IDX file: %zu bytes, shorter than the 4-byte magic", path, s.len);
        goto done;
    }
    if (b[0] || b[1]) {
        ax_fail(err, errlen, "%s: not an IDX file: magic %02x %02x %02x %02x (want 00 00 <type> <rank>)",
             path, b[0], b[1], b[2], b[3]);
        goto done;
    }
    char kind;
    int size;
    switch (b[2]) {
    case 0x08: kind = 'u', size = 1; break;
    case 0x09: kind = 'i', size = 1; break;
    case 0x0B: kind = 'i', size = 2; break;
    case 0x0C: kind = 'i', size = 4; break;
    case 0x0D: kind = 'f', size = 4; break;
    case 0x0E: kind = 'f', size = 8; break;
    default:
        ax_fail(err, errlen, "%s: IDX type byte 0x%02x at offset 2 is not one of 08 09 0B 0C 0D 0E", path, b[2]);
        goto done;
    }
    out->ndim = b[3];
    if (out->ndim < 1 || out->ndim > AX_ARRAY_MAX_DIMS) {
        ax_fail(err, errlen, "%s: IDX rank %d at offset 3 is outside 1..%d", path, out->ndim, AX_ARRAY_MAX_DIMS);
        goto done;
    }
    size_t header = 4 + 4 * (size_t)out->ndim;
    if (src_fill(&s, header, err, errlen)) goto done;
    b = s.b;
    if (s.len < header) {
        ax_fail(err, errlen, "%s: truncated in the header: rank %d needs %zu bytes, the file has %zu",
             path, out->ndim, header, s.len);
        goto done;
    }
    for (int i = 0; i < out->ndim; i++) out->dims[i] = (int64_t)be(b + 4 + 4 * i, 4);
    if ((out->count = ax_net_count(out->dims, out->ndim)) < 0) {
        ax_fail(err, errlen, "%s: IDX dimensions too large", path);
        goto done;
    }
    /* IDX stores big-endian; a float's bytes are reassembled the same way */
    if (read_data(&s, header, out->count, size, err, errlen) ||
        fill(out, s.b + header, kind, size, 1, path, err, errlen))
        goto done;
    rc = 0;
done:
    src_close(&s);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

/* ---- NPY ------------------------------------------------------------------------ */

/* The header dict, a Python literal: {'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }. Parsed as that literal, key by key: exactly the three
 * keys, each once, each with a value of its type; nothing but spaces (and
 * numpy's newline) after the closing brace. Returns 0 with the three fields,
 * or -1 naming what is wrong. */
static const char *npy_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

static int npy_bad(const char *path, const char *what, const char *h, const char *at, char *err, size_t errlen)
{
    return ax_fail(err, errlen, "%s: NPY header: %s at byte %ld of '%.120s%s'", path, what, (long)(at - h), h,
                       strlen(h) > 120 ? "..." : "");
}

static int npy_header(const char *h, const char *path, char *descr, size_t dlen, int *fortran,
                      ax_array_t *out, char *err, size_t errlen)
{
    int seen[3] = {0, 0, 0}; /* descr, fortran_order, shape */
    const char *s = npy_ws(h);
    if (*s++ != '{') return npy_bad(path, "not a dict (no '{')", h, s - 1, err, errlen);
    for (;;) {
        s = npy_ws(s);
        if (*s == '}') break;
        if (*s != '\'' && *s != '"') return npy_bad(path, "expected a quoted key or '}'", h, s, err, errlen);
        char q = *s++;
        const char *k = s, *ke = strchr(s, q);
        if (!ke) return npy_bad(path, "unterminated key", h, k, err, errlen);
        size_t kl = (size_t)(ke - k);
        int which = kl == 5 && !strncmp(k, "descr", 5) ? 0 : kl == 13 && !strncmp(k, "fortran_order", 13) ? 1
                  : kl == 5 && !strncmp(k, "shape", 5) ? 2 : -1;
        if (which < 0) return npy_bad(path, "unknown key (want 'descr', 'fortran_order', 'shape')", h, k, err, errlen);
        if (seen[which]++) return npy_bad(path, "key given twice", h, k, err, errlen);
        s = npy_ws(ke + 1);
        if (*s++ != ':') return npy_bad(path, "expected ':' after the key", h, s - 1, err, errlen);
        s = npy_ws(s);
        if (which == 0) {
            if (*s != '\'' && *s != '"')
                return npy_bad(path, "'descr' is not a simple type string (structured dtypes are not supported)", h, s,
                               err, errlen);
            char dq = *s++;
            const char *e = strchr(s, dq);
            if (!e || (size_t)(e - s) >= dlen) return npy_bad(path, "'descr' is malformed", h, s, err, errlen);
            memcpy(descr, s, (size_t)(e - s));
            descr[e - s] = 0;
            s = e + 1;
        } else if (which == 1) {
            if (!strncmp(s, "True", 4)) *fortran = 1, s += 4;
            else if (!strncmp(s, "False", 5)) *fortran = 0, s += 5;
            else return npy_bad(path, "'fortran_order' is neither True nor False", h, s, err, errlen);
        } else {
            if (*s++ != '(') return npy_bad(path, "'shape' is not a tuple", h, s - 1, err, errlen);
            out->ndim = 0;
            for (;;) {
                s = npy_ws(s);
                if (*s == ')') break;
                if (*s < '0' || *s > '9') return npy_bad(path, "'shape' holds a bad dimension", h, s, err, errlen);
                char *end;
                errno = 0;
                long long v = strtoll(s, &end, 10);
                if (errno) return npy_bad(path, "'shape' holds a bad dimension", h, s, err, errlen);
                if (out->ndim == AX_ARRAY_MAX_DIMS)
                    return ax_fail(err, errlen, "%s: NPY rank above %d", path, AX_ARRAY_MAX_DIMS);
                out->dims[out->ndim++] = v;
                s = npy_ws(end);
                if (*s == ',') s++;
                else if (*s != ')') return npy_bad(path, "'shape' is malformed", h, s, err, errlen);
            }
            s++;
        }
        s = npy_ws(s);
        if (*s == ',') s++;
        else if (*s != '}') return npy_bad(path, "expected ',' or '}' after a value", h, s, err, errlen);
    }
    s++;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    if (*s) return npy_bad(path, "text after the closing '}'", h, s, err, errlen);
    if (!seen[0] || !seen[1] || !seen[2])
        return ax_fail(err, errlen, "%s: NPY header lacks %s: %.120s", path,
                           !seen[0] ? "'descr'" : !seen[1] ? "'fortran_order'" : "'shape'", h);
    return 0;
}

/* The longest NPY header read (numpy pads it to 64 bytes; a plain dtype needs
 * well under a kilobyte). */
#define NPY_HEADER_MAX 65536

int ax_npy_load(const char *path, ax_array_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    src_t s;
    if (src_open(&s, path, err, errlen)) return -1;
    int rc = -1;
    char *h = NULL;
    if (src_fill(&s, 12, err, errlen)) goto done;
    const unsigned char *b = s.b;
    if (s.len < 10 || memcmp(b, "\x93NUMPY", 6)) {
        ax_fail(err, errlen, "%s: not an NPY file (no \\x93NUMPY magic)", path);
        goto done;
    }
    int major = b[6];
    if (major < 1 || major > 3) {
        ax_fail(err, errlen, "%s: NPY version %d.%d is not 1, 2 or 3", path, major, b[7]);
        goto done;
    }
    if (major > 1 && s.len < 12) {
        ax_fail(err, errlen, "%s: truncated in the NPY header (%zu bytes, the header needs 12)", path, s.len);
        goto done;
    }
    size_t hl = major == 1 ? (size_t)le(b + 8, 2) : (size_t)le(b + 8, 4);
    size_t start = major == 1 ? 10 : 12;
    if (hl > NPY_HEADER_MAX) {
        ax_fail(err, errlen, "%s: NPY header of %zu bytes; axsim reads at most %d (plain dtypes only)", path, hl,
                    NPY_HEADER_MAX);
        goto done;
    }
    if (src_fill(&s, start + hl, err, errlen)) goto done;
    b = s.b;
    if (start + hl > s.len) {
        ax_fail(err, errlen, "%s: truncated in the NPY header (%zu bytes, the header needs %zu)", path, s.len,
                    start + hl);
        goto done;
    }
    h = malloc(hl + 1);
    if (!h) {
        ax_fail(err, errlen, "%s: out of memory", path);
        goto done;
    }
    memcpy(h, b + start, hl);
    h[hl] = 0;
    if (strlen(h) != hl) {
        ax_fail(err, errlen, "%s: NPY header holds a NUL byte at byte %zu", path, strlen(h));
        goto done;
    }
    char descr[16];
    int fortran = 0;
    if (npy_header(h, path, descr, sizeof descr, &fortran, out, err, errlen)) goto done;
    if ((out->count = ax_net_count(out->dims, out->ndim)) < 0) {
        ax_fail(err, errlen, "%s: NPY shape too large", path);
        goto done;
    }
    if (fortran && out->ndim > 1) {
        ax_fail(err, errlen, "%s: Fortran-order arrays are not supported; save with np.ascontiguousarray", path);
        goto done;
    }
    char order = descr[0], kind = order ? descr[1] : 0;
    int size = 0;
    if (kind && descr[2] >= '1' && descr[2] <= '9' && !descr[3]) size = descr[2] - '0';
    int known = (order == '<' || order == '>' || order == '|' || order == '=') &&
                ((kind == 'b' && size == 1) || ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                 (kind == 'f' && (size == 2 || size == 4 || size == 8)));
    if (!known) {
        ax_fail(err, errlen, "%s: NPY dtype '%s' is not supported (b1, i1-i8, u1-u8, f2, f4, f8)", path, descr);
        goto done;
    }
    if (read_data(&s, start + hl, out->count, size, err, errlen) ||
        fill(out, s.b + start + hl, kind, size, order == '>', path, err, errlen))
        goto done;
    rc = 0;
done:
    free(h);
    src_close(&s);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

int ax_array_load(const char *path, ax_array_t *out, char *err, size_t errlen)
{
    size_t n = strlen(path);
    if (n >= 4 && !strcmp(path + n - 4, ".npy")) return ax_npy_load(path, out, err, errlen);
    return ax_idx_load(path, out, err, errlen);
}

void ax_array_free(ax_array_t *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- datasets -------------------------------------------------------------------- */

int ax_dataset_load(const char *images, const char *labels, ax_dataset_t *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    ax_array_t x, y;
    if (ax_array_load(images, &x, err, errlen)) return -1;
    if (ax_array_load(labels, &y, err, errlen)) {
        ax_array_free(&x);
        return -1;
    }
    int rc = -1;
    if (x.ndim < 2 || x.ndim > 4) {
        ax_fail(err, errlen, "%s: images must have rank 2, 3 or 4 (n, [c,] [h,] w), not %d", images, x.ndim);
        goto done;
    }
    if (y.ndim != 1) {
        ax_fail(err, errlen, "%s: labels must have rank 1, not %d", labels, y.ndim);
        goto done;
    }
    if (x.dims[0] != y.dims[0]) {
        ax_fail(err, errlen, "%s holds %lld images but %s holds %lld labels", images, (long long)x.dims[0],
             labels, (long long)y.dims[0]);
        goto done;
    }
    if (x.dims[0] == 0 || x.count == 0) {
        ax_fail(err, errlen, "%s: no images", images);
        goto done;
    }
    d->y = malloc((size_t)y.count * sizeof *d->y);
    if (!d->y) {
        ax_fail(err, errlen, "%s: out of memory", labels);
        goto done;
    }
    for (int64_t i = 0; i < y.count; i++) {
        float v = y.data[i];
        if (!(v >= 0) || v != floorf(v) || v > 65535) {
            ax_fail(err, errlen, "%s: label %lld is %g: labels must be integers in 0..65535", labels, (long long)i,
                 (double)v);
            goto done;
        }
        d->y[i] = (int32_t)v;
        if (d->y[i] + 1 > d->classes) d->classes = d->y[i] + 1;
    }
    for (int64_t i = 0; i < x.count; i++)
        if (!isfinite(x.data[i])) {
            ax_fail(err, errlen, "%s: value %lld is %g: images must be finite numbers", images, (long long)i,
                        (double)x.data[i]);
            goto done;
        }
    d->n = x.dims[0];
    d->c = x.ndim == 4 ? x.dims[1] : 1;
    d->h = x.ndim == 2 ? 1 : x.dims[x.ndim - 2];
    d->w = x.dims[x.ndim - 1];
    d->x = x.data;
    x.data = NULL;
    rc = 0;
done:
    ax_array_free(&x);
    ax_array_free(&y);
    if (rc) ax_dataset_free(d);
    return rc;
}

int ax_dataset_load_mnist_dir(const char *dir, int train, ax_dataset_t *d, char *err, size_t errlen)
{
    const char *pre = train ? "train" : "t10k";
    char img[4096], lab[4096];
    for (int gz = 0; gz < 2; gz++) {
        snprintf(img, sizeof img, "%s/%s-images-idx3-ubyte%s", dir, pre, gz ? ".gz" : "");
        snprintf(lab, sizeof lab, "%s/%s-labels-idx1-ubyte%s", dir, pre, gz ? ".gz" : "");
        FILE *f = fopen(img, "rb");
        if (f) {
            fclose(f);
            return ax_dataset_load(img, lab, d, err, errlen);
        }
    }
    memset(d, 0, sizeof *d);
    return ax_fail(err, errlen, "%s: no %s-images-idx3-ubyte[.gz] here (the MNIST family's file names)", dir, pre);
}

void ax_dataset_normalize(ax_dataset_t *d, float scale, float mean, float std)
{
    const int64_t n = d->n * d->c * d->h * d->w;
    for (int64_t i = 0; i < n; i++) d->x[i] = (d->x[i] * scale - mean) / std;
}

void ax_dataset_stats(const ax_dataset_t *d, float scale, double *mean, double *std)
{
    const int64_t n = d->n * d->c * d->h * d->w;
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = (double)d->x[i] * scale;
        s += v, s2 += v * v;
    }
    *mean = s / (double)n;
    double var = s2 / (double)n - *mean * *mean;
    *std = var > 0 ? sqrt(var) : 0;
}

void ax_shuffle(int64_t *perm, int64_t n, uint64_t seed)
{
    ax_rng_t r = {seed};
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(ax_rng_next(&r) % (uint64_t)(i + 1));
        int64_t t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
}

void ax_dataset_free(ax_dataset_t *d)
{
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}
