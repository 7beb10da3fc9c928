# --- second simulator: Icarus Verilog on the same RTL, vectors from the C
# model through `axsim calc` (cosim/icarus/run_icarus.sh)
find_program(IVERILOG iverilog)
if(NOT IVERILOG)
  message(STATUS "axsim: Icarus Verilog not found; second-simulator checks are not built")
  return()
endif()
# name|unit spec|fi|fo|vector set[|bug]; the top's parameters come from the
# unit table and the formats (ax_unit_params, ax_fmt_params)
set(AXSIM_ICARUS_CONFIGS
  "mul_exact.fp8e4m3|mul_exact|fp8e4m3|fp8e4m3|exhaustive8"
  "mul_exact.fp8e5m2|mul_exact|fp8e5m2|fp8e5m2|exhaustive8"
  "mul_mitchell.fp8e4m3|mul_mitchell|fp8e4m3|fp8e4m3|exhaustive8"
  "mul_exact.bf16|mul_exact|bf16|bf16|random16"
  "mul_drum.bf16|mul_drum:k=4|bf16|bf16|random16"
  "mul_mbm.fp16|mul_mbm|fp16|fp16|random16"
  "mul_realm.bf16|mul_realm:m=4,q=10|bf16|bf16|random16"
  "add_exact.fp8e4m3|add_exact|fp8e4m3|fp8e4m3|exhaustive8"
  "add_exact.bf16|add_exact|bf16|bf16|random16"
  "add_loa.bf16|add_loa:l=8|bf16|bf16|random16"
  "add_eta.fp8e4m3|add_eta:l=6|fp8e4m3|fp8e4m3|exhaustive8"
  "mul_exact.bf16.bug1|mul_exact|bf16|bf16|random16|1"
  "mul_exact.fp8e4m3.bug3|mul_exact|fp8e4m3|fp8e4m3|exhaustive8|3"
  "add_exact.bf16.bug2|add_exact|bf16|bf16|random16|2")
foreach(cfg IN LISTS AXSIM_ICARUS_CONFIGS)
  string(REPLACE "|" ";" f "${cfg}")
  list(GET f 0 name)
  list(GET f 1 unit)
  list(GET f 2 fi)
  list(GET f 3 fo)
  list(GET f 4 set)
  set(bug 0)
  list(LENGTH f nf)
  if(nf GREATER 5)
    list(GET f 5 bug)
  endif()
  ax_unit_params("${unit}" U)
  ax_fmt_params("${fi}" I)
  ax_fmt_params("${fo}" O)
  set(params E=${I_E} M=${I_M} FN_I=${I_FN} FTZ_I=${I_FTZ} EO=${O_E} MO=${O_M} FN_O=${O_FN}
             FTZ_O=${O_FTZ} SAT_O=${O_SAT} RTZ_O=${O_RTZ} UNIT=${U_UNIT} ${U_PARAMS})
  string(REPLACE ";" "," params "${params}")
  add_test(NAME cosim.icarus.${name}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_icarus.sh $<TARGET_FILE:axsim> ${AX_RTL}
            ${unit} ${fi} ${fo} ${U_TOP} ${params} ${set} ${bug})
  set_tests_properties(cosim.icarus.${name} PROPERTIES LABELS cosim)
endforeach()
