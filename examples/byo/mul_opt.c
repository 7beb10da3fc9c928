/* mul_opt.c — the C model of examples/byo/mul_opt.v: operand truncation to
 * T fraction bits, then the correctly rounded product (axsim's mul_exact).
 * The signature is the one `axsim verify --manifest` calls:
 *   uint32_t f(uint32_t a, uint32_t b, ax_format_t fi, ax_format_t fo,
 *              uint32_t *flags)
 * with values as right-aligned bit patterns and flags ORed in (SoftFloat's
 * bits: inexact 1, underflow 2, overflow 4, infinite 8, invalid 16). */
#include "ax_registry.h"
#include "ax_units.h"

#define T 3 /* fraction bits kept: the Verilog parameter T */

static uint32_t cut(uint32_t x, ax_format_t f)
{
    if (ax_expf(x, f) == ax_fmt_emask(f)) return x; /* inf or NaN: uncut */
    int c = f.mbits > T ? f.mbits - T : 0;
    return x & ~((UINT32_C(1) << c) - 1);
}

uint32_t mul_opt(uint32_t a, uint32_t b, ax_format_t fi, ax_format_t fo, uint32_t *flags)
{
    return ax_mul(ax_unit_default(AX_MUL_EXACT), cut(a, fi), cut(b, fi), fi, fo, flags);
}

/* The same with a bug the verifier should find: NaNs are cut too, so a NaN
 * whose payload sits in the cut bits turns into an infinity. */
uint32_t mul_opt_nanbug(uint32_t a, uint32_t b, ax_format_t fi, ax_format_t fo, uint32_t *flags)
{
    int c = fi.mbits > T ? fi.mbits - T : 0;
    uint32_t keep = ~((UINT32_C(1) << c) - 1);
    return ax_mul(ax_unit_default(AX_MUL_EXACT), a & keep, b & keep, fi, fo, flags);
}
