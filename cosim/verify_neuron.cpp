// verify_neuron.cpp — the neuron (rtl/ax_neuron.v) against ax_neuron_step
// (cmodels/ax_neuron.h; verify_impl.h). A configuration is checked over
// trajectories: each starts at reset (U = +0) and runs many time steps
// whose input currents are a pure function of the seed, the trajectory's
// number, the step and the C model's membrane, so a run does not depend on
// --jobs. Every step compares U', U'', the spike and the flags; a
// trajectory stops at its first mismatch (the two membranes part there).
// Then the decoded report and a VCD of the failing trajectories.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "verify_impl.h"

extern "C" {
#include "ax_convert.h"
#include "ax_neuron.h"
#include "ax_rng.h"
}

namespace axv {

namespace {

// trajectories x steps of each level
constexpr uint64_t kQuickTraj = 256, kQuickSteps = 4096;
constexpr uint64_t kFullTraj = 1024, kFullSteps = 65536;
constexpr uint64_t kVcdSteps = 4096; // steps of a failing trajectory in the VCD, up to the failure

struct NJob {
    const AxNeuronDut *dut;
    ax_neuron_cfg_t c;
    uint64_t seed, traj, steps;
    uint32_t mask;
    double theta, gain; // theta's value; the drive per unit of theta (traj_of)
    std::vector<uint32_t> corners;
};

struct NMiss {
    uint64_t t, s;       // trajectory, step
    bool rst;            // the membrane was reset to +0 just before the step
    uint32_t u, in;      // the membrane before the step, the current
    uint32_t cp, cn, cf; // C model: U', U'', flags
    int cs;              //          spike
    AxNeuronOut r;       // RTL
};

uint32_t bits_of(double x, ax_format_t f)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    uint32_t fl = 0;
    return ax_from_f64bits(b, f, &fl);
}

bool finite(uint32_t x, ax_format_t f)
{
    uint32_t cls = ax_unpack(x, f).cls;
    return cls == AX_CLS_ZERO || cls == AX_CLS_FINITE;
}

// Corner currents: zeros of both signs, the ends of the subnormal and
// normal ranges, infinities and NaNs (quiet, signalling; the one NaN of an
// FN format), +-1, theta, its neighbours, -theta, 2 theta, theta / 2.
std::vector<uint32_t> corner_currents(const NJob &j)
{
    const ax_format_t f = j.c.fmt;
    const uint32_t X = ax_fmt_emask(f), mm = ax_fmt_mmask(f), sb = ax_fmt_signbit(f);
    std::vector<uint32_t> v;
    for (uint32_t s = 0; s < 2; s++) {
        v.insert(v.end(), {ax_fmt_zero(s, f), ax_pack(s, 0, 1, f), ax_pack(s, 0, mm, f),
                           ax_pack(s, 1, 0, f), ax_fmt_maxfin(s, f), ax_pack(s, X, mm, f),
                           bits_of(s ? -1.0 : 1.0, f)});
        if (!(f.flags & AX_FMT_FN)) {
            v.push_back(ax_fmt_inf(s, f));
            if (f.mbits >= 2) v.push_back(ax_pack(s, X, 1, f)); // signalling
        }
    }
    const uint32_t th = j.c.theta;
    for (uint32_t x : {th, th + 1, th - 1, th ^ sb, bits_of(2 * j.theta, f), bits_of(j.theta / 2, f)})
        v.push_back(x & j.mask);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

// A trajectory's character, from its number. Currents are mostly
// drive * theta * r, r uniform in [lo, lo + 3): gains from 1/4 to 16 times
// what holds a lif neuron's membrane near theta / 2 (for if: theta / 32 a
// step), so that some trajectories stay below theta and others fire on
// most steps; one in 8 drifts negative. Per 1024 steps, the rates of a
// corner current, a random bit pattern, a signed zero, a current that
// brings U' to theta or one ulp either side, and a reset.
struct Traj {
    double drive, lo;
    uint32_t corner, bits, zero, aim, reset;
};

Traj traj_of(const NJob &j, uint64_t t)
{
    ax_rng_t r = {mix(j.seed ^ 0x7E11u, t)};
    static const double gains[] = {0.25, 0.5, 1, 1.5, 2, 3, 4, 16};
    static const uint32_t corner[] = {0, 4, 16, 32}, bits[] = {0, 0, 4, 64};
    Traj p;
    p.drive = gains[ax_rng_below(&r, 8)] * j.gain;
    p.lo = ax_rng_below(&r, 8) == 0 ? -2.0 : -1.0;
    uint32_t wild = ax_rng_below(&r, 4); // 0: values in range only
    p.corner = corner[wild];
    p.bits = bits[wild];
    p.zero = 16;
    p.aim = 64;
    p.reset = 1;
    return p;
}

// The current of step s of trajectory t, the membrane being u; *rst: reset
// the neuron first (now and then, and often while the membrane is stuck at
// an infinity or a NaN).
uint32_t current(const NJob &j, const Traj &p, uint64_t t, uint64_t s, uint32_t u, bool *rst)
{
    const ax_format_t f = j.c.fmt;
    ax_rng_t r = {mix(j.seed ^ 0x5EED1u, t << 32 | s)};
    *rst = s > 0 && ax_rng_below(&r, 1024) < (finite(u, f) ? p.reset : 256u);
    if (*rst) u = ax_fmt_zero(0, f);
    uint32_t k = ax_rng_below(&r, 1024);
    if (k < p.corner) return j.corners[ax_rng_below(&r, (uint32_t)j.corners.size())];
    k -= p.corner;
    if (k < p.bits) return (uint32_t)ax_rng_next(&r) & j.mask;
    k -= p.bits;
    if (k < p.zero) return ax_fmt_zero(ax_rng_below(&r, 2), f);
    k -= p.zero;
    if (k < p.aim) { // theta - leak, so that U' lands on theta (or beside it)
        uint32_t fl = 0;
        uint32_t leak = j.c.model == AX_NEURON_LIF ? ax_unit_apply(j.c.mul, j.c.beta, u, f, f, &fl) : u;
        uint32_t in = bits_of(j.theta - ax_to_double(leak, f), f);
        switch (ax_rng_below(&r, 3)) {
        case 1: return (in + 1) & j.mask; // one ulp larger in magnitude
        case 2: return (in & (ax_fmt_signbit(f) - 1)) ? in - 1 : in;
        default: return in;
        }
    }
    return bits_of(p.drive * j.theta * (p.lo + 3 * ax_rng_uniform(&r)), f);
}

// Runs trajectory t from reset up to step end (exclusive): the C model,
// against the RTL when rtl is given, where it stops at the first mismatch
// (*miss, *bad). each(s, rst, u, in, cp, cn, cf, cs) sees every step before
// it is compared. Returns the steps run; *spikes counts the C model's.
template <class F>
uint64_t trajectory(const NJob &j, uint64_t t, uint64_t end, AxNeuronRtlBase *rtl, bool *bad,
                    NMiss *miss, uint64_t *spikes, F each)
{
    const ax_format_t f = j.c.fmt;
    const Traj p = traj_of(j, t);
    if (rtl) rtl->reset(mix(j.seed ^ 0xD21u, t << 32));
    uint32_t u = ax_fmt_zero(0, f);
    for (uint64_t s = 0; s < end; s++) {
        bool rst;
        const uint32_t in = current(j, p, t, s, u, &rst);
        if (rst) {
            u = ax_fmt_zero(0, f);
            if (rtl) rtl->reset(mix(j.seed ^ 0xD21u, t << 32 | s));
        }
        uint32_t cp = 0, cf = 0;
        int cs = 0;
        const uint32_t cn = ax_neuron_step(&j.c, u, in, &cs, &cp, &cf);
        each(s, rst, u, in, cp, cn, cf, cs);
        if (rtl) {
            const AxNeuronOut o = rtl->step(in);
            if (o.pre != cp || o.next != cn || o.flags != cf || o.spike != cs) {
                *miss = NMiss{t, s, rst, u, in, cp, cn, cf, cs, o};
                *bad = true;
                return s + 1;
            }
        }
        *spikes += (uint64_t)cs;
        u = cn;
    }
    return end;
}

// Worker threads take whole trajectories from a shared counter, each with
// its own instance of the verilated neuron; the main thread prints the
// progress line. Trajectories are taken in order and stop being taken after
// kMaxReport failing ones, so the first kMaxReport failures are the same for
// any jobs.
Outcome run(const NJob &j, int jobs, bool progress, std::vector<NMiss> &misses, uint64_t *spikes_out)
{
    std::atomic<uint64_t> next{0}, done{0}, bad{0}, spikes{0};
    int running = jobs; // guarded by wait_mu
    std::mutex mu, wait_mu;
    std::condition_variable wait_cv;
    const uint64_t total = j.traj * j.steps;
    auto worker = [&]() {
        std::unique_ptr<AxNeuronRtlBase> rtl(j.dut->make());
        for (;;) {
            uint64_t t = next.fetch_add(1);
            if (t >= j.traj || bad.load(std::memory_order_relaxed) >= (uint64_t)kMaxReport) break;
            bool b = false;
            NMiss m{};
            uint64_t sp = 0;
            done += trajectory(j, t, j.steps, rtl.get(), &b, &m, &sp,
                               [](uint64_t, bool, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t,
                                  int) {});
            spikes += sp;
            if (b) {
                bad++;
                std::lock_guard<std::mutex> g(mu);
                misses.push_back(m);
            }
        }
        std::lock_guard<std::mutex> g(wait_mu);
        running--;
        wait_cv.notify_all();
    };
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int k = 0; k < jobs; k++) pool.emplace_back(worker);
    std::unique_lock<std::mutex> lk(wait_mu);
    while (!wait_cv.wait_for(lk, std::chrono::milliseconds(500), [&] { return running == 0; })) {
        if (!progress) continue;
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        uint64_t d = done.load();
        double rate = d / s, eta = rate > 0 ? (total - d) / rate : 0;
        fprintf(stderr, "\r  %-34s %5.1f%%  %s/%s steps  %.1f M/s  ETA %s   ", j.dut->name,
                100.0 * d / total, group(d).c_str(), group(total).c_str(), rate / 1e6,
                duration(eta).c_str());
    }
    lk.unlock();
    for (auto &t : pool) t.join();
    if (progress) fprintf(stderr, "\r%*s\r", 110, "");
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    o.vectors = done.load();
    o.bad = bad.load();
    o.stopped = o.bad > 0 && o.vectors < total;
    std::sort(misses.begin(), misses.end(), [](const NMiss &x, const NMiss &y) { return x.t < y.t; });
    if (misses.size() > (size_t)kMaxReport) misses.resize(kMaxReport);
    *spikes_out = spikes.load();
    return o;
}

void report_miss(const NJob &j, const NMiss &m, int n)
{
    const ax_format_t f = j.c.fmt;
    printf("  MISMATCH %d: %s, trajectory #%" PRIu64 ", step #%" PRIu64 " (seed %" PRIu64 ")\n", n,
           j.dut->name, m.t, m.s, j.seed);
    printf("    %-10s %s\n", "config", j.dut->spec);
    if (m.rst) printf("    %-10s the membrane was reset to +0 before this step\n", "reset");
    decode("U", m.u, f);
    decode("I", m.in, f);
    printf("    %-10s spike %d\n", "C model", m.cs);
    decode("  U'", m.cp, f);
    decode("  U''", m.cn, f);
    printf("    %-10s %s (0x%02x)\n", "  flags", flag_names(m.cf, "neuron").c_str(), m.cf);
    printf("    %-10s spike %d\n", "RTL", m.r.spike);
    decode("  U'", m.r.pre, f);
    decode("  U''", m.r.next, f);
    printf("    %-10s %s (0x%02x)\n", "  flags", flag_names(m.r.flags, "neuron").c_str(),
           m.r.flags);
    std::string d;
    if (m.cs != m.r.spike) d += ", spike";
    if (m.cp != m.r.pre) d += ", U'";
    if (m.cn != m.r.next) d += ", U''";
    if (m.cf != m.r.flags) d += ", flags";
    printf("    %-10s %s\n", "differs", d.c_str() + 2);
}

// VCD of the failing trajectories: one time step per 10 ns, each trajectory
// from reset (or its last kVcdSteps steps) to its failing step. Before that
// step the RTL agreed with the C model, so both show the same values there.
std::string write_vcd(const NJob &j, const std::vector<NMiss> &ms, const std::string &dir)
{
    FILE *f = nullptr;
    std::string path = open_unique(dir, j.dut->name, &f);
    if (path.empty()) return path;
    const ax_format_t fm = j.c.fmt;
    const int w = width(fm);
    fprintf(f, "$comment axsim verify: failing trajectories of %s (%s), seed %" PRIu64
               "; one time step per 10 ns, each trajectory up to its failing step (at most %" PRIu64
               " steps) $end\n$timescale 1ns $end\n$scope module %s $end\n",
            j.dut->name, j.dut->spec, j.seed, kVcdSteps, "axsim_verify");
    Vcd v(f);
    const std::string it = v.add("trajectory", 32), is = v.add("step", 32), ir = v.add("rst", 1);
    const std::string iu = v.add("u", w), ii = v.add("cur", w);
    const std::string icp = v.add("c_model_pre", w), icn = v.add("c_model_next", w);
    const std::string ics = v.add("c_model_spike", 1), icf = v.add("c_model_flags", 5);
    const std::string irp = v.add("rtl_pre", w), irn = v.add("rtl_next", w);
    const std::string irs = v.add("rtl_spike", 1), irf = v.add("rtl_flags", 5);
    const std::string irx = v.add("rtl_protocol_error", 1), im = v.add("mismatch", 1);
    const std::string ivu = v.add("u_value", 0), ivi = v.add("cur_value", 0);
    const std::string ivcp = v.add("c_model_pre_value", 0), ivcn = v.add("c_model_next_value", 0);
    const std::string ivrp = v.add("rtl_pre_value", 0), ivrn = v.add("rtl_next_value", 0);
    fprintf(f, "$upscope $end\n$enddefinitions $end\n");
    uint64_t time = 0;
    auto put = [&](uint64_t t, uint64_t s, bool rst, uint32_t u, uint32_t in, uint32_t cp,
                   uint32_t cn, uint32_t cf, int cs, const AxNeuronOut &r, bool bad) {
        fprintf(f, "#%" PRIu64 "\n", time);
        v.bits(it, (uint32_t)t, 32);
        v.bits(is, (uint32_t)s, 32);
        v.bits(ir, rst, 1);
        v.bits(iu, u, w);
        v.bits(ii, in, w);
        v.bits(icp, cp, w);
        v.bits(icn, cn, w);
        v.bits(ics, (uint32_t)cs, 1);
        v.bits(icf, cf, 5);
        v.bits(irp, r.pre, w);
        v.bits(irn, r.next, w);
        v.bits(irs, (uint32_t)r.spike, 1);
        v.bits(irf, r.flags & 0x1f, 5);
        v.bits(irx, (r.flags & AX_VERIFY_PROTOCOL) != 0, 1);
        v.bits(im, bad, 1);
        v.real(ivu, ax_to_double(u, fm));
        v.real(ivi, ax_to_double(in, fm));
        v.real(ivcp, ax_to_double(cp, fm));
        v.real(ivcn, ax_to_double(cn, fm));
        v.real(ivrp, ax_to_double(r.pre, fm));
        v.real(ivrn, ax_to_double(r.next, fm));
        time += 10;
    };
    for (const NMiss &m : ms) {
        const uint64_t first = m.s + 1 > kVcdSteps ? m.s + 1 - kVcdSteps : 0;
        bool b = false;
        NMiss none{};
        uint64_t sp = 0;
        trajectory(j, m.t, m.s, nullptr, &b, &none, &sp,
                   [&](uint64_t s, bool rst, uint32_t u, uint32_t in, uint32_t cp, uint32_t cn,
                       uint32_t cf, int cs) {
                       if (s >= first) put(m.t, s, rst, u, in, cp, cn, cf, cs, {cp, cn, cf, cs}, false);
                   });
        put(m.t, m.s, m.rst, m.u, m.in, m.cp, m.cn, m.cf, m.cs, m.r, true);
    }
    fprintf(f, "#%" PRIu64 "\n", time);
    if (fclose(f) != 0) {
        fprintf(stderr, "axsim verify: writing %s failed\n", path.c_str());
        return "";
    }
    return path;
}

} // namespace

Outcome verify_neuron(const AxNeuronDut &d, uint64_t seed, bool full, int jobs, bool progress,
                      const std::string &vcd_dir)
{
    NJob j{};
    j.dut = &d;
    char err[512];
    if (ax_neuron_parse(d.spec, &j.c, err, sizeof err)) {
        printf("%s: %s\n", d.name, err);
        Outcome o;
        o.bad = 1;
        return o;
    }
    j.seed = seed;
    j.traj = full ? kFullTraj : kQuickTraj;
    j.steps = full ? kFullSteps : kQuickSteps;
    j.mask = wmask(width(j.c.fmt));
    j.theta = ax_to_double(j.c.theta, j.c.fmt);
    const double beta = ax_to_double(j.c.beta, j.c.fmt);
    j.gain = j.c.model == AX_NEURON_LIF ? std::max(1 - beta, 1.0 / 16) : 1.0 / 16;
    j.corners = corner_currents(j);

    std::vector<NMiss> misses;
    uint64_t spikes = 0;
    Outcome o = run(j, jobs, progress && j.traj * j.steps > 20000000ull, misses, &spikes);
    for (size_t k = 0; k < misses.size(); k++) report_miss(j, misses[k], (int)k + 1);
    printf("%-58s %12s steps  %4.1f%% spiking  %-5s %7.1f M/s\n", d.name, group(o.vectors).c_str(),
           o.vectors ? 100.0 * spikes / o.vectors : 0.0, o.bad ? "FAIL" : "ok",
           o.seconds > 0 ? o.vectors / o.seconds / 1e6 : 0.0);
    if (o.bad) {
        printf("    %s%s failing trajector%s in %s steps (%s trajectories of %s steps from reset, "
               "each stopped at its first mismatch)\n",
               o.stopped ? "stopped after " : "", group(o.bad).c_str(), o.bad > 1 ? "ies" : "y",
               group(o.vectors).c_str(), group(j.traj).c_str(), group(j.steps).c_str());
        std::string p = write_vcd(j, misses, vcd_dir);
        if (!p.empty()) printf("    VCD of the failing trajectories: %s\n", p.c_str());
    }
    return o;
}

} // namespace axv
