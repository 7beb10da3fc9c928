/* ax_atomic.h — files replaced whole or not at all: checkpoints, results,
 * JSON reports. The new content goes to "<path>.tmp.<pid>" in path's folder,
 * is flushed to disk (fsync) and renamed over path; any failure (a full disk,
 * a read-only folder) removes the temporary file and leaves what was at path
 * as it was. Temporaries of path left by a killed process (one whose pid no
 * longer runs) are removed when the next one is created. */
#ifndef AX_ATOMIC_H
#define AX_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ax_atomic {
    FILE *f;          /* write the content here */
    const char *path;
    char tmp[4200];
} ax_atomic_t;

/* Opens the temporary file for path. 0, or -1 with "path: cannot write ...:
 * reason" in err. */
int ax_atomic_begin(ax_atomic_t *a, const char *path, char *err, size_t errlen);
/* Flushes, syncs and renames over path. 0, or -1 with the reason and "the
 * previous file, if any, is unchanged" in err (the temporary is removed). */
int ax_atomic_commit(ax_atomic_t *a, char *err, size_t errlen);
/* Closes and removes the temporary file. */
void ax_atomic_abort(ax_atomic_t *a);
/* begin + fwrite(data, n) + commit. */
int ax_atomic_write(const char *path, const void *data, size_t n, char *err, size_t errlen);
/* Whether a file can be created in path's folder (creates and removes a
 * temporary): for refusing a run that could not save its results, before it
 * runs. 0, or -1 with the reason. */
int ax_atomic_probe(const char *path, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* AX_ATOMIC_H */
