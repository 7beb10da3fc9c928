/* verb_hostcheck.c — `axsim hostcheck`: mul_exact and add_exact against the
 * host FPU, bit for bit (cmodels/ax_hostcheck.h). */
#include <stdio.h>

#include "cli.h"
#include "unit_reports.h"

static const char *hostcheck_help =
    "usage: axsim hostcheck [--random N] [--stride S] [--seed S]\n"
    "\n"
    "Checks mul_exact and add_exact against the host FPU, bit for bit:\n"
    "  fp32: every pair of a table of special values (zeros, subnormals, extremes,\n"
    "        infinities, quiet and signaling NaNs), then N weighted random pairs;\n"
    "        IEEE flags compared too (x86-64 detects tininess after rounding).\n"
    "  fp16, bf16: every a against b = 0, S, 2S, ... computed through float (exact\n"
    "        products; sums rounded twice, harmless since 24 >= 2p+2).\n"
    "A NaN result matches any NaN. Exit status 1 on any mismatch.\n"
    "\n"
    "  --random N   fp32 random pairs per unit (default 10000000)\n"
    "  --stride S   16-bit operand-b stride; 1 = all 2^32 pairs (default 251)\n"
    "  --seed S     random seed (default 1)\n";

int ax_verb_hostcheck(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        fputs(hostcheck_help, stdout);
        return AX_EXIT_OK;
    }
    uint64_t nrandom = 10000000, stride = 251, seed = 1;
    int rc = ax_cli_check_opts("hostcheck", argc, argv, &nrandom, &stride, &seed, NULL);
    if (rc >= 0) return rc;
    printf("exact units against the host FPU:\n");
    int bad = ax_cli_hostcheck(nrandom, seed, (uint32_t)stride, NULL, 0);
    printf("%d passed, %d failed\n", 6 - bad, bad);
    return bad ? AX_EXIT_FAIL : AX_EXIT_OK;
}
