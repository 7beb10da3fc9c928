// test_regressions.cpp — TestFloat-style regression runner over
// tests/regressions/*.hex. One case per line:
//
//   <unit-spec> <fmt-in> <fmt-out> <a-hex> <b-hex> <expected-hex> <flags-hex>  # bug
//
// e.g. `mul_exact fp8e4m3 fp8e4m3 7e 40 7f 05  # 448*2 overflows E4M3FN to NaN`.
// Hex is bare (no 0x), at most as wide as its format; flags are SoftFloat's
// bits (inexact 1, underflow 2, overflow 4, infinite 8, invalid 16). Blank
// lines and lines starting with '#' are ignored; a case without a trailing
// comment naming its bug is an error. Each case is one ax_unit_apply call;
// a mismatch is reported with file:line and decoded values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ax_convert.h"
#include "ax_registry.h"
#include "ax_units.h"

namespace {

enum class Kind { Skip, Pass, Mismatch, Malformed };

struct LineResult {
    Kind kind;
    std::string msg; // "file:line: ..." for Mismatch and Malformed
};

std::string trim(const std::string &s)
{
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool parse_hex(const std::string &t, uint32_t *v)
{
    if (t.empty() || t.size() > 8) return false;
    for (char c : t)
        if (!std::isxdigit((unsigned char)c)) return false;
    *v = (uint32_t)std::stoul(t, nullptr, 16);
    return true;
}

std::string flag_names(uint32_t f)
{
    static const char *names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
    std::string s;
    for (int i = 0; i < 5; i++)
        if (f & (1u << i)) s += (s.empty() ? "" : "|") + std::string(names[i]);
    return s.empty() ? "none" : s;
}

// "0x7e (448)": the pattern and its value in format f.
std::string decode(uint32_t x, ax_format_t f)
{
    const double d = ax_to_double(x, f);
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%x (%.9g)", x, d);
    return buf;
}

std::string hex2(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", v);
    return buf;
}

// Checks one line of a regression file; where = "file:line".
LineResult check_line(const std::string &raw, const std::string &where)
{
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') return {Kind::Skip, ""};
    auto bad = [&](const std::string &why) {
        return LineResult{Kind::Malformed, where + ": malformed case (" + why + "): " + line};
    };
    size_t hash = line.find('#');
    if (hash == std::string::npos) return bad("no trailing '# comment' naming the bug");
    std::string comment = trim(line.substr(hash + 1));
    if (comment.empty()) return bad("empty comment; name the bug");

    std::istringstream in(line.substr(0, hash));
    std::vector<std::string> tok;
    for (std::string t; in >> t;) tok.push_back(t);
    if (tok.size() != 7)
        return bad("expected 7 fields <unit> <fmt-in> <fmt-out> <a> <b> <expected> <flags>, got " +
                   std::to_string(tok.size()));

    char err[512];
    ax_unit_t u;
    ax_format_t fi, fo;
    if (ax_unit_parse(tok[0].c_str(), &u, err, sizeof err)) return bad(err);
    if (ax_format_parse(tok[1].c_str(), &fi, err, sizeof err)) return bad(err);
    if (ax_format_parse(tok[2].c_str(), &fo, err, sizeof err)) return bad(err);
    uint32_t a, b, want, want_fl;
    const char *names[] = {"a", "b", "expected", "flags"};
    uint32_t *dst[] = {&a, &b, &want, &want_fl};
    int width[] = {ax_fmt_width(fi), ax_fmt_width(fi), ax_fmt_width(fo), 5};
    for (int i = 0; i < 4; i++) {
        if (!parse_hex(tok[3 + i], dst[i])) return bad(std::string(names[i]) + " is not bare hex");
        if (width[i] < 32 && (*dst[i] >> width[i]))
            return bad(std::string(names[i]) + " " + tok[3 + i] + " wider than " +
                       std::to_string(width[i]) + " bits");
    }

    uint32_t fl = 0;
    uint32_t got = ax_unit_apply(u, a, b, fi, fo, &fl);
    if (got == want && fl == want_fl) return {Kind::Pass, ""};
    char uname[128];
    ax_unit_name(u, uname, sizeof uname);
    return {Kind::Mismatch, where + ": " + uname + " " + tok[1] + " -> " + tok[2] + ": a=" +
                                decode(a, fi) + " b=" + decode(b, fi) + ": got " + decode(got, fo) +
                                " flags " + hex2(fl) + " (" + flag_names(fl) + "), expected " +
                                decode(want, fo) + " flags " + hex2(want_fl) + " (" +
                                flag_names(want_fl) + ")  # " + comment};
}

struct RunResult {
    uint64_t cases = 0; // well-formed data lines checked
    std::vector<std::string> errors;
    bool ok() const { return errors.empty() && cases > 0; }
};

void check_stream(std::istream &in, const std::string &name, RunResult &r)
{
    std::string line;
    for (int n = 1; std::getline(in, line); n++) {
        LineResult lr = check_line(line, name + ":" + std::to_string(n));
        if (lr.kind == Kind::Skip) continue;
        if (lr.kind != Kind::Malformed) r.cases++;
        if (lr.kind != Kind::Pass) r.errors.push_back(lr.msg);
    }
}

std::vector<std::filesystem::path> regression_files()
{
    std::vector<std::filesystem::path> v;
    std::filesystem::path dir = std::filesystem::path(AXSIM_SOURCE_DIR) / "tests" / "regressions";
    if (!std::filesystem::is_directory(dir)) return v;
    for (const auto &e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".hex") v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

TEST_CASE("cmodels.regressions.hex_files", "[cmodels][regressions]")
{
    std::vector<std::filesystem::path> files = regression_files();
    INFO("regression folder: " << AXSIM_SOURCE_DIR << "/tests/regressions");
    REQUIRE(!files.empty());
    RunResult r;
    for (const auto &p : files) {
        std::ifstream in(p);
        INFO(p.string());
        REQUIRE(in.good());
        check_stream(in, p.filename().string(), r);
    }
    size_t shown = 0;
    for (const std::string &e : r.errors)
        if (shown++ < 20) FAIL_CHECK(e); // as TestFloat: stop listing after 20
    INFO(r.cases << " cases in " << files.size() << " files, " << r.errors.size() << " errors");
    REQUIRE(r.errors.empty());
    REQUIRE(r.cases > 0);
}

TEST_CASE("cmodels.regressions.peer_bugs_seeded", "[cmodels][regressions]")
{
    // the seed file exists and holds at least 20 cases over several units
    std::ifstream in(std::string(AXSIM_SOURCE_DIR) + "/tests/regressions/peer_bugs.hex");
    REQUIRE(in.good());
    RunResult r;
    std::vector<std::string> units;
    std::string line;
    std::stringstream copy;
    while (std::getline(in, line)) {
        copy << line << "\n";
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        std::string unit = t.substr(0, t.find_first_of(" \t:"));
        if (std::find(units.begin(), units.end(), unit) == units.end()) units.push_back(unit);
    }
    check_stream(copy, "peer_bugs.hex", r);
    REQUIRE(r.cases >= 20);
    REQUIRE(units.size() >= 6);
}

TEST_CASE("cmodels.regressions.runner_can_fail", "[cmodels][regressions][verifier]")
{
    // a correct case passes
    LineResult ok = check_line("mul_exact fp16 fp16 3c00 4000 4000 00  # 1 * 2 = 2", "x.hex:1");
    REQUIRE(ok.kind == Kind::Pass);

    // a deliberately wrong expected value is reported with file:line and values
    LineResult wrong =
        check_line("mul_exact fp16 fp16 3c00 4000 4200 00  # planted: 1 * 2 is not 3", "planted.hex:7");
    INFO(wrong.msg);
    REQUIRE(wrong.kind == Kind::Mismatch);
    REQUIRE_THAT(wrong.msg, Catch::StartsWith("planted.hex:7: "));
    REQUIRE_THAT(wrong.msg, Catch::Contains("got 0x4000 (2)"));
    REQUIRE_THAT(wrong.msg, Catch::Contains("expected 0x4200 (3)"));
    REQUIRE_THAT(wrong.msg, Catch::Contains("a=0x3c00 (1)"));
    REQUIRE_THAT(wrong.msg, Catch::Contains("planted: 1 * 2 is not 3"));

    // wrong flags alone are a mismatch too
    LineResult wfl = check_line("add_exact fp16 fp16 3c00 1000 3c00 00  # flags dropped", "p.hex:2");
    REQUIRE(wfl.kind == Kind::Mismatch);
    REQUIRE_THAT(wfl.msg, Catch::Contains("flags 0x01 (inexact)"));

    // malformed lines are errors, never silently skipped
    for (const char *bad : {
             "mul_exact fp16 fp16 3c00 4000 4000 00",           // no comment
             "mul_exact fp16 fp16 3c00 4000 4000 00  #   ",     // empty comment
             "mul_exact fp16 fp16 3c00 4000 4000  # six fields",
             "mul_exact fp16 fp16 3c00 4000 4000 00 01 # eight",
             "mul_nope fp16 fp16 3c00 4000 4000 00  # bad unit",
             "mul_drum:k=1 fp16 fp16 3c00 4000 4000 00  # bad parameter",
             "mul_exact fp17 fp16 3c00 4000 4000 00  # bad format",
             "mul_exact fp16 fp16 3g00 4000 4000 00  # bad hex",
             "mul_exact fp16 fp16 0x3c00 4000 4000 00  # 0x prefix",
             "mul_exact fp16 fp16 13c00 4000 4000 00  # a wider than fp16",
             "mul_exact fp16 fp8e4m3 3c00 4000 140 00  # expected wider than fp8",
             "mul_exact fp16 fp16 3c00 4000 4000 20  # flags above invalid",
             "mul_exact fp16 fp16 3c00 4000 4000 -1  # negative",
         }) {
        LineResult lr = check_line(bad, "m.hex:3");
        INFO(bad << " -> " << lr.msg);
        REQUIRE(lr.kind == Kind::Malformed);
        REQUIRE_THAT(lr.msg, Catch::StartsWith("m.hex:3: malformed"));
    }
    for (const char *skip : {"", "   ", "# a comment", "   # indented comment", "\r"})
        REQUIRE(check_line(skip, "s.hex:1").kind == Kind::Skip);

    // a whole file: line numbers count every line, errors are collected
    std::istringstream text("# header\n"
                            "\n"
                            "mul_exact fp16 fp16 3c00 4000 4000 00  # good\n"
                            "mul_exact fp16 fp16 3c00 4000 4400 00  # planted bad\n"
                            "mul_exact fp16 fp16 3c00 4000 4000 00\n");
    RunResult r;
    check_stream(text, "t.hex", r);
    REQUIRE(r.cases == 2);
    REQUIRE(r.errors.size() == 2);
    REQUIRE_THAT(r.errors[0], Catch::StartsWith("t.hex:4: "));
    REQUIRE_THAT(r.errors[1], Catch::StartsWith("t.hex:5: malformed"));
    REQUIRE(!r.ok());

    // zero cases is a failure, not a pass
    std::istringstream empty("# nothing here\n\n");
    RunResult z;
    check_stream(empty, "z.hex", z);
    REQUIRE(z.cases == 0);
    REQUIRE(z.errors.empty());
    REQUIRE(!z.ok());
}
