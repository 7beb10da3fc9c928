/* gen_f32_vectors.c — writes TestFloat-style fp32 vector lines "a b result
 * flags" whose result and flags come from the host FPU, for the CLI tests:
 *   gen_f32_vectors mul|add COUNT SEED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ax_hostcheck.h"
#include "ax_rng.h"
#include "ax_units.h"

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "mul") && strcmp(argv[1], "add"))) {
        fprintf(stderr, "usage: gen_f32_vectors mul|add COUNT SEED\n");
        return 2;
    }
    int kind = strcmp(argv[1], "add") ? AX_KIND_MUL : AX_KIND_ADD;
    long n = atol(argv[2]);
    ax_rng_t r = {strtoull(argv[3], NULL, 10)};
    int ns;
    const uint32_t *sp = ax_hostcheck_f32_specials(&ns);
    for (long k = 0; k < n; k++) {
        uint32_t a, b, fl;
        if (k < ns * ns) { /* every pair of special values first */
            a = sp[k / ns], b = sp[k % ns];
        } else {
            uint64_t z = ax_rng_next(&r);
            a = (uint32_t)z, b = (uint32_t)(z >> 32);
        }
        uint32_t res = ax_host_f32(kind, a, b, &fl);
        printf("%08X %08X %08X %02X\n", a, b, res, fl);
    }
    return 0;
}
