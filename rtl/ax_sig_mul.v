// ax_sig_mul.v — stage 2 of the multipliers: the significand product of 1.xa
// and 1.xb (xa, xb the M-bit fractions) as a fixed-point number with
// PFRAC = 2M+15 fraction bits (C: cmodels/units/mul_*.h, same names).
// UNIT: 0 mul_exact, 1 mul_trunc (same stage), 2 mul_drum, 3 mul_mitchell,
// 4 mul_mbm. K: DRUM's kept bits.
module ax_sig_mul #(
  parameter integer M    = 7,
  parameter integer UNIT = 0,
  parameter integer K    = 6
) (
  input  wire [M-1:0] xa_i,
  input  wire [M-1:0] xb_i,
  output reg  [63:0]  p_o
);
  localparam integer PFRAC = 2 * M + 15;
  localparam integer DROP  = (K >= M + 1) ? 0 : M + 1 - K;

  wire [63:0] sa_w = {{(63 - M){1'b0}}, 1'b1, xa_i};
  wire [63:0] sb_w = {{(63 - M){1'b0}}, 1'b1, xb_i};

  // DRUM: cut to the top K bits, lowest kept bit forced to 1
  function [63:0] drum_cut(input [63:0] s);
    if (DROP == 0) drum_cut = s;
    else drum_cut = ((s >> DROP) | 64'd1) << DROP;
  endfunction

  always @* begin : p_sig
    reg [63:0] s, v, one, c, f;
    s = {{(63 - M){1'b0}}, 1'b0, xa_i} + {{(63 - M){1'b0}}, 1'b0, xb_i};  // x + y, M frac bits
    one = 64'd1 << PFRAC;
    case (UNIT)
      2: p_o = (drum_cut(sa_w) * drum_cut(sb_w)) << 15;
      3: begin  // Mitchell: 1+x+y if x+y < 1 else 2(x+y)
        v = (s < (64'd1 << M)) ? (64'd1 << M) + s : s << 1;
        p_o = v << (M + 15);
      end
      4: begin  // MBM: Mitchell + c (c/2 when x+y >= 1), none on carry-out
        s = s << (M + 15);
        c = 64'd5 << (PFRAC - 6);
        if (s < one) p_o = (s + c < one) ? one + s + c : one + s;
        else begin
          f = s - one + (c >> 1);
          p_o = (f < one) ? (one + f) << 1 : s << 1;
        end
      end
      default: p_o = (sa_w * sb_w) << 15;  // exact product
    endcase
  end
endmodule
