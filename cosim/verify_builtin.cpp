// verify_builtin.cpp — axsim-verify: the verifier over axsim's own RTL, one
// verilated model per configuration of cosim/CMakeLists.txt (the generated
// verify_models.h). `axsim verify` runs this program.
#include "verify_model.h"

#include "verify_models.h" // generated: includes, AXSIM_VERIFY_DUTS

static const AxDut duts[] = {AXSIM_VERIFY_DUTS};

int main(int argc, char **argv)
{
    return ax_verify_main(argc, argv, duts, sizeof duts / sizeof duts[0]);
}
