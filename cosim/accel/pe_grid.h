// pe_grid.h — the processing elements of the systolic array: R x C MACs of
// one configuration, each with the cycle protocol of rtl/ax_mac.v (the
// header comment there): a command (valid_i, clear_i, a_i, b_i) is sampled
// at an enabled edge (stage 1, multiply and convert) and retires at the next
// (stage 2, accumulate), reading seed_i then if it clears.
//
// Two implementations of one interface:
//   PeGridRtl<V>  every PE its own instance of the verilated ax_mac V (the
//                 RTL: what the bit check proves equal to the fast path);
//   PeGridC       the same pipeline around ax_mac_step (cmodels/ax_mac.h),
//                 for MAC configurations that are not verilated.
// edge(p, ...) clocks PE p by one enabled edge; the array never clocks a PE
// with en_i = 0 (a PE without work is simply not clocked, which is what
// en_i = 0 does to the RTL: no register changes).
//
// One eval per edge: nothing in ax_mac.v happens on the falling clock and
// its outputs are registers, so the falling half needs no evaluation; the
// model's rising-edge detector (Verilator 5's __Vtrigrprev__TOP__clk_i) is
// re-armed instead. A Verilator without that member gets both halves
// evaluated (twice the time, the same bits).
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "verilated.h"

extern "C" {
#include "ax_mac.h"
}

// One enabled edge of PE p with these inputs
struct PeCmd {
    int p;
    bool valid, clear;
    uint32_t a, b, seed;
};

struct PeGrid {
    virtual ~PeGrid() {}
    // asynchronous reset of every PE: acc_o = +0, flags_o = 0, pipe empty
    virtual void reset() = 0;
    virtual void edge(int p, bool valid, bool clear, uint32_t a, uint32_t b, uint32_t seed) = 0;
    // the edges of one clock cycle, each PE at most once (in any order:
    // the PEs do not see each other within an edge)
    virtual void edges(const PeCmd *c, size_t n)
    {
        for (size_t i = 0; i < n; i++) edge(c[i].p, c[i].valid, c[i].clear, c[i].a, c[i].b, c[i].seed);
    }
    virtual uint32_t acc(int p) const = 0;
    virtual uint32_t flags(int p) const = 0;
    virtual bool valid(int p) const = 0;
    virtual const char *kind() const = 0;
};

// whether Verilator's root class R has the rising-edge detector of clk_i
template <class R, class = void> struct HasClkPrev : std::false_type {};
template <class R>
struct HasClkPrev<R, std::void_t<decltype(std::declval<R &>().__Vtrigrprev__TOP__clk_i)>>
    : std::true_type {};

// PEs from index split on have a Verilator context of their own: the array
// may clock them on another thread (its second lane)
template <class V> class PeGridRtl : public PeGrid {
public:
    PeGridRtl(int n, int split, int in_bits, int acc_bits)
        : in_mask_(mask(in_bits)), acc_mask_(mask(acc_bits))
    {
        ctx_[0].reset(new VerilatedContext);
        ctx_[1].reset(new VerilatedContext);
        pe_.reserve(n);
        for (int p = 0; p < n; p++)
            pe_.emplace_back(new V{ctx_[p >= split].get(), ("pe" + std::to_string(p)).c_str()});
        reset();
    }
    ~PeGridRtl() override
    {
        for (auto &m : pe_) m->final();
    }
    void reset() override
    {
        for (auto &mp : pe_) {
            V &m = *mp;
            m.clk_i = 0;
            m.rst_ni = 0;
            m.en_i = 1;
            m.valid_i = 0;
            m.clear_i = 0;
            m.a_i = 0;
            m.b_i = 0;
            m.seed_i = 0;
            m.eval();
            m.rst_ni = 1;
            m.eval();
        }
    }
    void edge(int p, bool valid, bool clear, uint32_t a, uint32_t b, uint32_t seed) override
    {
        V &m = *pe_[p];
        m.valid_i = valid;
        m.clear_i = clear;
        m.a_i = a & in_mask_;
        m.b_i = b & in_mask_;
        m.seed_i = seed & acc_mask_;
        using Root = std::remove_pointer_t<decltype(m.rootp)>;
        if constexpr (HasClkPrev<Root>::value) {
            m.clk_i = 1;
            m.rootp->__Vtrigrprev__TOP__clk_i = 0; // a rising edge, as after a falling one
            m.eval();
        } else {
            m.clk_i = 1;
            m.eval();
            m.clk_i = 0;
            m.eval();
        }
    }
    uint32_t acc(int p) const override { return pe_[p]->acc_o; }
    uint32_t flags(int p) const override { return pe_[p]->flags_o; }
    bool valid(int p) const override { return pe_[p]->valid_o; }
    const char *kind() const override { return "rtl"; }

private:
    static uint32_t mask(int bits) { return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1; }
    const uint32_t in_mask_, acc_mask_;
    std::unique_ptr<VerilatedContext> ctx_[2]; // declared first: outlive the models
    std::vector<std::unique_ptr<V>> pe_;
};

// the factory the generated accel_models.h lists, one per verilated MAC
template <class V, int IN_BITS, int ACC_BITS> PeGrid *ax_make_pe_grid(int n, int split)
{
    return new PeGridRtl<V>(n, split, IN_BITS, ACC_BITS);
}

class PeGridC : public PeGrid {
public:
    PeGridC(int n, const ax_mac_cfg_t &cfg) : cfg_(cfg), pe_(n) {}
    void reset() override
    {
        for (Pe &e : pe_) e = Pe{};
    }
    void edge(int p, bool valid, bool clear, uint32_t a, uint32_t b, uint32_t seed) override
    {
        Pe &e = pe_[p];
        // stage 2 retires what stage 1 holds
        e.valid_o = e.valid_q;
        if (e.valid_q) {
            uint32_t fl = 0;
            uint32_t in = e.clear_q ? seed : e.acc;
            e.acc = ax_unit_apply(cfg_.add, in, e.term_q, cfg_.acc, cfg_.acc, &fl);
            e.flags = (e.clear_q ? 0 : e.flags) | e.term_flags_q | fl;
        } else if (e.clear_q) {
            e.acc = seed;
            e.flags = 0;
        }
        // stage 1 takes the new command
        e.valid_q = valid;
        e.clear_q = clear;
        if (valid) {
            uint32_t fl = 0;
            uint32_t prod = ax_unit_apply(cfg_.mul, a, b, cfg_.in, cfg_.prod, &fl);
            e.term_q = ax_convert(prod, cfg_.prod, cfg_.acc, &fl);
            e.term_flags_q = fl;
        }
    }
    uint32_t acc(int p) const override { return pe_[p].acc; }
    uint32_t flags(int p) const override { return pe_[p].flags; }
    bool valid(int p) const override { return pe_[p].valid_o; }
    const char *kind() const override { return "c"; }

private:
    struct Pe {
        uint32_t term_q = 0, term_flags_q = 0, acc = 0, flags = 0;
        bool valid_q = false, clear_q = false, valid_o = false;
    };
    ax_mac_cfg_t cfg_;
    std::vector<Pe> pe_;
};
