// test_hostcheck.cpp — mul_exact and add_exact against the host FPU, and the
// check itself shown able to fail on planted bugs.
#include <catch2/catch.hpp>

#include "ax_hostcheck.h"
#include "ax_units.h"

namespace {

struct Ctx {
    ax_unit_t u;
    ax_format_t f;
    int bug; // 0 none, 1 flip result lsb on some inputs, 2 drop inexact flag
};

uint32_t op(void *p, uint32_t a, uint32_t b, uint32_t *flags)
{
    const Ctx *c = static_cast<const Ctx *>(p);
    uint32_t r = ax_unit_apply(c->u, a, b, c->f, c->f, flags);
    if (c->bug == 1 && ((a ^ b) & 0xFF) == 0x5A && !ax_is_nan(r, c->f)) r ^= 1;
    if (c->bug == 2) *flags &= ~(uint32_t)AX_FLAG_INEXACT;
    return r;
}

Ctx ctx(int id, ax_format_t f, int bug = 0)
{
    Ctx c;
    c.u.id = id, c.u.p[0] = c.u.p[1] = 0;
    c.f = f;
    c.bug = bug;
    return c;
}

void require_clean(const ax_check_report_t &r)
{
    INFO("first failure: a=" << std::hex << (r.nrec ? r.rec[0].a : 0) << " b="
                             << (r.nrec ? r.rec[0].b : 0) << " got=" << (r.nrec ? r.rec[0].got : 0)
                             << " want=" << (r.nrec ? r.rec[0].want : 0));
    REQUIRE(r.cases > 0);
    REQUIRE(r.fails == 0);
}

const ax_format_t fp32 = ax_format_make(8, 23), fp16 = ax_format_make(5, 10),
                  bf16 = ax_format_make(8, 7);

} // namespace

TEST_CASE("cmodels.mul_exact.fp32_host_fpu", "[cmodels][hostfpu]")
{
    Ctx c = ctx(AX_MUL_EXACT, fp32);
    ax_check_report_t r;
    ax_hostcheck_fp32(AX_KIND_MUL, op, &c, 10000000, 0xA5u, &r);
    require_clean(r);
    REQUIRE(r.cases >= 10000000);
}

TEST_CASE("cmodels.add_exact.fp32_host_fpu", "[cmodels][hostfpu]")
{
    Ctx c = ctx(AX_ADD_EXACT, fp32);
    ax_check_report_t r;
    ax_hostcheck_fp32(AX_KIND_ADD, op, &c, 10000000, 0x5Au, &r);
    require_clean(r);
    REQUIRE(r.cases >= 10000000);
}

TEST_CASE("cmodels.exact.fp32_special_flags", "[cmodels][hostfpu]")
{
    // every pair of special values, flags included, is in the check; here we
    // also pin a few by hand so a regression in the table itself shows.
    uint32_t fl;
    uint32_t n = ax_host_f32(AX_KIND_MUL, 0x7F800000, 0x00000000, &fl); // inf*0: NaN
    REQUIRE(((n >> 23) & 0xFF) == 0xFF);
    REQUIRE((n & 0x7FFFFF) != 0);
    REQUIRE(fl == AX_FLAG_INVALID);
    for (int kind = 0; kind < 2; kind++) {
        Ctx c = ctx(kind ? AX_ADD_EXACT : AX_MUL_EXACT, fp32);
        ax_check_report_t r;
        ax_hostcheck_fp32(kind, op, &c, 0, 1, &r);
        require_clean(r);
        int n;
        ax_hostcheck_f32_specials(&n);
        REQUIRE(r.cases == (uint64_t)n * n);
    }
}

TEST_CASE("cmodels.exact.fp16_bf16_host_fpu_strided", "[cmodels][hostfpu]")
{
    for (int kind = 0; kind < 2; kind++)
        for (ax_format_t f : {fp16, bf16}) {
            Ctx c = ctx(kind ? AX_ADD_EXACT : AX_MUL_EXACT, f);
            ax_check_report_t r;
            ax_hostcheck_16(kind, f, op, &c, 251, 7, &r);
            require_clean(r);
        }
}

TEST_CASE("cmodels.exact.fp16_bf16_host_fpu_exhaustive", "[cmodels][hostfpu][slow]")
{
    for (int kind = 0; kind < 2; kind++)
        for (ax_format_t f : {fp16, bf16}) {
            Ctx c = ctx(kind ? AX_ADD_EXACT : AX_MUL_EXACT, f);
            ax_check_report_t r;
            ax_hostcheck_16(kind, f, op, &c, 1, 0, &r);
            require_clean(r);
            REQUIRE(r.cases == (UINT64_C(1) << 32));
        }
}

TEST_CASE("cmodels.hostcheck.catches_planted_bugs", "[cmodels][hostfpu][verifier]")
{
    ax_check_report_t r;
    Ctx c = ctx(AX_MUL_EXACT, fp32, 1);
    ax_hostcheck_fp32(AX_KIND_MUL, op, &c, 200000, 3, &r);
    REQUIRE(r.fails > 0);
    REQUIRE(r.nrec > 0);
    REQUIRE(((r.rec[0].a ^ r.rec[0].b) & 0xFF) == 0x5A);
    REQUIRE((r.rec[0].got ^ r.rec[0].want) == 1);

    c = ctx(AX_ADD_EXACT, fp32, 2);
    ax_hostcheck_fp32(AX_KIND_ADD, op, &c, 1000, 3, &r);
    REQUIRE(r.fails > 0);
    REQUIRE((r.rec[0].want_flags & AX_FLAG_INEXACT) != 0);

    c = ctx(AX_MUL_EXACT, fp16, 1);
    ax_hostcheck_16(AX_KIND_MUL, fp16, op, &c, 4099, 0, &r);
    REQUIRE(r.fails > 0);

    // a wrong unit altogether: truncation instead of rounding
    c = ctx(AX_MUL_TRUNC, bf16);
    ax_hostcheck_16(AX_KIND_MUL, bf16, op, &c, 4099, 0, &r);
    REQUIRE(r.fails > 0);
}
