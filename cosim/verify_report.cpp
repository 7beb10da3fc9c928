// verify_report.cpp — what the verifier prints and writes (verify_impl.h):
// each mismatch with its inputs and both results decoded, the line of each
// configuration, and a VCD of the failing vectors for any waveform viewer.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <utility>

#include <sys/stat.h>

#include "verify_impl.h"

extern "C" {
#include "ax_convert.h"
#include "ax_flags.h"
#include "ax_daa.h"
#include "ax_registry.h"
}

namespace axv {

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

std::string flag_names(uint32_t f, const char *design)
{
    char b[64];
    std::string s = ax_flags_name(f & 0x1f, b, sizeof b);
    if (f & AX_VERIFY_PROTOCOL) s = (f & 0x1f ? s + "|" : "") + design + "-protocol-violation";
    return s;
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
           ax_frac(x, f), ax_to_double(x, f));
}

std::string open_unique(const std::string &dir, const std::string &config, FILE **fp)
{
    std::string name = config; /* a file name: no ':', '/', ',' or '=' */
    for (char &c : name)
        if (c == ':' || c == '/' || c == ',' || c == '=') c = '_';
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

namespace {

// Closes a VCD: its path, or "" with a message when writing failed.
std::string close_vcd(FILE *f, const std::string &path)
{
    if (fclose(f) == 0) return path;
    fprintf(stderr, "axsim verify: writing %s failed\n", path.c_str());
    return "";
}

// The VCD of a DAA PE's failing pairs: one step per term with both
// streams' operands, the C model's running accumulators and the stream it
// gave hi; the RTL's results on each pair's last step. mismatch is the 7th
// variable (G), as in the VCD of units and MACs.
void write_daa_vcd(const Job &j, const std::vector<Miss> &ms, Vcd &v)
{
    const int wi = width(j.fi), wo = width(j.fo);
    std::string ia0 = v.add("a0_k", wi), ia1 = v.add("a1_k", wi), ib = v.add("b_k", wi);
    std::string ic0 = v.add("c_model_acc0", wo), ic1 = v.add("c_model_acc1", wo);
    std::string ih = v.add("c_model_hi_stream", 1), im = v.add("mismatch", 1);
    std::string ir0 = v.add("rtl_acc0", wo), ir1 = v.add("rtl_acc1", wo);
    std::string icf0 = v.add("c_model_flags0", 5), icf1 = v.add("c_model_flags1", 5);
    std::string irf0 = v.add("rtl_flags0", 5), irf1 = v.add("rtl_flags1", 5);
    std::string ik = v.add("k", 16);
    fprintf(v.f, "$upscope $end\n$enddefinitions $end\n");
    uint64_t t = 0;
    const ax_mac_cfg_t *c = &j.daa;
    for (const Miss &m : ms) {
        uint32_t acc0 = m.init, acc1 = m.init1, f0 = 0, f1 = 0;
        const size_t n = m.ta.size();
        for (size_t k = 0; k < n || (n == 0 && k == 0); k++) { // an empty pair: one step
            const bool last = k + 1 >= n;
            uint32_t hi = 0;
            if (n) {
                acc0 = ax_daa_fold_from(c, acc0, &m.ta[k], &m.ta1[k], 0, &m.tb[k], 1, 1, k, 1, &f0,
                                        nullptr);
                acc1 = ax_daa_fold_from(c, acc1, &m.ta1[k], &m.ta[k], 1, &m.tb[k], 1, 1, k, 1, &f1,
                                        nullptr);
                hi = (uint32_t)ax_daa_decide(c, k, m.ta[k], m.ta1[k], m.tb[k]);
            }
            fprintf(v.f, "#%" PRIu64 "\n", t);
            v.bits(ia0, n ? m.ta[k] : 0, wi);
            v.bits(ia1, n ? m.ta1[k] : 0, wi);
            v.bits(ib, n ? m.tb[k] : 0, wi);
            v.bits(ic0, acc0, wo);
            v.bits(ic1, acc1, wo);
            v.bits(ih, hi, 1);
            v.bits(im, last, 1);
            v.bits(ir0, last ? m.rr : 0, wo);
            v.bits(ir1, last ? m.rr1 : 0, wo);
            v.bits(icf0, f0, 5);
            v.bits(icf1, f1, 5);
            v.bits(irf0, last ? m.rf : 0, 5);
            v.bits(irf1, last ? m.rf1 : 0, 5);
            v.bits(ik, (uint32_t)k, 16);
            t += 10;
        }
    }
    fprintf(v.f, "#%" PRIu64 "\n", t);
}

std::string write_vcd(const Job &j, const std::vector<Miss> &ms, const std::string &dir)
{
    FILE *f = nullptr;
    std::string path = open_unique(dir, j.dut->name, &f);
    if (path.empty()) return path;
    const int wi = width(j.fi), wo = width(j.fo);
    fprintf(f, "$comment axsim verify: failing vectors of %s (%s -> %s), seed %" PRIu64
               "; one vector per 10 ns $end\n$timescale 1ns $end\n$scope module %s $end\n",
            j.dut->name, j.dut->fi, j.dut->fo, j.seed, "axsim_verify");
    Vcd v(f);
    const bool mac = j.dut->kind == AX_DUT_MAC;
    if (j.dut->kind == AX_DUT_DAA) return write_daa_vcd(j, ms, v), close_vcd(f, path);
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
        v.real(idva, ax_to_double(a, j.fi));
        v.real(idvb, ax_to_double(b, j.fi));
        v.real(idvc, ax_to_double(cr, j.fo));
        v.real(idvr, ax_to_double(rr, j.fo));
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
        ax_mac_cfg_t c = {j.mul, j.fi, j.fp, j.add, j.fo, {}};
        uint32_t acc = m.init, fl = 0;
        for (size_t k = 0; k < m.ta.size(); k++) {
            acc = ax_mac_step(&c, acc, m.ta[k], m.tb[k], &fl);
            bool last = k + 1 == m.ta.size();
            step(m.ta[k], m.tb[k], acc, fl, last ? m.rr : 0, last ? m.rf : 0, last, (int)k);
        }
        if (m.ta.empty()) step(0, 0, m.cr, m.cf, m.rr, m.rf, true, 0);
    }
    fprintf(f, "#%" PRIu64 "\n", t);
    return close_vcd(f, path);
}

void report_miss(const Job &j, const Miss &m, int n)
{
    const bool mac = j.dut->kind == AX_DUT_MAC;
    if (j.dut->kind == AX_DUT_DAA) {
        printf("  MISMATCH %d: %s, pair #%" PRIu64 " of %zu terms (seed %" PRIu64 ")\n", n,
               j.dut->name, m.idx, m.ta.size(), j.seed);
        for (size_t k = 0; k < m.ta.size() && k < 4; k++) {
            char w[32];
            snprintf(w, sizeof w, "a[%zu]", k);
            decode(w, m.ta[k], j.fi);
            snprintf(w, sizeof w, "a1[%zu]", k);
            decode(w, m.ta1[k], j.fi);
            snprintf(w, sizeof w, "b[%zu]", k);
            decode(w, m.tb[k], j.fi);
        }
        if (m.ta.size() > 4) printf("    ... %zu more terms in the VCD\n", m.ta.size() - 4);
        printf("    terms with hi on stream 1: C model %" PRIu64 ", RTL %" PRIu64 "\n", m.chi, m.rhi);
        const struct {
            const char *name;
            uint32_t init, cr, cf, rr, rf;
        } st[2] = {{"stream 0 (a)", m.init, m.cr, m.cf, m.rr, m.rf},
                   {"stream 1 (a1)", m.init1, m.cr1, m.cf1, m.rr1, m.rf1}};
        for (const auto &x : st) {
            printf("    %s:\n", x.name);
            decode("from seed", x.init, j.fo);
            decode("C model", x.cr, j.fo);
            printf("    %-10s %s (0x%02x)\n", "  flags", flag_names(x.cf, "DAA-PE").c_str(), x.cf);
            decode("RTL", x.rr, j.fo);
            printf("    %-10s %s (0x%02x)\n", "  flags", flag_names(x.rf, "DAA-PE").c_str(), x.rf);
        }
        return;
    }
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
        decode("from seed", m.init, j.fo);
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

} // namespace

void report_job(const Job &j, const Outcome &o, const std::vector<Miss> &misses,
                const std::string &vcd_dir)
{
    const AxDut *d = j.dut;
    for (size_t k = 0; k < misses.size(); k++) report_miss(j, misses[k], (int)k + 1);
    char ub[96], mb[96];
    std::string u = d->unit; // with its parameters spelled out
    if (d->kind == AX_DUT_DAA) {
        char lb[96];
        u = std::string(ax_daa_policy_name((ax_daa_policy_t)j.daa.daa.policy)) + " " + ax_unit_name(j.mul, mb, sizeof mb) +
            "/" + ax_unit_name(j.daa.daa.lo, lb, sizeof lb) + "+" + ax_unit_name(j.add, ub, sizeof ub);
    } else if (d->kind == AX_DUT_MAC)
        u = std::string(ax_unit_name(j.mul, mb, sizeof mb)) + "+" + ax_unit_name(j.add, ub, sizeof ub);
    else if (!d->cfn)
        u = ax_unit_name(j.unit, ub, sizeof ub);
    if (d->bug) u += " [planted bug " + std::to_string(d->bug) + "]";
    printf("%-34s %-12s -> %-12s %14s %s  %-5s %7.1f M/s\n", u.c_str(), d->fi, d->fo,
           group(o.vectors).c_str(),
           d->kind == AX_DUT_DAA ? "pairs" : d->kind == AX_DUT_MAC ? "dot products" : "vectors",
           o.bad ? "FAIL" : "ok", o.seconds > 0 ? o.vectors / o.seconds / 1e6 : 0.0);
    if (o.bad) {
        printf("    %s%s mismatch%s in %s vectors (%s)\n", o.stopped ? "stopped after " : "",
               group(o.bad).c_str(), o.bad > 1 ? "es" : "", group(o.vectors).c_str(),
               j.plan.what.c_str());
        std::string p = write_vcd(j, misses, vcd_dir);
        if (!p.empty()) printf("    VCD of the failing vectors: %s\n", p.c_str());
    }
}

} // namespace axv
