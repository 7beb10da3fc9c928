/* ax_data.h — datasets for the networks: IDX files (the MNIST family, plain
 * or gzip-compressed) and NPY files (NumPy's format, any other data), read
 * into float32 arrays; image/label datasets with normalization and seeded
 * shuffling (docs/data.md).
 *
 *   char err[512];
 *   ax_dataset_t d;
 *   if (ax_dataset_load_mnist_dir("/usr/share/datasets/fashion-mnist", 1, &d, err, sizeof err))
 *       fprintf(stderr, "%s\n", err);   // names the file, the offset or field, and why
 *
 * Every loader reads the whole file and checks it before returning: a
 * malformed or truncated file gives -1 and a message, never a half-filled
 * array. A reader stops at the size the header declares: a compressed file
 * that expands past it (a gzip bomb) or an endless stream is refused after
 * at most that size plus a bounded count of the excess. */
#ifndef AX_DATA_H
#define AX_DATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { AX_ARRAY_MAX_DIMS = 8 };
/* The most values one array may hold (8 GiB as float32): a header declaring
 * more is refused before anything is read. */
#define AX_ARRAY_MAX_VALUES (INT64_C(1) << 31)

/* A dense row-major array of float32 values. */
typedef struct ax_array {
    int ndim;
    int64_t dims[AX_ARRAY_MAX_DIMS];
    int64_t count; /* product of dims */
    float *data;
    int integral;  /* the file held integers (IDX ubyte..int, NPY ints/bools) */
} ax_array_t;

/* IDX: magic 0 0 type ndim, big-endian dims, big-endian values; type 0x08
 * ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double. A file
 * ending in .gz (or starting with the gzip magic) is decompressed. */
int ax_idx_load(const char *path, ax_array_t *out, char *err, size_t errlen);

/* NPY versions 1-3, C order; dtypes b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8, either
 * byte order. Integers above 2^24 and doubles are rounded to float32 (RNE). */
int ax_npy_load(const char *path, ax_array_t *out, char *err, size_t errlen);

/* By extension: .npy, else IDX. */
int ax_array_load(const char *path, ax_array_t *out, char *err, size_t errlen);
void ax_array_free(ax_array_t *a);

/* Images x[n][c][h][w] (float32) and integer labels y[n] in [0, classes). */
typedef struct ax_dataset {
    int64_t n, c, h, w;
    float *x;
    int32_t *y;
    int32_t classes; /* 1 + the largest label */
} ax_dataset_t;

/* Images from an array of rank 2 (n, features: c = h = 1, w = features), 3 (n,
 * h, w: c = 1) or 4 (n, c, h, w); labels from a rank-1 array of
 * non-negative integers of the same n. Either file IDX or NPY. */
int ax_dataset_load(const char *images, const char *labels, ax_dataset_t *d, char *err,
                    size_t errlen);

/* The MNIST family's folder layout: train-images-idx3-ubyte[.gz] and
 * train-labels-idx1-ubyte[.gz] (train = 1), else t10k-*. */
int ax_dataset_load_mnist_dir(const char *dir, int train, ax_dataset_t *d, char *err,
                              size_t errlen);

/* x = (x * scale - mean) / std for every value (e.g. scale 1/255). */
void ax_dataset_normalize(ax_dataset_t *d, float scale, float mean, float std);

/* Mean and standard deviation (population) of x * scale, in double. */
void ax_dataset_stats(const ax_dataset_t *d, float scale, double *mean, double *std);

/* A permutation of 0..n-1 from seed (Fisher-Yates on ax_rng): the same seed,
 * the same order, on every machine. */
void ax_shuffle(int64_t *perm, int64_t n, uint64_t seed);

void ax_dataset_free(ax_dataset_t *d);

#ifdef __cplusplus
}
#endif

#endif /* AX_DATA_H */
