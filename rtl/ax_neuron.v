// ax_neuron.v — the spiking neuron of DESIGN.md ("Spiking networks"; C:
// ax_neuron_step and ax_fmt_ge in cmodels/ax_neuron.h, whose comment is the
// contract), one neuron, one time step per enabled clock edge. Every value
// (the membrane U, the input current I, BETA, THETA) is in one membrane
// format; MUL is ax_mul, ADD is ax_add, both in that format in and out.
//
//   charge:  lif (MODEL 0): U' = ADD(MUL(BETA, U), I)   if (MODEL 1): U' = ADD(U, I)
//   fire:    S = (U' >= THETA), exact in the format: operands read as ax_unpack
//            reads them (FTZ flushes subnormals), -0 == +0, a NaN never fires,
//            no flag
//   reset:   S = 1: subtract (RESET 0): U'' = ADD(U', -THETA)
//                   zero (RESET 1): U'' = +0       none (RESET 2): U'' = U'
//            S = 0: U'' = U'
//   flags:   OR of the flags of the step's MUL and ADDs (the reset's ADD only
//            when it happens)
//
// Cycle protocol. The step is combinational: from u_o (the membrane
// register) and cur_i, the outputs pre_o (U'), spike_o (S), next_o (U'') and
// flags_o (the step's flags) hold in the same cycle. At a rising clk_i edge:
// rst_ni = 0 sets the membrane to +0 (synchronous, whatever en_i says);
// otherwise en_i = 1 takes the step (u_o := next_o) and en_i = 0 changes
// nothing (a stall, any length). A neuron starts at +0 after reset.
//
// Parameters: MODEL and RESET as above (C: ax_neuron_model_t,
// ax_neuron_reset_t); the membrane format (E M FN FTZ SAT RTZ, as ax_mul's
// input and output format take them); BETA (lif only) and THETA, bit
// patterns of that format (THETA positive and finite, as ax_neuron_parse
// requires); MUL_UNIT K SEGS Q as ax_mul's UNIT K SEGS Q and ADD_UNIT L as
// ax_add's UNIT L, by name (`AX_MUL_DRUM, `AX_ADD_LOA: rtl/ax_units.vh).
// BUG plants a fault for the verifier's own tests (0 in every real build).
// Sources: ax_neuron.v, ax_mul.v, ax_sig_mul.v, ax_add.v, ax_unpack.v,
// ax_round_pack.v, ax_exit.v; -I rtl for the includes.
`include "ax_units.vh"
module ax_neuron #(
  parameter integer MODEL    = 0,  // 0 lif, 1 if
  parameter integer RESET    = 0,  // 0 subtract, 1 zero, 2 none
  parameter integer E        = 8,  // membrane format
  parameter integer M        = 23,
  parameter integer FN       = 0,
  parameter integer FTZ      = 0,
  parameter integer SAT      = 0,
  parameter integer RTZ      = 0,
  parameter [E+M:0] BETA     = 32'h3f666666,  // lif's leak (fp32 0.9 by default)
  parameter [E+M:0] THETA    = 32'h3f800000,  // the threshold (fp32 1.0 by default)
  parameter integer MUL_UNIT = `AX_MUL_EXACT,  // as ax_mul's UNIT
  parameter integer K        = 6,  // mul_drum: kept bits
  parameter integer SEGS     = 8,  // mul_realm: segments per fraction axis (spec m)
  parameter integer Q        = 6,  // mul_realm: fraction bits of the terms (spec q)
  parameter integer ADD_UNIT = `AX_ADD_EXACT,  // as ax_add's UNIT
  parameter integer L        = 8,  // add_loa / add_eta: low datapath bits
  // Fault injection, for the verifier's own tests only: 1 fires on U' > THETA
  // (not >=), 2 a spike right after a spike forgets to subtract, 3 the leak
  // applied after the integration (lif: U' = MUL(BETA, ADD(U, I))), 4 a NaN
  // fires
  parameter integer BUG      = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,   // synchronous, active low: the membrane := +0
  input  wire         en_i,     // take the step at this edge
  input  wire [E+M:0] cur_i,    // the input current I of the step
  output wire [E+M:0] u_o,      // the membrane U (the register)
  output wire [E+M:0] pre_o,    // U', the membrane before the reset
  output reg          spike_o,  // S = (U' >= THETA)
  output reg  [E+M:0] next_o,   // U'', the membrane after the reset: u_o after the step
  output reg  [4:0]   flags_o   // {invalid, infinite, overflow, underflow, inexact} of the step
);
  localparam [E+M:0] NEG_THETA = {~THETA[E+M], THETA[E+M-1:0]};  // -THETA: the sign flipped

  reg  [E+M:0] u_q;       // the membrane
  wire [E+M:0] pre;       // U'
  wire [4:0]   mul_flags, add_flags;

  // ---- charge: U' from U and I ----------------------------------------------
  generate
    if (MODEL == 1) begin : gen_if  // no leak: U' = ADD(U, I)
      ax_add #(.E(E), .M(M), .FN_I(FN), .FTZ_I(FTZ), .EO(E), .MO(M), .FN_O(FN), .FTZ_O(FTZ),
               .SAT_O(SAT), .RTZ_O(RTZ), .UNIT(ADD_UNIT), .L(L))
        i_add (.a_i(u_q), .b_i(cur_i), .r_o(pre), .flags_o(add_flags));
      assign mul_flags = 5'b00000;
    end else if (BUG == 3) begin : gen_lif_bug3  // planted: U' = MUL(BETA, ADD(U, I))
      wire [E+M:0] sum;
      ax_add #(.E(E), .M(M), .FN_I(FN), .FTZ_I(FTZ), .EO(E), .MO(M), .FN_O(FN), .FTZ_O(FTZ),
               .SAT_O(SAT), .RTZ_O(RTZ), .UNIT(ADD_UNIT), .L(L))
        i_add (.a_i(u_q), .b_i(cur_i), .r_o(sum), .flags_o(add_flags));
      ax_mul #(.E(E), .M(M), .FN_I(FN), .FTZ_I(FTZ), .EO(E), .MO(M), .FN_O(FN), .FTZ_O(FTZ),
               .SAT_O(SAT), .RTZ_O(RTZ), .UNIT(MUL_UNIT), .K(K), .SEGS(SEGS), .Q(Q))
        i_mul (.a_i(BETA), .b_i(sum), .r_o(pre), .flags_o(mul_flags));
    end else begin : gen_lif  // U' = ADD(MUL(BETA, U), I); BETA is operand a
      wire [E+M:0] leak;
      ax_mul #(.E(E), .M(M), .FN_I(FN), .FTZ_I(FTZ), .EO(E), .MO(M), .FN_O(FN), .FTZ_O(FTZ),
               .SAT_O(SAT), .RTZ_O(RTZ), .UNIT(MUL_UNIT), .K(K), .SEGS(SEGS), .Q(Q))
        i_mul (.a_i(BETA), .b_i(u_q), .r_o(leak), .flags_o(mul_flags));
      ax_add #(.E(E), .M(M), .FN_I(FN), .FTZ_I(FTZ), .EO(E), .MO(M), .FN_O(FN), .FTZ_O(FTZ),
               .SAT_O(SAT), .RTZ_O(RTZ), .UNIT(ADD_UNIT), .L(L))
        i_add (.a_i(leak), .b_i(cur_i), .r_o(pre), .flags_o(add_flags));
    end
  endgenerate

  // ---- fire: U' >= THETA (C: ax_fmt_ge) --------------------------------------
  wire [2:0] cls_v, cls_t;
  wire sign_v, sign_t;
  wire signed [15:0] exp_v, exp_t;
  wire [M:0] sig_v, sig_t;
  ax_unpack #(.E(E), .M(M), .FN(FN), .FTZ(FTZ)) i_unpack_pre (
    .x_i(pre), .cls_o(cls_v), .sign_o(sign_v), .exp_o(exp_v), .sig_o(sig_v));
  ax_unpack #(.E(E), .M(M), .FN(FN), .FTZ(FTZ)) i_unpack_theta (
    .x_i(THETA), .cls_o(cls_t), .sign_o(sign_t), .exp_o(exp_t), .sig_o(sig_t));

  reg fire;
  always @* begin : p_fire
    reg nan_v, nan_t, zero_v, zero_t, inf_v, inf_t, neg_v, neg_t, gt, eq;
    nan_v  = cls_v == `AX_CLS_QNAN || cls_v == `AX_CLS_SNAN;
    nan_t  = cls_t == `AX_CLS_QNAN || cls_t == `AX_CLS_SNAN;
    zero_v = cls_v == `AX_CLS_ZERO;
    zero_t = cls_t == `AX_CLS_ZERO;
    inf_v  = cls_v == `AX_CLS_INF;
    inf_t  = cls_t == `AX_CLS_INF;
    neg_v  = sign_v && !zero_v;  // -0 reads as +0
    neg_t  = sign_t && !zero_t;
    // |U'| against |THETA|: infinity above every finite value, a zero below
    // every nonzero one, finite values by (exponent, significand)
    gt = 1'b0;
    eq = 1'b0;
    if (inf_v || inf_t) begin
      gt = inf_v && !inf_t;
      eq = inf_v && inf_t;
    end else if (zero_v || zero_t) begin
      gt = !zero_v;
      eq = zero_v && zero_t;
    end else if (exp_v != exp_t) begin
      gt = exp_v > exp_t;
    end else begin
      gt = sig_v > sig_t;
      eq = sig_v == sig_t;
    end
    // signed: a positive value above a negative one; of two negatives the
    // smaller magnitude is the greater
    if (neg_v != neg_t) fire = neg_t;
    else if (neg_v) fire = !gt;
    else fire = gt || eq;
    if (BUG == 1 && eq && neg_v == neg_t) fire = 1'b0;  // planted: > instead of >=
    if (nan_v || nan_t) fire = BUG == 4;  // a NaN never fires (planted: it does)
  end

  // ---- reset: U'' ------------------------------------------------------------
  wire [E+M:0] sub;        // U' - THETA
  wire [4:0]   sub_flags;
  generate
    if (RESET == 0) begin : gen_subtract
      ax_add #(.E(E), .M(M), .FN_I(FN), .FTZ_I(FTZ), .EO(E), .MO(M), .FN_O(FN), .FTZ_O(FTZ),
               .SAT_O(SAT), .RTZ_O(RTZ), .UNIT(ADD_UNIT), .L(L))
        i_sub (.a_i(pre), .b_i(NEG_THETA), .r_o(sub), .flags_o(sub_flags));
    end else begin : gen_no_subtract
      assign sub = {(E + M + 1){1'b0}};
      assign sub_flags = 5'b00000;
    end
  endgenerate

  wire forget;  // planted bug 2: the previous step fired
  generate
    if (BUG == 2) begin : gen_bug2
      reg fired_q;
      always @(posedge clk_i) begin : p_fired
        if (!rst_ni) fired_q <= 1'b0;
        else if (en_i) fired_q <= fire;
      end
      assign forget = fired_q;
    end else begin : gen_no_bug2
      assign forget = 1'b0;
    end
  endgenerate

  always @* begin : p_reset
    spike_o = fire;
    next_o  = pre;
    flags_o = mul_flags | add_flags;
    if (fire && RESET == 0 && !forget) begin
      next_o  = sub;
      flags_o = flags_o | sub_flags;
    end else if (fire && RESET == 1) begin
      next_o  = {(E + M + 1){1'b0}};
    end
  end

  // ---- the membrane register --------------------------------------------------
  always @(posedge clk_i) begin : p_membrane
    if (!rst_ni) u_q <= {(E + M + 1){1'b0}};
    else if (en_i) u_q <= next_o;
  end

  assign u_o   = u_q;
  assign pre_o = pre;
endmodule
