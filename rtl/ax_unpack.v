// ax_unpack.v — stage 1, shared by every unit (C: ax_unpack in
// cmodels/ax_stages.h): classify, normalize subnormals without loss.
// A finite value is (-1)^sign * sig * 2^(exp - M), sig in [2^M, 2^(M+1)).
// Formats with M >= 1 (M = 0 formats have no RTL yet).
`include "ax_units.vh"
module ax_unpack #(
  parameter integer E   = 8,  // exponent bits
  parameter integer M   = 7,  // mantissa bits, >= 1
  parameter integer FN  = 0,  // finite-only encoding (E4M3FN style)
  parameter integer FTZ = 0   // subnormal inputs read as zero
) (
  input  wire [E+M:0]       x_i,
  output reg  [2:0]         cls_o,  // `AX_CLS_ZERO, _FINITE, _INF, _QNAN, _SNAN
  output wire               sign_o,
  output reg signed [15:0]  exp_o,
  output reg  [M:0]         sig_o
);
  localparam integer BIAS = (1 << (E - 1)) - 1;
  localparam integer EMIN = 1 - BIAS;

  wire [E-1:0] e_w = x_i[E+M-1:M];
  wire [M-1:0] f_w = x_i[M-1:0];
  assign sign_o = x_i[E+M];

  always @* begin : p_unpack
    integer i, lead;
    cls_o = `AX_CLS_FINITE;
    exp_o = 16'sd0;
    sig_o = {(M + 1){1'b0}};
    lead  = 0;
    for (i = 0; i < M; i = i + 1)
      if (f_w[i]) lead = i;  // highest set bit of the fraction
    if (FN == 0 && e_w == {E{1'b1}}) begin
      cls_o = (f_w == {M{1'b0}}) ? `AX_CLS_INF : (f_w[M-1] ? `AX_CLS_QNAN : `AX_CLS_SNAN);
    end else if (FN != 0 && e_w == {E{1'b1}} && f_w == {M{1'b1}}) begin
      cls_o = `AX_CLS_QNAN;
    end else if (e_w == {E{1'b0}}) begin
      if (f_w == {M{1'b0}} || FTZ != 0) begin
        cls_o = `AX_CLS_ZERO;
      end else begin  // subnormal: bring the leading one to bit M
        sig_o = {1'b0, f_w} << (M - lead);
        exp_o = EMIN[15:0] - (M[15:0] - lead[15:0]);
      end
    end else begin
      sig_o = {1'b1, f_w};
      exp_o = {{(16 - E){1'b0}}, e_w} - BIAS[15:0];
    end
  end
endmodule
