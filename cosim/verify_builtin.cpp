// verify_builtin.cpp — axsim-verify: the verifier over axsim's own RTL, one
// verilated model per configuration of cosim/CMakeLists.txt (the generated
// verify_models.h: units and MACs in AXSIM_VERIFY_DUTS, neurons in
// AXSIM_VERIFY_NEURONS). `axsim verify` runs this program. A bring-your-own
// build (cosim/byo/) compiles it too, with a verify_models.h of its own that
// has no neurons.
#include "verify_model.h"

#include "verify_models.h" // generated: includes, AXSIM_VERIFY_DUTS[, AXSIM_VERIFY_NEURONS]

#ifndef AXSIM_VERIFY_NEURONS
#define AXSIM_VERIFY_NEURONS
#endif

static const AxDut duts[] = {AXSIM_VERIFY_DUTS};
// the last entry only ends the list (an array may not be empty)
static const AxNeuronDut neurons[] = {AXSIM_VERIFY_NEURONS{nullptr, nullptr, 0, nullptr}};

int main(int argc, char **argv)
{
    return ax_verify_main_neurons(argc, argv, duts, sizeof duts / sizeof duts[0], neurons,
                                  sizeof neurons / sizeof neurons[0] - 1);
}
