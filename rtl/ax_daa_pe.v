// ax_daa_pe.v — a dynamic asymmetric precision (DAA) processing element
// (docs/units.md section 15; C: ax_daa_pair_step / ax_daa_fold in
// cmodels/ax_daa.h): two dot products ("streams" 0 and 1) share the operand
// b_i and one PE with one high-precision multiplier (hi: MUL_UNIT on the
// input format) and one low-precision multiplier (lo: LO_UNIT on the
// operands rounded to the lo_in format, when LO_CVT). At every term the
// controller gives hi to one stream, by POLICY, the other stream's product
// goes through lo; each product is converted to the accumulator format and
// added by ADD_UNIT into its stream's accumulator. acc_o / flags_o (stream
// 0) and acc1_o / flags1_o (stream 1) after the terms of one sum equal
// ax_daa_fold of each stream, bit for bit, flags included.
//
// Controller (C: ax_daa_decide), from the operands in the input format:
//   POLICY 1 static  stream 0 always gets hi
//          2 zero    stream 1 gets hi when stream 0's product is zero and
//                    stream 1's is not (a product is zero when one operand
//                    is zero, a subnormal of an FTZ format included, and the
//                    other finite or zero)
//          3 value   stream 1 gets hi when its magnitude is larger; the
//                    magnitude is the sum of the operands' unbiased
//                    exponents, a zero product the smallest, an inf or NaN
//                    operand the largest; ties go to stream 0
//          4 random  bit 31 of ax_daa_hash(SEED, k_i, a_i, a1_i, b_i)
// (the numbers are the C enum ax_daa_policy_t's).
//
// Cycle protocol: ax_mac.v's, for both streams at once (one command carries
// a term of each; clear_i starts both sums, from seed_i and seed1_i). k_i is
// the term's index in its dot product, read by the random policy only; hi_o
// says which stream got hi for the term that valid_o reports.
//
// Parameters: the input format (E, M, FN_I, FTZ_I), lo's input format (EL,
// ML, FN_L, FTZ_L, SAT_L, RTZ_L; LO_CVT = 0 when it equals the input format:
// then lo takes the operands as they are, as the C model does), product and
// accumulator formats and hi's unit as ax_mac.v's; LO_UNIT, LO_K, LO_SEGS,
// LO_Q lo's unit. BUG (0 in real builds): 1-3 go to every round-and-pack,
// 4 breaks the value policy's tie rule (ties to stream 1), 5 skips the
// rounding of lo's operands to lo_in.
// Sources: ax_daa_pe.v and ax_mac.v's.
`include "ax_units.vh"
module ax_daa_pe #(
  parameter integer E        = 8,  // input format (a_i, a1_i, b_i)
  parameter integer M        = 7,
  parameter integer FN_I     = 0,
  parameter integer FTZ_I    = 0,
  parameter integer EL       = 4,  // lo's input format
  parameter integer ML       = 3,
  parameter integer FN_L     = 0,
  parameter integer FTZ_L    = 0,
  parameter integer SAT_L    = 0,
  parameter integer RTZ_L    = 0,
  parameter integer LO_CVT   = 1,  // 0: lo_in is the input format
  parameter integer EP       = 8,  // product format
  parameter integer MP       = 23,
  parameter integer FN_P     = 0,
  parameter integer FTZ_P    = 0,
  parameter integer SAT_P    = 0,
  parameter integer RTZ_P    = 0,
  parameter integer EA       = 8,  // accumulator format
  parameter integer MA       = 23,
  parameter integer FN_A     = 0,
  parameter integer FTZ_A    = 0,
  parameter integer SAT_A    = 0,
  parameter integer RTZ_A    = 0,
  parameter integer MUL_UNIT = `AX_MUL_EXACT,  // hi
  parameter integer K        = 6,
  parameter integer SEGS     = 8,
  parameter integer Q        = 6,
  parameter integer LO_UNIT  = `AX_MUL_EXACT,  // lo
  parameter integer LO_K     = 6,
  parameter integer LO_SEGS  = 8,
  parameter integer LO_Q     = 6,
  parameter integer ADD_UNIT = `AX_ADD_EXACT,
  parameter integer L        = 8,
  parameter integer POLICY   = 3,
  parameter [31:0]  SEED     = 32'd0,
  parameter integer BUG      = 0
) (
  input  wire           clk_i,
  input  wire           rst_ni,
  input  wire           en_i,
  input  wire           clear_i,
  input  wire           valid_i,
  input  wire [E+M:0]   a_i,      // stream 0's operand
  input  wire [E+M:0]   a1_i,     // stream 1's operand
  input  wire [E+M:0]   b_i,      // shared
  input  wire [63:0]    k_i,      // the term's index (random policy)
  input  wire [EA+MA:0] seed_i,   // stream 0's start (ax_mac.v's seed_i)
  input  wire [EA+MA:0] seed1_i,  // stream 1's start
  output wire [EA+MA:0] acc_o,
  output wire [4:0]     flags_o,
  output wire [EA+MA:0] acc1_o,
  output wire [4:0]     flags1_o,
  output wire           hi_o,     // the stream that got hi (with valid_o)
  output wire           valid_o
);
  localparam integer SUB_BUG = BUG < 4 ? BUG : 0;

  // ---- the controller (C: ax_daa_decide) ----------------------------------
  wire [2:0] cls0, cls1, clsb;
  wire signed [15:0] exp0, exp1, expb;
  /* verilator lint_off UNUSEDSIGNAL */
  wire sg0, sg1, sgb;
  wire [M:0] sig0, sig1, sigb;
  /* verilator lint_on UNUSEDSIGNAL */
  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_un0 (
    .x_i(a_i), .cls_o(cls0), .sign_o(sg0), .exp_o(exp0), .sig_o(sig0));
  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_un1 (
    .x_i(a1_i), .cls_o(cls1), .sign_o(sg1), .exp_o(exp1), .sig_o(sig1));
  ax_unpack #(.E(E), .M(M), .FN(FN_I), .FTZ(FTZ_I)) i_unb (
    .x_i(b_i), .cls_o(clsb), .sign_o(sgb), .exp_o(expb), .sig_o(sigb));

  function automatic is_zero_product(input [2:0] ca, input [2:0] cb);
    is_zero_product = (ca == `AX_CLS_ZERO && (cb == `AX_CLS_ZERO || cb == `AX_CLS_FINITE)) ||
                      (cb == `AX_CLS_ZERO && ca == `AX_CLS_FINITE);
  endfunction
  // rank: 0 a zero product, 1 finite, 2 an inf or NaN operand
  function automatic [1:0] rank(input [2:0] ca, input [2:0] cb);
    if (is_zero_product(ca, cb)) rank = 2'd0;
    else if (ca != `AX_CLS_FINITE || cb != `AX_CLS_FINITE) rank = 2'd2;
    else rank = 2'd1;
  endfunction
  function automatic [31:0] mix32(input [31:0] x);
    reg [31:0] y;
    begin
      y = x ^ (x >> 16);
      y = y * 32'h7feb352d;
      y = y ^ (y >> 15);
      y = y * 32'h846ca68b;
      mix32 = y ^ (y >> 16);
    end
  endfunction

  wire z0 = is_zero_product(cls0, clsb), z1 = is_zero_product(cls1, clsb);
  wire [1:0] r0 = rank(cls0, clsb), r1 = rank(cls1, clsb);
  wire signed [16:0] m0 = {exp0[15], exp0} + {expb[15], expb};
  wire signed [16:0] m1 = {exp1[15], exp1} + {expb[15], expb};
  wire bigger1 = r1 > r0 || (r1 == r0 && r1 == 2'd1 && m1 > m0);
  wire tie = r1 == r0 && (r1 != 2'd1 || m1 == m0);
  wire [31:0] h0 = SEED ^ (k_i[31:0] * 32'h9e3779b9) ^ k_i[63:32];
  function automatic [31:0] zext(input [E+M:0] x);
    begin
      zext = 32'd0;
      zext[E+M:0] = x;
    end
  endfunction
  /* verilator lint_off UNUSEDSIGNAL */  // the hash's bit 31 decides
  wire [31:0] h = mix32(mix32(mix32(mix32(h0 ^ zext(a_i)) ^ zext(a1_i)) ^ zext(b_i)));
  /* verilator lint_on UNUSEDSIGNAL */
  reg sel;  // the stream that gets hi
  always @* begin : p_decide
    case (POLICY)
      2:       sel = z0 && !z1;
      3:       sel = bigger1 || (BUG == 4 && tie);
      4:       sel = h[31];
      default: sel = 1'b0;
    endcase
  end

  // ---- the multipliers: hi on the input format, lo on lo_in ---------------
  wire [E+M:0] hi_a = sel ? a1_i : a_i;
  /* verilator lint_off UNUSEDSIGNAL */  // BUG 5 reads its low bits only
  wire [E+M:0] lo_a = sel ? a_i : a1_i;
  /* verilator lint_on UNUSEDSIGNAL */
  wire [EP+MP:0] hi_p, lo_p;
  wire [4:0] hi_fl, lo_mfl;
  wire [4:0] lo_cfl;  // the rounding of lo's operands to lo_in
  ax_mul #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EP), .MO(MP), .FN_O(FN_P),
           .FTZ_O(FTZ_P), .SAT_O(SAT_P), .RTZ_O(RTZ_P), .UNIT(MUL_UNIT), .K(K),
           .SEGS(SEGS), .Q(Q), .BUG(SUB_BUG))
    i_hi (.a_i(hi_a), .b_i(b_i), .r_o(hi_p), .flags_o(hi_fl));
  generate
    if (LO_CVT != 0 && BUG != 5) begin : gen_lo_cvt
      wire [EL+ML:0] la, lb;
      wire [4:0] fa, fb;
      ax_cvt #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EL), .MO(ML), .FN_O(FN_L),
               .FTZ_O(FTZ_L), .SAT_O(SAT_L), .RTZ_O(RTZ_L), .BUG(SUB_BUG))
        i_cvt_a (.x_i(lo_a), .r_o(la), .flags_o(fa));
      ax_cvt #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EL), .MO(ML), .FN_O(FN_L),
               .FTZ_O(FTZ_L), .SAT_O(SAT_L), .RTZ_O(RTZ_L), .BUG(SUB_BUG))
        i_cvt_b (.x_i(b_i), .r_o(lb), .flags_o(fb));
      ax_mul #(.E(EL), .M(ML), .FN_I(FN_L), .FTZ_I(FTZ_L), .EO(EP), .MO(MP), .FN_O(FN_P),
               .FTZ_O(FTZ_P), .SAT_O(SAT_P), .RTZ_O(RTZ_P), .UNIT(LO_UNIT), .K(LO_K),
               .SEGS(LO_SEGS), .Q(LO_Q), .BUG(SUB_BUG))
        i_lo (.a_i(la), .b_i(lb), .r_o(lo_p), .flags_o(lo_mfl));
      assign lo_cfl = fa | fb;
    end else begin : gen_lo_same
      // BUG 5: the same format's operands, unrounded, read as lo_in bits
      wire [EL+ML:0] la = lo_a[EL+ML:0], lb = b_i[EL+ML:0];
      ax_mul #(.E(EL), .M(ML), .FN_I(FN_L), .FTZ_I(FTZ_L), .EO(EP), .MO(MP), .FN_O(FN_P),
               .FTZ_O(FTZ_P), .SAT_O(SAT_P), .RTZ_O(RTZ_P), .UNIT(LO_UNIT), .K(LO_K),
               .SEGS(LO_SEGS), .Q(LO_Q), .BUG(SUB_BUG))
        i_lo (.a_i(la), .b_i(lb), .r_o(lo_p), .flags_o(lo_mfl));
      assign lo_cfl = 5'd0;
    end
  endgenerate
  wire [4:0] lo_fl = lo_cfl | lo_mfl;

  // each stream's product, converted to the accumulator format
  wire [EP+MP:0] p0 = sel ? lo_p : hi_p, p1 = sel ? hi_p : lo_p;
  wire [EA+MA:0] t0, t1;
  wire [4:0] c0fl, c1fl;
  ax_cvt #(.E(EP), .M(MP), .FN_I(FN_P), .FTZ_I(FTZ_P), .EO(EA), .MO(MA), .FN_O(FN_A),
           .FTZ_O(FTZ_A), .SAT_O(SAT_A), .RTZ_O(RTZ_A), .BUG(SUB_BUG))
    i_cvt0 (.x_i(p0), .r_o(t0), .flags_o(c0fl));
  ax_cvt #(.E(EP), .M(MP), .FN_I(FN_P), .FTZ_I(FTZ_P), .EO(EA), .MO(MA), .FN_O(FN_A),
           .FTZ_O(FTZ_A), .SAT_O(SAT_A), .RTZ_O(RTZ_A), .BUG(SUB_BUG))
    i_cvt1 (.x_i(p1), .r_o(t1), .flags_o(c1fl));
  wire [4:0] f0 = (sel ? lo_fl : hi_fl) | c0fl, f1 = (sel ? hi_fl : lo_fl) | c1fl;

  // ---- pipeline register, then both accumulators (ax_mac.v's stage 2) -----
  reg [EA+MA:0] t0_q, t1_q;
  reg [4:0]     f0_q, f1_q;
  reg           valid_q, clear_q, sel_q;
  always @(posedge clk_i or negedge rst_ni) begin : p_stage1
    if (!rst_ni) begin
      t0_q    <= {(EA + MA + 1){1'b0}};
      t1_q    <= {(EA + MA + 1){1'b0}};
      f0_q    <= 5'd0;
      f1_q    <= 5'd0;
      valid_q <= 1'b0;
      clear_q <= 1'b0;
      sel_q   <= 1'b0;
    end else if (en_i) begin
      t0_q    <= t0;
      t1_q    <= t1;
      f0_q    <= f0;
      f1_q    <= f1;
      valid_q <= valid_i;
      clear_q <= clear_i;
      sel_q   <= sel;
    end
  end

  reg  [EA+MA:0] acc0_q, acc1_q;
  reg  [4:0]     fl0_q, fl1_q;
  reg            valid_out_q, hi_q;
  wire [EA+MA:0] in0 = clear_q ? seed_i : acc0_q, in1 = clear_q ? seed1_i : acc1_q;
  wire [EA+MA:0] s0, s1;
  wire [4:0]     a0fl, a1fl;
  ax_add #(.E(EA), .M(MA), .FN_I(FN_A), .FTZ_I(FTZ_A), .EO(EA), .MO(MA), .FN_O(FN_A),
           .FTZ_O(FTZ_A), .SAT_O(SAT_A), .RTZ_O(RTZ_A), .UNIT(ADD_UNIT), .L(L), .BUG(SUB_BUG))
    i_add0 (.a_i(in0), .b_i(t0_q), .r_o(s0), .flags_o(a0fl));
  ax_add #(.E(EA), .M(MA), .FN_I(FN_A), .FTZ_I(FTZ_A), .EO(EA), .MO(MA), .FN_O(FN_A),
           .FTZ_O(FTZ_A), .SAT_O(SAT_A), .RTZ_O(RTZ_A), .UNIT(ADD_UNIT), .L(L), .BUG(SUB_BUG))
    i_add1 (.a_i(in1), .b_i(t1_q), .r_o(s1), .flags_o(a1fl));

  always @(posedge clk_i or negedge rst_ni) begin : p_stage2
    if (!rst_ni) begin
      acc0_q      <= {(EA + MA + 1){1'b0}};
      acc1_q      <= {(EA + MA + 1){1'b0}};
      fl0_q       <= 5'd0;
      fl1_q       <= 5'd0;
      valid_out_q <= 1'b0;
      hi_q        <= 1'b0;
    end else if (en_i) begin
      valid_out_q <= valid_q;
      if (valid_q) begin
        acc0_q <= s0;
        acc1_q <= s1;
        fl0_q  <= (clear_q ? 5'd0 : fl0_q) | f0_q | a0fl;
        fl1_q  <= (clear_q ? 5'd0 : fl1_q) | f1_q | a1fl;
        hi_q   <= sel_q;
      end else if (clear_q) begin
        acc0_q <= seed_i;
        acc1_q <= seed1_i;
        fl0_q  <= 5'd0;
        fl1_q  <= 5'd0;
      end
    end
  end

  assign acc_o    = acc0_q;
  assign flags_o  = fl0_q;
  assign acc1_o   = acc1_q;
  assign flags1_o = fl1_q;
  assign hi_o     = hi_q;
  assign valid_o  = valid_out_q;
endmodule
