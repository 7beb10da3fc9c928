// cosim_units.cpp — the verilated units (rtl/ax_mul.v, rtl/ax_add.v) against
// the C models (ax_unit_apply in cmodels/ax_units.h): result and flags, bit
// for bit.
//   axsim_cosim [CONFIG...]   (no CONFIG: all of them)
// Vectors: every pair for formats of at most 8 bits; for 16-bit formats every
// a against a strided b plus random pairs; for wider formats special values
// crossed with each other plus weighted random pairs. Prints one line per
// configuration and the first 20 mismatches decoded; exit 1 on any mismatch.
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "verilated.h"

#include "ax_convert.h"
#include "ax_registry.h"
#include "ax_rng.h"

#include "cosim_models.h"  // generated: one include and one entry per model

struct Config {
    const char *name, *unit, *fi, *fo;
    uint32_t (*eval)(uint32_t a, uint32_t b, uint32_t *flags);
};

template <class V> struct Model {
    static V &get()
    {
        static VerilatedContext ctx;
        static V m{&ctx};
        return m;
    }
    static uint32_t eval(uint32_t a, uint32_t b, uint32_t *flags)
    {
        V &m = get();
        m.a_i = a;
        m.b_i = b;
        m.eval();
        *flags = m.flags_o;
        return m.r_o;
    }
};

static const Config configs[] = {AXSIM_COSIM_CONFIGS};

static void decode(const char *what, uint32_t x, ax_format_t f)
{
    uint64_t b = ax_to_f64bits(x, f);
    double d;
    memcpy(&d, &b, sizeof d);
    printf("    %-6s 0x%0*x  sign %u exp field 0x%x frac 0x%x  = %.9g\n", what,
           (ax_fmt_width(f) + 3) / 4, x, ax_sign(x, f), ax_expf(x, f), ax_frac(x, f), d);
}

static int run(const Config &c)
{
    char err[512];
    ax_format_t fi, fo;
    ax_unit_t u;
    if (ax_format_parse(c.fi, &fi, err, sizeof err) || ax_format_parse(c.fo, &fo, err, sizeof err) ||
        ax_unit_parse(c.unit, &u, err, sizeof err)) {
        printf("%s: %s\n", c.name, err);
        return 1;
    }
    const int w = ax_fmt_width(fi);
    const uint32_t mask = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
    uint64_t n = 0, bad = 0;
    auto check = [&](uint32_t a, uint32_t b) {
        uint32_t cf = 0, rf = 0;
        uint32_t cr = ax_unit_apply(u, a, b, fi, fo, &cf);
        uint32_t rr = c.eval(a, b, &rf);
        n++;
        if (cr != rr || cf != rf) {
            if (bad < 20) {
                printf("  MISMATCH %s: a=0x%x b=0x%x\n", c.name, a, b);
                decode("a", a, fi);
                decode("b", b, fi);
                decode("C", cr, fo);
                printf("           flags 0x%02x\n", cf);
                decode("RTL", rr, fo);
                printf("           flags 0x%02x\n", rf);
            }
            bad++;
        }
    };
    ax_rng_t rng = {0xC051u};
    if (w <= 8) {
        for (uint32_t a = 0; a <= mask; a++)
            for (uint32_t b = 0; b <= mask; b++) check(a, b);
    } else if (w <= 16) {
        for (uint32_t b = 0; b <= mask; b += 509)
            for (uint32_t a = 0; a <= mask; a++) check(a, b);
        for (int k = 0; k < 1000000; k++) {
            uint64_t z = ax_rng_next(&rng);
            check((uint32_t)z & mask, (uint32_t)(z >> 32) & mask);
        }
    } else {
        // special values of the format crossed, then random pairs
        std::vector<uint32_t> sp;
        const uint32_t emask = ax_fmt_emask(fi), mm = ax_fmt_mmask(fi);
        for (uint32_t s = 0; s < 2; s++)
            for (uint32_t e : {0u, 1u, 2u, (uint32_t)fi.bias, emask - 1, emask})
                for (uint32_t m : {0u, 1u, mm, mm >> 1, (mm >> 1) + 1u})
                    sp.push_back(ax_pack(s, e, m & mm, fi));
        for (uint32_t a : sp)
            for (uint32_t b : sp) check(a, b);
        for (int k = 0; k < 1000000; k++) {
            uint64_t z = ax_rng_next(&rng);
            uint32_t a = (uint32_t)z & mask, b = (uint32_t)(z >> 32) & mask;
            if (k & 1) { // exponents near the underflow / overflow thresholds
                uint32_t ea = ax_rng_below(&rng, emask + 1);
                uint32_t eb = (uint32_t)((int)(fi.bias * 2) - (int)ea + (int)ax_rng_below(&rng, 5) - 2);
                if (ax_rng_below(&rng, 2)) eb = (uint32_t)(fi.bias - (int)ea + (int)ax_rng_below(&rng, 30)) ;
                a = ax_pack(ax_sign(a, fi), ea & emask, ax_frac(a, fi), fi);
                b = ax_pack(ax_sign(b, fi), eb & emask, ax_frac(b, fi), fi);
            }
            check(a, b);
        }
    }
    printf("%-28s %-18s %-8s -> %-8s %10llu vectors  %s\n", c.name, c.unit, c.fi, c.fo,
           (unsigned long long)n, bad ? "FAIL" : "ok");
    return bad != 0 || n == 0;
}

int main(int argc, char **argv)
{
    int failed = 0, ran = 0;
    for (const Config &c : configs) {
        bool want = argc < 2;
        for (int i = 1; i < argc; i++) want |= !strcmp(argv[i], c.name);
        if (!want) continue;
        ran++;
        failed += run(c);
    }
    printf("%d passed, %d failed\n", ran - failed, failed);
    return failed || ran == 0;
}
