# check_realm_table.cmake — runs the REALM table generator and compares its
# output byte for byte with the checked-in table (CTest
# cmodels.mul_realm.table_derivation: the C header; with -DARGS=-v,
# cmodels.mul_realm.table_derivation_verilog: rtl/ax_realm_table.vh). Usage:
#   cmake -DGEN=<gen_realm_table> -DREF=<realm_table.h> -DOUT=<output> [-DARGS=<options>]
#         -P check_realm_table.cmake
# ARGS (optional, a ;-list) is passed to the generator; absent, it runs bare.
cmake_minimum_required(VERSION 3.25) # policies for a -P script

foreach(var GEN REF OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_realm_table: -D${var}=... is required")
  endif()
endforeach()

if(NOT DEFINED ARGS)
  set(ARGS "")
endif()
execute_process(COMMAND ${GEN} ${ARGS} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_realm_table: ${GEN} ${ARGS} failed (${rc})")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${REF} RESULT_VARIABLE diff)
if(diff EQUAL 0)
  message(STATUS "check_realm_table: ${OUT} matches ${REF}")
  return()
endif()

# Name the first line that differs (strings, not lists: the lines hold ';').
file(READ ${OUT} gen)
file(READ ${REF} ref)
string(LENGTH "${gen}" ngen)
string(LENGTH "${ref}" nref)
string(CONCAT where "the files differ in bytes not visible line by line (line endings, "
       "trailing bytes); sizes: generated ${ngen}, checked-in ${nref}")
set(line 1)
while(TRUE)
  string(FIND "${gen}" "\n" ig)
  string(FIND "${ref}" "\n" ir)
  if(ig EQUAL -1 OR ir EQUAL -1)
    if(NOT gen STREQUAL ref)
      string(CONCAT where "first difference at line ${line} (the last line of one file):\n"
             "  generated:  ${gen}\n  checked-in: ${ref}")
    endif()
    break()
  endif()
  string(SUBSTRING "${gen}" 0 ${ig} lg)
  string(SUBSTRING "${ref}" 0 ${ir} lr)
  if(NOT lg STREQUAL lr)
    set(where "first difference at line ${line}:\n  generated:  ${lg}\n  checked-in: ${lr}")
    break()
  endif()
  math(EXPR ig "${ig} + 1")
  math(EXPR ir "${ir} + 1")
  string(SUBSTRING "${gen}" ${ig} -1 gen)
  string(SUBSTRING "${ref}" ${ir} -1 ref)
  math(EXPR line "${line} + 1")
endwhile()
message(FATAL_ERROR
  "check_realm_table: the output of ${GEN} ${ARGS} (${OUT}) differs from ${REF}: ${where}\n"
  "The checked-in REALM table is not what scripts/gen_realm_table.c derives; "
  "regenerate it or fix the generator.")
