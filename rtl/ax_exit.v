// ax_exit.v — the special-value exits every unit shares (C: ax_exit_nan and
// ax_exit_inf in cmodels/ax_stages.h), for one output format:
//   nan_o:  the canonical NaN (quiet, sign 0; all ones in an FN format);
//   inf_o, inf_flags_o: an infinite result of sign inf_sign_i — the infinity,
//     or, in a format without infinities (FN), max finite with overflow and
//     inexact when saturating (SAT) and the canonical NaN with invalid when not.
// Combinational, no logic but the sign; parameters as ax_round_pack's.
`include "ax_units.vh"
module ax_exit #(
  parameter integer EO  = 8,
  parameter integer MO  = 7,
  parameter integer FN  = 0,
  parameter integer SAT = 0
) (
  input  wire           inf_sign_i,
  output wire [EO+MO:0] nan_o,
  output wire [EO+MO:0] inf_o,
  output wire [4:0]     inf_flags_o   // {invalid, infinite, overflow, underflow, inexact}
);
  localparam [EO+MO:0] NAN = FN != 0 ? {1'b0, {EO{1'b1}}, {MO{1'b1}}}
                                     : {1'b0, {EO{1'b1}}, 1'b1, {(MO - 1){1'b0}}};
  localparam [EO+MO-1:0] MAXFIN = {{EO{1'b1}}, {(MO - 1){1'b1}}, 1'b0};  // FN only

  assign nan_o = NAN;
  assign inf_o = FN == 0 ? {inf_sign_i, {EO{1'b1}}, {MO{1'b0}}}
               : SAT != 0 ? {inf_sign_i, MAXFIN} : NAN;
  assign inf_flags_o = FN == 0 ? 5'b00000
                     : SAT != 0 ? `AX_FLAG_OVERFLOW | `AX_FLAG_INEXACT : `AX_FLAG_INVALID;
endmodule
