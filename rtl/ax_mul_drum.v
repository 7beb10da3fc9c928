// ax_mul_drum.v — the top module of mul_drum (docs/units.md): ax_mul.v with its
// UNIT fixed. Verified through ax_mul.v (axsim verify), linted as itself
// (cosim/lint.sh). Sources: this file, ax_mul.v, ax_sig_mul.v (-I rtl), ax_unpack.v, ax_round_pack.v,
// ax_exit.v.
module ax_mul_drum #(
  parameter integer E     = 8,  // input format
  parameter integer M     = 7,
  parameter integer FN_I  = 0,
  parameter integer FTZ_I = 0,
  parameter integer EO    = 8,  // output format
  parameter integer MO    = 7,
  parameter integer FN_O  = 0,
  parameter integer FTZ_O = 0,
  parameter integer SAT_O = 0,
  parameter integer K     = 6,  // significand bits kept, hidden bit included (spec k)
  parameter integer RTZ_O = 0   // 1: round toward zero, 0: to nearest even
) (
  input  wire [E+M:0]   a_i,
  input  wire [E+M:0]   b_i,
  output wire [EO+MO:0] r_o,
  output wire [4:0]     flags_o   // {invalid, infinite, overflow, underflow, inexact}
);
  ax_mul #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EO), .MO(MO), .FN_O(FN_O), .FTZ_O(FTZ_O),
         .SAT_O(SAT_O), .RTZ_O(RTZ_O), .UNIT(2), .K(K)) i_unit (
    .a_i(a_i), .b_i(b_i), .r_o(r_o), .flags_o(flags_o));
endmodule
