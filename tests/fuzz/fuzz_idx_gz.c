/* fuzz_idx_gz.c — the IDX reader ax_idx_load (networks/ax_data.c) on gzip
 * files: the input is an IDX file, compressed here, so that the fuzzer
 * explores what the reader does with the decompressed content (fuzz_idx
 * feeds raw bytes, gzip or not). */
#include <zlib.h>

#include "fuzz_data_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    uLong cap = deflateBound(&z, (uLong)size) + 64;
    uint8_t *gz = malloc(cap);
    if (!gz) abort();
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)size;
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    fuzz_check_array(ax_idx_load, fuzz_file(gz, n));
    free(gz);
    return 0;
}
