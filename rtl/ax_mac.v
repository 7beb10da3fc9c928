// ax_mac.v — the MAC of DESIGN.md ("MAC semantics"; C: ax_mac_fold in
// cmodels/ax_mac.h): ax_mul (input -> product format), ax_cvt (product ->
// accumulator format), a pipeline register, ax_add (accumulator format) into
// the accumulator register. acc_o after the terms a[0..n-1], b[0..n-1] of
// one sum equals ax_mac_fold, and flags_o its flags, bit for bit.
//
// Cycle protocol. Everything happens at a rising clk_i edge with en_i = 1
// (an "enabled edge"); at an edge with en_i = 0 no register changes and the
// inputs are ignored, so a stall may last any number of cycles. rst_ni is an
// asynchronous active-low reset: acc_o = +0, flags_o = 0, pipeline empty.
//   valid_i clear_i  at an enabled edge
//      1       0     a term: acc := ADD(acc, convert(MUL(a_i, b_i)))
//      1       1     the first term of a new sum: acc := ADD(seed, ...),
//                    and flags_o restarts from this term's flags
//      0       1     clear only: acc := seed, flags_o := 0
//      0       0     bubble: nothing
// seed is seed_i (accumulator format) as it is at the enabled edge where the
// command retires (stage 2, the next enabled edge after it was sampled). Tied
// to 0 it is +0 and the MAC is a plain dot-product engine; the systolic array
// (cosim/accel) feeds it a partial sum: the one coming down a column, or the
// one of the previous fold of the same dot product, so a sum split across
// PEs or folds stays one sequential fold.
// Latency 2: the command sampled at enabled edge t (stage 1, multiply and
// convert, into a register) takes effect in acc_o / flags_o at enabled edge
// t+1 (stage 2, accumulate); valid_o is 1 after that edge exactly when the
// command was a term. Like every output, valid_o holds through a stall (count
// it at enabled edges only). clear_i travels down the pipe with its term, so
// sums may follow one another back to back with no bubble: after the edge
// that accumulates a sum's last term, acc_o / flags_o hold that sum's result
// and flags until the next enabled edge that retires a term or a clear
// (bubbles keep them). An empty sum is a clear alone: acc_o = seed,
// flags_o = 0 from the second enabled edge on, valid_o = 0.
// flags_o: sticky OR of every flag since the last clear.
//
// Parameters: formats as ax_mul / ax_add take them (E, M, FN_*, FTZ_*,
// SAT_*, RTZ_*); MUL_UNIT, K, SEGS, Q as ax_mul's UNIT, K, SEGS, Q
// (MUL_UNIT = `AX_MUL_DRUM, ...); ADD_UNIT, L as ax_add's UNIT, L
// (`AX_ADD_LOA, ...); BUG goes to every round-and-pack (0 in real builds).
// Sources: ax_mul.v, ax_sig_mul.v, ax_cvt.v, ax_add.v, ax_unpack.v,
// ax_round_pack.v, ax_exit.v; -I rtl for the includes (ax_units.vh,
// ax_realm_table.vh).
`include "ax_units.vh"
module ax_mac #(
  parameter integer E        = 8,  // input format (a_i, b_i)
  parameter integer M        = 7,
  parameter integer FN_I     = 0,
  parameter integer FTZ_I    = 0,
  parameter integer EP       = 8,  // product format
  parameter integer MP       = 23,
  parameter integer FN_P     = 0,
  parameter integer FTZ_P    = 0,
  parameter integer SAT_P    = 0,
  parameter integer RTZ_P    = 0,
  parameter integer EA       = 8,  // accumulator format (acc_o)
  parameter integer MA       = 23,
  parameter integer FN_A     = 0,
  parameter integer FTZ_A    = 0,
  parameter integer SAT_A    = 0,
  parameter integer RTZ_A    = 0,
  parameter integer MUL_UNIT = `AX_MUL_EXACT,  // as ax_mul's UNIT
  parameter integer K        = 6,  // mul_drum: kept bits
  parameter integer SEGS     = 8,  // mul_realm: segments per fraction axis (spec m)
  parameter integer Q        = 6,  // mul_realm: fraction bits of the terms (spec q)
  parameter integer ADD_UNIT = `AX_ADD_EXACT,  // as ax_add's UNIT
  parameter integer L        = 8,  // add_loa / add_eta: low datapath bits
  parameter integer BUG      = 0   // fault injection for the verifier's tests
) (
  input  wire           clk_i,
  input  wire           rst_ni,    // asynchronous, active low
  input  wire           en_i,      // clock enable: 0 freezes the whole MAC
  input  wire           clear_i,   // start a new sum (see the table above)
  input  wire           valid_i,   // a_i, b_i carry a term
  input  wire [E+M:0]   a_i,
  input  wire [E+M:0]   b_i,
  input  wire [EA+MA:0] seed_i,    // where a sum starts (see above); 0 = +0
  output wire [EA+MA:0] acc_o,
  output wire [4:0]     flags_o,   // {invalid, infinite, overflow, underflow, inexact}
  output wire           valid_o    // acc_o / flags_o just took in a term
);
  // stage 1: multiply into the product format, convert to the accumulator's
  wire [EP+MP:0] prod;
  wire [4:0]     mul_flags;
  wire [EA+MA:0] term_d;
  wire [4:0]     cvt_flags;

  ax_mul #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EP), .MO(MP), .FN_O(FN_P),
           .FTZ_O(FTZ_P), .SAT_O(SAT_P), .RTZ_O(RTZ_P), .UNIT(MUL_UNIT), .K(K),
           .SEGS(SEGS), .Q(Q), .BUG(BUG))
    i_mul (.a_i(a_i), .b_i(b_i), .r_o(prod), .flags_o(mul_flags));
  ax_cvt #(.E(EP), .M(MP), .FN_I(FN_P), .FTZ_I(FTZ_P), .EO(EA), .MO(MA), .FN_O(FN_A),
           .FTZ_O(FTZ_A), .SAT_O(SAT_A), .RTZ_O(RTZ_A), .BUG(BUG))
    i_cvt (.x_i(prod), .r_o(term_d), .flags_o(cvt_flags));

  // pipeline register between the stages
  reg [EA+MA:0] term_q;
  reg [4:0]     term_flags_q;
  reg           valid_q, clear_q;

  // stage 2: accumulate; a clear starts the sum from seed_i
  reg  [EA+MA:0] acc_q;
  reg  [4:0]     flags_q;
  reg            valid_out_q;
  wire [EA+MA:0] acc_in = clear_q ? seed_i : acc_q;
  wire [EA+MA:0] sum;
  wire [4:0]     add_flags;

  ax_add #(.E(EA), .M(MA), .FN_I(FN_A), .FTZ_I(FTZ_A), .EO(EA), .MO(MA), .FN_O(FN_A),
           .FTZ_O(FTZ_A), .SAT_O(SAT_A), .RTZ_O(RTZ_A), .UNIT(ADD_UNIT), .L(L), .BUG(BUG))
    i_add (.a_i(acc_in), .b_i(term_q), .r_o(sum), .flags_o(add_flags));

  always @(posedge clk_i or negedge rst_ni) begin : p_stage1
    if (!rst_ni) begin
      term_q       <= {(EA + MA + 1){1'b0}};
      term_flags_q <= 5'd0;
      valid_q      <= 1'b0;
      clear_q      <= 1'b0;
    end else if (en_i) begin
      term_q       <= term_d;
      term_flags_q <= mul_flags | cvt_flags;
      valid_q      <= valid_i;
      clear_q      <= clear_i;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin : p_stage2
    if (!rst_ni) begin
      acc_q       <= {(EA + MA + 1){1'b0}};
      flags_q     <= 5'd0;
      valid_out_q <= 1'b0;
    end else if (en_i) begin
      valid_out_q <= valid_q;
      if (valid_q) begin
        acc_q   <= sum;
        flags_q <= (clear_q ? 5'd0 : flags_q) | term_flags_q | add_flags;
      end else if (clear_q) begin
        acc_q   <= seed_i;
        flags_q <= 5'd0;
      end
    end
  end

  assign acc_o   = acc_q;
  assign flags_o = flags_q;
  assign valid_o = valid_out_q;
endmodule
