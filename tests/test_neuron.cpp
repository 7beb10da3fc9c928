// test_neuron.cpp — the spiking neuron of cmodels/ax_neuron.h and the
// synapse of ax_mac.h: the exact compare against the host's float compare,
// trajectories of exact lif/if neurons against an independent float32
// simulation (fp32 directly; bf16 and fp16 through float, where one
// rounding of an exact float product or sum is the format's rounding), the
// reset rules, approximate units composed as the contract says, the
// synapse fold against its definition, and the configuration string with an
// error for each kind of bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ax_mac.h"
#include "ax_neuron.h"
#include "ax_rng.h"
#include "format_helpers.h"

namespace {

ax_neuron_cfg_t parse(const char *s)
{
    ax_neuron_cfg_t c;
    char err[512] = "";
    int rc = ax_neuron_parse(s, &c, err, sizeof err);
    INFO(s << ": " << err);
    REQUIRE(rc == 0);
    return c;
}

std::string error(const char *s)
{
    ax_neuron_cfg_t c;
    char err[512] = "";
    INFO(s);
    REQUIRE(ax_neuron_parse(s, &c, err, sizeof err) == -1);
    return err;
}

std::string name(const ax_neuron_cfg_t &c)
{
    char b[300];
    return ax_neuron_name(&c, b, sizeof b);
}

float f32(uint32_t b)
{
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

uint32_t bits(float f)
{
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

// A float value rounded into f (RNE) through the reference conversion.
uint32_t to_fmt(float x, ax_format_t f)
{
    uint32_t fl = 0;
    return ax_from_f32bits(bits(x), f, &fl);
}

float from_fmt(uint32_t x, ax_format_t f) { return f32(ax_to_f32bits(x, f)); }

} // namespace

TEST_CASE("cmodels.neuron.compare_is_exact", "[cmodels][neuron]")
{
    // every pair of fp8e5m2 values (with inf and NaN) and random fp32 pairs
    // against the host's >=, which is exact and false on NaN
    ax_format_t f8 = F("fp8e5m2");
    for (uint32_t a = 0; a < 256; a++)
        for (uint32_t b = 0; b < 256; b++) {
            bool want = from_fmt(a, f8) >= from_fmt(b, f8);
            INFO(a << " >= " << b);
            REQUIRE(ax_fmt_ge(a, b, f8) == (int)want);
        }
    ax_format_t f32f = F("fp32");
    ax_rng_t r = {7};
    for (int i = 0; i < 200000; i++) {
        uint32_t a = (uint32_t)ax_rng_next(&r), b = (uint32_t)(ax_rng_next(&r) >> 32);
        if (i % 3 == 0) b = a ^ (uint32_t)(ax_rng_next(&r) & 0xF); // near neighbours
        if (i % 7 == 0) b = a ^ 0x80000000u;                       // opposite signs
        REQUIRE(ax_fmt_ge(a, b, f32f) == (int)(f32(a) >= f32(b)));
    }
    // signed zeros are equal; :ftz reads a subnormal as zero
    CHECK(ax_fmt_ge(0x80000000u, 0, f32f) == 1);
    CHECK(ax_fmt_ge(0, 0x80000000u, f32f) == 1);
    ax_format_t ftz = F("fp32:ftz");
    CHECK(ax_fmt_ge(1, 2, f32f) == 0);
    CHECK(ax_fmt_ge(1, 2, ftz) == 1);
}

namespace {

// The neuron in host float32: each product and sum of two values of the
// format is exact in double and rounded once into the format.
struct FloatNeuron {
    ax_format_t f;
    float beta, theta;
    int lif, reset;
    float u = 0;
    float round(double x) const
    {
        uint64_t b;
        std::memcpy(&b, &x, 8);
        uint32_t fl = 0;
        return from_fmt(ax_from_f64bits(b, f, &fl), f);
    }
    int step(float in, float *pre)
    {
        float leak = lif ? round((double)beta * u) : u;
        float v = round((double)leak + in);
        *pre = v;
        int s = v >= theta;
        if (s && reset == AX_RESET_SUBTRACT) v = round((double)v - theta);
        if (s && reset == AX_RESET_ZERO) v = 0.0f;
        u = v;
        return s;
    }
};

void trajectory(const char *spec, uint64_t seed, int steps)
{
    ax_neuron_cfg_t c = parse(spec);
    FloatNeuron ref{c.fmt, from_fmt(c.beta, c.fmt), from_fmt(c.theta, c.fmt),
                    c.model == AX_NEURON_LIF, c.reset};
    ax_rng_t r = {seed};
    uint32_t u = ax_fmt_zero(0, c.fmt);
    int spikes = 0;
    for (int t = 0; t < steps; t++) {
        // currents around theta / 3, both signs, some exact zeros
        double x = (ax_rng_uniform(&r) - 0.3) * 0.9 * ref.theta;
        if (t % 17 == 0) x = 0;
        uint32_t in = to_fmt((float)x, c.fmt);
        uint32_t flags = 0, pre = 0;
        int s = 0;
        u = ax_neuron_step(&c, u, in, &s, &pre, &flags);
        float want_pre;
        int want_s = ref.step(from_fmt(in, c.fmt), &want_pre);
        INFO(spec << " step " << t);
        REQUIRE(s == want_s);
        REQUIRE(from_fmt(pre, c.fmt) == want_pre);
        REQUIRE(bits(from_fmt(u, c.fmt)) == bits(ref.u));
        spikes += s;
    }
    INFO(spec);
    CHECK(spikes > steps / 50); // the trajectory does exercise the spike and the reset
    CHECK(spikes < steps);
}

} // namespace

TEST_CASE("cmodels.neuron.exact_trajectories", "[cmodels][neuron]")
{
    trajectory("neuron=lif,fmt=fp32,beta=0.9,theta=1,reset=subtract", 1, 20000);
    trajectory("neuron=lif,fmt=fp32,beta=0.75,theta=0.5,reset=zero", 2, 20000);
    trajectory("neuron=lif,fmt=bf16,beta=0.95,theta=1,reset=subtract", 3, 20000);
    trajectory("neuron=lif,fmt=fp16,beta=0.8,theta=2,reset=none", 4, 5000);
    trajectory("neuron=if,fmt=bf16,theta=1,reset=subtract", 5, 20000);
    trajectory("neuron=if,fmt=fp16,theta=0.5,reset=zero", 6, 20000);
}

TEST_CASE("cmodels.neuron.units_compose_as_pinned", "[cmodels][neuron]")
{
    // an approximate neuron step is MUL(beta, U), then ADD(., I), then
    // ADD(., -theta) on a spike: the units (tested on their own) in that order
    ax_neuron_cfg_t c =
        parse("neuron=lif,fmt=bf16,mul=drum:k=3,add=loa:l=6,beta=0.9,theta=1,reset=subtract");
    ax_rng_t r = {11};
    uint32_t u = 0;
    for (int t = 0; t < 5000; t++) {
        uint32_t in = to_fmt((float)(ax_rng_uniform(&r) * 0.6), c.fmt);
        uint32_t f1 = 0, f2 = 0, pre = 0;
        int s = 0;
        uint32_t got = ax_neuron_step(&c, u, in, &s, &pre, &f1);
        uint32_t m = ax_mul(c.mul, c.beta, u, c.fmt, c.fmt, &f2);
        uint32_t v = ax_add(c.add, m, in, c.fmt, c.fmt, &f2);
        REQUIRE(pre == v);
        REQUIRE(s == (from_fmt(v, c.fmt) >= 1.0f));
        uint32_t want = s ? ax_add(c.add, v, c.theta | 0x8000u, c.fmt, c.fmt, &f2) : v;
        REQUIRE(got == want);
        REQUIRE(f1 == f2);
        u = got;
    }
    // if: no multiplier, so an approximate one cannot be configured, and if
    // equals lif with beta = 1 and an exact multiplier
    ax_neuron_cfg_t a = parse("neuron=if,fmt=fp16,add=eta:l=4,theta=1");
    ax_neuron_cfg_t b = parse("neuron=lif,fmt=fp16,add=eta:l=4,beta=1,theta=1");
    uint32_t ua = 0, ub = 0;
    for (int t = 0; t < 3000; t++) {
        uint32_t in = to_fmt((float)(ax_rng_uniform(&r) - 0.2), a.fmt);
        uint32_t fa = 0, fb = 0;
        int sa, sb;
        ua = ax_neuron_step(&a, ua, in, &sa, NULL, &fa);
        ub = ax_neuron_step(&b, ub, in, &sb, NULL, &fb);
        REQUIRE(ua == ub);
        REQUIRE(sa == sb);
        REQUIRE(fa == fb);
    }
}

TEST_CASE("cmodels.neuron.specials", "[cmodels][neuron]")
{
    ax_neuron_cfg_t c = parse("neuron=lif,fmt=fp32,beta=0.5,theta=1");
    uint32_t fl = 0, pre = 0;
    int s = 1;
    // NaN current: NaN membrane (canonical), invalid only when signaling, no spike
    uint32_t u = ax_neuron_step(&c, 0, 0x7FA00000u, &s, &pre, &fl);
    CHECK(s == 0);
    CHECK(u == 0x7FC00000u);
    CHECK(fl == AX_FLAG_INVALID);
    // +inf: spikes, and inf - theta stays inf
    fl = 0;
    u = ax_neuron_step(&c, 0, 0x7F800000u, &s, &pre, &fl);
    CHECK(s == 1);
    CHECK(u == 0x7F800000u);
    // reaching theta exactly spikes (>=), and subtracting leaves +0
    fl = 0;
    u = ax_neuron_step(&c, 0, bits(1.0f), &s, &pre, &fl);
    CHECK(s == 1);
    CHECK(u == 0);
    CHECK(fl == 0);
    // just below does not
    u = ax_neuron_step(&c, 0, bits(std::nextafter(1.0f, 0.0f)), &s, &pre, &fl);
    CHECK(s == 0);
    // -0 current on a +0 membrane: 0.5 * +0 + -0 = +0
    u = ax_neuron_step(&c, 0, 0x80000000u, &s, &pre, &fl);
    CHECK(u == 0);
    // overflow in the leak-and-integrate raises overflow
    fl = 0;
    u = ax_neuron_step(&c, 0x7F7FFFFFu, 0x7F7FFFFFu, &s, &pre, &fl);
    CHECK((fl & AX_FLAG_OVERFLOW) != 0);
}

TEST_CASE("cmodels.neuron.synapse_fold", "[cmodels][neuron][synapse]")
{
    // the fold skips silent inputs; converted weights; the adder's bits
    ax_mac_cfg_t c;
    char err[256];
    REQUIRE(ax_mac_parse("in=bf16,add=loa:l=4,acc=fp16", &c, err, sizeof err) == 0);
    ax_rng_t r = {3};
    std::vector<uint32_t> w(300);
    std::vector<uint8_t> s(300);
    for (int k = 0; k < 300; k++) {
        w[k] = to_fmt((float)(ax_rng_uniform(&r) - 0.5), c.in);
        s[k] = (uint8_t)(ax_rng_next(&r) % 5 == 0 ? 1 + k % 3 : 0); // any nonzero is a spike
    }
    uint32_t fl = 0, fl2 = 0;
    uint32_t got = ax_syn_fold(&c, s.data(), w.data(), w.size(), &fl);
    uint32_t acc = 0;
    for (int k = 0; k < 300; k++)
        if (s[k]) acc = ax_add(c.add, acc, ax_convert(w[k], c.in, c.acc, &fl2), c.acc, c.acc, &fl2);
    CHECK(got == acc);
    CHECK(fl == fl2);
    // no spike at all: +0, no flags
    std::vector<uint8_t> none(300, 0);
    fl = 0;
    CHECK(ax_syn_fold(&c, none.data(), w.data(), w.size(), &fl) == 0);
    CHECK(fl == 0);
}

TEST_CASE("cmodels.neuron.config_string", "[cmodels][neuron]")
{
    CHECK(name(parse("neuron=lif")) ==
          "neuron=lif,fmt=fp32,mul=mul_exact,add=add_exact,beta=0.89999997615814209,theta=1,"
          "reset=subtract");
    ax_neuron_cfg_t c =
        parse("reset=zero,theta=0.5,add=loa:l=6,beta=0.9,mul=exact,fmt=bf16,neuron=lif");
    CHECK(c.add.id == AX_ADD_LOA);
    CHECK(c.add.p[0] == 6);
    CHECK(c.beta == 0x3F66u); // 0.9 rounded into bf16: 0.8984375
    CHECK(c.theta == 0x3F00u);
    CHECK(name(c) == "neuron=lif,fmt=bf16,mul=mul_exact,add=add_loa:l=6,beta=0.8984375,theta=0.5,"
                     "reset=zero");
    // the name reads back to the same configuration
    ax_neuron_cfg_t d = parse(name(c).c_str());
    CHECK(std::memcmp(&c, &d, sizeof c) == 0);
    // bit patterns
    CHECK(parse("fmt=fp16,beta=0x3800,theta=0x3C00").beta == 0x3800u);
    // if has no beta in its name
    CHECK(name(parse("neuron=if,fmt=fp16,reset=none")) ==
          "neuron=if,fmt=fp16,add=add_exact,theta=1,reset=none");
}

TEST_CASE("cmodels.neuron.bad_strings", "[cmodels][neuron]")
{
    using Catch::Matchers::Contains;
    CHECK_THAT(error(""), Contains("empty neuron configuration"));
    CHECK_THAT(error("neuron=izhikevich"), Contains("choose lif or if"));
    CHECK_THAT(error("reset=half"), Contains("choose subtract, zero or none"));
    CHECK_THAT(error("fmt=fp7"), Contains("fmt:"));
    CHECK_THAT(error("beta=1.5"), Contains("outside [0, 1]"));
    CHECK_THAT(error("beta=-0.1"), Contains("outside [0, 1]"));
    CHECK_THAT(error("beta=abc"), Contains("not a number"));
    CHECK_THAT(error("theta=0"), Contains("positive finite"));
    CHECK_THAT(error("theta=-1"), Contains("positive finite"));
    CHECK_THAT(error("fmt=fp16,theta=1e9"), Contains("positive finite")); // inf in fp16
    CHECK_THAT(error("fmt=fp16,theta=0x1FFFF"), Contains("not a bit pattern"));
    CHECK_THAT(error("neuron=if,beta=0.5"), Contains("neuron=if has no leak"));
    CHECK_THAT(error("neuron=if,mul=drum"), Contains("neuron=if has no leak"));
    CHECK_THAT(error("mul=add_loa"), Contains("not a multiplier"));
    CHECK_THAT(error("add=nosuch"), Contains("add:"));
    CHECK_THAT(error("tau=5"), Contains("keys: neuron, fmt, mul, add, beta, theta, reset"));
    CHECK_THAT(error("beta=0.9,beta=0.8"), Contains("given twice"));
    CHECK_THAT(error("theta=1,"), Contains("ends with a comma"));
}
