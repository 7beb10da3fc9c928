// mac_driver.h — drives a verilated rtl/ax_mac.v through its cycle protocol
// (the header comment of ax_mac.v) and reads back dot products, to be
// compared with ax_mac_fold (cmodels/ax_mac.h).
//   AxMacRtl<Vax_mac> mac(16, 32);        // widths of a_i / b_i and of acc_o
//   uint32_t fl, r = mac.dot(a, b, n, &fl, seed, init);
// V is any Verilator model of ax_mac (ports clk_i, rst_ni, en_i, clear_i,
// valid_i, a_i, b_i, acc_o, flags_o, valid_o); each driver owns its own
// VerilatedContext. From the seed, the driver starts a sum either with
// clear_i on its first term or with a clear-only command before it, and
// inserts bubbles (valid_i = 0, random a_i / b_i) and stalls (en_i = 0, every
// input random). It follows each command down the 2-stage pipe and checks
// the protocol on every cycle: valid_o after an enabled edge exactly when a
// term retired, nothing changing across a stall; protocol_errors() counts
// violations. dots() runs several sums back to back with no drain between
// them; dot() is one sum, drained. Each sum starts from its init value
// (accumulator format): seed_i carries it at the edge where the sum's
// clearing command retires and random bits at every other edge, so the
// result is the C fold started at acc = init.
//
// With DAA = true, V is a verilated rtl/ax_daa_pe.v (the same protocol for
// two streams; extra ports a1_i, k_i, seed1_i, acc1_o, flags1_o, hi_o) and
// pair() runs one pair of sums: stream 0 on a, stream 1 on a1, both on b,
// k_i the term's index; it also counts the terms whose hi_o said stream 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "verilated.h"

#include "ax_rng.h"

template <class V, bool DAA = false> class AxMacRtl {
public:
    AxMacRtl(int in_bits, int acc_bits)
        : in_mask_(in_bits >= 32 ? 0xFFFFFFFFu : (1u << in_bits) - 1),
          acc_mask_(acc_bits >= 32 ? 0xFFFFFFFFu : (1u << acc_bits) - 1),
          ctx_(new VerilatedContext), dut_(new V{ctx_.get()})
    {
        reset();
    }
    ~AxMacRtl() { dut_->final(); }
    AxMacRtl(const AxMacRtl &) = delete;
    AxMacRtl &operator=(const AxMacRtl &) = delete;

    // Asynchronous reset, held over two clock edges; then acc_o = +0,
    // flags_o = 0, valid_o = 0 (counted as a protocol error otherwise).
    void reset()
    {
        V &m = *dut_;
        m.clk_i = 0;
        m.rst_ni = 0;
        m.en_i = 1;
        m.valid_i = 0;
        m.clear_i = 0;
        m.a_i = 0;
        m.b_i = 0;
        m.seed_i = 0;
        if constexpr (DAA) {
            m.a1_i = 0;
            m.k_i = 0;
            m.seed1_i = 0;
        }
        m.eval();
        for (int i = 0; i < 2; i++) edge();
        m.rst_ni = 1;
        m.eval();
        stage1_ = stage2_ = Tag{};
        if (m.acc_o != 0 || m.flags_o != 0 || m.valid_o != 0) errors_++;
        if constexpr (DAA) {
            if (m.acc1_o != 0 || m.flags1_o != 0 || m.hi_o != 0) errors_++;
        }
    }

    // One sum of n terms, drained: returns acc_o and writes flags_o to *flags.
    uint32_t dot(const uint32_t *a, const uint32_t *b, size_t n, uint32_t *flags, uint64_t seed,
                 uint32_t init = 0)
    {
        uint32_t acc = 0;
        dots(1, &a, &b, &n, &init, &acc, flags, seed);
        return acc;
    }

    // DAA: one pair of sums of n terms (stream 0: a, from init[0]; stream
    // 1: a1, from init[1]; both b), drained; acc[s], flags[s] each stream's
    // result; *hi1 the number of terms whose hi_o named stream 1.
    void pair(const uint32_t *a, const uint32_t *a1, const uint32_t *b, size_t n,
              const uint32_t init[2], uint32_t acc[2], uint32_t flags[2], uint64_t *hi1,
              uint64_t seed)
    {
        a1_ = a1;
        init1_ = init[1];
        hi1_ = 0;
        dots(1, &a, &b, &n, &init[0], &acc[0], &flags[0], seed);
        acc[1] = acc1_;
        flags[1] = flags1_;
        *hi1 = hi1_;
    }

    // count sums back to back (sum j: a[j][0..n[j]-1], b[j][...], from
    // init[j]), then drained; acc[j], flags[j] are the MAC's outputs when sum
    // j completed.
    void dots(size_t count, const uint32_t *const *a, const uint32_t *const *b, const size_t *n,
              const uint32_t *init, uint32_t *acc, uint32_t *flags, uint64_t seed)
    {
        init_ = init;
        rng_.s = seed;
        // per call: how often a bubble or a stall comes before a command
        static const uint32_t rates[] = {0, 0, 1, 4, 16, 64}; // in 1/128
        bubble_rate_ = rates[ax_rng_below(&rng_, 6)];
        stall_rate_ = rates[ax_rng_below(&rng_, 6)];
        out_acc_ = acc;
        out_flags_ = flags;
        for (size_t j = 0; j < count; j++) {
            if (n[j] == 0) { // an empty sum: a clear alone
                command(false, true, garbage(), garbage(), Tag{true, false, true, j, true});
                continue;
            }
            // start 0: a clear alone, then the first term without clear_i;
            // 1: both; 2..7: clear_i with the first term only
            uint32_t start = ax_rng_below(&rng_, 8);
            if (start < 2) command(false, true, garbage(), garbage(), Tag{true, false, false, j, true});
            for (size_t k = 0; k < n[j]; k++) {
                bool first_clear = k == 0 && start != 0;
                command(true, first_clear, a[j][k], b[j][k], Tag{true, true, k + 1 == n[j], j, first_clear, k});
            }
        }
        while (stage1_.live || stage2_.live) { // drain, stalls included
            if (ax_rng_below(&rng_, 128) < stall_rate_) stall();
            else enabled_edge(false, false, garbage(), garbage(), Tag{});
        }
    }

    uint64_t cycles() const { return cycles_; }
    uint64_t protocol_errors() const { return errors_; }

private:
    struct Tag {
        bool live = false; // a command (term or clear) is in this stage
        bool term = false; // valid_i was 1
        bool last = false; // its sum completes when it retires
        size_t job = 0;
        bool clear = false; // clear_i was 1: it starts the sum from seed_i
        size_t k = 0;       // a term: its index in the sum
        Tag() = default;
        Tag(bool l, bool t, bool la, size_t j, bool c, size_t kk = 0)
            : live(l), term(t), last(la), job(j), clear(c), k(kk) {}
    };

    uint32_t acc_garbage() { return (uint32_t)ax_rng_next(&rng_) & acc_mask_; }

    uint32_t garbage() { return (uint32_t)ax_rng_next(&rng_) & in_mask_; }

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

    // Bubbles and stalls as the rates say, then the command at an enabled edge.
    void command(bool valid, bool clear, uint32_t a, uint32_t b, Tag t)
    {
        for (;;) {
            if (ax_rng_below(&rng_, 128) < stall_rate_) {
                stall();
            } else if (ax_rng_below(&rng_, 128) < bubble_rate_) {
                enabled_edge(false, false, garbage(), garbage(), Tag{});
            } else {
                break;
            }
        }
        enabled_edge(valid, clear, a, b, t);
    }

    // en_i = 0 with every other input random: nothing may change.
    void stall()
    {
        V &m = *dut_;
        const uint32_t acc = m.acc_o, fl = m.flags_o, v = m.valid_o;
        uint32_t acc1 = 0, fl1 = 0, h = 0;
        if constexpr (DAA) {
            acc1 = m.acc1_o, fl1 = m.flags1_o, h = m.hi_o;
            m.a1_i = garbage();
            m.k_i = ax_rng_next(&rng_);
            m.seed1_i = acc_garbage();
        }
        m.en_i = 0;
        m.valid_i = ax_rng_below(&rng_, 2);
        m.clear_i = ax_rng_below(&rng_, 2);
        m.a_i = garbage();
        m.b_i = garbage();
        m.seed_i = acc_garbage();
        edge();
        if (m.acc_o != acc || m.flags_o != fl || m.valid_o != v) errors_++;
        if constexpr (DAA) {
            if (m.acc1_o != acc1 || m.flags1_o != fl1 || m.hi_o != h) errors_++;
        }
    }

    void enabled_edge(bool valid, bool clear, uint32_t a, uint32_t b, Tag t)
    {
        V &m = *dut_;
        // the command retiring at this edge reads seed_i if it is a clear
        const bool seeds = stage1_.live && stage1_.clear;
        m.seed_i = seeds ? init_[stage1_.job] & acc_mask_ : acc_garbage();
        if constexpr (DAA) {
            m.seed1_i = seeds ? init1_ & acc_mask_ : acc_garbage();
            m.a1_i = t.term ? a1_[t.k] & in_mask_ : garbage();
            m.k_i = t.term ? t.k : ax_rng_next(&rng_);
        }
        m.en_i = 1;
        m.valid_i = valid;
        m.clear_i = clear;
        m.a_i = a & in_mask_;
        m.b_i = b & in_mask_;
        edge();
        stage2_ = stage1_;
        stage1_ = t;
        if ((m.valid_o != 0) != (stage2_.live && stage2_.term)) errors_++;
        if (stage2_.live && stage2_.last) {
            out_acc_[stage2_.job] = m.acc_o;
            out_flags_[stage2_.job] = m.flags_o;
            if constexpr (DAA) acc1_ = m.acc1_o, flags1_ = m.flags1_o;
        }
        if constexpr (DAA) {
            if (stage2_.live && stage2_.term) hi1_ += m.hi_o;
        }
    }

    const uint32_t in_mask_, acc_mask_;
    std::unique_ptr<VerilatedContext> ctx_; // declared first: outlives the model
    std::unique_ptr<V> dut_;
    ax_rng_t rng_{0};
    uint32_t bubble_rate_ = 0, stall_rate_ = 0;
    Tag stage1_, stage2_; // the commands in the pipeline register and retiring
    const uint32_t *init_ = nullptr;
    uint32_t *out_acc_ = nullptr, *out_flags_ = nullptr;
    // DAA: stream 1's operands, start, result and the count of hi_o = 1
    const uint32_t *a1_ = nullptr;
    uint32_t init1_ = 0, acc1_ = 0, flags1_ = 0;
    uint64_t hi1_ = 0;
    uint64_t cycles_ = 0, errors_ = 0;
};
