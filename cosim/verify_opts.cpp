// verify_opts.cpp — ax_verify_main (verify.h): the options, which
// configurations they select (units, MACs, neurons), and the loop that
// plans, runs and reports each (verify_impl.h).
#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "verify_impl.h"

extern "C" {
#include "ax_neuron.h"
#include "ax_registry.h"
}

namespace {

using axv::kMaxReport;

void usage(FILE *o)
{
    fprintf(o,
            "usage: axsim verify [--unit U[,U...]] [--fmt F[,F...]] [--config NAME]...\n"
            "                    [--neuron SPEC]... [--level quick|full] [--seed S]\n"
            "                    [--jobs N] [--vcd-dir DIR] [--list] [--manifest FILE]\n\n"
            "Compares the verilated RTL of every selected unit and format with its C model,\n"
            "result and flags bit for bit, and prints one line per configuration.\n\n"
            "  --unit U      units by name (mul_drum) or full spec (mul_drum:k=6); mac\n"
            "                selects the MACs, daa the DAA processing elements, neuron the\n"
            "                neurons\n"
            "  --fmt F       input formats (fp16, bf16, fp8e4m3, e6m9, ...)\n"
            "  --config NAME one configuration by its full name (see --list); planted-bug\n"
            "                variants (test only) run only when named this way\n"
            "  --neuron SPEC a neuron configuration, as a neuron string\n"
            "                (neuron=lif,fmt=bf16,mul=drum:k=4,add=loa:l=6,reset=zero):\n"
            "                every step of long trajectories, RTL against ax_neuron_step\n"
            "  --level L     quick (default): exhaustive for 8-bit formats, every significand\n"
            "                pair under exponent pairs reaching subnormal, underflow, overflow\n"
            "                and special values plus 10^6 random pairs for 16-bit formats,\n"
            "                special values crossed plus 10^6 weighted random pairs for wider\n"
            "                ones, 20000 random dot products for MACs (pairs of them for DAA\n"
            "                PEs), 256 trajectories of\n"
            "                4096 steps for neurons;\n"
            "                full: all 2^32 pairs of 16-bit formats, 10^8 pairs for wider\n"
            "                ones, 200000 dot products for MACs, 1024 trajectories of\n"
            "                65536 steps for neurons\n"
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
    if (d.kind == AX_DUT_DAA) { // unit "hi/lo+add"
        const std::string u(d.unit);
        const size_t sl = u.find('/'), pl = u.rfind('+');
        const std::string lo = u.substr(sl + 1, pl - sl - 1);
        return in_list(list, "daa") || in_list(list, base_of(d.mul)) || in_list(list, lo) ||
               in_list(list, base_of(lo.c_str())) || in_list(list, base_of(d.add));
    }
    if (d.kind == AX_DUT_MAC)
        return in_list(list, "mac") || in_list(list, d.unit) || in_list(list, base_of(d.mul)) ||
               in_list(list, base_of(d.add));
    return in_list(list, d.unit) || in_list(list, base_of(d.unit));
}

bool fmt_matches(const AxDut &d, const std::string &list)
{
    return in_list(list, d.fi) || in_list(list, base_of(d.fi));
}

// A neuron matches --unit neuron or the name of its multiplier (lif) or
// adder, and --fmt its membrane format.
bool neuron_unit_matches(const ax_neuron_cfg_t &c, const std::string &list)
{
    char m[96], a[96];
    ax_unit_name(c.mul, m, sizeof m);
    ax_unit_name(c.add, a, sizeof a);
    bool hit = in_list(list, "neuron") || in_list(list, a) || in_list(list, base_of(a));
    if (c.model == AX_NEURON_LIF) hit |= in_list(list, m) || in_list(list, base_of(m));
    return hit;
}

bool neuron_fmt_matches(const ax_neuron_cfg_t &c, const std::string &list)
{
    char f[48];
    ax_format_name(c.fmt, f, sizeof f);
    return in_list(list, f) || in_list(list, base_of(f));
}

// The canonical string of a neuron configuration (ax_neuron_name), or ""
// when it does not parse.
std::string neuron_canonical(const char *spec, std::string *err = nullptr)
{
    ax_neuron_cfg_t c;
    char e[512], b[512];
    if (ax_neuron_parse(spec, &c, e, sizeof e)) {
        if (err) *err = e;
        return "";
    }
    return ax_neuron_name(&c, b, sizeof b);
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

} // namespace

int ax_verify_main(int argc, char **argv, const AxDut *duts, size_t n_duts)
{
    return ax_verify_main_neurons(argc, argv, duts, n_duts, nullptr, 0);
}

int ax_verify_main_neurons(int argc, char **argv, const AxDut *duts, size_t n_duts,
                           const AxNeuronDut *neurons, size_t n_neurons)
{
    using namespace axv;
    std::string units, fmts, level = "quick", vcd_dir = "axsim-vcd";
    std::vector<std::string> names, nspecs;
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
        } else if (o == "--unit" || o == "--fmt" || o == "--config" || o == "--neuron" ||
                   o == "--level" || o == "--seed" || o == "--jobs" || o == "--vcd-dir") {
            if (!val(&v)) return usage_error("%s needs a value%s", o.c_str());
            if (o == "--unit")
                units += (units.empty() ? "" : ",") + std::string(v);
            else if (o == "--fmt")
                fmts += (fmts.empty() ? "" : ",") + std::string(v);
            else if (o == "--config")
                names.push_back(v);
            else if (o == "--neuron")
                nspecs.push_back(v);
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

    // --neuron: each must parse, and match a built neuron (canonically)
    std::vector<std::string> canon;
    for (auto &sp : nspecs) {
        std::string e, c = neuron_canonical(sp.c_str(), &e);
        if (c.empty()) return usage_error("--neuron '%s': %s", sp.c_str(), e.c_str());
        bool found = false;
        for (size_t k = 0; k < n_neurons; k++)
            found |= neurons[k].bug == 0 && neuron_canonical(neurons[k].spec) == c;
        if (!found) {
            std::string built;
            for (size_t k = 0; k < n_neurons; k++)
                if (neurons[k].bug == 0) built += std::string("\n  ") + neurons[k].spec;
            if (built.empty()) built = " none";
            std::string msg = "no verilated neuron configuration matches --neuron '" + sp +
                              "' (" + c + ").\nThe built neurons:" + built +
                              "\nAdd one to the list of cmake -DAXSIM_COSIM_NEURONS='...' "
                              "(cosim/CMakeLists.txt) and rebuild.";
            return usage_error("%s%s", msg.c_str());
        }
        canon.push_back(c);
    }
    const bool named_only = !names.empty() || !canon.empty();

    // select
    std::vector<const AxDut *> sel;
    for (size_t k = 0; k < n_duts; k++) {
        const AxDut &d = duts[k];
        bool named = false;
        for (auto &n : names) named |= n == d.name;
        bool want = named_only ? named : d.bug == 0;
        if (!units.empty()) want &= unit_matches(d, units);
        if (!fmts.empty()) want &= fmt_matches(d, fmts);
        if (want || (list && d.bug == 0 && names.empty() && units.empty() && fmts.empty()))
            sel.push_back(&d);
    }
    std::vector<const AxNeuronDut *> nsel;
    for (size_t k = 0; k < n_neurons; k++) {
        const AxNeuronDut &d = neurons[k];
        ax_neuron_cfg_t c;
        char e[512];
        if (ax_neuron_parse(d.spec, &c, e, sizeof e)) { // a broken table: fails when run
            nsel.push_back(&d);
            continue;
        }
        bool named = false;
        for (auto &n : names) named |= n == d.name;
        for (auto &n : canon) named |= d.bug == 0 && n == neuron_canonical(d.spec);
        bool want = named_only ? named : d.bug == 0;
        if (!units.empty()) want &= neuron_unit_matches(c, units);
        if (!fmts.empty()) want &= neuron_fmt_matches(c, fmts);
        if (want || (list && d.bug == 0 && !named_only && units.empty() && fmts.empty()))
            nsel.push_back(&d);
    }
    if (list) {
        for (const AxDut *d : sel)
            printf("%-40s %-22s %-10s -> %s\n", d->name, d->unit, d->fi, d->fo);
        for (const AxNeuronDut *d : nsel) printf("%-40s %s\n", d->name, d->spec);
        return 0;
    }
    for (auto &n : names) {
        bool found = false;
        for (size_t k = 0; k < n_duts; k++) found |= n == duts[k].name;
        for (size_t k = 0; k < n_neurons; k++) found |= n == neurons[k].name;
        if (!found)
            return usage_error("no configuration named '%s' (axsim verify --list shows them)%s",
                               n.c_str());
    }
    if (sel.empty() && nsel.empty()) {
        std::string msg = "no verilated configuration matches";
        if (!units.empty()) msg += " --unit " + units;
        if (!fmts.empty()) msg += " --fmt " + fmts;
        return usage_error("%s.\nThe built configurations are listed by axsim verify --list; add "
                           "one with cmake -DAXSIM_COSIM_EXTRA_CONFIGS='unit|in|out' or verify "
                           "your own unit with --manifest (docs/byo-unit.md).%s",
                           msg.c_str());
    }

    const bool tty = isatty(2);
    const size_t nconf = sel.size() + nsel.size();
    printf("axsim verify: level %s, seed %" PRIu64 ", %" PRIu64 " job%s, %zu configuration%s\n",
           level.c_str(), seed, jobs, jobs > 1 ? "s" : "", nconf, nconf > 1 ? "s" : "");
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
        make_plan(j, level == "full");
        std::vector<Miss> misses;
        Outcome o = run_job(j, (int)jobs, tty && j.plan.total > 20000000ull, misses);
        all += o.vectors;
        secs += o.seconds;
        report_job(j, o, misses, vcd_dir);
        if (o.bad)
            nfail++;
        else
            nok++;
        fflush(stdout);
    }
    for (const AxNeuronDut *d : nsel) {
        Outcome o = verify_neuron(*d, seed, level == "full", (int)jobs, tty, vcd_dir);
        all += o.vectors;
        secs += o.seconds;
        if (o.bad)
            nfail++;
        else
            nok++;
        fflush(stdout);
    }
    printf("axsim verify: %d ok, %d failed; %s vectors in %.1f s (%.1f M vectors/s on %" PRIu64
           " job%s, %.1f M/s per job)\n",
           nok, nfail, group(all).c_str(), secs, secs > 0 ? all / secs / 1e6 : 0.0, jobs,
           jobs > 1 ? "s" : "", secs > 0 ? all / secs / 1e6 / jobs : 0.0);
    return nfail ? 1 : 0;
}

