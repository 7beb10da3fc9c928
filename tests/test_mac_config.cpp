// test_mac_config.cpp — MAC configurations from one string (ax_mac_parse,
// ax_mac_name in cmodels/ax_mac_config.c): keys in any order, defaults,
// unit names with and without their prefix, unit parameters after the unit,
// the canonical name, and a clear error for each kind of bad string.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "ax_mac.h"
#include "ax_registry.h"

namespace {

ax_mac_cfg_t parse(const char *s)
{
    ax_mac_cfg_t c;
    char err[512];
    INFO(s);
    int rc = ax_mac_parse(s, &c, err, sizeof err);
    INFO(err);
    REQUIRE(rc == 0);
    return c;
}

std::string name(const ax_mac_cfg_t &c)
{
    char b[256];
    return ax_mac_name(&c, b, sizeof b);
}

std::string error(const char *s)
{
    ax_mac_cfg_t c;
    char err[512] = "";
    INFO(s);
    REQUIRE(ax_mac_parse(s, &c, err, sizeof err) == -1);
    return err;
}

} // namespace

TEST_CASE("cmodels.mac_config.parse_and_name", "[cmodels][mac]")
{
    CHECK(name(parse("mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32")) ==
          "mul=mul_mbm,in=bf16,prod=fp32,add=add_exact,acc=fp32");
    // any order, full unit names, suffixed formats
    CHECK(name(parse("acc=fp16:rtz,add=add_loa:l=4,in=fp8e4m3,mul=mul_drum:k=3,prod=fp16")) ==
          "mul=mul_drum:k=3,in=fp8e4m3,prod=fp16,add=add_loa:l=4,acc=fp16:rtz");
    // defaults: mul_exact, fp32, fp32, add_exact, fp32
    CHECK(name(parse("mul=mitchell")) == "mul=mul_mitchell,in=fp32,prod=fp32,add=add_exact,acc=fp32");
    CHECK(name(parse("in=bf16")) == "mul=mul_exact,in=bf16,prod=fp32,add=add_exact,acc=fp32");
    // a unit's parameters follow it, across the item separator
    ax_mac_cfg_t r = parse("mul=realm:m=4,q=8,in=bf16,add=eta,l=6");
    CHECK(r.mul.id == AX_MUL_REALM);
    CHECK(r.mul.p[0] == 4);
    CHECK(r.mul.p[1] == 8);
    CHECK(r.add.id == AX_ADD_ETA);
    CHECK(r.add.p[0] == 6);
    CHECK(name(r) == "mul=mul_realm:m=4,q=8,in=bf16,prod=fp32,add=add_eta:l=6,acc=fp32");
}

TEST_CASE("cmodels.mac_config.round_trip", "[cmodels][mac]")
{
    const char *specs[] = {"mul=mbm,in=bf16,prod=bf16,add=loa:l=8,acc=bf16",
                           "mul=realm,in=fp16,prod=fp16,add=eta:l=10,acc=fp32",
                           "mul=drum:k=2,in=fp8e5m2,prod=bf16,add=trunc,acc=fp32:rtz",
                           "mul=exact,in=e6m9,prod=e8m12:ftz,add=exact,acc=fp8e4m3:sat"};
    for (const char *s : specs) {
        ax_mac_cfg_t a = parse(s);
        std::string n = name(a);
        ax_mac_cfg_t b = parse(n.c_str());
        CHECK(name(b) == n);
        CHECK(std::memcmp(&a.mul, &b.mul, sizeof a.mul) == 0);
        CHECK(std::memcmp(&a.add, &b.add, sizeof a.add) == 0);
    }
}

TEST_CASE("cmodels.mac_config.errors", "[cmodels][mac]")
{
    CHECK_THAT(error(""), Catch::Contains("empty MAC configuration"));
    CHECK_THAT(error("mul=mbm,mul=exact"), Catch::Contains("'mul' given twice"));
    CHECK_THAT(error("mul="), Catch::Contains("'mul' needs a value"));
    CHECK_THAT(error("mul=mbm,"), Catch::Contains("ends with a comma"));
    CHECK_THAT(error("mul=add_loa"), Catch::Contains("mul=add_loa is an adder, not a multiplier"));
    CHECK_THAT(error("add=mul_mbm"), Catch::Contains("add=mul_mbm is a multiplier, not an adder"));
    CHECK_THAT(error("mul=nosuch"), Catch::Contains("unknown unit 'mul_nosuch'"));
    CHECK_THAT(error("mul=mbm,foo=1"), Catch::Contains("unit 'mul_mbm' has no parameter 'foo'"));
    CHECK_THAT(error("mul=drum:k=99"), Catch::Contains("bad value '99' for 'k'"));
    CHECK_THAT(error("in=fp9"), Catch::Contains("in: "));
    CHECK_THAT(error("in=bf16,q=3"), Catch::Contains("cannot read 'q=3'; keys: mul, in, prod, add, acc"));
    CHECK_THAT(error("bf16"), Catch::Contains("cannot read 'bf16'"));
}
