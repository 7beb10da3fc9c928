/* fuzz_idx.c — the IDX reader ax_idx_load (networks/ax_data.c) on any file,
 * plain or gzip (by its magic, as the reader detects it). */
#include "fuzz_data_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_check_array(ax_idx_load, fuzz_file(data, size));
    return 0;
}
