// accel_main.cpp — axsim-accel, the cycle-accurate accelerator model
// (SystemC; `axsim accel --mode cycle` runs it, docs/accelerator.md).
//
//   axsim-accel --selftest [--mac SPEC] [--pe rtl|c] [--dataflow os,ws,is]
//               [--arrays RxC,...] [--cases N] [--seed S] [--plant skew|psum]
//     random GEMMs (ragged edges, K longer than the array, special values)
//     on each array and dataflow; every output and the flags must equal
//     ax_gemm's (ref backend) and every count the analytic model's
//     (ax_accel_analytic), fold by fold. Exit 0 all equal, 1 a mismatch, 2
//     bad usage. --plant breaks the array on purpose (the tests expect 1).
//   axsim-accel --list      the MAC configurations verilated as PEs
//   --threads 1|2 with any of them: two threads clock each cycle's rows,
//   one half each (default where there are 2 cores; arrays of 4 rows and 64
//   PEs or more)
//   axsim-accel --bench [--mac SPEC] [--pe rtl|c] [--array RxC]
//               [--dataflow D] [--gemm MxNxK]
//     simulated PE-cycles per second on one random GEMM
//   axsim-accel --jobs FILE --results FILE [--pe rtl|c] [--progress]
//               [--vcd-job J --vcd-fold F --vcd-out FILE]
//     the jobs the CLI wrote, their outputs and counts back (the files of
//     ax_accel.h); exit 0, or 2 with a message.
//
// SystemC elaborates once per process, so each array shape runs in a child
// process of its own.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "accel_array.h"
#include "accel_models.h"

extern "C" {
#include "ax_fastpath.h"
#include "ax_format.h"
#include "ax_rng.h"
}

namespace {

struct PeModel {
    const char *spec;
    PeGrid *(*make)(int n, int split);
};

// --threads: 2 splits each cycle's rows between two threads (arrays of 4
// rows and 64 PEs or more), where there are 2 cores
int g_threads = std::thread::hardware_concurrency() >= 2 ? 2 : 1;
const PeModel kModels[] = {AXSIM_ACCEL_PES};

int usage(const char *msg)
{
    fprintf(stderr, "axsim-accel: %s\n(axsim-accel --selftest | --list | --jobs FILE --results FILE; "
                    "see cosim/accel/accel_main.cpp)\n", msg);
    return 2;
}

// The array's PEs are plain MACs: a DAA configuration (ax_daa.h) pairs two
// rows per PE, which this array does not model; 0, or 1 with the reason
int plain_mac(const ax_mac_cfg_t &c, char *err, size_t errlen)
{
    if (!ax_mac_is_daa(&c)) return 0;
    snprintf(err, errlen, "a DAA configuration's array (two streams per PE) is not modelled; "
                          "give a plain MAC");
    return 1;
}

// The PEs for cfg: the verilated model of that MAC (pe = "rtl"), or the C
// twin (pe = "c"). nullptr with a message when the RTL of cfg is not built.
std::unique_ptr<PeGrid> make_pes(const ax_mac_cfg_t &cfg, const std::string &pe, int n,
                                 int split, std::string &why)
{
    if (pe == "c") return std::unique_ptr<PeGrid>(new PeGridC(n, cfg));
    char want[256], have[256], err[256];
    ax_mac_name(&cfg, want, sizeof want);
    std::string built;
    for (const PeModel &m : kModels) {
        ax_mac_cfg_t mc;
        if (ax_mac_parse(m.spec, &mc, err, sizeof err)) continue;
        ax_mac_name(&mc, have, sizeof have);
        if (!strcmp(want, have)) return std::unique_ptr<PeGrid>(m.make(n, split));
        built += std::string("\n  ") + have;
    }
    why = std::string("the MAC ") + want + " is not verilated as a PE in this build (--pe c "
          "runs its C model in the same array; AXSIM_ACCEL_MACS adds it to the build); built:" +
          built;
    return nullptr;
}

// A VCD asked for: fold `fold` of job `job` into path (job < 0: none)
struct VcdAsk {
    int64_t job = -1, fold = 0;
    std::string path;
};

// Simulates jobs on one array; returns 0, or 2 with a message
int simulate(const ax_accel_cfg_t &cfg, const ax_mac_cfg_t &mac, const std::string &pe,
             Plant plant, std::vector<AccelJob> &jobs, bool progress, uint64_t *pe_cycles,
             const VcdAsk &vcd = VcdAsk{})
{
    std::string why;
    const int threads = g_threads, R = (int)cfg.rows, C = (int)cfg.cols;
    const int lane1 = threads > 1 ? AccelArray::lanes_split(R, C) : 0;
    std::unique_ptr<PeGrid> grid = make_pes(mac, pe, R * C, lane1 ? lane1 * C : R * C, why);
    if (!grid) {
        fprintf(stderr, "axsim-accel: %s\n", why.c_str());
        return 2;
    }
    sc_clock clk("clk", 1, SC_NS);
    AccelArray array("array", cfg, *grid, plant, threads);
    array.clk(clk);
    std::function<void(size_t, int64_t, int64_t)> cb;
    if (progress)
        cb = [&](size_t j, int64_t done, int64_t total) {
            fprintf(stderr, "\r  %-24s %5.1f%%  %" PRId64 "/%" PRId64 " cycles   ",
                    jobs[j].name.c_str(), 100.0 * done / total, done, total);
        };
    array.set_jobs(&jobs, cb);
    if (vcd.job >= 0)
        array.set_vcd((size_t)vcd.job, vcd.fold, vcd.path, ax_fmt_width(mac.in), ax_fmt_width(mac.acc));
    sc_start();
    if (progress) fprintf(stderr, "\r%*s\r", 70, "");
    if (pe_cycles) *pe_cycles = array.pe_cycles();
    if (!array.vcd_error().empty()) {
        fprintf(stderr, "axsim-accel: %s\n", array.vcd_error().c_str());
        return 2;
    }
    return 0;
}

// ---- the self-test -------------------------------------------------------

uint32_t operand(ax_rng_t *r, ax_format_t f, bool wild)
{
    uint32_t z = (uint32_t)ax_rng_next(r), pick = ax_rng_below(r, 64), X = ax_fmt_emask(f), e;
    if (wild && pick < 2)
        e = X; // inf / NaN (the largest binade in FN formats)
    else if (wild && pick < 5)
        e = ax_rng_below(r, 2); // zero, subnormal
    else if (pick < 6)
        return 0; // +0: a padding-like operand
    else {
        int d = (int)ax_rng_below(r, 7) - 3;
        e = (uint32_t)std::min(std::max(f.bias + d, 1), (int)X - 1);
    }
    return ax_pack(ax_sign(z, f), e, ax_frac(z, f), f);
}

bool same_double(double a, double b) { return a == b || (a != a && b != b); }

// Compares one job with ax_gemm and the analytic counts; prints what differs
bool check_job(const ax_accel_cfg_t &cfg, const ax_mac_cfg_t &mac, ax_engine_t *e,
               const AccelJob &j, const std::vector<uint32_t> &A, const std::vector<uint32_t> &B)
{
    char err[256];
    std::vector<uint32_t> ref((size_t)j.m * j.n);
    uint32_t rflags = 0;
    ax_gemm_shape_t s = ax_gemm_shape(j.m, j.n, j.k);
    if (ax_gemm(e, &mac, &s, A.data(), B.data(), ref.data(), &rflags, err, sizeof err)) {
        printf("  %s: ax_gemm failed: %s\n", j.name.c_str(), err);
        return false;
    }
    bool ok = true;
    int shown = 0;
    for (int64_t i = 0; i < j.m * j.n; i++)
        if (ref[i] != j.C[i]) {
            ok = false;
            if (shown++ < 3)
                printf("  %s: C[%" PRId64 "][%" PRId64 "] = 0x%08x, ax_gemm 0x%08x\n",
                       j.name.c_str(), i / j.n, i % j.n, j.C[i], ref[i]);
        }
    if (rflags != j.flags) {
        ok = false;
        printf("  %s: flags 0x%02x, ax_gemm 0x%02x\n", j.name.c_str(), j.flags, rflags);
    }
    ax_accel_layer_t l{};
    snprintf(l.name, sizeof l.name, "%s", j.name.c_str());
    l.m = j.m, l.n = j.n, l.k = j.k, l.count = 1, l.ifmap_words = j.ifmap_words;
    ax_accel_counts_t a;
    if (ax_accel_analytic(&cfg, &l, &a, err, sizeof err)) {
        printf("  %s: %s\n", j.name.c_str(), err);
        return false;
    }
    const ax_accel_counts_t &k = j.counts;
    auto cmp = [&](const char *what, int64_t x, int64_t y) {
        if (x == y) return;
        ok = false;
        printf("  %s: %s %" PRId64 " simulated, %" PRId64 " analytic\n", j.name.c_str(), what, x, y);
    };
    cmp("cycles", k.cycles, a.cycles);
    cmp("stall cycles", k.stall_cycles, a.stall_cycles);
    cmp("preload cycles", k.preload_cycles, a.preload_cycles);
    cmp("drain cycles", k.drain_cycles, a.drain_cycles);
    cmp("folds", k.folds, a.folds);
    cmp("MACs", k.macs, a.macs);
    cmp("partial-sum words", k.psum_words, a.psum_words);
    static const char *const bn[] = {"ifmap", "filter", "ofmap"};
    for (int b = 0; b < AX_BUF_COUNT; b++) {
        std::string w = bn[b];
        cmp((w + " SRAM reads").c_str(), k.sram_reads[b], a.sram_reads[b]);
        cmp((w + " SRAM writes").c_str(), k.sram_writes[b], a.sram_writes[b]);
        cmp((w + " SRAM first cycle").c_str(), k.sram_first[b], a.sram_first[b]);
        cmp((w + " SRAM last cycle").c_str(), k.sram_last[b], a.sram_last[b]);
        cmp((w + " DRAM reads").c_str(), k.dram_reads[b], a.dram_reads[b]);
        cmp((w + " DRAM writes").c_str(), k.dram_writes[b], a.dram_writes[b]);
        cmp((w + " DRAM used").c_str(), k.has_dram[b], a.has_dram[b]);
        cmp((w + " DRAM first cycle").c_str(), k.dram_first[b], a.dram_first[b]);
        cmp((w + " DRAM last cycle").c_str(), k.dram_last[b], a.dram_last[b]);
    }
    if (!same_double(k.mapping_eff, a.mapping_eff) || !same_double(k.compute_util, a.compute_util)) {
        ok = false;
        printf("  %s: mapping efficiency %.17g / compute utilization %.17g simulated, %.17g / "
               "%.17g analytic\n", j.name.c_str(), k.mapping_eff, k.compute_util, a.mapping_eff,
               a.compute_util);
    }
    ax_accel_map_t mp;
    ax_accel_map(&cfg, &l, &mp);
    for (int64_t f = 0; f < mp.folds && ok; f++) {
        ax_accel_fold_t want;
        ax_accel_fold(&cfg, &mp, f, &want);
        const ax_accel_fold_t &got = j.folds[f];
        char w[64];
        snprintf(w, sizeof w, "fold %" PRId64 " ", f);
        cmp((w + std::string("rows used")).c_str(), got.rows_used, want.rows_used);
        cmp((w + std::string("columns used")).c_str(), got.cols_used, want.cols_used);
        cmp((w + std::string("MACs")).c_str(), got.macs, want.macs);
        for (int b = 0; b < AX_BUF_COUNT; b++) {
            cmp((w + std::string(bn[b]) + " SRAM reads").c_str(), got.sram_reads[b],
                want.sram_reads[b]);
            cmp((w + std::string(bn[b]) + " SRAM writes").c_str(), got.sram_writes[b],
                want.sram_writes[b]);
        }
    }
    return ok;
}

// One array shape and dataflow in this (child) process: 0 all equal, 1 not
int selftest_one(ax_accel_cfg_t cfg, const ax_mac_cfg_t &mac, const std::string &pe, Plant plant,
                 int cases, uint64_t seed)
{
    ax_rng_t r{seed};
    const int64_t R = cfg.rows, C = cfg.cols;
    std::vector<AccelJob> jobs(cases);
    std::vector<std::vector<uint32_t>> As(cases), Bs(cases), Cs(cases);
    for (int c = 0; c < cases; c++) {
        AccelJob &j = jobs[c];
        // sizes from 1 to about 2.5 sides: one fold, several, ragged edges;
        // the first case has K > R so a sum always splits across row folds
        const int64_t side = std::max(R, C);
        j.m = 1 + ax_rng_below(&r, (uint32_t)(side * 5 / 2 + 1));
        j.n = 1 + ax_rng_below(&r, (uint32_t)(side * 5 / 2 + 1));
        j.k = c == 0 ? R + 1 + ax_rng_below(&r, (uint32_t)R + 1)
                     : 1 + ax_rng_below(&r, (uint32_t)(side * 5 / 2 + 1));
        char name[64];
        snprintf(name, sizeof name, "%s %" PRId64 "x%" PRId64 " #%d (%" PRId64 "x%" PRId64 "x%" PRId64 ")",
                 ax_dataflow_name(cfg.dataflow), R, C, c, j.m, j.n, j.k);
        j.name = name;
        // half the cases are convolution-like: fewer distinct ifmap words
        if (ax_rng_below(&r, 2)) j.ifmap_words = 1 + ax_rng_below(&r, (uint32_t)(j.m * j.k));
        const bool wild = ax_rng_below(&r, 4) == 0;
        As[c].resize((size_t)(j.m * j.k));
        Bs[c].resize((size_t)(j.k * j.n));
        Cs[c].assign((size_t)(j.m * j.n), 0xDEADBEEFu); // never a result: an output not written shows
        for (auto &x : As[c]) x = operand(&r, mac.in, wild);
        for (auto &x : Bs[c]) x = operand(&r, mac.in, wild);
        j.A = As[c].data(), j.B = Bs[c].data(), j.C = Cs[c].data();
    }
    if (simulate(cfg, mac, pe, plant, jobs, false, nullptr)) return 2;
    char err[256];
    ax_engine_t *e = ax_engine_create(AX_BACKEND_REF, 1, err, sizeof err);
    if (!e) {
        printf("axsim-accel: %s\n", err);
        return 2;
    }
    int bad = 0;
    for (int c = 0; c < cases; c++)
        if (!check_job(cfg, mac, e, jobs[c], As[c], Bs[c])) bad++;
    ax_engine_free(e);
    printf("%s %" PRId64 "x%" PRId64 ", %" PRId64 " KiB SRAMs, bandwidth %" PRId64
           ": %d GEMMs, %d equal to ax_gemm and the analytic counts\n",
           ax_dataflow_name(cfg.dataflow), R, C, cfg.sram_kb[0], cfg.bandwidth, cases, cases - bad);
    fflush(stdout);
    return bad ? 1 : 0;
}

int selftest(int argc, char **argv)
{
    std::string mac_spec = "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp32", pe = "rtl";
    // the last two take two lanes (4 rows and 64 PEs or more; --threads 2)
    std::string dfs = "os,ws,is", arrays = "1x1,2x3,3x2,4x4,5x3,8x8,4x17", bws = "0,1,3", srams = "64,1";
    int cases = 12;
    uint64_t seed = 1;
    Plant plant = Plant::none;
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        auto val = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        const char *v = nullptr;
        if (a == "--mac" && (v = val())) mac_spec = v;
        else if (a == "--pe" && (v = val())) pe = v;
        else if (a == "--dataflow" && (v = val())) dfs = v;
        else if (a == "--arrays" && (v = val())) arrays = v;
        else if (a == "--bandwidths" && (v = val())) bws = v;
        else if (a == "--srams" && (v = val())) srams = v;
        else if (a == "--cases" && (v = val())) cases = atoi(v);
        else if (a == "--seed" && (v = val())) seed = strtoull(v, nullptr, 10);
        else if (a == "--plant" && (v = val())) {
            if (!strcmp(v, "skew")) plant = Plant::skew;
            else if (!strcmp(v, "psum")) plant = Plant::psum;
            else return usage("--plant takes skew or psum");
        } else return usage(("unknown or incomplete option " + a).c_str());
    }
    if (cases < 1 || cases > 10000) return usage("--cases takes 1..10000");
    if (pe != "rtl" && pe != "c") return usage("--pe takes rtl or c");
    ax_mac_cfg_t mac;
    char err[256];
    if (ax_mac_parse(mac_spec.c_str(), &mac, err, sizeof err) || plain_mac(mac, err, sizeof err))
        return usage(err);
    std::vector<ax_dataflow_t> dl;
    for (size_t p = 0; p <= dfs.size();) {
        size_t q = dfs.find(',', p);
        if (q == std::string::npos) q = dfs.size();
        ax_dataflow_t d;
        if (ax_dataflow_parse(dfs.substr(p, q - p).c_str(), &d, err, sizeof err)) return usage(err);
        dl.push_back(d);
        p = q + 1;
    }
    std::vector<std::pair<int, int>> al;
    for (size_t p = 0; p <= arrays.size();) {
        size_t q = arrays.find(',', p);
        if (q == std::string::npos) q = arrays.size();
        int rr = 0, cc = 0;
        if (sscanf(arrays.substr(p, q - p).c_str(), "%dx%d", &rr, &cc) != 2 || rr < 1 || cc < 1 ||
            rr > 64 || cc > 64)
            return usage("--arrays takes RxC,... with sides 1..64");
        al.push_back({rr, cc});
        p = q + 1;
    }
    std::vector<int64_t> bl, sl;
    for (auto [list, out, lo, hi] : {std::make_tuple(&bws, &bl, 0, 1 << 20), std::make_tuple(&srams, &sl, 1, 1 << 20)}) {
        for (size_t p = 0; p <= list->size();) {
            size_t q = list->find(',', p);
            if (q == std::string::npos) q = list->size();
            char *end;
            std::string item = list->substr(p, q - p);
            long long x = strtoll(item.c_str(), &end, 10);
            if (item.empty() || *end || x < lo || x > hi)
                return usage("--bandwidths and --srams take comma lists of whole numbers");
            out->push_back(x);
            p = q + 1;
        }
    }
    char name[256];
    printf("axsim-accel self-test: %s, PEs %s%s\n", ax_mac_name(&mac, name, sizeof name),
           pe.c_str(), plant == Plant::none ? "" : plant == Plant::skew ? ", planted: row 1 skewed one cycle late"
                                                                        : ", planted: partial sums dropped between row folds");
    fflush(stdout);
    int worst = 0;
    for (ax_dataflow_t d : dl)
        for (auto [rr, cc] : al)
        for (int64_t bw : bl)
        for (int64_t kb : sl) {
            ax_accel_cfg_t cfg;
            ax_accel_cfg_default(&cfg);
            cfg.rows = rr, cfg.cols = cc, cfg.dataflow = d, cfg.bandwidth = bw;
            for (int b = 0; b < AX_BUF_COUNT; b++) cfg.sram_kb[b] = kb;
            pid_t pid = fork();
            if (pid < 0) {
                perror("axsim-accel: fork");
                return 2;
            }
            if (pid == 0)
                _exit(selftest_one(cfg, mac, pe, plant, cases,
                                   seed * 1000003u + rr * 131 + cc * 7 + d + bw * 17 + kb * 3));
            int st = 0;
            waitpid(pid, &st, 0);
            int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
            if (!WIFEXITED(st)) printf("%s %dx%d: the simulation died (signal %d)\n",
                                       ax_dataflow_name(d), rr, cc, WTERMSIG(st));
            worst = std::max(worst, rc);
        }
    printf("%s\n", worst == 0 ? "all equal" : worst == 1 ? "MISMATCH" : "error");
    return worst;
}

int run_jobs(int argc, char **argv)
{
    const char *jobs_path = nullptr, *out_path = nullptr;
    std::string pe = "rtl";
    bool progress = false;
    VcdAsk vcd;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--vcd-job" && i + 1 < argc) vcd.job = strtoll(argv[++i], nullptr, 10);
        else if (a == "--vcd-fold" && i + 1 < argc) vcd.fold = strtoll(argv[++i], nullptr, 10);
        else if (a == "--vcd-out" && i + 1 < argc) vcd.path = argv[++i];
        else if (a == "--jobs" && i + 1 < argc) jobs_path = argv[++i];
        else if (a == "--results" && i + 1 < argc) out_path = argv[++i];
        else if (a == "--pe" && i + 1 < argc) pe = argv[++i];
        else if (a == "--progress") progress = true;
        else return usage(("unknown or incomplete option " + a).c_str());
    }
    if (!jobs_path || !out_path) return usage("--jobs FILE and --results FILE go together");
    if (pe != "rtl" && pe != "c") return usage("--pe takes rtl or c");
    char err[512];
    FILE *f = fopen(jobs_path, "rb");
    if (!f) {
        fprintf(stderr, "axsim-accel: cannot open %s: %s\n", jobs_path, strerror(errno));
        return 2;
    }
    ax_accel_job_hdr_t h;
    ax_mac_cfg_t mac;
    if (ax_accel_jobs_read_header(f, jobs_path, &h, err, sizeof err) ||
        ax_mac_parse(h.mac, &mac, err, sizeof err) || plain_mac(mac, err, sizeof err)) {
        fprintf(stderr, "axsim-accel: %s\n", err);
        fclose(f);
        return 2;
    }
    std::vector<AccelJob> jobs((size_t)h.jobs);
    std::vector<std::unique_ptr<uint32_t, void (*)(void *)>> keep;
    std::vector<std::vector<uint32_t>> outs((size_t)h.jobs);
    for (AccelJob &j : jobs) {
        char name[64];
        uint32_t *A, *B;
        if (ax_accel_jobs_read_job(f, jobs_path, name, &j.m, &j.n, &j.k, &j.ifmap_words, &A, &B,
                                   err, sizeof err)) {
            fprintf(stderr, "axsim-accel: %s\n", err);
            fclose(f);
            return 2;
        }
        keep.emplace_back(A, free);
        keep.emplace_back(B, free);
        j.name = name;
        j.A = A, j.B = B;
        outs[&j - jobs.data()].assign((size_t)(j.m * j.n), 0);
        j.C = outs[&j - jobs.data()].data();
    }
    fclose(f);
    if (vcd.job >= (int64_t)jobs.size() || (vcd.job >= 0 && (vcd.fold < 0 || vcd.path.empty())))
        return usage("--vcd-job names no job, or --vcd-fold / --vcd-out are missing");
    if (simulate(h.cfg, mac, pe, Plant::none, jobs, progress, nullptr, vcd)) return 2;
    FILE *o = fopen(out_path, "wb");
    bool ok = o && !ax_accel_results_write_header(o, h.jobs);
    for (AccelJob &j : jobs)
        ok = ok && !ax_accel_results_write(o, j.m, j.n, j.C, j.flags, &j.counts, pe.c_str());
    if (o && fclose(o)) ok = false;
    if (!ok) {
        fprintf(stderr, "axsim-accel: writing %s failed: %s\n", out_path, strerror(errno));
        return 2;
    }
    return 0;
}

// The speed of the cycle-accurate mode: one random GEMM, PE-cycles per
// second (docs/benchmarks.md)
int bench(int argc, char **argv)
{
    std::string mac_spec = "mul=exact,in=bf16,prod=fp32,add=exact,acc=fp32", pe = "rtl";
    ax_accel_cfg_t cfg;
    ax_accel_cfg_default(&cfg);
    cfg.rows = cfg.cols = 16;
    long long m = 784, n = 64, k = 144;
    char err[256];
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!v) return usage(("option " + a + " needs a value").c_str());
        i++;
        int rr, cc;
        if (a == "--mac") mac_spec = v;
        else if (a == "--pe") pe = v;
        else if (a == "--array" && sscanf(v, "%dx%d", &rr, &cc) == 2) cfg.rows = rr, cfg.cols = cc;
        else if (a == "--dataflow") {
            if (ax_dataflow_parse(v, &cfg.dataflow, err, sizeof err)) return usage(err);
        } else if (a == "--gemm" && sscanf(v, "%lldx%lldx%lld", &m, &n, &k) == 3) {
        } else return usage(("unknown option or value: " + a + " " + v).c_str());
    }
    ax_mac_cfg_t mac;
    if (ax_mac_parse(mac_spec.c_str(), &mac, err, sizeof err) || plain_mac(mac, err, sizeof err))
        return usage(err);
    if (ax_accel_cfg_check(&cfg, err, sizeof err)) return usage(err);
    if (m < 1 || n < 1 || k < 1 || m * k > (1 << 26) || k * n > (1 << 26) || m * n > (1 << 26))
        return usage("--gemm MxNxK with each matrix at most 2^26 words");
    ax_rng_t r{7};
    std::vector<uint32_t> A((size_t)(m * k)), B((size_t)(k * n)), C((size_t)(m * n));
    for (auto &x : A) x = operand(&r, mac.in, false);
    for (auto &x : B) x = operand(&r, mac.in, false);
    std::vector<AccelJob> jobs(1);
    jobs[0].name = "bench";
    jobs[0].m = m, jobs[0].n = n, jobs[0].k = k;
    jobs[0].A = A.data(), jobs[0].B = B.data(), jobs[0].C = C.data();
    uint64_t pec = 0;
    auto t0 = std::chrono::steady_clock::now();
    if (simulate(cfg, mac, pe, Plant::none, jobs, false, &pec)) return 2;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char name[256];
    printf("axsim-accel bench: %s, %s PEs, %lldx%lld %s, GEMM %lldx%lldx%lld\n",
           ax_mac_name(&mac, name, sizeof name), pe.c_str(), (long long)cfg.rows,
           (long long)cfg.cols, ax_dataflow_name(cfg.dataflow), m, n, k);
    printf("  %" PRId64 " cycles, %" PRIu64 " PE-cycles, %" PRId64 " MACs in %.3f s: %.3g PE-cycles/s, "
           "%.3g MACs/s\n", jobs[0].counts.cycles, pec, jobs[0].counts.macs, s, pec / s,
           jobs[0].counts.macs / s);
    return 0;
}

int list_models()
{
    char err[256], name[256];
    for (const PeModel &m : kModels) {
        ax_mac_cfg_t mc;
        if (ax_mac_parse(m.spec, &mc, err, sizeof err)) continue;
        printf("%s\n", ax_mac_name(&mc, name, sizeof name));
    }
    return 0;
}

} // namespace

int sc_main(int argc, char **argv)
{
    // --threads 1|2 anywhere: the threads that clock the array
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--threads")) {
            g_threads = atoi(argv[i + 1]);
            if (g_threads < 1 || g_threads > 2) return usage("--threads takes 1 or 2");
            for (int k = i; k + 2 <= argc; k++) argv[k] = argv[k + 2];
            argc -= 2;
            break;
        }
    // the kernel's "simulation stopped by user" note at the end of every run
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    if (argc >= 2 && !strcmp(argv[1], "--selftest")) return selftest(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "--list")) return list_models();
    if (argc >= 2 && !strcmp(argv[1], "--bench")) return bench(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "--jobs")) return run_jobs(argc, argv);
    return usage("give --selftest, --list or --jobs");
}

// SystemC prints its banner when the kernel starts unless
// SC_COPYRIGHT_MESSAGE=DISABLE; the reports on stdout are ours alone
int main(int argc, char **argv)
{
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
