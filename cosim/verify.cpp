// verify.cpp — see verify.h. Vector plans are indexable (vector i is a pure
// function of the plan, the seed and i), so the result of a run does not
// depend on --jobs: workers take chunks of indices from a shared counter.
#include "verify.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include "ax_convert.h"
#include "ax_flags.h"
#include "ax_mac.h"
#include "ax_registry.h"
#include "ax_rng.h"
#include "ax_units.h"
}

namespace {

constexpr int kMaxReport = 20;      // mismatches printed (and the run stops)
constexpr uint64_t kChunk = 1 << 15; // vectors per work item
constexpr uint64_t kMacChunk = 16;   // dot products per work item

// ---- counter-based random numbers -------------------------------------------

uint64_t mix(uint64_t seed, uint64_t i)
{
    ax_rng_t r = {seed * UINT64_C(0xD1342543DE82EF95) ^ i};
    ax_rng_next(&r);
    return ax_rng_next(&r);
}

// ---- vector plans -----------------------------------------------------------

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

int width(ax_format_t f) { return ax_fmt_width(f); }
uint32_t wmask(int w) { return w >= 32 ? 0xFFFFFFFFu : (1u << w) - 1; }

// Exponent-field pairs that reach normal, subnormal, underflow, overflow and
// special operands for a multiplier or an adder (clamped, deduplicated).
std::vector<uint32_t> exponent_pairs(const Job &j)
{
    const int B = j.fi.bias, X = (int)ax_fmt_emask(j.fi), M = j.fi.mbits;
    const int bo = j.fo.bias, emax_o = (int)ax_fmt_emax_field(j.fo) - bo;
    std::vector<std::pair<int, int>> e;
    if (j.op == AX_DUT_MUL) {
        e = {{B, B}, {B, 1}, {1, B}, {0, B}, {B, 0}, {0, 0}, {0, B + M + 1}, {B / 2, B / 2},
             {X, B}, {X, 0}, {X, X}, {0, X}, {X - 1, X - 1}};
        // products whose unbiased exponent lands on the output's underflow
        // and overflow thresholds
        for (int t : {1 - bo, -bo, 1 - bo - j.fo.mbits, emax_o, emax_o + 1}) {
            int ua = t / 2, ub = t - ua;
            e.push_back({ua + B, ub + B});
        }
    } else {
        e = {{B, B}, {B, B - 1}, {B, B - 2}, {B, B - M - 1}, {B, B - M - 3}, {B, 0}, {0, 0},
             {1, 0}, {1, 1}, {X - 1, X - 1}, {X - 1, X - 2}, {X, B}, {X, X}, {0, X}};
    }
    std::vector<uint32_t> out;
    for (auto [ea, eb] : e) {
        ea = std::clamp(ea, 0, X);
        eb = std::clamp(eb, 0, X);
        for (uint32_t s = 0; s < 2; s++) { // mul: sign of a; add: sign of b
            uint32_t sa = j.op == AX_DUT_MUL ? s : 0, sb = j.op == AX_DUT_MUL ? 0 : s;
            bool dup = false;
            for (size_t k = 0; k < out.size(); k += 4)
                dup |= out[k] == sa && out[k + 1] == (uint32_t)ea && out[k + 2] == sb &&
                       out[k + 3] == (uint32_t)eb;
            if (!dup) out.insert(out.end(), {sa, (uint32_t)ea, sb, (uint32_t)eb});
        }
    }
    return out;
}

std::vector<uint32_t> special_values(ax_format_t f)
{
    std::vector<uint32_t> sp;
    const uint32_t X = ax_fmt_emask(f), mm = ax_fmt_mmask(f);
    for (uint32_t s = 0; s < 2; s++)
        for (uint32_t e : {0u, 1u, 2u, (uint32_t)f.bias, (uint32_t)f.bias + 1, X - 1, X})
            for (uint32_t m : {0u, 1u, 2u, mm, mm - 1, mm >> 1, (mm >> 1) + 1u, 0x555555u & mm})
                sp.push_back(ax_pack(s, e, m & mm, f));
    std::sort(sp.begin(), sp.end());
    sp.erase(std::unique(sp.begin(), sp.end()), sp.end());
    return sp;
}

void make_plan(Job &j, bool full)
{
    Plan &p = j.plan;
    const int w = width(j.fi), M = j.fi.mbits;
    if (w <= 8) {
        p.segs.push_back({SEG_EXHAUSTIVE, uint64_t(1) << (2 * w), {}, {}});
        p.what = "exhaustive";
    } else if (w <= 16 && full) {
        p.segs.push_back({SEG_EXHAUSTIVE, uint64_t(1) << (2 * w), {}, {}});
        p.what = "exhaustive";
    } else if (w <= 16) {
        Seg s{SEG_SIGPAIRS, 0, exponent_pairs(j), {}};
        s.sigbits = std::min(M, 11);
        s.n = (s.pairs.size() / 4) << (2 * s.sigbits);
        p.segs.push_back(s);
        p.segs.push_back({SEG_RANDOM, 1000000, {}, {}});
        p.what = s.sigbits == M ? "significand pairs x exponent pairs + random"
                                : "sampled significand pairs x exponent pairs + random";
    } else {
        Seg s{SEG_CROSS, 0, {}, special_values(j.fi)};
        s.n = (uint64_t)s.sp.size() * s.sp.size();
        p.segs.push_back(s);
        p.segs.push_back({SEG_RANDOM, full ? 100000000ull : 1000000ull, {}, {}});
        p.what = "special values crossed + weighted random";
    }
    for (const Seg &s : p.segs) p.total += s.n;
}

// Weighted random pair: half uniform bit patterns, half with exponents chosen
// near the output's underflow and overflow thresholds (multipliers) or close
// to each other and near the range ends (adders).
void random_pair(const Job &j, uint64_t i, uint32_t *a, uint32_t *b)
{
    const uint32_t mask = wmask(width(j.fi));
    uint64_t z = mix(j.seed, i);
    *a = (uint32_t)z & mask;
    *b = (uint32_t)(z >> 32) & mask;
    if (!(i & 1)) return;
    ax_rng_t r = {z};
    const int B = j.fi.bias, X = (int)ax_fmt_emask(j.fi);
    int ea = (int)ax_rng_below(&r, X + 1), eb;
    if (j.op == AX_DUT_MUL) {
        const int bo = j.fo.bias, emax_o = (int)ax_fmt_emax_field(j.fo) - bo;
        int t = ax_rng_below(&r, 2) ? 1 - bo - (int)ax_rng_below(&r, j.fo.mbits + 4) + 1
                                    : emax_o - 2 + (int)ax_rng_below(&r, 4);
        eb = t - (ea - B) + B;
        if (eb < 0 || eb > X) eb = (int)ax_rng_below(&r, X + 1);
    } else {
        if (ax_rng_below(&r, 2)) {
            const int ends[] = {0, 1, 2, X - 1, X - 2};
            ea = ends[ax_rng_below(&r, 5)];
        }
        eb = std::clamp(ea + (int)ax_rng_below(&r, 2 * j.fi.mbits + 9) - (j.fi.mbits + 4), 0, X);
    }
    *a = ax_pack(ax_sign(*a, j.fi), (uint32_t)ea, ax_frac(*a, j.fi), j.fi);
    *b = ax_pack(ax_sign(*b, j.fi), (uint32_t)eb, ax_frac(*b, j.fi), j.fi);
}

void vector_at(const Job &j, const Seg &s, uint64_t i, uint64_t gi, uint32_t *a, uint32_t *b)
{
    const int w = width(j.fi);
    switch (s.type) {
    case SEG_EXHAUSTIVE:
        *a = (uint32_t)(i >> w);
        *b = (uint32_t)(i & wmask(w));
        break;
    case SEG_SIGPAIRS: {
        const int sb = s.sigbits, M = j.fi.mbits;
        const uint64_t k = (i >> (2 * sb)) * 4;
        uint32_t fa = (uint32_t)(i >> sb) & wmask(sb), fb = (uint32_t)i & wmask(sb);
        if (sb < M) { // wider significands: the enumerated bits on top, random below
            uint64_t z = mix(j.seed ^ 0x5157, i);
            fa = fa << (M - sb) | ((uint32_t)z & wmask(M - sb));
            fb = fb << (M - sb) | ((uint32_t)(z >> 32) & wmask(M - sb));
        }
        *a = ax_pack(s.pairs[k], s.pairs[k + 1], fa, j.fi);
        *b = ax_pack(s.pairs[k + 2], s.pairs[k + 3], fb, j.fi);
        break;
    }
    case SEG_CROSS:
        *a = s.sp[i / s.sp.size()];
        *b = s.sp[i % s.sp.size()];
        break;
    case SEG_RANDOM:
        random_pair(j, gi, a, b);
        break;
    }
}

// ---- reporting --------------------------------------------------------------

std::string flag_names(uint32_t f)
{
    char b[64];
    std::string s = ax_flags_name(f & 0x1f, b, sizeof b);
    if (f & AX_VERIFY_PROTOCOL) s = (f & 0x1f ? s + "|" : "") + "MAC-protocol-violation";
    return s;
}

double value_of(uint32_t x, ax_format_t f)
{
    uint64_t b = ax_to_f64bits(x, f);
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

void decode(const char *what, uint32_t x, ax_format_t f)
{
    const uint32_t e = ax_expf(x, f);
    char ex[48];
    if (e == ax_fmt_emask(f) && !(f.flags & AX_FMT_FN))
        snprintf(ex, sizeof ex, "0x%02x (inf/NaN)", e);
    else if (e == 0)
        snprintf(ex, sizeof ex, "0x%02x (subnormal, 2^%d)", e, 1 - f.bias);
    else
        snprintf(ex, sizeof ex, "0x%02x (2^%d)", e, (int)e - f.bias);
    printf("    %-10s 0x%0*x  sign %u  exponent %-22s significand 0x%0*x  = %.10g\n", what,
           (width(f) + 3) / 4, x, ax_sign(x, f), ex, (f.mbits + 3) / 4 > 0 ? (f.mbits + 3) / 4 : 1,
           ax_frac(x, f), value_of(x, f));
}

struct Miss {
    uint64_t idx;
    uint32_t a, b, cr, cf, rr, rf;
    std::vector<uint32_t> ta, tb; // MAC: the terms
};

// VCD of the failing vectors: one vector per 10 ns, inputs, both results
// (bits and values) and a mismatch marker, for any waveform viewer.
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

// Creates DIR/NAME.vcd, or NAME-2.vcd, ... so that no earlier file is
// overwritten. Returns the path, or "" with a message on failure.
std::string open_unique(const std::string &dir, const std::string &name, FILE **fp)
{
    for (size_t k = 1; k <= dir.size(); k++) // mkdir -p; errors show at fopen
        if (k == dir.size() || dir[k] == '/') mkdir(dir.substr(0, k).c_str(), 0777);
    for (int k = 1; k < 1000; k++) {
        std::string p = dir + "/" + name + (k > 1 ? "-" + std::to_string(k) : "") + ".vcd";
        FILE *f = fopen(p.c_str(), "wx");
        if (f) {
            *fp = f;
            return p;
        }
        if (errno != EEXIST) {
            fprintf(stderr, "axsim verify: cannot create %s: %s\n", p.c_str(), strerror(errno));
            return "";
        }
    }
    fprintf(stderr, "axsim verify: %s/%s-*.vcd: too many earlier files\n", dir.c_str(),
            name.c_str());
    return "";
}

std::string write_vcd(const Job &j, const std::vector<Miss> &ms, const std::string &dir)
{
    FILE *f = nullptr;
    std::string safe = j.dut->name;
    for (char &c : safe)
        if (c == ':' || c == '/' || c == ',' || c == '=') c = '_';
    std::string path = open_unique(dir, safe, &f);
    if (path.empty()) return path;
    const int wi = width(j.fi), wo = width(j.fo);
    fprintf(f, "$comment axsim verify: failing vectors of %s (%s -> %s), seed %" PRIu64
               "; one vector per 10 ns $end\n$timescale 1ns $end\n$scope module %s $end\n",
            j.dut->name, j.dut->fi, j.dut->fo, j.seed, "axsim_verify");
    Vcd v(f);
    const bool mac = j.dut->kind == AX_DUT_MAC;
    std::string ida = v.add(mac ? "a_k" : "a", wi), idb = v.add(mac ? "b_k" : "b", wi);
    std::string idc = v.add(mac ? "c_model_acc" : "c_model_r", wo);
    std::string idcf = v.add("c_model_flags", 5);
    std::string idr = v.add(mac ? "rtl_acc" : "rtl_r", wo), idrf = v.add("rtl_flags", 5);
    std::string idm = v.add("mismatch", 1);
    std::string idva = v.add("a_value", 0), idvb = v.add("b_value", 0);
    std::string idvc = v.add("c_model_value", 0), idvr = v.add("rtl_value", 0);
    std::string idk = mac ? v.add("k", 16) : "";
    fprintf(f, "$upscope $end\n$enddefinitions $end\n");
    uint64_t t = 0;
    auto step = [&](uint32_t a, uint32_t b, uint32_t cr, uint32_t cf, uint32_t rr, uint32_t rf,
                    bool bad, int k) {
        fprintf(f, "#%" PRIu64 "\n", t);
        v.bits(ida, a, wi);
        v.bits(idb, b, wi);
        v.bits(idc, cr, wo);
        v.bits(idcf, cf, 5);
        v.bits(idr, rr, wo);
        v.bits(idrf, rf, 5);
        v.bits(idm, bad, 1);
        v.real(idva, value_of(a, j.fi));
        v.real(idvb, value_of(b, j.fi));
        v.real(idvc, value_of(cr, j.fo));
        v.real(idvr, value_of(rr, j.fo));
        if (mac) v.bits(idk, (uint32_t)k, 16);
        t += 10;
    };
    for (const Miss &m : ms) {
        if (!mac) {
            step(m.a, m.b, m.cr, m.cf, m.rr, m.rf, true, 0);
            continue;
        }
        // a dot product: the terms with the C model's running accumulator;
        // the RTL's final accumulator on the last step
        ax_mac_cfg_t c = {j.mul, j.fi, j.fp, j.add, j.fo};
        uint32_t acc = 0, fl = 0;
        for (size_t k = 0; k < m.ta.size(); k++) {
            acc = ax_mac_step(&c, acc, m.ta[k], m.tb[k], &fl);
            bool last = k + 1 == m.ta.size();
            step(m.ta[k], m.tb[k], acc, fl, last ? m.rr : 0, last ? m.rf : 0, last, (int)k);
        }
        if (m.ta.empty()) step(0, 0, m.cr, m.cf, m.rr, m.rf, true, 0);
    }
    fprintf(f, "#%" PRIu64 "\n", t);
    bool ok = fclose(f) == 0;
    if (!ok) {
        fprintf(stderr, "axsim verify: writing %s failed\n", path.c_str());
        return "";
    }
    return path;
}

std::string group(uint64_t n)
{
    std::string s = std::to_string(n);
    for (int k = (int)s.size() - 3; k > 0; k -= 3) s.insert((size_t)k, ",");
    return s;
}

std::string duration(double s)
{
    char b[32];
    if (s < 60)
        snprintf(b, sizeof b, "%.0fs", s);
    else if (s < 3600)
        snprintf(b, sizeof b, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(b, sizeof b, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
    return b;
}

// ---- MAC dot products -------------------------------------------------------

// Dot product number i: a random length (mostly short, sometimes up to 300)
// and terms that are mostly moderate normal values, with zeros, subnormals,
// extremes, infinities and NaNs mixed in.
void mac_terms(const Job &j, uint64_t i, std::vector<uint32_t> &a, std::vector<uint32_t> &b)
{
    ax_rng_t r = {mix(j.seed, i)};
    uint32_t n = ax_rng_below(&r, 8) ? ax_rng_below(&r, 40) : ax_rng_below(&r, 301);
    a.resize(n);
    b.resize(n);
    const ax_format_t f = j.fi;
    const uint32_t mask = wmask(width(f)), X = ax_fmt_emask(f);
    const bool wild = ax_rng_below(&r, 4) == 0; // a quarter of the sums see extremes
    for (uint32_t k = 0; k < n; k++)
        for (uint32_t *x : {&a[k], &b[k]}) {
            uint32_t z = (uint32_t)ax_rng_next(&r) & mask, pick = ax_rng_below(&r, 64);
            uint32_t e;
            if (wild && pick < 2)
                e = X; // inf / NaN (or max-exponent finite in FN formats)
            else if (wild && pick < 5)
                e = ax_rng_below(&r, 2); // zero / subnormal / smallest normal
            else if (wild && pick < 8)
                e = X - 1 - ax_rng_below(&r, 2);
            else if (pick < 10)
                e = ax_rng_below(&r, X + 1);
            else {
                int d = (int)ax_rng_below(&r, 9) - 4;
                e = (uint32_t)std::clamp(f.bias + d, 1, (int)X - 1);
            }
            *x = ax_pack(ax_sign(z, f), e, ax_frac(z, f), f);
        }
}

// ---- one configuration ------------------------------------------------------

struct Outcome {
    uint64_t vectors = 0, bad = 0;
    bool stopped = false;
    double seconds = 0;
};

Outcome run_job(Job &j, int jobs, bool progress, std::vector<Miss> &misses)
{
    const bool mac = j.dut->kind == AX_DUT_MAC;
    const uint64_t total = j.plan.total, chunk = mac ? kMacChunk : kChunk;
    std::atomic<uint64_t> next{0}, done{0}, bad{0};
    int running = jobs; // guarded by wait_mu
    std::mutex mu, wait_mu;
    std::condition_variable wait_cv;
    auto worker = [&]() {
        std::unique_ptr<AxRtl> rtl;
        std::unique_ptr<AxMacRtlBase> mrtl;
        if (mac)
            mrtl.reset(j.dut->make_mac());
        else
            rtl.reset(j.dut->make());
        std::vector<uint32_t> ta, tb;
        ax_mac_cfg_t mc = {j.mul, j.fi, j.fp, j.add, j.fo};
        auto record = [&](Miss m) {
            bad++;
            std::lock_guard<std::mutex> g(mu);
            misses.push_back(std::move(m));
        };
        for (;;) {
            uint64_t c0 = next.fetch_add(chunk);
            if (c0 >= total || bad.load(std::memory_order_relaxed) >= kMaxReport) break;
            uint64_t c1 = std::min(total, c0 + chunk);
            if (mac) {
                for (uint64_t i = c0; i < c1; i++) {
                    mac_terms(j, i, ta, tb);
                    uint32_t cf = 0, rf = 0;
                    uint32_t cr = ax_mac_fold(&mc, ta.data(), tb.data(), ta.size(), &cf);
                    uint32_t rr = mrtl->dot(ta.data(), tb.data(), ta.size(), &rf, mix(j.seed, ~i));
                    if (cr != rr || cf != rf) record({i, 0, 0, cr, cf, rr, rf, ta, tb});
                }
            } else {
                // the segment of c0; a chunk may run into the next ones
                uint64_t base = 0;
                size_t si = 0;
                while (c0 >= base + j.plan.segs[si].n) base += j.plan.segs[si++].n;
                for (uint64_t gi = c0; gi < c1; gi++) {
                    while (gi >= base + j.plan.segs[si].n) base += j.plan.segs[si++].n;
                    uint32_t a = 0, b = 0, cf = 0, rf = 0;
                    vector_at(j, j.plan.segs[si], gi - base, gi, &a, &b);
                    uint32_t cr = j.dut->cfn ? j.dut->cfn(a, b, j.fi, j.fo, &cf)
                                             : ax_unit_apply(j.unit, a, b, j.fi, j.fo, &cf);
                    uint32_t rr = rtl->eval(a, b, &rf);
                    if (cr != rr || cf != rf) record({gi, a, b, cr, cf, rr, rf, {}, {}});
                }
            }
            done += c1 - c0;
        }
        std::lock_guard<std::mutex> g(wait_mu);
        running--;
        wait_cv.notify_all();
    };
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int k = 0; k < jobs; k++) pool.emplace_back(worker);
    // the progress line, twice a second, while the workers run
    std::unique_lock<std::mutex> lk(wait_mu);
    while (!wait_cv.wait_for(lk, std::chrono::milliseconds(500), [&] { return running == 0; })) {
        if (!progress) continue;
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        uint64_t d = done.load();
        double rate = d / s, eta = rate > 0 ? (total - d) / rate : 0;
        fprintf(stderr, "\r  %-34s %5.1f%%  %s/%s %s  %.1f M/s  ETA %s   ", j.dut->name,
                100.0 * d / total, group(d).c_str(), group(total).c_str(),
                mac ? "dot products" : "vectors", rate / 1e6, duration(eta).c_str());
    }
    lk.unlock();
    for (auto &t : pool) t.join();
    if (progress) fprintf(stderr, "\r%*s\r", 110, "");
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    o.vectors = done.load();
    o.bad = bad.load();
    o.stopped = o.bad > 0 && o.vectors < total;
    std::sort(misses.begin(), misses.end(), [](const Miss &x, const Miss &y) { return x.idx < y.idx; });
    if (misses.size() > (size_t)kMaxReport) misses.resize(kMaxReport);
    return o;
}

void report_miss(const Job &j, const Miss &m, int n)
{
    const bool mac = j.dut->kind == AX_DUT_MAC;
    if (mac) {
        printf("  MISMATCH %d: %s, dot product #%" PRIu64 " of %zu terms (seed %" PRIu64 ")\n", n,
               j.dut->name, m.idx, m.ta.size(), j.seed);
        for (size_t k = 0; k < m.ta.size() && k < 4; k++) {
            char w[32];
            snprintf(w, sizeof w, "a[%zu]", k);
            decode(w, m.ta[k], j.fi);
            snprintf(w, sizeof w, "b[%zu]", k);
            decode(w, m.tb[k], j.fi);
        }
        if (m.ta.size() > 4) printf("    ... %zu more terms in the VCD\n", m.ta.size() - 4);
    } else {
        printf("  MISMATCH %d: %s, vector #%" PRIu64 "\n", n, j.dut->name, m.idx);
        decode("a", m.a, j.fi);
        decode("b", m.b, j.fi);
    }
    decode("C model", m.cr, j.fo);
    printf("    %-10s %s (0x%02x)\n", "  flags", flag_names(m.cf).c_str(), m.cf);
    decode("RTL", m.rr, j.fo);
    printf("    %-10s %s (0x%02x)\n", "  flags", flag_names(m.rf).c_str(), m.rf);
}

// ---- options ----------------------------------------------------------------

void usage(FILE *o)
{
    fprintf(o,
            "usage: axsim verify [--unit U[,U...]] [--fmt F[,F...]] [--config NAME]...\n"
            "                    [--level quick|full] [--seed S] [--jobs N] [--vcd-dir DIR]\n"
            "                    [--list] [--manifest FILE]\n\n"
            "Compares the verilated RTL of every selected unit and format with its C model,\n"
            "result and flags bit for bit, and prints one line per configuration.\n\n"
            "  --unit U      units by name (mul_drum) or full spec (mul_drum:k=6)\n"
            "  --fmt F       input formats (fp16, bf16, fp8e4m3, e6m9, ...)\n"
            "  --config NAME one configuration by its full name (see --list); planted-bug\n"
            "                variants (test only) run only when named this way\n"
            "  --level L     quick (default): exhaustive for 8-bit formats, every significand\n"
            "                pair under exponent pairs reaching subnormal, underflow, overflow\n"
            "                and special values plus 10^6 random pairs for 16-bit formats,\n"
            "                special values crossed plus 10^6 weighted random pairs for wider\n"
            "                ones, 20000 random dot products for MACs;\n"
            "                full: all 2^32 pairs of 16-bit formats, 10^8 pairs for wider\n"
            "                ones, 200000 dot products for MACs\n"
            "  --seed S      seed of the random vectors (default 1)\n"
            "  --jobs N      worker threads (default: all cores)\n"
            "  --vcd-dir DIR where the VCD of failing vectors goes (default axsim-vcd)\n"
            "  --list        list the configurations and exit\n"
            "  --manifest F  verify your own unit (docs/byo-unit.md)\n\n"
            "On a mismatch: the inputs and both results decoded with flags (at most %d), a\n"
            "VCD of the failing vectors, and exit status 1. Usage errors exit with 2.\n",
            kMaxReport);
}

bool in_list(const std::string &list, const std::string &item)
{
    size_t p = 0;
    while (p <= list.size()) {
        size_t q = list.find(',', p);
        if (q == std::string::npos) q = list.size();
        if (list.compare(p, q - p, item) == 0) return true;
        p = q + 1;
    }
    return false;
}

std::string base_of(const char *spec)
{
    std::string s(spec);
    size_t c = s.find(':');
    return c == std::string::npos ? s : s.substr(0, c);
}

bool unit_matches(const AxDut &d, const std::string &list)
{
    if (d.kind == AX_DUT_MAC)
        return in_list(list, "mac") || in_list(list, d.unit) || in_list(list, base_of(d.mul)) ||
               in_list(list, base_of(d.add));
    return in_list(list, d.unit) || in_list(list, base_of(d.unit));
}

bool fmt_matches(const AxDut &d, const std::string &list)
{
    return in_list(list, d.fi) || in_list(list, base_of(d.fi));
}

int usage_error(const char *fmt, const char *a, const char *b = "")
{
    fprintf(stderr, "axsim verify: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n(axsim verify --help lists the options)\n");
    return 2;
}

bool parse_u64(const char *s, uint64_t *v)
{
    if (!*s) return false;
    char *e;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 0);
    if (*e || errno || *s == '-') return false;
    *v = x;
    return true;
}

int setup_job(const AxDut &d, Job &j)
{
    char err[512];
    j.dut = &d;
    if (ax_format_parse(d.fi, &j.fi, err, sizeof err) ||
        ax_format_parse(d.fo, &j.fo, err, sizeof err)) {
        printf("%s: %s\n", d.name, err);
        return 1;
    }
    if (d.kind == AX_DUT_MAC) {
        if (ax_format_parse(d.prod, &j.fp, err, sizeof err) ||
            ax_unit_parse(d.mul, &j.mul, err, sizeof err) ||
            ax_unit_parse(d.add, &j.add, err, sizeof err)) {
            printf("%s: %s\n", d.name, err);
            return 1;
        }
        j.op = AX_DUT_MAC;
    } else if (!d.cfn) {
        if (ax_unit_parse(d.unit, &j.unit, err, sizeof err)) {
            printf("%s: %s\n", d.name, err);
            return 1;
        }
        j.op = ax_unit_kind(j.unit) == AX_KIND_ADD ? AX_DUT_ADD : AX_DUT_MUL;
    } else {
        j.op = d.kind;
    }
    return 0;
}

} // namespace

int ax_verify_main(int argc, char **argv, const AxDut *duts, size_t n_duts)
{
    std::string units, fmts, level = "quick", vcd_dir = "axsim-vcd";
    std::vector<std::string> names;
    uint64_t seed = 1, jobs = std::max(1u, std::thread::hardware_concurrency());
    bool list = false;
    for (int i = 1; i < argc; i++) {
        std::string o = argv[i];
        auto val = [&](const char **v) {
            if (i + 1 >= argc) return false;
            *v = argv[++i];
            return true;
        };
        const char *v = nullptr;
        if (o == "--help" || o == "-h") {
            usage(stdout);
            return 0;
        } else if (o == "--list") {
            list = true;
        } else if (o == "--unit" || o == "--fmt" || o == "--config" || o == "--level" ||
                   o == "--seed" || o == "--jobs" || o == "--vcd-dir") {
            if (!val(&v)) return usage_error("%s needs a value%s", o.c_str());
            if (o == "--unit")
                units += (units.empty() ? "" : ",") + std::string(v);
            else if (o == "--fmt")
                fmts += (fmts.empty() ? "" : ",") + std::string(v);
            else if (o == "--config")
                names.push_back(v);
            else if (o == "--level") {
                level = v;
                if (level != "quick" && level != "full")
                    return usage_error("unknown level '%s' (quick or full)%s", v);
            } else if (o == "--seed") {
                if (!parse_u64(v, &seed)) return usage_error("--seed '%s' is not a number%s", v);
            } else if (o == "--jobs") {
                if (!parse_u64(v, &jobs) || jobs < 1 || jobs > 1024)
                    return usage_error("--jobs '%s': give a thread count from 1 to 1024%s", v);
            } else
                vcd_dir = v;
        } else if (o == "--manifest") {
            return usage_error("--manifest is handled by `axsim verify`, not by %s%s", argv[0]);
        } else {
            return usage_error("unknown option '%s'%s", o.c_str());
        }
    }

    // select
    std::vector<const AxDut *> sel;
    for (size_t k = 0; k < n_duts; k++) {
        const AxDut &d = duts[k];
        bool named = false;
        for (auto &n : names) named |= n == d.name;
        bool want = names.empty() ? d.bug == 0 : named;
        if (!units.empty()) want &= unit_matches(d, units);
        if (!fmts.empty()) want &= fmt_matches(d, fmts);
        if (want || (list && d.bug == 0 && names.empty() && units.empty() && fmts.empty()))
            sel.push_back(&d);
    }
    if (list) {
        for (const AxDut *d : sel)
            printf("%-40s %-22s %-10s -> %s\n", d->name, d->unit, d->fi, d->fo);
        return 0;
    }
    for (auto &n : names) {
        bool found = false;
        for (size_t k = 0; k < n_duts; k++) found |= n == duts[k].name;
        if (!found)
            return usage_error("no configuration named '%s' (axsim verify --list shows them)%s",
                               n.c_str());
    }
    if (sel.empty()) {
        std::string msg = "no verilated configuration matches";
        if (!units.empty()) msg += " --unit " + units;
        if (!fmts.empty()) msg += " --fmt " + fmts;
        return usage_error("%s.\nThe built configurations are listed by axsim verify --list; add "
                           "one with cmake -DAXSIM_COSIM_EXTRA_CONFIGS='unit|in|out' or verify "
                           "your own unit with --manifest (docs/byo-unit.md).%s",
                           msg.c_str());
    }

    const bool tty = isatty(2);
    printf("axsim verify: level %s, seed %" PRIu64 ", %" PRIu64 " job%s, %zu configuration%s\n",
           level.c_str(), seed, jobs, jobs > 1 ? "s" : "", sel.size(), sel.size() > 1 ? "s" : "");
    fflush(stdout);
    int nok = 0, nfail = 0;
    uint64_t all = 0;
    double secs = 0;
    for (const AxDut *d : sel) {
        Job j{};
        j.seed = seed;
        if (setup_job(*d, j)) {
            nfail++;
            continue;
        }
        if (d->kind == AX_DUT_MAC) {
            j.plan.segs.push_back({SEG_RANDOM, level == "full" ? 200000ull : 20000ull, {}, {}});
            j.plan.total = j.plan.segs[0].n;
            j.plan.what = "random dot products";
        } else {
            make_plan(j, level == "full");
        }
        std::vector<Miss> misses;
        Outcome o = run_job(j, (int)jobs, tty && j.plan.total > 20000000ull, misses);
        all += o.vectors;
        secs += o.seconds;
        for (size_t k = 0; k < misses.size(); k++) report_miss(j, misses[k], (int)k + 1);
        char ub[96], mb[96];
        std::string u = d->unit; // with its parameters spelled out
        if (d->kind == AX_DUT_MAC)
            u = std::string(ax_unit_name(j.mul, mb, sizeof mb)) + "+" + ax_unit_name(j.add, ub, sizeof ub);
        else if (!d->cfn)
            u = ax_unit_name(j.unit, ub, sizeof ub);
        if (d->bug) u += " [planted bug " + std::to_string(d->bug) + "]";
        printf("%-34s %-12s -> %-12s %14s %s  %-5s %7.1f M/s\n", u.c_str(), d->fi, d->fo,
               group(o.vectors).c_str(), d->kind == AX_DUT_MAC ? "dot products" : "vectors",
               o.bad ? "FAIL" : "ok", o.seconds > 0 ? o.vectors / o.seconds / 1e6 : 0.0);
        if (o.bad) {
            nfail++;
            printf("    %s%s mismatch%s in %s vectors (%s)\n", o.stopped ? "stopped after " : "",
                   group(o.bad).c_str(), o.bad > 1 ? "es" : "", group(o.vectors).c_str(),
                   j.plan.what.c_str());
            std::string p = write_vcd(j, misses, vcd_dir);
            if (!p.empty()) printf("    VCD of the failing vectors: %s\n", p.c_str());
        } else {
            nok++;
        }
        fflush(stdout);
    }
    printf("axsim verify: %d ok, %d failed; %s vectors in %.1f s (%.1f M vectors/s on %" PRIu64
           " job%s, %.1f M/s per job)\n",
           nok, nfail, group(all).c_str(), secs, secs > 0 ? all / secs / 1e6 : 0.0, jobs,
           jobs > 1 ? "s" : "", secs > 0 ? all / secs / 1e6 / jobs : 0.0);
    return nfail ? 1 : 0;
}
