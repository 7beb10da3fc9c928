// format_helpers.h — what the format tests share (test_formats.cpp,
// test_parse.cpp, test_exact.cpp): formats and units by name (a bad name
// fails the test with the parser's message), format equality, a format's
// name, hex and flag printing, a sweep's mismatch collector.
#ifndef AX_FORMAT_HELPERS_H
#define AX_FORMAT_HELPERS_H

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

#include "ax_format.h"
#include "ax_registry.h"

inline ax_format_t F(const char *name)
{
    ax_format_t f;
    char err[512];
    int rc = ax_format_parse(name, &f, err, sizeof err);
    INFO("format " << name << ": " << err);
    REQUIRE(rc == 0);
    return f;
}

inline ax_unit_t U(const char *spec)
{
    ax_unit_t u;
    char err[512];
    int rc = ax_unit_parse(spec, &u, err, sizeof err);
    INFO("unit " << spec << ": " << err);
    REQUIRE(rc == 0);
    return u;
}

inline bool same_format(ax_format_t a, ax_format_t b)
{
    return a.ebits == b.ebits && a.mbits == b.mbits && a.flags == b.flags && a.round == b.round &&
           a.bias == b.bias;
}

inline std::string fname(ax_format_t f)
{
    char b[64];
    return ax_format_name(f, b, sizeof b);
}

inline std::string hex(uint64_t v)
{
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
    return b;
}

inline std::string num(long double v)
{
    char b[48];
    std::snprintf(b, sizeof b, "%.12Lg", v);
    return b;
}

inline std::string flag_str(uint32_t f)
{
    static const char *names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
    std::string s;
    for (int i = 0; i < 5; i++)
        if (f & (1u << i)) s += (s.empty() ? "" : "|") + std::string(names[i]);
    return s.empty() ? "none" : s;
}

// Collects mismatches of a large sweep: counts them and keeps the first few
// messages, so a sweep costs one assertion instead of millions.
struct Sweep {
    uint64_t cases = 0, fails = 0;
    std::string first;
    void fail(const std::string &m)
    {
        if (fails++ < 10) first += m + "\n";
    }
    void require(uint64_t min_cases) const
    {
        INFO(fails << " mismatches in " << cases << " cases; first:\n" << first);
        CHECK(fails == 0);
        CHECK(cases >= min_cases);
    }
};

#endif // AX_FORMAT_HELPERS_H
