// ax_add.v — one adder: shared unpack, shared alignment (ax_align in C), the
// unit's significand add, shared round-and-pack (C: ax_add in
// cmodels/ax_units.h; the datapath is pinned in docs/units.md, section 9).
// Combinational. The unit is UNIT, by name: ax_add #(.UNIT(`AX_ADD_LOA),
// .L(6), ...) (rtl/ax_units.vh, generated from the unit registry, lists the
// names and each unit's parameters). Sources: ax_add.v, ax_unpack.v,
// ax_round_pack.v, ax_exit.v (-I rtl for the include).
`include "ax_units.vh"
module ax_add #(
  parameter integer E     = 8,  // input format
  parameter integer M     = 7,
  parameter integer FN_I  = 0,
  parameter integer FTZ_I = 0,
  parameter integer EO    = 8,  // output format
  parameter integer MO    = 7,
  parameter integer FN_O  = 0,
  parameter integer FTZ_O = 0,
  parameter integer SAT_O = 0,
  parameter integer RTZ_O = 0,
  parameter integer UNIT  = `AX_ADD_EXACT,  // `AX_ADD_* (ax_units.vh)
  parameter integer L     = 8,  // loa / eta: low datapath bits
  parameter integer BUG   = 0   // fault injection for the verifier's tests (ax_round_pack.v)
) (
  input  wire [E+M:0]   a_i,
  input  wire [E+M:0]   b_i,
  output reg  [EO+MO:0] r_o,
  output reg  [4:0]     flags_o   // {invalid, infinite, overflow, underflow, inexact}
);
  // Datapath: add_exact is wide enough to be exact up to a sticky bit far
  // below any rounding point; the others have P = max(M, MO) + 1 significand
  // bits and G bits below: guard/round/sticky (loa, eta) or none (trunc).
  localparam integer P   = UNIT == `AX_ADD_EXACT ? M + 1 : (M > MO ? M : MO) + 1;
  localparam integer G   = UNIT == `AX_ADD_EXACT ? 60 - M : (UNIT == `AX_ADD_TRUNC ? 0 : 3);
  localparam integer JAM = UNIT == `AX_ADD_TRUNC ? 0 : 1;
  localparam integer UP  = P - 1 - M + G;      // widening shift of a significand
  localparam integer W   = P + G;              // datapath width
  localparam integer LC  = L > W ? W : L;      // l clamped to the datapath
  localparam integer PG1 = P - 1 + G;          // weight of bit 0 below the leading one
  localparam integer RTZ = `AX_ADD_TRUNCATES(UNIT) ? 1 : RTZ_O;  // C: ax_unit_rm
  localparam [63:0] LMASK = LC >= 64 ? {64{1'b1}} : (64'd1 << LC) - 64'd1;

  wire [2:0] cls_a, cls_b;
  wire sign_a, sign_b;
  wire signed [15:0] exp_a, exp_b;
  wire [M:0] sig_a, sig_b;
  reg  [63:0] s;
  reg  signed [15:0] exp0;
  reg  sign_r;
  wire [EO+MO:0] rp;
  wire [4:0] rp_flags;

  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_unpack_a (
    .x_i(a_i), .cls_o(cls_a), .sign_o(sign_a), .exp_o(exp_a), .sig_o(sig_a));
  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_unpack_b (
    .x_i(b_i), .cls_o(cls_b), .sign_o(sign_b), .exp_o(exp_b), .sig_o(sig_b));

  // Stage 2a, alignment (C: ax_align), and stage 2b, the unit's add. A zero
  // operand aligns as 0, which gives x + 0 = x rounded into the output format.
  always @* begin : p_align_add
    reg swap, zero_a, zero_b;
    reg [63:0] bg, sml, x, lo, both;  // larger, smaller (aligned)
    reg signed [15:0] d;
    integer i, k;
    zero_a = cls_a == `AX_CLS_ZERO;
    zero_b = cls_b == `AX_CLS_ZERO;
    swap = zero_a || (!zero_b && (exp_b > exp_a || (exp_b == exp_a && sig_b > sig_a)));
    bg   = ({{(63 - M){1'b0}}, swap ? sig_b : sig_a}) << UP;
    x     = ({{(63 - M){1'b0}}, swap ? sig_a : sig_b}) << UP;
    d     = swap ? exp_b - exp_a : exp_a - exp_b;
    if (zero_a || zero_b) sml = 64'd0;
    else if (d >= 64) sml = JAM != 0 ? {63'd0, x != 64'd0} : 64'd0;
    else if (JAM != 0) sml = (x >> d) | {63'd0, (x & ((64'd1 << d) - 64'd1)) != 64'd0};
    else sml = x >> d;
    sign_r = swap ? sign_b : sign_a;
    exp0   = (swap ? exp_b : exp_a) - PG1[15:0];
    lo = 64'd0;
    both = 64'd0;
    k = 0;
    if (sign_a != sign_b) begin
      s = bg - sml;  // effective subtraction: exact on the datapath
    end else if (UNIT == `AX_ADD_LOA && LC > 0) begin
      lo = (bg | sml) & LMASK;
      s = (((bg >> LC) + (sml >> LC) + {63'd0, bg[LC-1] & sml[LC-1]}) << LC) | lo;
    end else if (UNIT == `AX_ADD_ETA && LC > 0) begin  // ETA-I
      both = bg & sml & LMASK;
      lo = (bg ^ sml) & LMASK;
      for (i = 0; i < 64; i = i + 1)
        if (both[i]) k = i;
      if (both != 64'd0) lo = lo | ((64'd2 << k) - 64'd1);
      s = (((bg >> LC) + (sml >> LC)) << LC) | lo;
    end else begin
      s = bg + sml;
    end
  end

  ax_round_pack #(.EO(EO), .MO(MO), .FN(FN_O), .FTZ(FTZ_O), .SAT(SAT_O), .BUG(BUG)) i_round_pack (
    .sign_i(sign_r), .exp_i(exp0), .sig_i(s), .rtz_i(RTZ[0]), .r_o(rp), .flags_o(rp_flags));

  wire inf_sign = cls_a == `AX_CLS_INF ? sign_a : sign_b;  // the infinite operand's sign
  // special-value exits (C: ax_exit_nan, ax_exit_inf)
  wire [EO+MO:0] nan, inf;
  wire [4:0] inf_flags;
  ax_exit #(.EO(EO), .MO(MO), .FN(FN_O), .SAT(SAT_O)) i_exit (
    .inf_sign_i(inf_sign), .nan_o(nan), .inf_o(inf), .inf_flags_o(inf_flags));

  // special operands, as IEEE addition (C: ax_add_special)
  always @* begin : p_special
    reg nan_a, nan_b, inf_a, inf_b;
    nan_a = cls_a == `AX_CLS_QNAN || cls_a == `AX_CLS_SNAN;
    nan_b = cls_b == `AX_CLS_QNAN || cls_b == `AX_CLS_SNAN;
    inf_a = cls_a == `AX_CLS_INF;
    inf_b = cls_b == `AX_CLS_INF;
    r_o = rp;
    flags_o = rp_flags;
    if (nan_a || nan_b) begin
      r_o = nan;
      flags_o = (cls_a == `AX_CLS_SNAN || cls_b == `AX_CLS_SNAN) ? `AX_FLAG_INVALID : 5'b00000;
    end else if (inf_a && inf_b && sign_a != sign_b) begin
      r_o = nan;
      flags_o = `AX_FLAG_INVALID;
    end else if (inf_a || inf_b) begin
      r_o = inf;
      flags_o = inf_flags;
    end else if (cls_a == `AX_CLS_ZERO && cls_b == `AX_CLS_ZERO) begin
      r_o = {sign_a & sign_b, {(EO + MO){1'b0}}};
      flags_o = 5'b00000;
    end else if (s == 64'd0) begin  // exact cancellation: +0
      r_o = {(EO + MO + 1){1'b0}};
      flags_o = 5'b00000;
    end
  end
endmodule
