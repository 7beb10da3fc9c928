// tb_unit.v — Icarus Verilog testbench: applies one unit (TOP: "ax_mul" or
// "ax_add") to the vector lines "a b result flags" (hex, as `axsim calc`
// writes them from the C model) in the file named by +vectors=FILE and
// compares result and flags. Prints the first 20 mismatches and "N passed, M
// failed". Parameters as ax_mul's and ax_add's; each top takes its own.
module tb_unit;
  parameter TOP = "ax_mul";
  parameter integer E = 8, M = 7, FN_I = 0, FTZ_I = 0;
  parameter integer EO = 8, MO = 7, FN_O = 0, FTZ_O = 0, SAT_O = 0, RTZ_O = 0;
  parameter integer UNIT = 0, BUG = 0;
  parameter integer K = 6, SEGS = 8, Q = 6;  // ax_mul: mul_drum, mul_realm
  parameter integer L = 8;                   // ax_add: add_loa, add_eta

  reg  [E+M:0]   a, b;
  wire [EO+MO:0] r;
  wire [4:0]     flags;
  reg  [31:0]    va, vb, vr, vf;
  integer fd, n, passed, failed;
  reg [8*512-1:0] path;

  generate
    if (TOP == "ax_add") begin : gen_add
      ax_add #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EO), .MO(MO), .FN_O(FN_O),
               .FTZ_O(FTZ_O), .SAT_O(SAT_O), .RTZ_O(RTZ_O), .UNIT(UNIT), .L(L), .BUG(BUG))
        i_dut (.a_i(a), .b_i(b), .r_o(r), .flags_o(flags));
    end else begin : gen_mul
      ax_mul #(.E(E), .M(M), .FN_I(FN_I), .FTZ_I(FTZ_I), .EO(EO), .MO(MO), .FN_O(FN_O),
               .FTZ_O(FTZ_O), .SAT_O(SAT_O), .RTZ_O(RTZ_O), .UNIT(UNIT), .K(K), .SEGS(SEGS),
               .Q(Q), .BUG(BUG))
        i_dut (.a_i(a), .b_i(b), .r_o(r), .flags_o(flags));
    end
  endgenerate

  initial begin : p_run
    passed = 0;
    failed = 0;
    if (!$value$plusargs("vectors=%s", path)) begin
      $display("tb_unit: give +vectors=FILE");
      $finish;
    end
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("tb_unit: cannot open %0s", path);
      $finish;
    end
    n = $fscanf(fd, "%h %h %h %h\n", va, vb, vr, vf);
    while (n == 4) begin
      a = va[E+M:0];
      b = vb[E+M:0];
      #1;
      if (r !== vr[EO+MO:0] || flags !== vf[4:0]) begin
        if (failed < 20)
          $display("MISMATCH a=%h b=%h rtl=%h flags=%h c-model=%h flags=%h", a, b, r, flags,
                   vr[EO+MO:0], vf[4:0]);
        failed = failed + 1;
      end else begin
        passed = passed + 1;
      end
      n = $fscanf(fd, "%h %h %h %h\n", va, vb, vr, vf);
    end
    $fclose(fd);
    $display("%0d passed, %0d failed", passed, failed);
    $finish;
  end
endmodule
