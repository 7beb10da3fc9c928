// verify_run.cpp — running one configuration (verify_impl.h): worker threads
// take chunks of vector indices from a shared counter, each with its own
// instance of the verilated DUT, and compare it with the C model; the main
// thread prints the progress line.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "verify_impl.h"

extern "C" {
#include "ax_daa.h"
}

namespace axv {

namespace {
constexpr uint64_t kChunk = 1 << 15; // vectors per work item
constexpr uint64_t kMacChunk = 16;   // dot products per work item
} // namespace

Outcome run_job(Job &j, int jobs, bool progress, std::vector<Miss> &misses)
{
    const bool mac = j.dut->kind == AX_DUT_MAC, daa = j.dut->kind == AX_DUT_DAA;
    const uint64_t total = j.plan.total, chunk = mac || daa ? kMacChunk : kChunk;
    std::atomic<uint64_t> next{0}, done{0}, bad{0};
    int running = jobs; // guarded by wait_mu
    std::mutex mu, wait_mu;
    std::condition_variable wait_cv;
    auto worker = [&]() {
        std::unique_ptr<AxRtl> rtl;
        std::unique_ptr<AxMacRtlBase> mrtl;
        std::unique_ptr<AxDaaRtlBase> drtl;
        if (daa)
            drtl.reset(j.dut->make_daa());
        else if (mac)
            mrtl.reset(j.dut->make_mac());
        else
            rtl.reset(j.dut->make());
        std::vector<uint32_t> ta, ta1, tb;
        ax_mac_cfg_t mc = {j.mul, j.fi, j.fp, j.add, j.fo, {}};
        auto record = [&](Miss m) {
            bad++;
            std::lock_guard<std::mutex> g(mu);
            misses.push_back(std::move(m));
        };
        for (;;) {
            uint64_t c0 = next.fetch_add(chunk);
            if (c0 >= total || bad.load(std::memory_order_relaxed) >= kMaxReport) break;
            uint64_t c1 = std::min(total, c0 + chunk);
            if (daa) {
                for (uint64_t i = c0; i < c1; i++) {
                    uint32_t init[2], cr[2], cf[2] = {0, 0}, rr[2], rf[2];
                    daa_terms(j, i, ta, ta1, tb, init);
                    const int64_t n = (int64_t)ta.size();
                    cr[0] = ax_daa_fold_from(&j.daa, init[0], ta.data(), ta1.data(), 0, tb.data(),
                                             1, 1, 0, n, &cf[0], nullptr);
                    cr[1] = ax_daa_fold_from(&j.daa, init[1], ta1.data(), ta.data(), 1, tb.data(),
                                             1, 1, 0, n, &cf[1], nullptr);
                    uint64_t chi = 0, rhi = 0;
                    for (int64_t k = 0; k < n; k++)
                        chi += (uint64_t)ax_daa_decide(&j.daa, (uint64_t)k, ta[k], ta1[k], tb[k]);
                    drtl->pair(ta.data(), ta1.data(), tb.data(), ta.size(), init, rr, rf, &rhi,
                               mix(j.seed, ~i));
                    if (cr[0] != rr[0] || cf[0] != rf[0] || cr[1] != rr[1] || cf[1] != rf[1] ||
                        chi != rhi) {
                        Miss m{i, 0, 0, cr[0], cf[0], rr[0], rf[0], ta, tb, init[0]};
                        m.ta1 = ta1, m.init1 = init[1], m.cr1 = cr[1], m.cf1 = cf[1];
                        m.rr1 = rr[1], m.rf1 = rf[1], m.chi = chi, m.rhi = rhi;
                        record(std::move(m));
                    }
                }
            } else if (mac) {
                for (uint64_t i = c0; i < c1; i++) {
                    uint32_t init = mac_terms(j, i, ta, tb), cf = 0, rf = 0, cr = init;
                    for (size_t k = 0; k < ta.size(); k++)
                        cr = ax_mac_step(&mc, cr, ta[k], tb[k], &cf);
                    uint32_t rr =
                        mrtl->dot(ta.data(), tb.data(), ta.size(), &rf, mix(j.seed, ~i), init);
                    if (cr != rr || cf != rf) record({i, 0, 0, cr, cf, rr, rf, ta, tb, init});
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
                daa ? "pairs" : mac ? "dot products" : "vectors", rate / 1e6, duration(eta).c_str());
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

} // namespace axv
