// mul_opt.v — a bring-your-own unit for `axsim verify --manifest`
// (docs/byo-unit.md): operand truncation. Each operand keeps the top T bits
// of its fraction (the rest are cut to zero, as a narrower multiplier array
// would), then the product is the correctly rounded product of the cut
// operands. Infinities and NaNs pass uncut. The C model is mul_opt.c.
//
// The port list and the format parameters are the ones axsim verify drives;
// the module reuses axsim's rtl/ax_mul.v (found through the manifest's
// axsim_rtl = yes, as is the include naming its units) for unpacking,
// special values and rounding.
`include "ax_units.vh"
module mul_opt #(
  parameter integer E     = 8,  // input format: exponent and mantissa bits
  parameter integer M     = 7,
  parameter integer FN_I  = 0,  // no infinities (OCP E4M3FN style)
  parameter integer FTZ_I = 0,  // subnormal inputs read as zero
  parameter integer EO    = 8,  // output format
  parameter integer MO    = 7,
  parameter integer FN_O  = 0,
  parameter integer FTZ_O = 0,
  parameter integer SAT_O = 0,  // overflow saturates
  parameter integer RTZ_O = 0,  // round toward zero instead of to nearest even
  parameter integer T     = 3   // fraction bits kept per operand
) (
  input  wire [E+M:0]   a_i,
  input  wire [E+M:0]   b_i,
  output wire [EO+MO:0] r_o,
  output wire [4:0]     flags_o  // {invalid, infinite, overflow, underflow, inexact}
);
  localparam integer CUT = M > T ? M - T : 0;  // fraction bits cut
  localparam [E+M:0] ONES = {(E + M + 1){1'b1}};
  localparam [E+M:0] KEEP = ONES << CUT;

  // x with its low CUT fraction bits cleared, unless it is an inf or a NaN
  function automatic [E+M:0] cut(input [E+M:0] x);
    cut = &x[E+M-1:M] ? x : x & KEEP;
  endfunction

  ax_mul #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EO), .MO(MO), .FN_O(FN_O),
           .FTZ_O(FTZ_O), .SAT_O(SAT_O), .RTZ_O(RTZ_O), .UNIT(`AX_MUL_EXACT)) i_mul (
    .a_i(cut(a_i)), .b_i(cut(b_i)), .r_o(r_o), .flags_o(flags_o));
endmodule
