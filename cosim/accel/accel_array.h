// accel_array.h — the cycle-accurate systolic array (SystemC): R x C PEs
// (pe_grid.h: the verilated rtl/ax_mac.v, or its C twin), the operand
// registers between them, the feeders at the left and top edges that skew
// the operands in, and a controller that runs a GEMM fold by fold with the
// timing of ax_accel.h (docs/accelerator.md walks through it).
//
// One SC_MODULE, clocked by an sc_clock: the controller is an SC_CTHREAD
// that advances one clock cycle per wait(). At each rising edge every PE
// with work is clocked once (rtl/ax_mac.v's enabled edge); a PE without
// work is not (en_i = 0: nothing changes). Per PE and cycle:
//   os      a from the left neighbour (row feeder at column 0), b from the
//           one above (column feeder at row 0); a term when both carry one,
//           clear on k = 0; the result is read when k = T-1 retires
//   ws, is  the streamed operand from the left; the stationary one in the
//           PE's register (shifted down the column in the fold's first R
//           cycles); every command clears, with seed_i = the partial sum of
//           the PE above (at row 0: the previous row fold's partial sum from
//           the ofmap buffer, +0 in the first); rows beyond the fold's K
//           slice pass the partial sum down unchanged (a clear without a
//           term: acc := seed_i)
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <systemc.h>

#include "pe_grid.h"
#include "vcd_writer.h"

extern "C" {
#include "ax_accel.h"
#include "ax_mac.h"
}

// A DRAM channel: transfers in order, at most bw words of the head one per
// cycle (bw 0: the whole head transfer in one cycle); a transfer starts in
// the cycle after the one before it ends
struct Channel {
    int64_t bw = 0;
    std::deque<std::pair<int64_t, int64_t>> q; // (id, words left)
    int64_t first = -1, last = -1;
    bool used = false;
    void push(int64_t id, int64_t words)
    {
        if (words > 0) q.emplace_back(id, words);
    }
    void tick(int64_t now)
    {
        if (q.empty()) return;
        auto &h = q.front();
        h.second -= bw ? std::min(bw, h.second) : h.second;
        if (!used) first = now;
        used = true;
        last = now;
        if (h.second == 0) q.pop_front();
    }
    bool idle() const { return q.empty(); }
};

// A fault planted in the array, for the tests that prove the bit check can fail
enum class Plant { none, skew, psum };

// One GEMM for the array: C[m x n] = A[m x k] . B[k x n], row-major bit
// patterns (operands in the MAC's input format, C in its accumulator format)
struct AccelJob {
    std::string name;
    int64_t m = 0, n = 0, k = 0;
    int64_t ifmap_words = 0;       // distinct words of A (0: m*k), ax_accel_layer_t's
    const uint32_t *A = nullptr, *B = nullptr;
    uint32_t *C = nullptr;
    uint32_t flags = 0;            // out: OR of every operation's flags
    ax_accel_counts_t counts{};    // out
    std::vector<ax_accel_fold_t> folds; // out: per fold (cycles in fold_cycles)
    std::vector<int64_t> fold_cycles;
};

SC_MODULE(AccelArray) {
    sc_in<bool> clk;

    // threads 2: each cycle's rows are split in two lanes (the upper half
    // here, the lower half on a worker thread), for arrays of 4 rows and 64
    // PEs or more; lanes_split says where (0: one lane)
    AccelArray(sc_module_name name, const ax_accel_cfg_t &cfg, PeGrid &pe, Plant plant,
               int threads = 1);
    ~AccelArray() override;
    static int lanes_split(int rows, int cols);
    // Runs the jobs one after another, then stops the simulation. progress
    // (may be empty) is called now and then with (job, cycles done, total).
    void set_jobs(std::vector<AccelJob> *jobs, std::function<void(size_t, int64_t, int64_t)> progress);
    // PE-cycles simulated (R x C per cycle)
    uint64_t pe_cycles() const { return pe_cycles_; }
    // A VCD of fold `fold` of job `job` (its cycles and the one after):
    // the array's ports (west: operands in; north: b in (os) or row 0's
    // seed (ws, is); south: partial sums out (ws, is)) and every PE's
    // registers (a, b or the stationary w, acc, flags, valid); in_bits and
    // acc_bits: the MAC's operand and accumulator widths
    void set_vcd(size_t job, int64_t fold, const std::string &path, int in_bits, int acc_bits);
    // empty, or what went wrong writing the VCD
    const std::string &vcd_error() const { return vcd_error_; }

private:
    SC_HAS_PROCESS(AccelArray);
    // an operand on its way through the array, with what it is
    struct Op {
        uint32_t v = 0;
        bool live = false; // carries a command
        bool pass = false; // ws/is: a clear without a term (rows beyond K)
        int64_t idx = 0;   // os: k; ws/is: the streamed vector's index
        int64_t fold = 0;  // the fold it belongs to
    };

    // a command whose retiring leaves something behind: an os sum's
    // result; a ws/is partial sum (and the flags of its term)
    struct Retire {
        int p, i, j;
        Op s1;
    };
    // A lane: rows [lo, hi) of the array and what they did, counted apart
    // so that two lanes can run at once (merged at the end of a job)
    struct Lane {
        int lo = 0, hi = 0;
        std::vector<PeCmd> cmds;                // this cycle's edges
        std::vector<Retire> retire;
        std::vector<ax_accel_fold_t> tally;     // per fold: MACs, SRAM reads and writes
        std::vector<int64_t> used;              // per fold: PEs that accumulated a term
        std::vector<uint8_t> row_seen, col_seen; // fold x R, fold x C: worked in the fold
        int64_t sram_first[AX_BUF_COUNT], sram_last[AX_BUF_COUNT];
        uint32_t flags = 0;
    };

    void controller();
    void run_job(AccelJob &j);
    // one clock cycle: cycle c of fold f (f = -1: after the last fold). The
    // stationary shift, the column feeders and a copy of the row above lane
    // 1 first; then each lane: every row's feeder and PE command (from the
    // registers and PE outputs as they were), then its PEs' edges and what
    // retired
    void cycle(int64_t f, int64_t c);
    void rows_os(Lane &l, int64_t f, int64_t c);
    void rows_stationary(Lane &l, int64_t f, int64_t c);
    void clock_lane(Lane &l);
    void run_lane(Lane &l);
    void lanes_cycle();
    void work();
    // waiting for the other lane: spin a little (a lane's cycle takes
    // microseconds), then give the core away (the other thread may be
    // waiting for one, when more runs than there are cores)
    static void wait_a_bit(int spins)
    {
        if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            std::this_thread::yield();
        }
    }
    // ws/is: the seed of row 0 for vector idx, column j of fold's
    // column slice; a partial sum leaving the bottom row
    uint32_t top_seed(Lane &l, int64_t fold, int64_t idx, int j);
    void output(Lane &l, int64_t fold, int64_t idx, int j, uint32_t v);
    void touch(Lane &l, int64_t fold, int i, int j);
    void tick_channels();
    void sram_mark(Lane &l, int b);
    void vcd_begin();
    void vcd_sample();

    ax_accel_cfg_t cfg_;
    PeGrid &pe_;
    Plant plant_;
    const int R_, C_;
    std::vector<AccelJob> *jobs_ = nullptr;
    std::function<void(size_t, int64_t, int64_t)> progress_;
    std::vector<Op> a_, b_;       // operand registers: a to the right, b down (os)
    std::vector<Op> s1_;          // the command in each PE's stage 1
    std::vector<uint32_t> w_;     // stationary registers (ws/is)
    std::vector<uint8_t> w_live_;
    std::vector<uint32_t> psum_;  // ofmap buffer: partial sums of the column fold (T x C)
    // the job running
    AccelJob *job_ = nullptr;
    ax_accel_map_t map_{};
    std::vector<ax_accel_fold_t> plan_;  // its folds (slices)
    std::vector<int64_t> pe_fold_;       // the last fold each PE worked in
    std::vector<Op> colfeed_;            // os: this cycle's column feeders
    std::vector<Op> b_edge_;             // os: the b registers above lane 1, before this cycle
    std::vector<uint32_t> acc_edge_;     // ws/is: the partial sums above lane 1, before this cycle
    std::vector<uint32_t> acc_out_;      // ws/is: each PE's acc_o after its last retiring command
    Lane lanes_[2];
    int nlanes_ = 1;
    std::thread worker_;                 // lane 1's, with 2 lanes
    std::atomic<uint64_t> go_{0}, done_{0};
    std::atomic<bool> stop_{false};
    int64_t cur_f_ = 0, cur_c_ = 0;
    Channel chan_[AX_BUF_COUNT];         // the DRAM channels of the three buffers
    int64_t now_ = 0;                    // this cycle (0: the first of fold 0)
    // the VCD: what is asked, the writer while it runs, and this cycle's ports
    int64_t vcd_job_ = -1, vcd_fold_ = 0;
    std::string vcd_path_, vcd_error_;
    int vcd_in_bits_ = 32, vcd_acc_bits_ = 32;
    std::unique_ptr<VcdWriter> vcd_;
    std::vector<int> vcd_sig_;
    std::vector<Op> west_, north_, south_;
    uint64_t pe_cycles_ = 0;
    int64_t cycles_ = 0;
    size_t job_index_ = 0;
};
