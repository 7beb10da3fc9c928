// ax_round_pack.v — stage 3, shared by every unit (C: ax_round_pack in
// cmodels/ax_stages.h, whose comment holds the decision table): rounds
// (-1)^sign * sig * 2^exp into the output format, with IEEE flags
// {invalid, infinite, overflow, underflow, inexact} = flags_o[4:0].
// Tininess is detected after rounding. Output formats with M >= 1.
`include "ax_units.vh"
module ax_round_pack #(
  parameter integer EO  = 8,
  parameter integer MO  = 7,
  parameter integer FN  = 0,  // no infinities; NaN only all-ones
  parameter integer FTZ = 0,  // tiny results flush to signed zero
  parameter integer SAT = 0,  // overflow saturates to max finite
  // Fault injection, for the verifier's own tests only (0 in every real
  // build): 1 ties never round up (a wrong rounding bit), 2 the rounding
  // carry into a new binade is dropped, 3 underflow and inexact swapped.
  parameter integer BUG = 0
) (
  input  wire               sign_i,
  input  wire signed [15:0] exp_i,
  input  wire [63:0]        sig_i,
  input  wire               rtz_i,   // 1: round toward zero, 0: RNE
  output reg  [EO+MO:0]     r_o,
  output reg  [4:0]         flags_o
);
  localparam integer BIAS  = (1 << (EO - 1)) - 1;
  localparam integer EMIN  = 1 - BIAS;
  localparam integer EMAXF = FN != 0 ? (1 << EO) - 1 : (1 << EO) - 2;  // largest finite field
  localparam [EO+MO-1:0] MAXFIN = FN != 0 ? {{EO{1'b1}}, {(MO - 1){1'b1}}, 1'b0}
                                         : {{(EO - 1){1'b1}}, 1'b0, {MO{1'b1}}};
  localparam [EO+MO-1:0] INF = {{EO{1'b1}}, {MO{1'b0}}};
  localparam [EO+MO:0]   NAN = FN != 0 ? {1'b0, {EO{1'b1}}, {MO{1'b1}}}
                                       : {1'b0, {EO{1'b1}}, 1'b1, {(MO - 1){1'b0}}};

  always @* begin : p_round
    integer n, i, e, shift, be;
    reg [63:0] sig, q, rem, half, q0;
    reg tiny, inexact, up, ovf;
    r_o = {sign_i, {(EO + MO){1'b0}}};
    flags_o = 5'd0;
    q0 = 64'd0;
    rem = 64'd0;
    half = 64'd0;
    up = 1'b0;
    be = 0;
    ovf = 1'b0;
    n = 0;
    for (i = 0; i < 64; i = i + 1)
      if (sig_i[i]) n = i;
    sig = sig_i;
    e = {{16{exp_i[15]}}, exp_i};
    if (n > 61) begin  // keep two spare bits on top; jam what falls out
      sig = (sig_i >> (n - 61)) | {63'd0, |(sig_i & ((64'd1 << (n - 61)) - 64'd1))};
      e = e + n - 61;
      n = 61;
    end
    e = e + n;
    shift = n - MO;
    tiny = 1'b0;
    inexact = 1'b0;
    q = 64'd0;
    if (e < EMIN) begin
      tiny = 1'b1;
      if (e == EMIN - 1 && shift > 0) begin  // would full precision reach 2^emin?
        q0 = sig >> shift;
        rem = sig & ((64'd1 << shift) - 64'd1);
        half = 64'd1 << (shift - 1);
        up = !rtz_i && (rem > half || (rem == half && q0[0]));
        if (((q0 + {63'd0, up}) >> (MO + 1)) != 64'd0) tiny = 1'b0;
      end
      shift = shift + EMIN - e;
      e = EMIN;
    end
    if (shift <= 0) begin
      q = sig << (-shift);
    end else begin
      if (shift > 62) begin  // below half an ulp: only a sticky bit survives
        sig = 64'd1;
        shift = 2;
      end
      q = sig >> shift;
      rem = sig & ((64'd1 << shift) - 64'd1);
      half = 64'd1 << (shift - 1);
      inexact = rem != 64'd0;
      if (!rtz_i && (rem > half || (rem == half && q[0] && BUG != 1))) q = q + 64'd1;
    end
    if ((q >> (MO + 1)) != 64'd0 && BUG != 2) begin  // rounding carried into a new binade
      q = q >> 1;
      e = e + 1;
    end
    if (sig_i == 64'd0) begin
      r_o = {sign_i, {(EO + MO){1'b0}}};
    end else if (tiny && FTZ != 0) begin
      flags_o = `AX_FLAG_UNDERFLOW | `AX_FLAG_INEXACT;
    end else begin
      be = q[MO] ? e + BIAS : 0;
      ovf = be > EMAXF || (FN != 0 && be == (1 << EO) - 1 && q[MO-1:0] == {MO{1'b1}});
      if (ovf) begin
        flags_o = `AX_FLAG_OVERFLOW | `AX_FLAG_INEXACT;
        if (rtz_i || SAT != 0) r_o = {sign_i, MAXFIN};
        else if (FN != 0) r_o = NAN;
        else r_o = {sign_i, INF};
      end else begin
        flags_o = BUG == 3 ? {3'b000, inexact, inexact && tiny} : {3'b000, inexact && tiny, inexact};
        r_o = {sign_i, be[EO-1:0], q[MO-1:0]};
      end
    end
  end
endmodule
