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

/* The whole file, decompressed when it is gzip (zlib reads plain files as
 * they are). */
static int read_all(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return ax_net_fail(err, errlen, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    size_t cap = 1 << 20, n = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        if (!b) {
            gzclose(f);
            return ax_net_fail(err, errlen, "%s: out of memory after %zu bytes", path, n);
        }
        if (n == cap) {
            unsigned char *nb = realloc(b, cap * 2);
            if (!nb) free(b);
            b = nb, cap *= 2;
            continue;
        }
        unsigned want = cap - n > (1u << 30) ? (1u << 30) : (unsigned)(cap - n);
        int got = gzread(f, b + n, want);
        if (got < 0) {
            int e;
            const char *m = gzerror(f, &e);
            char msg[256];
            snprintf(msg, sizeof msg, "%s", e == Z_ERRNO ? strerror(errno) : m);
            free(b);
            gzclose(f);
            return ax_net_fail(err, errlen, "%s: read error after %zu bytes: %s (a corrupt or truncated gzip file?)",
                        path, n, msg);
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    gzclose(f);
    *buf = b, *len = n;
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
    if (!out->data) return ax_net_fail(err, errlen, "%s: out of memory for %lld values", path, (long long)out->count);
    if (kind == 'u' && size == 1) /* bytes, the MNIST family's pixels: the common case */
        for (int64_t i = 0; i < out->count; i++) out->data[i] = (float)data[i];
    else
        for (int64_t i = 0; i < out->count; i++) out->data[i] = ax_net_value(data + i * size, kind, size, big);
    out->integral = kind != 'f';
    return 0;
}

static int check_length(const char *path, size_t len, size_t header, int64_t count, int size,
                        char *err, size_t errlen)
{
    uint64_t want = (uint64_t)header + (uint64_t)count * (uint64_t)size;
    if (len < want)
        return ax_net_fail(err, errlen,
                    "%s: truncated: the header says %lld values of %d bytes (%llu bytes of data "
                    "after a %zu-byte header), the file has %zu bytes of data",
                    path, (long long)count, size, (unsigned long long)(want - header), header, len - header);
    if (len > want)
        return ax_net_fail(err, errlen, "%s: %llu bytes longer than its header says (%lld values of %d bytes)",
                    path, (unsigned long long)(len - want), (long long)count, size);
    return 0;
}

int ax_idx_load(const char *path, ax_array_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    unsigned char *b;
    size_t len;
    if (read_all(path, &b, &len, err, errlen)) return -1;
    int rc = -1;
    if (len < 4) {
        ax_net_fail(err, errlen, "%s: not an IDX file: %zu bytes, shorter than the 4-byte magic", path, len);
        goto done;
    }
    if (b[0] || b[1]) {
        ax_net_fail(err, errlen, "%s: not an IDX file: magic %02x %02x %02x %02x (want 00 00 <type> <rank>)",
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
        ax_net_fail(err, errlen, "%s: IDX type byte 0x%02x at offset 2 is not one of 08 09 0B 0C 0D 0E", path, b[2]);
        goto done;
    }
    out->ndim = b[3];
    if (out->ndim < 1 || out->ndim > AX_ARRAY_MAX_DIMS) {
        ax_net_fail(err, errlen, "%s: IDX rank %d at offset 3 is outside 1..%d", path, out->ndim, AX_ARRAY_MAX_DIMS);
        goto done;
    }
    size_t header = 4 + 4 * (size_t)out->ndim;
    if (len < header) {
        ax_net_fail(err, errlen, "%s: truncated in the header: rank %d needs %zu bytes, the file has %zu",
             path, out->ndim, header, len);
        goto done;
    }
    for (int i = 0; i < out->ndim; i++) out->dims[i] = (int64_t)be(b + 4 + 4 * i, 4);
    if ((out->count = ax_net_count(out->dims, out->ndim)) < 0) {
        ax_net_fail(err, errlen, "%s: IDX dimensions too large", path);
        goto done;
    }
    /* IDX stores big-endian; a float's bytes are reassembled the same way */
    if (check_length(path, len, header, out->count, size, err, errlen) ||
        fill(out, b + header, kind, size, 1, path, err, errlen))
        goto done;
    rc = 0;
done:
    free(b);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

/* ---- NPY ------------------------------------------------------------------------ */

/* The header dict, a Python literal: {'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }. Returns 0 with the three fields, or -1 naming what is
 * wrong. */
static int npy_header(const char *h, const char *path, char *descr, size_t dlen, int *fortran,
                      ax_array_t *out, char *err, size_t errlen)
{
    const char *d = strstr(h, "'descr'"), *f = strstr(h, "'fortran_order'"), *s = strstr(h, "'shape'");
    if (!d || !f || !s)
        return ax_net_fail(err, errlen, "%s: NPY header lacks %s: %s", path,
                    !d ? "'descr'" : !f ? "'fortran_order'" : "'shape'", h);
    d = strchr(d + 7, ':');
    if (d) d += strspn(d + 1, " ") + 1;
    if (!d || *d != '\'') return ax_net_fail(err, errlen, "%s: NPY 'descr' is not a simple type string (structured dtypes are not supported): %s", path, h);
    const char *e = strchr(d + 1, '\'');
    if (!e || (size_t)(e - d - 1) >= dlen) return ax_net_fail(err, errlen, "%s: NPY 'descr' is malformed: %s", path, h);
    memcpy(descr, d + 1, (size_t)(e - d - 1));
    descr[e - d - 1] = 0;
    f = strchr(f + 15, ':');
    if (f) f += strspn(f + 1, " ") + 1;
    if (f && !strncmp(f, "True", 4)) *fortran = 1;
    else if (f && !strncmp(f, "False", 5)) *fortran = 0;
    else return ax_net_fail(err, errlen, "%s: NPY 'fortran_order' is neither True nor False: %s", path, h);
    s = strchr(s + 7, ':');
    if (s) s += strspn(s + 1, " ") + 1;
    if (!s || *s != '(') return ax_net_fail(err, errlen, "%s: NPY 'shape' is not a tuple: %s", path, h);
    s++;
    out->ndim = 0;
    for (;;) {
        s += strspn(s, " ");
        if (*s == ')') break;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || v < 0 || errno) return ax_net_fail(err, errlen, "%s: NPY 'shape' holds a bad dimension: %s", path, h);
        if (out->ndim == AX_ARRAY_MAX_DIMS) return ax_net_fail(err, errlen, "%s: NPY rank above %d", path, AX_ARRAY_MAX_DIMS);
        out->dims[out->ndim++] = v;
        s = end + strspn(end, " ");
        if (*s == ',') s++;
        else if (*s != ')') return ax_net_fail(err, errlen, "%s: NPY 'shape' is malformed: %s", path, h);
    }
    return 0;
}

int ax_npy_load(const char *path, ax_array_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    unsigned char *b;
    size_t len;
    if (read_all(path, &b, &len, err, errlen)) return -1;
    int rc = -1;
    char *h = NULL;
    if (len < 10 || memcmp(b, "\x93NUMPY", 6)) {
        ax_net_fail(err, errlen, "%s: not an NPY file (no \\x93NUMPY magic)", path);
        goto done;
    }
    int major = b[6];
    if (major < 1 || major > 3) {
        ax_net_fail(err, errlen, "%s: NPY version %d.%d is not 1, 2 or 3", path, major, b[7]);
        goto done;
    }
    size_t hl = major == 1 ? (size_t)le(b + 8, 2) : (len >= 12 ? (size_t)le(b + 8, 4) : SIZE_MAX);
    size_t start = major == 1 ? 10 : 12;
    if (hl == SIZE_MAX || start + hl > len) {
        ax_net_fail(err, errlen, "%s: truncated in the NPY header (%zu bytes, the header needs %zu)", path, len,
             hl == SIZE_MAX ? (size_t)12 : start + hl);
        goto done;
    }
    h = malloc(hl + 1);
    if (!h) {
        ax_net_fail(err, errlen, "%s: out of memory", path);
        goto done;
    }
    memcpy(h, b + start, hl);
    h[hl] = 0;
    char descr[16];
    int fortran = 0;
    if (npy_header(h, path, descr, sizeof descr, &fortran, out, err, errlen)) goto done;
    if ((out->count = ax_net_count(out->dims, out->ndim)) < 0) {
        ax_net_fail(err, errlen, "%s: NPY shape too large", path);
        goto done;
    }
    if (fortran && out->ndim > 1) {
        ax_net_fail(err, errlen, "%s: Fortran-order arrays are not supported; save with np.ascontiguousarray", path);
        goto done;
    }
    char order = descr[0], kind = descr[1];
    int size = atoi(descr + 2);
    int known = (order == '<' || order == '>' || order == '|' || order == '=') &&
                ((kind == 'b' && size == 1) || ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                 (kind == 'f' && (size == 2 || size == 4 || size == 8)));
    if (!known || strlen(descr) > 3 + (size >= 10)) {
        ax_net_fail(err, errlen, "%s: NPY dtype '%s' is not supported (b1, i1-i8, u1-u8, f2, f4, f8)", path, descr);
        goto done;
    }
    if (check_length(path, len, start + hl, out->count, size, err, errlen) ||
        fill(out, b + start + hl, kind, size, order == '>', path, err, errlen))
        goto done;
    rc = 0;
done:
    free(h);
    free(b);
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
        ax_net_fail(err, errlen, "%s: images must have rank 2, 3 or 4 (n, [c,] [h,] w), not %d", images, x.ndim);
        goto done;
    }
    if (y.ndim != 1) {
        ax_net_fail(err, errlen, "%s: labels must have rank 1, not %d", labels, y.ndim);
        goto done;
    }
    if (x.dims[0] != y.dims[0]) {
        ax_net_fail(err, errlen, "%s holds %lld images but %s holds %lld labels", images, (long long)x.dims[0],
             labels, (long long)y.dims[0]);
        goto done;
    }
    if (x.dims[0] == 0 || x.count == 0) {
        ax_net_fail(err, errlen, "%s: no images", images);
        goto done;
    }
    d->y = malloc((size_t)y.count * sizeof *d->y);
    if (!d->y) {
        ax_net_fail(err, errlen, "%s: out of memory", labels);
        goto done;
    }
    for (int64_t i = 0; i < y.count; i++) {
        float v = y.data[i];
        if (!(v >= 0) || v != floorf(v) || v > 65535) {
            ax_net_fail(err, errlen, "%s: label %lld is %g: labels must be integers in 0..65535", labels, (long long)i,
                 (double)v);
            goto done;
        }
        d->y[i] = (int32_t)v;
        if (d->y[i] + 1 > d->classes) d->classes = d->y[i] + 1;
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
    return ax_net_fail(err, errlen, "%s: no %s-images-idx3-ubyte[.gz] here (the MNIST family's file names)", dir, pre);
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
