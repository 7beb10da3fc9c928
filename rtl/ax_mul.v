// ax_mul.v — one multiplier: shared unpack, the unit's significand stage,
// shared round-and-pack (C: ax_mul in cmodels/ax_units.h). Combinational.
// The unit is UNIT, by name: ax_mul #(.UNIT(`AX_MUL_DRUM), .K(4), ...)
// (rtl/ax_units.vh, generated from the unit registry, lists the names and
// each unit's parameters). Sources: ax_mul.v, ax_sig_mul.v (-I rtl for the
// includes), ax_unpack.v, ax_round_pack.v, ax_exit.v.
`include "ax_units.vh"
module ax_mul #(
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
  parameter integer UNIT  = `AX_MUL_EXACT,  // `AX_MUL_* (ax_units.vh)
  parameter integer K     = 6,  // mul_drum: kept bits
  parameter integer SEGS  = 8,  // mul_realm: segments per fraction axis (spec m)
  parameter integer Q     = 6,  // mul_realm: fraction bits of the terms (spec q)
  parameter integer BUG   = 0   // fault injection for the verifier's tests (ax_round_pack.v)
) (
  input  wire [E+M:0]   a_i,
  input  wire [E+M:0]   b_i,
  output reg  [EO+MO:0] r_o,
  output reg  [4:0]     flags_o   // {invalid, infinite, overflow, underflow, inexact}
);
  localparam integer PFRAC = 2 * M + 15;
  // the truncating units ignore RTZ_O (C: ax_unit_rm)
  localparam integer RTZ = `AX_MUL_TRUNCATES(UNIT) ? 1 : RTZ_O;

  wire [2:0] cls_a, cls_b;
  wire sign_a, sign_b;
  wire signed [15:0] exp_a, exp_b;
  // The hidden bit (sig[M]) is 1 for every finite operand; the significand
  // stage takes the fractions only.
  /* verilator lint_off UNUSEDSIGNAL */
  wire [M:0] sig_a, sig_b;
  /* verilator lint_on UNUSEDSIGNAL */
  wire [63:0] p;
  wire [EO+MO:0] rp;
  wire [4:0] rp_flags;
  wire sign = sign_a ^ sign_b;

  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_unpack_a (
    .x_i(a_i), .cls_o(cls_a), .sign_o(sign_a), .exp_o(exp_a), .sig_o(sig_a));
  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_unpack_b (
    .x_i(b_i), .cls_o(cls_b), .sign_o(sign_b), .exp_o(exp_b), .sig_o(sig_b));
  ax_sig_mul #(.M(M), .UNIT(UNIT), .K(K), .SEGS(SEGS), .Q(Q)) i_sig (
    .xa_i(sig_a[M-1:0]), .xb_i(sig_b[M-1:0]), .p_o(p));
  ax_round_pack #(.EO(EO), .MO(MO), .FN(FN_O), .FTZ(FTZ_O), .SAT(SAT_O), .BUG(BUG)) i_round_pack (
    .sign_i(sign), .exp_i(exp_a + exp_b - PFRAC[15:0]), .sig_i(p), .rtz_i(RTZ[0]),
    .r_o(rp), .flags_o(rp_flags));

  // special-value exits (C: ax_exit_nan, ax_exit_inf)
  wire [EO+MO:0] nan, inf;
  wire [4:0] inf_flags;
  ax_exit #(.EO(EO), .MO(MO), .FN(FN_O), .SAT(SAT_O)) i_exit (
    .inf_sign_i(sign), .nan_o(nan), .inf_o(inf), .inf_flags_o(inf_flags));

  // special operands, as IEEE multiplication (C: ax_mul_special)
  always @* begin : p_special
    reg nan_a, nan_b, inf_a, inf_b, zero_a, zero_b;
    nan_a = cls_a == `AX_CLS_QNAN || cls_a == `AX_CLS_SNAN;
    nan_b = cls_b == `AX_CLS_QNAN || cls_b == `AX_CLS_SNAN;
    inf_a = cls_a == `AX_CLS_INF;
    inf_b = cls_b == `AX_CLS_INF;
    zero_a = cls_a == `AX_CLS_ZERO;
    zero_b = cls_b == `AX_CLS_ZERO;
    r_o = rp;
    flags_o = rp_flags;
    if (nan_a || nan_b) begin
      r_o = nan;
      flags_o = (cls_a == `AX_CLS_SNAN || cls_b == `AX_CLS_SNAN) ? `AX_FLAG_INVALID : 5'b00000;
    end else if (inf_a || inf_b) begin
      if (zero_a || zero_b) begin
        r_o = nan;
        flags_o = `AX_FLAG_INVALID;
      end else begin
        r_o = inf;
        flags_o = inf_flags;
      end
    end else if (zero_a || zero_b) begin
      r_o = {sign, {(EO + MO){1'b0}}};
      flags_o = 5'b00000;
    end
  end
endmodule
