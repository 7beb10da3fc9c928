/* ax_ckpt.h — checkpoints in safetensors, the format PyTorch users export
 * (docs/checkpoints.md): an 8-byte little-endian header length, a JSON header
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}, then the tensor bytes.
 *
 * Loading reads and checks the whole file (header JSON, dtypes, shapes
 * against byte ranges, ranges contiguous and inside the file, unique names)
 * before it returns anything: a corrupt file is an error naming the file, the
 * tensor and the reason, never a half-loaded checkpoint. Saving writes a
 * temporary file in the same folder, flushes it to disk and renames it over
 * the target, so an interrupted save leaves the previous checkpoint whole. */
#ifndef AX_CKPT_H
#define AX_CKPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { AX_CKPT_MAX_DIMS = 8 };

typedef struct ax_ckpt_tensor {
    char *name;
    int ndim;
    int64_t dims[AX_CKPT_MAX_DIMS];
    int64_t count;
    float *data; /* float32; F16, BF16 and F64 files are converted on load */
} ax_ckpt_tensor_t;

typedef struct ax_ckpt {
    int n;
    ax_ckpt_tensor_t *t;
    int nmeta;
    char **meta_key, **meta_value; /* "__metadata__": string to string */
} ax_ckpt_t;

/* Adds a copy of data (count from dims) as tensor name; 0, or -1 (a name
 * given twice, out of memory). */
int ax_ckpt_add(ax_ckpt_t *c, const char *name, int ndim, const int64_t *dims, const float *data,
                char *err, size_t errlen);
/* Sets metadata key to value (replacing an earlier value). */
int ax_ckpt_set_meta(ax_ckpt_t *c, const char *key, const char *value);
const char *ax_ckpt_meta(const ax_ckpt_t *c, const char *key); /* NULL if absent */
/* Metadata key as a number: the whole value must be a decimal number (an
 * integer for _int) within [lo, hi] (finite). 1 with *v, 0 when absent, -1
 * with "path: metadata key 'value': why" in err. */
int ax_ckpt_meta_double(const ax_ckpt_t *c, const char *path, const char *key, double lo, double hi, double *v,
                        char *err, size_t errlen);
int ax_ckpt_meta_int(const ax_ckpt_t *c, const char *path, const char *key, int64_t lo, int64_t hi, int64_t *v,
                     char *err, size_t errlen);

const ax_ckpt_tensor_t *ax_ckpt_find(const ax_ckpt_t *c, const char *name);
/* The tensor name with exactly this shape, or NULL with a message naming the
 * file's shape or the missing tensor (for loading weights into a model). */
const ax_ckpt_tensor_t *ax_ckpt_expect(const ax_ckpt_t *c, const char *path, const char *name,
                                       int ndim, const int64_t *dims, char *err, size_t errlen);

/* Renames c's tensors by the rules of the file rules (docs/checkpoints.md):
 * a line "FROM TO" per rule ('#' starts a comment), '*' in FROM matching any
 * non-empty text (the shortest that lets the rest match) that the '*' of TO,
 * in the same order, repeats. A tensor takes the first rule that matches
 * it, or keeps its name. The number of tensors renamed, or -1 with
 * "file:line: why" (a malformed rule, two tensors given one name; then
 * nothing is renamed). */
int ax_ckpt_rename(ax_ckpt_t *c, const char *rules, char *err, size_t errlen);

int ax_ckpt_save(const char *path, const ax_ckpt_t *c, char *err, size_t errlen);
int ax_ckpt_load(const char *path, ax_ckpt_t *c, char *err, size_t errlen);
void ax_ckpt_free(ax_ckpt_t *c);

#ifdef __cplusplus
}
#endif

#endif /* AX_CKPT_H */
