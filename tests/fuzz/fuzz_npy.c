/* fuzz_npy.c — the NPY reader ax_npy_load (networks/ax_data.c) on any file. */
#include "fuzz_data_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_check_array(ax_npy_load, fuzz_file(data, size));
    return 0;
}
