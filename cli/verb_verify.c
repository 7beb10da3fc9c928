/* verb_verify.c — axsim verify: RTL against the C models. The verifier is
 * the C++ program axsim-verify (cosim/verify_builtin.cpp), built with the
 * verilated models when Verilator is installed; this verb runs it, or, with
 * --manifest, builds and runs the verifier of a user's own unit (cosim/byo/). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ax_byo.h"
#include "cli.h"

int ax_verb_verify(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--manifest")) return ax_byo_verify(argc, argv, i);
#ifdef AXSIM_VERIFY_EXE
    const char *exe = AXSIM_VERIFY_EXE;
    if (access(exe, X_OK) != 0) {
        ax_cli_error("verify", "the verifier %s is missing (%s); build it with "
                     "cmake --build build (the target axsim_verify)", exe, strerror(errno));
        return AX_EXIT_FAIL;
    }
    argv[0] = "axsim verify";
    execv(exe, argv);
    ax_cli_error("verify", "cannot run %s: %s", exe, strerror(errno));
    return AX_EXIT_FAIL;
#elif defined(AXSIM_NO_VERILATED)
    ax_cli_error("verify", "this build has no verilated models (configured with "
                 "-DAXSIM_BUILD_VERILATED=OFF), so there is no RTL to check; reconfigure with "
                 "-DAXSIM_BUILD_VERILATED=ON and rebuild");
    return AX_EXIT_FAIL;
#else
    ax_cli_error("verify", "this axsim was built without Verilator, so it has no RTL models; "
                 "install it (apt-get install verilator, or scripts/setup.sh) and rebuild");
    return AX_EXIT_FAIL;
#endif
}
