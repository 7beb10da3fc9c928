/* fuzz_calc.c — the vector-line parser of `axsim calc` (cli/calc_line.c,
 * the code the CLI runs), then the unit on the parsed operands, as calc
 * does (cmodels/: every unit, custom formats, suffixes).
 *
 * Input: byte 0 picks the input format, byte 1 the output format, byte 2
 * the unit (and bit 7 of byte 2 sets --check); the rest is the line. */
#include "ax_registry.h"
#include "ax_units.h"
#include "calc_line.h"
#include "fuzz_util.h"

static const char *const fmts[] = {
    "fp32", "tf32", "fp16", "bf16", "fp8e4m3", "fp8e5m2", "e1m0", "e8m0", "e2m1", "e5m10:rtz",
    "e8m23:ftz", "e4m3:sat", "e3m2:fn:ftz:rtz:sat", "e8m23:sat:rtz", "e1m1:ftz", "e8m7:fn",
    "e5m2:sat:ftz", "e6m9", "e2m0:rtz", "e8m22:fn:sat"};
static const char *const units[] = {
    "mul_exact", "mul_trunc", "mul_drum:k=2", "mul_drum:k=24", "mul_drum", "mul_mitchell",
    "mul_mbm", "mul_realm", "mul_realm:m=1,q=1", "mul_realm:m=16,q=15", "add_exact",
    "add_trunc", "add_loa:l=0", "add_loa:l=27", "add_loa", "add_eta:l=0", "add_eta:l=27",
    "add_eta"};
#define N(a) (sizeof a / sizeof a[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    ax_format_t fi, fo;
    ax_unit_t u;
    char err[512];
    CHECK(!ax_format_parse(fmts[data[0] % N(fmts)], &fi, err, sizeof err), "%s", err);
    CHECK(!ax_format_parse(fmts[data[1] % N(fmts)], &fo, err, sizeof err), "%s", err);
    CHECK(!ax_unit_parse(units[(data[2] & 0x7F) % N(units)], &u, err, sizeof err), "%s", err);
    const int check = data[2] >> 7;
    size_t n = size - 3;
    char *line = fuzz_str(data + 3, n);
    ax_calc_vec_t v;
    memset(err, 0x55, sizeof err);
    if (ax_calc_parse_line(line, n, fi, fo, check, &v, err, sizeof err) == 0) {
        CHECK(v.nt == 0 || (v.nt >= 2 && v.nt <= 4), "nt %d", v.nt);
        CHECK(!memchr(data + 3, 0, n), "a line with a NUL byte was accepted");
        if (v.nt) {
            CHECK(ax_fmt_width(fi) == 32 || (v.v[0] >> ax_fmt_width(fi) == 0 &&
                                            v.v[1] >> ax_fmt_width(fi) == 0), "operand too wide");
            CHECK(v.nt < 3 || ax_fmt_width(fo) == 32 || v.v[2] >> ax_fmt_width(fo) == 0,
                  "result too wide");
            CHECK(v.nt < 4 || v.v[3] <= 0x1F, "flags 0x%X", v.v[3]);
            CHECK(!check || v.nt >= 3, "--check without a result");
            uint32_t flags = 0;
            uint32_t r = ax_unit_apply(u, v.v[0], v.v[1], fi, fo, &flags);
            CHECK(ax_fmt_width(fo) == 32 || r >> ax_fmt_width(fo) == 0, "result 0x%X too wide", r);
            CHECK(flags <= 0x1F, "flags 0x%X", flags);
        }
    } else {
        fuzz_check_err_text(err, sizeof err);
        /* a field is echoed shortened: the message stays short whatever the line */
        CHECK(strlen(err) < 300, "a %zu-byte message for a %zu-byte line", strlen(err), n);
    }
    free(line);
    return 0;
}
