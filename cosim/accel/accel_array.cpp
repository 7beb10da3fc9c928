// accel_array.cpp — the cycle-accurate array (accel_array.h).
#include "accel_array.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>

AccelArray::AccelArray(sc_module_name name, const ax_accel_cfg_t &cfg, PeGrid &pe, Plant plant,
                       int threads)
    : sc_module(name), cfg_(cfg), pe_(pe), plant_(plant), R_((int)cfg.rows), C_((int)cfg.cols)
{
    nlanes_ = threads > 1 && lanes_split(R_, C_) > 0 ? 2 : 1;
    lanes_[0].lo = 0, lanes_[0].hi = nlanes_ == 2 ? lanes_split(R_, C_) : R_;
    lanes_[1].lo = lanes_[0].hi, lanes_[1].hi = R_;
    b_edge_.resize(C_);
    acc_edge_.resize(C_);
    const size_t n = (size_t)R_ * C_;
    acc_out_.resize(n);
    a_.resize(n);
    b_.resize(n);
    west_.resize(R_);
    north_.resize(C_);
    south_.resize(C_);
    s1_.resize(n);
    w_.resize(n);
    w_live_.resize(n);
    SC_CTHREAD(controller, clk.pos());
    if (nlanes_ == 2) worker_ = std::thread([this] { work(); }); // last: all is in place
}

AccelArray::~AccelArray()
{
    if (worker_.joinable()) {
        stop_.store(true);
        go_.fetch_add(1);
        worker_.join();
    }
}

int AccelArray::lanes_split(int rows, int cols)
{
    return rows >= 4 && rows * cols >= 64 ? rows / 2 : 0;
}

void AccelArray::set_vcd(size_t job, int64_t fold, const std::string &path, int in_bits,
                         int acc_bits)
{
    vcd_job_ = (int64_t)job, vcd_fold_ = fold, vcd_path_ = path;
    vcd_in_bits_ = in_bits, vcd_acc_bits_ = acc_bits;
}

void AccelArray::vcd_begin()
{
    vcd_.reset(new VcdWriter);
    vcd_sig_.clear();
    const bool os = cfg_.dataflow == AX_DF_OS;
    VcdWriter &v = *vcd_;
    for (int i = 0; i < R_; i++) {
        vcd_sig_.push_back(v.add("array.west.a" + std::to_string(i), vcd_in_bits_));
        vcd_sig_.push_back(v.add("array.west.valid" + std::to_string(i), 1));
    }
    // grouped by scope: a scope is declared once
    for (int j = 0; j < C_; j++) {
        vcd_sig_.push_back(v.add("array.north." + std::string(os ? "b" : "seed") + std::to_string(j),
                                 os ? vcd_in_bits_ : vcd_acc_bits_));
        vcd_sig_.push_back(v.add("array.north.valid" + std::to_string(j), 1));
    }
    for (int j = 0; j < C_ && !os; j++) {
        vcd_sig_.push_back(v.add("array.south.psum" + std::to_string(j), vcd_acc_bits_));
        vcd_sig_.push_back(v.add("array.south.valid" + std::to_string(j), 1));
    }
    for (int i = 0; i < R_; i++)
        for (int j = 0; j < C_; j++) {
            std::string pe = "array.pe_r" + std::to_string(i) + "_c" + std::to_string(j) + ".";
            vcd_sig_.push_back(v.add(pe + "a", vcd_in_bits_));
            vcd_sig_.push_back(v.add(pe + (os ? "b" : "w"), vcd_in_bits_));
            vcd_sig_.push_back(v.add(pe + "acc", vcd_acc_bits_));
            vcd_sig_.push_back(v.add(pe + "flags", 5));
            vcd_sig_.push_back(v.add(pe + "valid_o", 1));
        }
    char c[160];
    snprintf(c, sizeof c, "axsim-accel: %lldx%lld %s array, job %lld, fold %lld", (long long)R_,
             (long long)C_, ax_dataflow_name(cfg_.dataflow), (long long)vcd_job_, (long long)vcd_fold_);
    if (!v.open(vcd_path_, c)) {
        vcd_error_ = "cannot write " + vcd_path_ + ": " + strerror(errno);
        vcd_.reset();
    }
}

void AccelArray::vcd_sample()
{
    VcdWriter &v = *vcd_;
    const bool os = cfg_.dataflow == AX_DF_OS;
    v.time(now_);
    size_t s = 0;
    for (int i = 0; i < R_; i++) {
        v.set(vcd_sig_[s++], west_[i].v);
        v.set(vcd_sig_[s++], west_[i].live);
    }
    for (int j = 0; j < C_; j++) {
        v.set(vcd_sig_[s++], north_[j].v);
        v.set(vcd_sig_[s++], north_[j].live);
    }
    for (int j = 0; j < C_ && !os; j++) {
        v.set(vcd_sig_[s++], south_[j].v);
        v.set(vcd_sig_[s++], south_[j].live);
    }
    for (int i = 0; i < R_; i++)
        for (int j = 0; j < C_; j++) {
            const size_t p = (size_t)i * C_ + j;
            v.set(vcd_sig_[s++], a_[p].v);
            v.set(vcd_sig_[s++], os ? b_[p].v : w_[p]);
            v.set(vcd_sig_[s++], pe_.acc((int)p));
            v.set(vcd_sig_[s++], pe_.flags((int)p));
            v.set(vcd_sig_[s++], pe_.valid((int)p));
        }
}

void AccelArray::set_jobs(std::vector<AccelJob> *jobs,
                          std::function<void(size_t, int64_t, int64_t)> progress)
{
    jobs_ = jobs;
    progress_ = std::move(progress);
}

void AccelArray::controller()
{
    for (job_index_ = 0; jobs_ && job_index_ < jobs_->size(); job_index_++)
        run_job((*jobs_)[job_index_]);
    sc_stop();
    wait();
}



void AccelArray::tick_channels()
{
    for (auto &ch : chan_) ch.tick(now_);
}

void AccelArray::sram_mark(Lane &l, int b)
{
    if (l.sram_first[b] < 0) l.sram_first[b] = now_;
    l.sram_last[b] = now_;
}

void AccelArray::run_job(AccelJob &j)
{
    ax_accel_layer_t l{};
    snprintf(l.name, sizeof l.name, "%s", j.name.c_str());
    l.m = j.m, l.n = j.n, l.k = j.k, l.count = 1, l.ifmap_words = j.ifmap_words;
    ax_accel_map_t mp;
    ax_accel_map(&cfg_, &l, &mp);
    map_ = mp;
    job_ = &j;
    pe_.reset();
    std::fill(a_.begin(), a_.end(), Op{});
    std::fill(b_.begin(), b_.end(), Op{});
    std::fill(s1_.begin(), s1_.end(), Op{});
    std::fill(w_live_.begin(), w_live_.end(), 0);
    if (cfg_.dataflow != AX_DF_OS) psum_.assign((size_t)mp.t * C_, 0);
    const int64_t F = mp.folds, L = mp.fold_cycles;
    plan_.resize((size_t)F);
    for (int64_t f = 0; f < F; f++) ax_accel_fold(&cfg_, &mp, f, &plan_[f]);
    for (int n = 0; n < nlanes_; n++) {
        Lane &l = lanes_[n];
        l.cmds.clear();
        l.retire.clear();
        l.tally.assign((size_t)F, ax_accel_fold_t{});
        l.used.assign((size_t)F, 0);
        l.row_seen.assign((size_t)F * R_, 0);
        l.col_seen.assign((size_t)F * C_, 0);
        for (int b = 0; b < AX_BUF_COUNT; b++) l.sram_first[b] = l.sram_last[b] = -1;
        l.flags = 0;
    }
    pe_fold_.assign((size_t)R_ * C_, -1);
    for (auto &ch : chan_) ch = Channel{};
    for (auto &ch : chan_) ch.bw = cfg_.bandwidth;
    j.flags = 0;
    ax_accel_counts_t &k = j.counts;
    memset(&k, 0, sizeof k);
    const int64_t total_min = F * L + 1;
    int64_t done = 0;

    // the preload: fold 0's operands, each channel timed to end at cycle -1
    int64_t pre = 0, d[2];
    for (int b = 0; b < 2; b++) {
        d[b] = ax_accel_transfer_cycles(plan_[0].load[b], cfg_.bandwidth);
        pre = std::max(pre, d[b]);
    }
    for (now_ = -pre; now_ < 0; now_++) {
        for (int b = 0; b < 2; b++)
            if (d[b] && now_ == -d[b]) chan_[b].push(0, plan_[0].load[b]);
        tick_channels();
        wait();
    }
    k.preload_cycles = pre;
    for (int b = 0; b < 2; b++) k.dram_reads[b] += plan_[0].load[b];

    now_ = 0;
    for (int64_t f = 0; f <= F; f++) {
        if (f > 0 && f < F) {
            // the array holds still until fold f's operands are in and the
            // ofmap half it will write is drained
            while (!chan_[AX_BUF_IFMAP].idle() || !chan_[AX_BUF_FILTER].idle() ||
                   !chan_[AX_BUF_OFMAP].idle()) {
                tick_channels();
                pe_cycles_ += (uint64_t)R_ * C_;
                k.stall_cycles++;
                now_++;
                wait();
            }
        }
        if (f < F) {
            // fold f starts: fetch fold f+1's operands, write fold f-1's outputs back
            if (f + 1 < F)
                for (int b = 0; b < 2; b++) {
                    chan_[b].push(f + 1, plan_[f + 1].load[b]);
                    k.dram_reads[b] += plan_[f + 1].load[b];
                }
            if (f >= 1) {
                chan_[AX_BUF_OFMAP].push(f - 1, plan_[f - 1].drain);
                k.dram_writes[AX_BUF_OFMAP] += plan_[f - 1].drain;
            }
        }
        // the fold's cycles; after the last, one cycle that only retires
        const int64_t len = f < F ? L : 1;
        const bool tracing = (int64_t)job_index_ == vcd_job_ && (f == vcd_fold_ || f == vcd_fold_ + 1);
        if (tracing && f == vcd_fold_) vcd_begin();
        for (int64_t c = 0; c < len; c++) {
            std::fill(west_.begin(), west_.end(), Op{});
            std::fill(north_.begin(), north_.end(), Op{});
            std::fill(south_.begin(), south_.end(), Op{});
            cycle(f < F ? f : -1, c);
            if (vcd_ && tracing && (f == vcd_fold_ || c == 0)) vcd_sample();
            if (vcd_ && tracing && f == vcd_fold_ + 1 && c == 0) {
                if (!vcd_->close()) vcd_error_ = "writing " + vcd_path_ + " failed";
                vcd_.reset();
            }
            tick_channels();
            pe_cycles_ += (uint64_t)R_ * C_;
            now_++;
            wait();
            if (progress_ && (++done & 0xFFFF) == 0) progress_(job_index_, done, total_min);
        }
    }
    if (vcd_) { // the traced fold was the last: its one retiring cycle is in
        if (!vcd_->close()) vcd_error_ = "writing " + vcd_path_ + " failed";
        vcd_.reset();
    }
    const int64_t end = now_;
    // the last fold's outputs go back after the end
    chan_[AX_BUF_OFMAP].push(F - 1, plan_[F - 1].drain);
    k.dram_writes[AX_BUF_OFMAP] += plan_[F - 1].drain;
    while (!chan_[AX_BUF_OFMAP].idle()) {
        tick_channels();
        now_++;
        wait();
    }
    k.drain_cycles = now_ - end;

    // the counts, as measured, the lanes' together
    k.gemms = 1;
    k.folds = F;
    k.cycles = end;
    j.folds.assign((size_t)F, ax_accel_fold_t{});
    std::vector<int64_t> used((size_t)F, 0);
    int64_t sram_first[AX_BUF_COUNT], sram_last[AX_BUF_COUNT];
    for (int b = 0; b < AX_BUF_COUNT; b++) sram_first[b] = sram_last[b] = -1;
    for (int n = 0; n < nlanes_; n++) {
        const Lane &l = lanes_[n];
        j.flags |= l.flags;
        for (int b = 0; b < AX_BUF_COUNT; b++) {
            if (l.sram_first[b] >= 0 && (sram_first[b] < 0 || l.sram_first[b] < sram_first[b]))
                sram_first[b] = l.sram_first[b];
            sram_last[b] = std::max(sram_last[b], l.sram_last[b]);
        }
        for (int64_t f = 0; f < F; f++) {
            ax_accel_fold_t &t = j.folds[f];
            t.macs += l.tally[f].macs;
            for (int b = 0; b < AX_BUF_COUNT; b++) {
                t.sram_reads[b] += l.tally[f].sram_reads[b];
                t.sram_writes[b] += l.tally[f].sram_writes[b];
            }
            used[f] += l.used[f];
        }
    }
    for (int64_t f = 0; f < F; f++) { // the rows and columns either lane saw working
        ax_accel_fold_t &t = j.folds[f];
        for (int i = 0; i < R_; i++) {
            bool seen = false;
            for (int n = 0; n < nlanes_; n++) seen = seen || lanes_[n].row_seen[(size_t)f * R_ + i];
            t.rows_used += seen;
        }
        for (int c = 0; c < C_; c++) {
            bool seen = false;
            for (int n = 0; n < nlanes_; n++) seen = seen || lanes_[n].col_seen[(size_t)f * C_ + c];
            t.cols_used += seen;
        }
    }
    const int64_t T = mp.t, cyc = cfg_.dataflow == AX_DF_OS ? T + R_ + C_ - 2 : T + 2 * R_ + 2 * C_ - 3;
    for (int64_t f = 0; f < F; f++) {
        ax_accel_fold_t &t = j.folds[f];
        t.row0 = plan_[f].row0, t.col0 = plan_[f].col0;
        t.mapping_eff = (double)used[f] / ((double)R_ * C_);
        t.compute_util = (double)t.macs / ((double)R_ * C_ * (double)cyc);
        ax_accel_counts_add_fold(&k, &t);
    }
    if (cfg_.dataflow != AX_DF_OS && mp.row_folds > 1) k.psum_words = T * std::min<int64_t>(mp.sc, C_);
    for (int b = 0; b < AX_BUF_COUNT; b++) {
        k.sram_first[b] = sram_first[b], k.sram_last[b] = sram_last[b];
        k.has_dram[b] = chan_[b].used;
        k.dram_first[b] = chan_[b].used ? chan_[b].first : -1;
        k.dram_last[b] = chan_[b].used ? chan_[b].last : -1;
    }
    j.fold_cycles.assign((size_t)F, L);
    ax_accel_counts_finish(&cfg_, &k);
    cycles_ += end;
}

// A term accumulated in PE (i, j) for fold f: the fold's PEs, rows and
// columns in use, as they happen (PE (i, j) is its lane's alone)
void AccelArray::touch(Lane &l, int64_t f, int i, int j)
{
    l.tally[f].macs++;
    size_t p = (size_t)i * C_ + j;
    if (pe_fold_[p] != f) {
        pe_fold_[p] = f;
        l.used[f]++;
    }
    l.row_seen[(size_t)f * R_ + i] = 1;
    l.col_seen[(size_t)f * C_ + j] = 1;
}

uint32_t AccelArray::top_seed(Lane &l, int64_t fold, int64_t idx, int j)
{
    if (fold % map_.row_folds == 0 || plant_ == Plant::psum) return 0; // +0: a new sum
    l.tally[fold].sram_reads[AX_BUF_OFMAP]++;
    return psum_[(size_t)idx * C_ + j];
}

void AccelArray::output(Lane &l, int64_t fold, int64_t idx, int j, uint32_t v)
{
    const ax_accel_fold_t &fd = plan_[fold];
    l.tally[fold].sram_writes[AX_BUF_OFMAP]++;
    sram_mark(l, AX_BUF_OFMAP);
    if (fold % map_.row_folds != map_.row_folds - 1) {
        psum_[(size_t)idx * C_ + j] = v; // a partial sum, for the next row fold
        return;
    }
    const int64_t col = fd.col0 + j;
    if (cfg_.dataflow == AX_DF_WS)
        job_->C[idx * job_->n + col] = v; // idx = m, col = n
    else
        job_->C[col * job_->n + idx] = v; // is: col = m, idx = n
}

// Phase 2 of a cycle for one lane: its PEs' edges, then what the retiring
// commands leave behind (read after the edge)
void AccelArray::clock_lane(Lane &l)
{
    pe_.edges(l.cmds.data(), l.cmds.size());
    AccelJob &j = *job_;
    const bool os = cfg_.dataflow == AX_DF_OS;
    for (const Retire &r : l.retire) {
        const uint32_t acc = pe_.acc(r.p), fl = pe_.flags(r.p);
        if (os) {
            // the sum's last term retired: the result leaves the PE
            const ax_accel_fold_t &sf = plan_[r.s1.fold];
            j.C[(sf.row0 + r.i) * j.n + sf.col0 + r.j] = acc;
            l.flags |= fl;
            l.tally[r.s1.fold].sram_writes[AX_BUF_OFMAP]++;
            sram_mark(l, AX_BUF_OFMAP);
            continue;
        }
        acc_out_[r.p] = acc; // the seed of the PE below, next cycle
        if (!r.s1.pass) l.flags |= fl;
        if (r.i == R_ - 1) {
            output(l, r.s1.fold, r.s1.idx, r.j, acc);
            south_[r.j] = Op{acc, true, false, r.s1.idx, r.s1.fold};
        }
    }
    l.cmds.clear();
    l.retire.clear();
}

// A lane's cycle: its rows' commands, then its PEs' edges. Lanes only see
// each other through the row above lane 1, read from a copy made before
void AccelArray::run_lane(Lane &l)
{
    if (cfg_.dataflow == AX_DF_OS) rows_os(l, cur_f_, cur_c_);
    else rows_stationary(l, cur_f_, cur_c_);
    clock_lane(l);
}

void AccelArray::work()
{
    uint64_t seen = 0;
    for (;;) {
        uint64_t g;
        for (int spins = 0; (g = go_.load(std::memory_order_acquire)) == seen; spins++) wait_a_bit(spins);
        seen = g;
        if (stop_.load(std::memory_order_relaxed)) return;
        run_lane(lanes_[1]);
        done_.store(g, std::memory_order_release);
    }
}

// Every lane's cycle: lane 1 on the worker, lane 0 here, then wait
void AccelArray::lanes_cycle()
{
    if (nlanes_ == 1) {
        run_lane(lanes_[0]);
        return;
    }
    const uint64_t g = go_.fetch_add(1, std::memory_order_acq_rel) + 1;
    run_lane(lanes_[0]);
    for (int spins = 0; done_.load(std::memory_order_acquire) != g; spins++) wait_a_bit(spins);
}

void AccelArray::cycle(int64_t f, int64_t c)
{
    AccelJob &j = *job_;
    const ax_accel_fold_t *fd = f >= 0 ? &plan_[f] : nullptr;
    Lane &l0 = lanes_[0];
    if (cfg_.dataflow != AX_DF_OS) {
        // the fold's first R cycles shift its stationary operands down the
        // columns: after them row i holds slice row i
        const bool ws = cfg_.dataflow == AX_DF_WS;
        if (fd && c < R_) {
            for (int i = R_ - 1; i > 0; i--)
                for (int jj = 0; jj < C_; jj++) {
                    w_[(size_t)i * C_ + jj] = w_[(size_t)(i - 1) * C_ + jj];
                    w_live_[(size_t)i * C_ + jj] = w_live_[(size_t)(i - 1) * C_ + jj];
                }
            const int64_t src = R_ - 1 - c; // slice row entering at the top
            for (int jj = 0; jj < C_; jj++) {
                bool live = src < fd->rows_used && jj < fd->cols_used;
                uint32_t v = 0;
                if (live) {
                    const int64_t kk = fd->row0 + src, col = fd->col0 + jj;
                    v = ws ? j.B[kk * j.n + col] : j.A[col * j.k + kk];
                    l0.tally[f].sram_reads[ws ? AX_BUF_FILTER : AX_BUF_IFMAP]++;
                    sram_mark(l0, ws ? AX_BUF_FILTER : AX_BUF_IFMAP);
                }
                w_[jj] = v;
                w_live_[jj] = live;
            }
        }
    } else {
        // column feeders: b[k] enters column jj at cycle k + jj
        colfeed_.assign(C_, Op{});
        if (fd)
            for (int jj = 0; jj < fd->cols_used; jj++) {
                int64_t k = c - jj;
                if (k < 0 || k >= map_.t) continue;
                colfeed_[jj] = Op{j.B[k * j.n + fd->col0 + jj], true, false, k, f};
                north_[jj] = colfeed_[jj];
                l0.tally[f].sram_reads[AX_BUF_FILTER]++;
                sram_mark(l0, AX_BUF_FILTER);
            }
    }
    // lane 1's top row reads the row above it as it is before this cycle
    // (the b registers, os; the partial sums, ws/is): lane 0 moves on at
    // the same time
    if (nlanes_ > 1) {
        const int above = (lanes_[1].lo - 1) * C_;
        for (int jj = 0; jj < C_; jj++) {
            b_edge_[jj] = b_[(size_t)above + jj];
            acc_edge_[jj] = acc_out_[(size_t)above + jj];
        }
    }
    cur_f_ = f, cur_c_ = c;
    lanes_cycle();
}

void AccelArray::rows_stationary(Lane &l, int64_t f, int64_t c)
{
    AccelJob &j = *job_;
    const bool ws = cfg_.dataflow == AX_DF_WS;
    const ax_accel_fold_t *fd = f >= 0 ? &plan_[f] : nullptr;
    const int64_t T = map_.t;
    for (int i = l.hi - 1; i >= l.lo; i--) {
        // the row feeder: vector idx enters row i at cycle R + idx + i
        Op feed;
        if (fd) {
            int64_t idx = c - R_ - i;
            if (plant_ == Plant::skew && i == 1) idx -= 1; // planted: row 1 one cycle late
            if (idx >= 0 && idx < T) {
                feed.live = true;
                feed.idx = idx;
                feed.fold = f;
                feed.pass = i >= fd->rows_used;
                if (!feed.pass) {
                    const int64_t kk = fd->row0 + i;
                    feed.v = ws ? j.A[idx * j.k + kk] : j.B[kk * j.n + idx];
                    l.tally[f].sram_reads[ws ? AX_BUF_IFMAP : AX_BUF_FILTER]++;
                    sram_mark(l, ws ? AX_BUF_IFMAP : AX_BUF_FILTER);
                }
            }
        }
        west_[i] = feed;
        for (int jj = C_ - 1; jj >= 0; jj--) {
            const size_t p = (size_t)i * C_ + jj;
            const Op in = jj == 0 ? feed : a_[p - 1];
            const bool col_ok = in.live && jj < plan_[in.fold].cols_used;
            const bool term = in.live && !in.pass && w_live_[p];
            const bool pass = col_ok && in.pass;
            const Op s1 = s1_[p];
            if (s1.live || term || pass) {
                // seed_i is read when s1 retires: the partial sum of the PE
                // above as it is before this edge (or row 0's from the buffer)
                uint32_t seed = 0;
                if (s1.live)
                    seed = i == 0      ? top_seed(l, s1.fold, s1.idx, jj)
                           : i == l.lo ? acc_edge_[jj]
                                       : acc_out_[p - C_];
                if (s1.live && i == 0) north_[jj] = Op{seed, true, false, s1.idx, s1.fold};
                const uint32_t x = in.v, w = w_[p];
                l.cmds.push_back(PeCmd{(int)p, term, term || pass, ws ? x : w, ws ? w : x, seed});
                if (s1.live) l.retire.push_back(Retire{(int)p, i, jj, s1});
            }
            if (term) touch(l, in.fold, i, jj);
            Op next;
            if (term || pass) next = in;
            s1_[p] = next;
            a_[p] = in;
        }
    }
}

void AccelArray::rows_os(Lane &l, int64_t f, int64_t c)
{
    AccelJob &j = *job_;
    const ax_accel_fold_t *fd = f >= 0 ? &plan_[f] : nullptr;
    const int64_t T = map_.t;
    for (int i = l.hi - 1; i >= l.lo; i--) {
        // the row feeder: a[k] enters row i at cycle k + i
        Op feed;
        if (fd && i < fd->rows_used) {
            int64_t k = c - i;
            if (plant_ == Plant::skew && i == 1) k -= 1; // planted: row 1 one cycle late
            if (k >= 0 && k < T) {
                feed = Op{j.A[(fd->row0 + i) * j.k + k], true, false, k, f};
                l.tally[f].sram_reads[AX_BUF_IFMAP]++;
                sram_mark(l, AX_BUF_IFMAP);
            }
        }
        west_[i] = feed;
        for (int jj = C_ - 1; jj >= 0; jj--) {
            const size_t p = (size_t)i * C_ + jj;
            const Op ain = jj == 0 ? feed : a_[p - 1];
            const Op bin = i == 0 ? colfeed_[jj] : i == l.lo ? b_edge_[jj] : b_[p - C_];
            const bool term = ain.live && bin.live;
            const Op s1 = s1_[p];
            if (s1.live || term) {
                l.cmds.push_back(PeCmd{(int)p, term, term && ain.idx == 0, ain.v, bin.v, 0});
                if (s1.live && s1.idx == T - 1) l.retire.push_back(Retire{(int)p, i, jj, s1});
            }
            if (term) touch(l, ain.fold, i, jj);
            s1_[p] = term ? ain : Op{};
            a_[p] = ain;
            b_[p] = bin;
        }
    }
}
