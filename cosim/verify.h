// verify.h — the RTL verifier behind `axsim verify`: vector plans per level,
// a multi-threaded comparison of verilated RTL against the C models, the
// decoded mismatch report, VCD of the failing vectors and the progress line;
// and the neuron (rtl/ax_neuron.v) over long trajectories of time steps.
//
// An executable that links it lists its designs under test in an array of
// AxDut and calls ax_verify_main (cosim/verify_builtin.cpp for axsim's own
// units; a generated file for a bring-your-own unit, see docs/byo-unit.md).
#ifndef AX_VERIFY_H
#define AX_VERIFY_H

#include <cstddef>
#include <cstdint>
#include <memory>

extern "C" {
#include "ax_format.h"
}

// One instance of a verilated binary unit (a_i, b_i -> r_o, flags_o). Every
// worker thread owns its own instance.
struct AxRtl {
    virtual ~AxRtl() {}
    virtual uint32_t eval(uint32_t a, uint32_t b, uint32_t *flags) = 0;
};

// One instance of a verilated MAC (rtl/ax_mac.v): a whole dot product. A
// driver that sees the cycle protocol broken ORs AX_VERIFY_PROTOCOL into the
// flags it returns.
enum { AX_VERIFY_PROTOCOL = 0x100 };
struct AxMacRtlBase {
    virtual ~AxMacRtlBase() {}
    // the sum starts from init (accumulator format, through seed_i)
    virtual uint32_t dot(const uint32_t *a, const uint32_t *b, size_t n, uint32_t *flags,
                         uint64_t seed, uint32_t init) = 0;
};

// One instance of a verilated DAA processing element (rtl/ax_daa_pe.v): a
// pair of dot products sharing b, stream 0 on a0 from init[0], stream 1 on
// a1 from init[1]; acc[s], flags[s] each stream's result, *hi1 the number of
// terms the RTL gave hi to stream 1. AX_VERIFY_PROTOCOL as for a MAC.
struct AxDaaRtlBase {
    virtual ~AxDaaRtlBase() {}
    virtual void pair(const uint32_t *a0, const uint32_t *a1, const uint32_t *b, size_t n,
                      const uint32_t init[2], uint32_t acc[2], uint32_t flags[2], uint64_t *hi1,
                      uint64_t seed) = 0;
};

// C model of a bring-your-own unit (docs/byo-unit.md).
typedef uint32_t (*ax_c_unit_fn)(uint32_t a, uint32_t b, ax_format_t fi, ax_format_t fo,
                                 uint32_t *flags);

enum AxDutKind { AX_DUT_MUL, AX_DUT_ADD, AX_DUT_MAC, AX_DUT_DAA };

struct AxDut {
    const char *name; // configuration name: unit.in.out[.bugN]
    const char *unit; // unit spec (ax_unit_parse); for a MAC "mul+add", a DAA PE "hi/lo+add"
    const char *fi;   // input format
    const char *fo;   // output format (MAC, DAA: accumulator)
    AxDutKind kind;
    int bug;                    // != 0: planted-bug variant, run only when named
    AxRtl *(*make)();           // binary units
    AxMacRtlBase *(*make_mac)(); // MACs
    ax_c_unit_fn cfn;           // bring-your-own C model (else ax_unit_apply)
    const char *prod;           // MAC: product format
    const char *mul, *add;      // MAC: unit specs
    AxDaaRtlBase *(*make_daa)() = nullptr; // DAA PEs
    const char *daa = nullptr;  // DAA: the whole configuration (ax_mac_parse)
};

// One instance of a verilated neuron (rtl/ax_neuron.v), driven through its
// cycle protocol (cosim/neuron_driver.h). reset() is the synchronous reset
// (membrane := +0); seed picks the stalls the driver inserts until the next
// reset. step() takes one time step with input current in and returns what
// the RTL showed for it; a driver that sees the protocol broken (the
// register not taking next, changing across a stall, not +0 after a reset)
// ORs AX_VERIFY_PROTOCOL into flags.
struct AxNeuronOut {
    uint32_t pre;   // U', the membrane before the reset
    uint32_t next;  // U'', after the reset: the next step's membrane
    uint32_t flags; // the step's flags
    int spike;
};
struct AxNeuronRtlBase {
    virtual ~AxNeuronRtlBase() {}
    virtual void reset(uint64_t seed) = 0;
    virtual AxNeuronOut step(uint32_t in) = 0;
};

struct AxNeuronDut {
    const char *name; // configuration name: neuron.<model>.<fmt>.<units>.<reset>[.bugN]
    const char *spec; // the configuration (ax_neuron_parse), canonical (ax_neuron_name)
    int bug;          // != 0: planted-bug variant, run only when named
    AxNeuronRtlBase *(*make)();
};

// Parses the verify options (see --help) and runs. prog names the command in
// messages ("axsim verify").
int ax_verify_main(int argc, char **argv, const AxDut *duts, size_t n_duts);
// The same with neurons as well (axsim-verify).
int ax_verify_main_neurons(int argc, char **argv, const AxDut *duts, size_t n_duts,
                           const AxNeuronDut *neurons, size_t n_neurons);

#endif
