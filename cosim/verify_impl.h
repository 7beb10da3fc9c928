// verify_impl.h — what the parts of the verifier (verify.h) share; private to
// cosim/verify_*.cpp. One file per concern, calls one way only:
//   verify_opts.cpp    options, selection, the loop over configurations
//     -> verify_run.cpp     worker threads comparing DUT and C model
//     -> verify_report.cpp  mismatch report, summary lines, VCD
//     -> verify_plan.cpp    what to check: the vectors of a configuration
//   verify_run.cpp -> verify_plan.cpp (vectors), verify_report.cpp (progress)
// Vector plans are indexable (vector i is a pure function of the plan, the
// seed and i), so the result of a run does not depend on --jobs.
#ifndef AX_VERIFY_IMPL_H
#define AX_VERIFY_IMPL_H

#include <cstdint>
#include <string>
#include <vector>

#include "verify.h"

extern "C" {
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
// The terms of dot product number i of a MAC.
void mac_terms(const Job &j, uint64_t i, std::vector<uint32_t> &a, std::vector<uint32_t> &b);

// ---- running (verify_run.cpp) ----------------------------------------------

struct Miss {
    uint64_t idx;
    uint32_t a, b, cr, cf, rr, rf;
    std::vector<uint32_t> ta, tb; // MAC: the terms
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
// One configuration's mismatches decoded, its result line and, on failure,
// the VCD of the failing vectors in vcd_dir.
void report_job(const Job &j, const Outcome &o, const std::vector<Miss> &misses,
                const std::string &vcd_dir);

} // namespace axv

#endif
