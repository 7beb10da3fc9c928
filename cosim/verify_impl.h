// verify_impl.h — what the parts of the verifier (verify.h) share; private to
// cosim/verify_*.cpp. One file per concern, calls one way only:
//   verify_opts.cpp    options, selection, the loop over configurations
//     -> verify_run.cpp     worker threads comparing DUT and C model
//     -> verify_report.cpp  mismatch report, summary lines, VCD
//     -> verify_plan.cpp    what to check: the vectors of a configuration
//     -> verify_neuron.cpp  the neuron: its trajectories, their run, report
//                           and VCD
//   verify_run.cpp -> verify_plan.cpp (vectors), verify_report.cpp (progress)
//   verify_neuron.cpp -> verify_plan.cpp (mix), verify_report.cpp (decoding,
//                        the VCD writer)
// Vector plans are indexable (vector i is a pure function of the plan, the
// seed and i), so the result of a run does not depend on --jobs.
#ifndef AX_VERIFY_IMPL_H
#define AX_VERIFY_IMPL_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "verify.h"

extern "C" {
#include "ax_mac.h"
#include "ax_units.h"
}

namespace axv {

constexpr int kMaxReport = 20; // mismatches printed (and the run stops)

// ---- plans (verify_plan.cpp) ----------------------------------------------

enum SegType { SEG_EXHAUSTIVE, SEG_SIGPAIRS, SEG_CROSS, SEG_RANDOM };

struct Seg {
    SegType type;
    uint64_t n;
    std::vector<uint32_t> pairs; // SIGPAIRS: sign a, exp a, sign b, exp b
    std::vector<uint32_t> sp;    // CROSS: the values crossed with each other
    int sigbits = 0;             // SIGPAIRS: fraction bits enumerated per operand
};

struct Plan {
    std::vector<Seg> segs;
    uint64_t total = 0;
    std::string what;
};

struct Job {
    const AxDut *dut;
    ax_format_t fi, fo, fp;
    ax_unit_t unit, mul, add;
    ax_mac_cfg_t daa; // a DAA PE: its whole configuration
    int op; // AX_DUT_MUL or AX_DUT_ADD: which exponent pairs are interesting
    uint64_t seed;
    Plan plan;
};

inline int width(ax_format_t f) { return ax_fmt_width(f); }
inline uint32_t wmask(int w) { return w >= 32 ? 0xFFFFFFFFu : (1u << w) - 1; }

// Counter-based random numbers: number i of a seed.
uint64_t mix(uint64_t seed, uint64_t i);
// Formats and units of a configuration into j (and j.dut); 0, or 1 with the
// reason printed.
int setup_job(const AxDut &d, Job &j);
// The vectors of j at a level: full (else quick).
void make_plan(Job &j, bool full);
// Vector i of segment s (gi: its index in the whole plan).
void vector_at(const Job &j, const Seg &s, uint64_t i, uint64_t gi, uint32_t *a, uint32_t *b);
// The terms of dot product number i of a MAC; returns the value it starts
// from (seed_i: +0 for half the sums, any accumulator bit pattern for the rest).
uint32_t mac_terms(const Job &j, uint64_t i, std::vector<uint32_t> &a, std::vector<uint32_t> &b);
// The terms of pair number i of a DAA PE (stream 0: a0, stream 1: a1, both
// b) and where the two sums start (init[0], init[1]).
void daa_terms(const Job &j, uint64_t i, std::vector<uint32_t> &a0, std::vector<uint32_t> &a1,
               std::vector<uint32_t> &b, uint32_t init[2]);

// ---- running (verify_run.cpp) ----------------------------------------------

struct Miss {
    uint64_t idx;
    uint32_t a, b, cr, cf, rr, rf;
    std::vector<uint32_t> ta, tb; // MAC: the terms
    uint32_t init = 0;            // MAC: where the sum started (seed_i)
    // DAA: stream 1's terms, start and results (stream 0's are the above),
    // and the number of terms that gave hi to stream 1, C model and RTL
    std::vector<uint32_t> ta1{};
    uint32_t init1 = 0, cr1 = 0, cf1 = 0, rr1 = 0, rf1 = 0;
    uint64_t chi = 0, rhi = 0;
};

struct Outcome {
    uint64_t vectors = 0, bad = 0;
    bool stopped = false;
    double seconds = 0;
};

// Runs j's plan on jobs threads (a progress line on stderr when progress);
// the first kMaxReport mismatches, in vector order, into misses.
Outcome run_job(Job &j, int jobs, bool progress, std::vector<Miss> &misses);

// ---- reporting (verify_report.cpp) -----------------------------------------

std::string group(uint64_t n);   // 1234567 -> "1,234,567"
std::string duration(double s);  // "42s", "3m05s", "2h10m"
// The names of flags, "inexact|underflow"; AX_VERIFY_PROTOCOL as
// "<design>-protocol-violation".
std::string flag_names(uint32_t f, const char *design = "MAC");
// One report line: what, then x in f decoded (bits, sign, exponent,
// significand, value).
void decode(const char *what, uint32_t x, ax_format_t f);
// Creates DIR/NAME.vcd, or NAME-2.vcd, ... so that no earlier file is
// overwritten; NAME is config with ':', '/', ',' and '=' made '_'. Returns
// the path, or "" with a message on failure.
std::string open_unique(const std::string &dir, const std::string &config, FILE **fp);

// A VCD being written: add() declares a variable (a wire of w bits, or a
// real when w = 0) and returns its id; bits() and real() write a value.
struct Vcd {
    FILE *f;
    std::vector<std::pair<std::string, int>> vars; // id, width (0: real)
    explicit Vcd(FILE *fp) : f(fp) {}
    std::string add(const char *name, int w)
    {
        std::string id(1, (char)('A' + vars.size())); // letters: no VCD keyword clash
        vars.push_back({id, w});
        if (w)
            fprintf(f, "  $var wire %d %s %s $end\n", w, id.c_str(), name);
        else
            fprintf(f, "  $var real 64 %s %s $end\n", id.c_str(), name);
        return id;
    }
    void bits(const std::string &id, uint32_t v, int w)
    {
        char s[40];
        for (int k = 0; k < w; k++) s[k] = (v >> (w - 1 - k) & 1) ? '1' : '0';
        s[w] = 0;
        if (w == 1)
            fprintf(f, "%s%s\n", s, id.c_str());
        else
            fprintf(f, "b%s %s\n", s, id.c_str());
    }
    void real(const std::string &id, double v) { fprintf(f, "r%.17g %s\n", v, id.c_str()); }
};

// One configuration's mismatches decoded, its result line and, on failure,
// the VCD of the failing vectors in vcd_dir.
void report_job(const Job &j, const Outcome &o, const std::vector<Miss> &misses,
                const std::string &vcd_dir);

// ---- the neuron (verify_neuron.cpp) ----------------------------------------

// Checks one neuron configuration at a level (full, else quick) on jobs
// threads: trajectories of time steps, every step of the RTL compared with
// ax_neuron_step. Prints the mismatches decoded (at most kMaxReport, one per
// trajectory) and the result line, writes the VCD of the failing
// trajectories to vcd_dir. Outcome.vectors counts steps.
Outcome verify_neuron(const AxNeuronDut &d, uint64_t seed, bool full, int jobs, bool progress,
                      const std::string &vcd_dir);

} // namespace axv

#endif
