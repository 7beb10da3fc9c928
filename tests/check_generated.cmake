# check_generated.cmake — runs a generator and compares what it prints byte
# for byte with the checked-in file it must equal; fails, naming the first
# line that differs and the command that regenerates the file, when one is
# stale. CTests cmodels.mul_realm.table_derivation[_verilog]
# (scripts/gen_realm_table.c) and unit_table.fresh (scripts/gen_unit_table.c).
# Usage:
#   cmake -DGEN=<generator> -DSOURCE=<its source, for messages> -DREF=<checked-in>
#         -DOUT=<output> [-DARGS=<option>] -P check_generated.cmake
# Several files of one generator: REF, OUT and ARGS hold one entry per file,
# separated by '|', and the generator runs once per entry with that entry's
# option. ARGS absent: one file, the generator runs bare.
cmake_minimum_required(VERSION 3.25) # policies for a -P script

foreach(var GEN SOURCE REF OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_generated: -D${var}=... is required")
  endif()
endforeach()

# The first difference between two texts, for the message (strings, not
# lists: the lines hold ';').
function(first_difference gen ref out_var)
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
  set(${out_var} "${where}" PARENT_SCOPE)
endfunction()

foreach(var REF OUT ARGS)
  if(DEFINED ${var})
    string(REPLACE "|" ";" ${var} "${${var}}")
  endif()
endforeach()
list(LENGTH REF n)
list(LENGTH OUT nout)
if(DEFINED ARGS)
  list(LENGTH ARGS nargs)
else()
  set(nargs ${n})
endif()
if(NOT n EQUAL nout OR NOT n EQUAL nargs)
  message(FATAL_ERROR "check_generated: REF, OUT (and ARGS) need one entry per file")
endif()

set(stale "")
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  list(GET REF ${i} ref_file)
  list(GET OUT ${i} out_file)
  set(arg "")
  if(DEFINED ARGS)
    list(GET ARGS ${i} arg)
  endif()
  execute_process(COMMAND ${GEN} ${arg} OUTPUT_FILE ${out_file} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_generated: ${GEN} ${arg} failed (${rc})")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${out_file} ${ref_file}
                  RESULT_VARIABLE diff)
  if(diff EQUAL 0)
    message(STATUS "check_generated: ${out_file} matches ${ref_file}")
    continue()
  endif()
  file(READ ${out_file} gen)
  file(READ ${ref_file} ref)
  first_difference("${gen}" "${ref}" where)
  string(APPEND stale
    "The output of ${GEN} ${arg} (${out_file}) differs from ${ref_file}: ${where}\n"
    "The checked-in file is not what ${SOURCE} writes; regenerate it\n"
    "  ${GEN} ${arg} > ${ref_file}\n"
    "or fix the generator.\n")
endforeach()
if(stale)
  message(FATAL_ERROR "check_generated: stale files\n${stale}")
endif()
