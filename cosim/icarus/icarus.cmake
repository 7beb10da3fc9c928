# --- second simulator: Icarus Verilog on the same RTL, vectors from the C
# model through `axsim calc` (cosim/icarus/run_icarus.sh)
find_program(IVERILOG iverilog)
if(NOT IVERILOG)
  message(STATUS "axsim: Icarus Verilog not found; second-simulator checks are not built")
  return()
endif()
# name|unit|fi|fo|parameters of ax_mul (mul_*) or ax_add (add_*)|vector set[|bug]
set(AXSIM_ICARUS_CONFIGS
  "mul_exact.fp8e4m3|mul_exact|fp8e4m3|fp8e4m3|E=4,M=3,FN_I=1,EO=4,MO=3,FN_O=1,UNIT=0|exhaustive8"
  "mul_exact.fp8e5m2|mul_exact|fp8e5m2|fp8e5m2|E=5,M=2,EO=5,MO=2,UNIT=0|exhaustive8"
  "mul_mitchell.fp8e4m3|mul_mitchell|fp8e4m3|fp8e4m3|E=4,M=3,FN_I=1,EO=4,MO=3,FN_O=1,UNIT=3|exhaustive8"
  "mul_exact.bf16|mul_exact|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=0|random16"
  "mul_drum.bf16|mul_drum:k=4|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=2,K=4|random16"
  "mul_mbm.fp16|mul_mbm|fp16|fp16|E=5,M=10,EO=5,MO=10,UNIT=4|random16"
  "mul_realm.bf16|mul_realm:m=4,q=10|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=5,SEGS=4,Q=10|random16"
  "add_exact.fp8e4m3|add_exact|fp8e4m3|fp8e4m3|E=4,M=3,FN_I=1,EO=4,MO=3,FN_O=1,UNIT=0|exhaustive8"
  "add_exact.bf16|add_exact|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=0|random16"
  "add_loa.bf16|add_loa:l=8|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=2,L=8|random16"
  "add_eta.fp8e4m3|add_eta:l=6|fp8e4m3|fp8e4m3|E=4,M=3,FN_I=1,EO=4,MO=3,FN_O=1,UNIT=3,L=6|exhaustive8"
  "mul_exact.bf16.bug1|mul_exact|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=0|random16|1"
  "mul_exact.fp8e4m3.bug3|mul_exact|fp8e4m3|fp8e4m3|E=4,M=3,FN_I=1,EO=4,MO=3,FN_O=1,UNIT=0|exhaustive8|3"
  "add_exact.bf16.bug2|add_exact|bf16|bf16|E=8,M=7,EO=8,MO=7,UNIT=0|random16|2")
foreach(cfg IN LISTS AXSIM_ICARUS_CONFIGS)
  string(REPLACE "|" ";" f "${cfg}")
  list(GET f 0 name)
  list(GET f 1 unit)
  list(GET f 2 fi)
  list(GET f 3 fo)
  list(GET f 4 params)
  list(GET f 5 set)
  set(bug 0)
  list(LENGTH f nf)
  if(nf GREATER 6)
    list(GET f 6 bug)
  endif()
  add_test(NAME cosim.icarus.${name}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_icarus.sh $<TARGET_FILE:axsim> ${AX_RTL}
            ${unit} ${fi} ${fo} ${params} ${set} ${bug})
  set_tests_properties(cosim.icarus.${name} PROPERTIES LABELS cosim)
endforeach()
