// neuron_driver.h — drives a verilated rtl/ax_neuron.v through its cycle
// protocol (the header comment of ax_neuron.v), one time step at a time, to
// be compared with ax_neuron_step (cmodels/ax_neuron.h).
//   AxNeuronRtl<Vax_neuron> n(16);        // bits = 1 + E + M of the membrane format
//   n.reset(seed);
//   AxNeuronOut o = n.step(current);      // U', U'', spike, flags of the step
// V is any Verilator model of ax_neuron (ports clk_i, rst_ni, en_i, cur_i,
// u_o, pre_o, spike_o, next_o, flags_o); each driver owns its own
// VerilatedContext. The seed of each reset picks how often stalls (en_i = 0
// with a random cur_i) come before a step; the reset itself is held for one
// edge with en_i random (the reset wins either way). Checked on every edge:
// u_o is +0 after a reset, unchanged across a stall, and after a step
// exactly the next_o the neuron showed before the edge; protocol_errors()
// counts violations.
#pragma once

#include <cstdint>
#include <memory>

#include "verilated.h"

#include "ax_rng.h"
#include "verify.h"

template <class V> class AxNeuronRtl {
public:
    explicit AxNeuronRtl(int bits)
        : mask_(bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1), ctx_(new VerilatedContext),
          dut_(new V{ctx_.get()})
    {
        V &m = *dut_;
        m.clk_i = 0;
        m.rst_ni = 1;
        m.en_i = 0;
        m.cur_i = 0;
        m.eval();
        reset(0);
    }
    ~AxNeuronRtl() { dut_->final(); }
    AxNeuronRtl(const AxNeuronRtl &) = delete;
    AxNeuronRtl &operator=(const AxNeuronRtl &) = delete;

    // The synchronous reset: one edge with rst_ni = 0; then u_o must be +0.
    void reset(uint64_t seed)
    {
        rng_.s = seed;
        static const uint32_t rates[] = {0, 0, 1, 4, 16, 64}; // stalls, in 1/128 per step
        stall_rate_ = rates[ax_rng_below(&rng_, 6)];
        V &m = *dut_;
        m.rst_ni = 0;
        m.en_i = ax_rng_below(&rng_, 2);
        m.cur_i = garbage();
        edge();
        m.rst_ni = 1;
        m.eval();
        if (m.u_o != 0) errors_++;
    }

    // One time step with input current in: the outputs before the enabled
    // edge, then the edge that takes the step.
    AxNeuronOut step(uint32_t in)
    {
        while (ax_rng_below(&rng_, 128) < stall_rate_) stall();
        V &m = *dut_;
        m.en_i = 1;
        m.cur_i = in & mask_;
        m.eval();
        AxNeuronOut o{(uint32_t)m.pre_o, (uint32_t)m.next_o, (uint32_t)m.flags_o, (int)m.spike_o};
        edge();
        if ((uint32_t)m.u_o != o.next) errors_++;
        return o;
    }

    uint64_t cycles() const { return cycles_; }
    uint64_t protocol_errors() const { return errors_; }

private:
    uint32_t garbage() { return (uint32_t)ax_rng_next(&rng_) & mask_; }

    // One rising and one falling edge with the inputs as set.
    void edge()
    {
        V &m = *dut_;
        m.clk_i = 1;
        m.eval();
        ctx_->timeInc(1);
        m.clk_i = 0;
        m.eval();
        ctx_->timeInc(1);
        cycles_++;
    }

    // en_i = 0 with a random current: the membrane must not change.
    void stall()
    {
        V &m = *dut_;
        const uint32_t u = m.u_o;
        m.en_i = 0;
        m.cur_i = garbage();
        edge();
        if (m.u_o != u) errors_++;
    }

    const uint32_t mask_;
    std::unique_ptr<VerilatedContext> ctx_; // declared first: outlives the model
    std::unique_ptr<V> dut_;
    ax_rng_t rng_{0};
    uint32_t stall_rate_ = 0;
    uint64_t cycles_ = 0, errors_ = 0;
};
