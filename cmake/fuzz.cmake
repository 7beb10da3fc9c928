# fuzz.cmake — libFuzzer harnesses of every parser (tests/fuzz/fuzz_<parser>.c;
# docs/testing.md, "Fuzzing"). Included from tests/CMakeLists.txt.
#
# clang: each harness is built with -fsanitize=fuzzer (and, with AXSIM_SANITIZE,
# the project's address and undefined sanitizers) and CTest fuzz.<parser>
# (label fuzz) runs a bounded campaign: AXSIM_FUZZ_SECONDS seconds, new inputs
# into <build>/tests/fuzz/<parser>/corpus, crashes into .../crashes/, the
# committed corpus tests/fuzz/corpus/<parser>/ read as seeds. A crash, leak,
# timeout or out-of-memory fails the test.
# Other compilers: each harness is linked with tests/fuzz/fuzz_replay_main.c
# and CTest fuzz.<parser>.replay (label fuzz) runs every committed input once.
#
# Under libFuzzer the harnesses link copies of the libraries built with the
# fuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link): axfz_cmodels
# (without ax_hostcheck.c, which no parser needs and clang 14 cannot compile:
# _Float16), axfz_util, axfz_fastpath (C sources only) and axfz_networks.
set(AXSIM_FUZZ_SECONDS 15 CACHE STRING "Seconds of each fuzz.<parser> campaign (clang builds)")

set(_fz ${PROJECT_SOURCE_DIR}/tests/fuzz)
set(_fz_parsers format unit mac calc byo lut idx idx_gz npy ckpt accel onnx)
# sources outside the libraries that a harness tests
set(_fz_src_calc cli/calc_line.c)
set(_fz_src_byo  cosim/byo/byo_manifest.c)
set(_fz_src_accel cosim/accel/ax_accel.c cosim/accel/ax_accel_jobs.c cosim/accel/ax_accel_scalesim.c
  cosim/accel/ax_accel_energy.c cosim/accel/ax_accel_ssmem.c)
# libFuzzer options per harness: the largest input worth trying; the data
# readers get a memory limit (a decompressed or declared size is allocated)
set(_fz_opt_format -max_len=128)
set(_fz_opt_unit   -max_len=128)
set(_fz_opt_mac    -max_len=256)
set(_fz_opt_calc   -max_len=512)
set(_fz_opt_byo    -max_len=4096)
set(_fz_opt_lut    -max_len=4400)
set(_fz_opt_idx    -max_len=8192 -rss_limit_mb=2048 -malloc_limit_mb=1024)
set(_fz_opt_idx_gz -max_len=8192 -rss_limit_mb=2048 -malloc_limit_mb=1024)
set(_fz_opt_npy    -max_len=8192 -rss_limit_mb=2048 -malloc_limit_mb=1024)
set(_fz_opt_ckpt   -max_len=16384 -rss_limit_mb=2048 -malloc_limit_mb=1024)
set(_fz_opt_accel  -max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=1024)
set(_fz_opt_onnx   -max_len=16384 -rss_limit_mb=2048 -malloc_limit_mb=1024)

set(AX_FUZZ_LIBFUZZER OFF)
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  set(AX_FUZZ_LIBFUZZER ON)
endif()

if(AX_FUZZ_LIBFUZZER)
  find_package(ZLIB REQUIRED)
  find_package(Threads REQUIRED)
  find_library(AX_FUZZ_CJSON_LIBRARY cjson REQUIRED)
  find_path(AX_FUZZ_CJSON_INCLUDE_DIR cjson/cJSON.h REQUIRED)
  foreach(lib util cmodels fastpath networks)
    get_target_property(src ax_${lib} SOURCES)
    get_target_property(dir ax_${lib} SOURCE_DIR)
    list(FILTER src INCLUDE REGEX "\\.c$")
    list(FILTER src EXCLUDE REGEX "ax_hostcheck\\.c$")
    list(TRANSFORM src PREPEND ${dir}/)
    add_library(axfz_${lib} STATIC ${src})
    target_include_directories(axfz_${lib} PUBLIC ${dir}
      $<TARGET_PROPERTY:ax_${lib},INCLUDE_DIRECTORIES> PRIVATE ${AX_FUZZ_CJSON_INCLUDE_DIR})
    target_compile_definitions(axfz_${lib} PRIVATE $<TARGET_PROPERTY:ax_${lib},COMPILE_DEFINITIONS>)
    target_compile_options(axfz_${lib} PRIVATE -fsanitize=fuzzer-no-link)
  endforeach()
  target_link_libraries(axfz_fastpath PUBLIC axfz_cmodels axfz_util)
  # the ONNX reader protobuf-c generates: linked as built (not instrumented)
  target_link_libraries(axfz_networks PUBLIC axfz_fastpath axfz_util ax_onnx_proto)
  set(_fz_libs axfz_networks axfz_fastpath axfz_cmodels axfz_util ZLIB::ZLIB ${AX_FUZZ_CJSON_LIBRARY}
               Threads::Threads m)
else()
  set(_fz_libs ax_networks ax_fastpath ax_cmodels ax_util)
endif()

add_custom_target(fuzzers)
foreach(p ${_fz_parsers})
  set(t fuzz_${p})
  list(TRANSFORM _fz_src_${p} PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE srcs)
  add_executable(${t} ${_fz}/${t}.c ${srcs})
  add_dependencies(fuzzers ${t})
  target_include_directories(${t} PRIVATE ${_fz} ${PROJECT_SOURCE_DIR}/cli ${PROJECT_SOURCE_DIR}/cosim/byo
    ${PROJECT_SOURCE_DIR}/util ${PROJECT_SOURCE_DIR}/cmodels ${PROJECT_SOURCE_DIR}/cuda_fastpath
    ${PROJECT_SOURCE_DIR}/cuda_fastpath/include
    ${PROJECT_SOURCE_DIR}/networks ${PROJECT_SOURCE_DIR}/cosim/accel)
  target_link_libraries(${t} PRIVATE ${_fz_libs})
  target_compile_definitions(${t} PRIVATE _GNU_SOURCE) # memfd_create, fmemopen, mkdtemp
  set(corpus ${_fz}/corpus/${p})
  if(AX_FUZZ_LIBFUZZER)
    target_compile_options(${t} PRIVATE -fsanitize=fuzzer)
    target_link_options(${t} PRIVATE -fsanitize=fuzzer)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz/${p})
    add_test(NAME fuzz.${p}
      COMMAND bash ${_fz}/campaign.sh $<TARGET_FILE:${t}> ${corpus} ${work}
              -max_total_time=${AXSIM_FUZZ_SECONDS} -timeout=20 ${_fz_opt_${p}})
    # the options for long runs (scripts/fuzz.sh)
    string(REPLACE ";" " " opts "-timeout=20;${_fz_opt_${p}}")
    file(WRITE ${work}.options "${opts}\n")
    math(EXPR limit "${AXSIM_FUZZ_SECONDS} + 120")
    set_tests_properties(fuzz.${p} PROPERTIES LABELS fuzz TIMEOUT ${limit})
  else()
    target_sources(${t} PRIVATE ${_fz}/fuzz_replay_main.c)
    add_test(NAME fuzz.${p}.replay COMMAND ${t} ${corpus})
    set_tests_properties(fuzz.${p}.replay PROPERTIES LABELS fuzz)
  endif()
endforeach()
