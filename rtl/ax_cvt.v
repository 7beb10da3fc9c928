// ax_cvt.v — format-to-format conversion: shared unpack, shared
// round-and-pack (C: ax_convert in cmodels/ax_convert.h; the MAC's
// product -> accumulator step). Combinational. Rounds with the output
// format's mode (RTZ_O); special inputs leave through labelled exits:
//   qNaN -> canonical NaN, no flags;  sNaN -> canonical NaN, invalid;
//   inf  -> inf, or (FN_O) max finite with overflow+inexact when SAT_O,
//           else canonical NaN with invalid (C: ax_exit_inf);
//   zero (or a subnormal input read as zero, FTZ_I) -> zero of that sign.
`include "ax_units.vh"
module ax_cvt #(
  parameter integer E     = 8,  // input format
  parameter integer M     = 7,
  parameter integer FN_I  = 0,
  parameter integer FTZ_I = 0,
  parameter integer EO    = 8,  // output format
  parameter integer MO    = 7,
  parameter integer FN_O  = 0,
  parameter integer FTZ_O = 0,
  parameter integer SAT_O = 0,
  parameter integer RTZ_O = 0,  // output format's rounding: 1 RTZ, 0 RNE
  parameter integer BUG   = 0   // fault injection for the verifier's tests (ax_round_pack.v)
) (
  input  wire [E+M:0]   x_i,
  output reg  [EO+MO:0] r_o,
  output reg  [4:0]     flags_o   // {invalid, infinite, overflow, underflow, inexact}
);

  wire [2:0] cls;
  wire sign;
  wire signed [15:0] exp;
  wire [M:0] sig;
  wire [EO+MO:0] rp;
  wire [4:0] rp_flags;

  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_unpack (
    .x_i(x_i), .cls_o(cls), .sign_o(sign), .exp_o(exp), .sig_o(sig));
  // value = sig * 2^(exp - M), re-rounded (C: ax_round_unpacked)
  ax_round_pack #(.EO(EO), .MO(MO), .FN(FN_O), .FTZ(FTZ_O), .SAT(SAT_O), .BUG(BUG)) i_round_pack (
    .sign_i(sign), .exp_i(exp - M[15:0]), .sig_i({{(63 - M){1'b0}}, sig}), .rtz_i(RTZ_O != 0),
    .r_o(rp), .flags_o(rp_flags));

  // special-value exits (C: ax_exit_nan, ax_exit_inf)
  wire [EO+MO:0] nan, inf;
  wire [4:0] inf_flags;
  ax_exit #(.EO(EO), .MO(MO), .FN(FN_O), .SAT(SAT_O)) i_exit (
    .inf_sign_i(sign), .nan_o(nan), .inf_o(inf), .inf_flags_o(inf_flags));

  // special inputs (C: the switch in ax_convert)
  always @* begin : p_special
    r_o = rp;
    flags_o = rp_flags;
    if (cls == `AX_CLS_QNAN) begin
      r_o = nan;
      flags_o = 5'b00000;
    end else if (cls == `AX_CLS_SNAN) begin
      r_o = nan;
      flags_o = `AX_FLAG_INVALID;
    end else if (cls == `AX_CLS_INF) begin  // C: ax_exit_inf
      r_o = inf;
      flags_o = inf_flags;
    end else if (cls == `AX_CLS_ZERO) begin
      r_o = {sign, {(EO + MO){1'b0}}};
      flags_o = 5'b00000;
    end
  end
endmodule
