// test_util.h — helpers shared by the Catch2 tests: formats and units by
// name (a bad name throws with the parser's message), float/double bit
// casts, and the host FPU's <fenv.h> flags as axsim's flag bits.
#ifndef AX_TEST_UTIL_H
#define AX_TEST_UTIL_H

#include <cfenv>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "ax_flags.h"
#include "ax_fastpath.h"
#include "ax_format.h"
#include "ax_mac.h"
#include "ax_registry.h"

inline ax_format_t fmt(const char *name)
{
    ax_format_t f;
    char err[256];
    if (ax_format_parse(name, &f, err, sizeof err) != 0) throw std::runtime_error(err);
    return f;
}

inline ax_unit_t unit(const std::string &spec)
{
    ax_unit_t u;
    char err[512];
    if (ax_unit_parse(spec.c_str(), &u, err, sizeof err) != 0) throw std::runtime_error(err);
    return u;
}

// A MAC configuration from its compact string (a bad one throws with the
// parser's message).
inline ax_mac_cfg_t mac(const std::string &spec)
{
    ax_mac_cfg_t c;
    char err[256];
    if (ax_mac_parse(spec.c_str(), &c, err, sizeof err) != 0) throw std::runtime_error(err);
    return c;
}

// An environment override of the engine options (AXSIM_CPU_PATH, ...) for
// one scope: sets the variable and re-reads e's options from the
// environment, as an engine created in the scope reads them; restores both.
struct engine_env {
    ax_engine_t *e;
    std::string name;
    engine_env(ax_engine_t *eng, const char *n, const char *v) : e(eng), name(n)
    {
        setenv(n, v, 1);
        apply();
    }
    ~engine_env()
    {
        unsetenv(name.c_str());
        apply();
    }
    void apply()
    {
        const ax_engine_opts_t o = ax_engine_opts_from_env();
        ax_engine_set_options(e, &o);
    }
    engine_env(const engine_env &) = delete;
    engine_env &operator=(const engine_env &) = delete;
};

// A fast-path engine freed at the end of its scope.
struct engine {
    ax_engine_t *e;
    explicit engine(ax_backend_t b, int threads = 2)
    {
        char err[256];
        e = ax_engine_create(b, threads, err, sizeof err);
        if (!e) throw std::runtime_error(err);
    }
    ~engine() { ax_engine_free(e); }
    engine(const engine &) = delete;
    engine &operator=(const engine &) = delete;
};

// The bits of x as a To of the same size, and back.
template <class To, class From> inline To bits_as(From x)
{
    static_assert(sizeof(To) == sizeof(From), "same size");
    To y;
    std::memcpy(&y, &x, sizeof y);
    return y;
}
inline float u2f(uint32_t u) { return bits_as<float>(u); }
inline uint32_t f2u(float f) { return bits_as<uint32_t>(f); }
inline double u2d(uint64_t u) { return bits_as<double>(u); }
inline uint64_t d2u(double d) { return bits_as<uint64_t>(d); }

// fetestexcept() bits -> AX_FLAG_* (no host operation here raises divide-by-zero)
inline uint32_t host_flags(int e)
{
    return ((e & FE_INEXACT) ? AX_FLAG_INEXACT : 0) | ((e & FE_UNDERFLOW) ? AX_FLAG_UNDERFLOW : 0) |
           ((e & FE_OVERFLOW) ? AX_FLAG_OVERFLOW : 0) | ((e & FE_INVALID) ? AX_FLAG_INVALID : 0);
}

// A fresh folder under /tmp, removed with everything in it at the end of
// its scope.
struct temp_dir {
    std::string path;
    temp_dir()
    {
        char t[] = "/tmp/axsim-test-XXXXXX";
        if (!mkdtemp(t)) throw std::runtime_error("mkdtemp failed");
        path = t;
    }
    ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
    temp_dir(const temp_dir &) = delete;
    temp_dir &operator=(const temp_dir &) = delete;
};

#endif
