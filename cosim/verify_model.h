// verify_model.h — adapts a verilated unit (a class V made by Verilator from
// rtl/ax_mul.v, rtl/ax_add.v or a bring-your-own module with the same ports)
// to the verifier's AxRtl interface, a verilated MAC to AxMacRtlBase, a
// verilated DAA PE to AxDaaRtlBase and a verilated neuron to AxNeuronRtlBase. Each instance has its own context, so
// worker threads never share Verilator state.
#ifndef AX_VERIFY_MODEL_H
#define AX_VERIFY_MODEL_H

#include "verilated.h"

#include "mac_driver.h"
#include "neuron_driver.h"
#include "verify.h"

template <class V> struct AxRtlModel : AxRtl {
    VerilatedContext ctx;
    V m{&ctx, "dut"};
    uint32_t eval(uint32_t a, uint32_t b, uint32_t *flags) override
    {
        m.a_i = a;
        m.b_i = b;
        m.eval();
        *flags = m.flags_o;
        return m.r_o;
    }
};
template <class V> AxRtl *ax_make_rtl() { return new AxRtlModel<V>(); }

// A verilated rtl/ax_mac.v (IN_BITS = width of a_i, b_i, ACC_BITS of acc_o) through the cycle
// driver of mac_driver.h; a protocol violation seen by the driver (valid_o
// wrong, a change across a stall) sets AX_VERIFY_PROTOCOL in the flags, so
// it is reported like a wrong result.
template <class V, int IN_BITS, int ACC_BITS> struct AxMacModel : AxMacRtlBase {
    AxMacRtl<V> r{IN_BITS, ACC_BITS};
    uint32_t dot(const uint32_t *a, const uint32_t *b, size_t n, uint32_t *flags, uint64_t seed,
                 uint32_t init) override
    {
        uint64_t e0 = r.protocol_errors();
        uint32_t acc = r.dot(a, b, n, flags, seed, init);
        if (r.protocol_errors() != e0) *flags |= AX_VERIFY_PROTOCOL;
        return acc;
    }
};
template <class V, int IN_BITS, int ACC_BITS> AxMacRtlBase *ax_make_mac()
{
    return new AxMacModel<V, IN_BITS, ACC_BITS>();
}

// A verilated rtl/ax_daa_pe.v through the same driver in its DAA mode.
template <class V, int IN_BITS, int ACC_BITS> struct AxDaaModel : AxDaaRtlBase {
    AxMacRtl<V, true> r{IN_BITS, ACC_BITS};
    void pair(const uint32_t *a0, const uint32_t *a1, const uint32_t *b, size_t n,
              const uint32_t init[2], uint32_t acc[2], uint32_t flags[2], uint64_t *hi1,
              uint64_t seed) override
    {
        uint64_t e0 = r.protocol_errors();
        r.pair(a0, a1, b, n, init, acc, flags, hi1, seed);
        if (r.protocol_errors() != e0) flags[0] |= AX_VERIFY_PROTOCOL, flags[1] |= AX_VERIFY_PROTOCOL;
    }
};
template <class V, int IN_BITS, int ACC_BITS> AxDaaRtlBase *ax_make_daa()
{
    return new AxDaaModel<V, IN_BITS, ACC_BITS>();
}

// A verilated rtl/ax_neuron.v (BITS = width of the membrane format) through
// the cycle driver of neuron_driver.h; a protocol violation seen since the
// last step (after a reset, across a stall, at the step's edge) sets
// AX_VERIFY_PROTOCOL in the step's flags.
template <class V, int BITS> struct AxNeuronModel : AxNeuronRtlBase {
    AxNeuronRtl<V> r{BITS};
    uint64_t seen = 0;
    void reset(uint64_t seed) override { r.reset(seed); }
    AxNeuronOut step(uint32_t in) override
    {
        AxNeuronOut o = r.step(in);
        if (r.protocol_errors() != seen) {
            seen = r.protocol_errors();
            o.flags |= AX_VERIFY_PROTOCOL;
        }
        return o;
    }
};
template <class V, int BITS> AxNeuronRtlBase *ax_make_neuron() { return new AxNeuronModel<V, BITS>(); }

#endif
