/* fuzz_data_common.h — the checks fuzz_idx, fuzz_idx_gz and fuzz_npy share
 * on what networks/ax_data.c returns. */
#ifndef AX_FUZZ_DATA_COMMON_H
#define AX_FUZZ_DATA_COMMON_H

#include "ax_data.h"
#include "fuzz_util.h"

typedef int (*fuzz_loader_t)(const char *, ax_array_t *, char *, size_t);

/* Loads path; an accepted array is whole (dims positive up to ndim, count
 * their product, every value readable); a refused file gives a terminated
 * reason. */
static inline void fuzz_check_array(fuzz_loader_t load, const char *path)
{
    ax_array_t a;
    char err[1024];
    memset(&a, 0, sizeof a);
    memset(err, 0x55, sizeof err);
    if (load(path, &a, err, sizeof err) == 0) {
        CHECK(a.ndim >= 0 && a.ndim <= AX_ARRAY_MAX_DIMS, "ndim %d", a.ndim);
        int64_t count = 1;
        for (int i = 0; i < a.ndim; i++) {
            CHECK(a.dims[i] >= 0, "dim %d is %lld", i, (long long)a.dims[i]);
            count *= a.dims[i];
        }
        CHECK(count == a.count, "count %lld, product of dims %lld", (long long)a.count,
              (long long)count);
        CHECK(a.count == 0 || a.data != NULL, "no data for %lld values", (long long)a.count);
        volatile float sink = 0;
        for (int64_t i = 0; i < a.count; i++) sink += a.data[i];
        (void)sink;
        ax_array_free(&a);
    } else {
        fuzz_check_err(err, sizeof err);
        CHECK(a.data == NULL, "a refused file left data");
    }
}

#endif
