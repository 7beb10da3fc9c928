#!/usr/bin/env bash
# fuzz.sh — long fuzzing runs of axsim's parsers (docs/testing.md, "Fuzzing").
#   scripts/fuzz.sh [-r RUNS | -t SECONDS] [-j JOBS] [PARSER...]
# Configures build-fuzz/ with clang and AXSIM_SANITIZE=ON (AddressSanitizer and
# UndefinedBehaviorSanitizer) when it is not configured yet, builds the
# harnesses (target fuzzers) and runs each PARSER (default: all of them:
# format unit mac calc byo lut idx idx_gz npy ckpt) for RUNS executions
# (default 1000000) or SECONDS seconds, JOBS parsers at a time (default 1),
# under nice. The committed corpus tests/fuzz/corpus/<parser>/ is read as
# seeds and never written; new inputs go to build-fuzz/tests/fuzz/<parser>/corpus/,
# a crashing, leaking or hanging input to build-fuzz/tests/fuzz/<parser>/crashes/
# (reproduce: build-fuzz/tests/fuzz_<parser> FILE). The log of each run is
# build-fuzz/tests/fuzz/<parser>.log; one line per parser (executions,
# seconds, corpus size, result) goes to standard output and is appended to
# build-fuzz/fuzz-summary.txt. Exit status 1 when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
B=build-fuzz
limit=(-runs=1000000)
jobs=1
while getopts "r:t:j:h" o; do
  case $o in
  r) limit=(-runs="$OPTARG") ;;
  t) limit=(-max_total_time="$OPTARG") ;;
  j) jobs=$OPTARG ;;
  *) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
all=(format unit mac calc byo lut idx idx_gz npy ckpt)
(($#)) && parsers=("$@") || parsers=("${all[@]}")
for p in "${parsers[@]}"; do
  [ -f "tests/fuzz/fuzz_$p.c" ] || { echo "fuzz.sh: no harness tests/fuzz/fuzz_$p.c (parsers: ${all[*]})"; exit 2; }
done
command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (scripts/setup.sh installs it)"; exit 2; }
if [ ! -f $B/CMakeCache.txt ]; then
  # no CUDA and no verilated models: the harnesses need neither
  cmake -S . -B $B -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXSIM_SANITIZE=ON -DAXSIM_ENABLE_CUDA=OFF \
    -DAXSIM_BUILD_VERILATED=OFF >/dev/null || exit 1
fi
grep -q "^CMAKE_C_COMPILER[^=]*=.*clang" $B/CMakeCache.txt ||
  { echo "fuzz.sh: $B/ is not a clang build; remove it or point B elsewhere"; exit 2; }
cmake --build $B --target fuzzers -- -j"$(nproc)" >/dev/null || { echo "fuzz.sh: build failed"; exit 1; }

run_one() { # PARSER: one campaign, one summary line
  local p=$1 w=$B/tests/fuzz/$1
  local opts; opts=$(cat "$w.options" 2>/dev/null)
  local start=$SECONDS
  # shellcheck disable=SC2086
  nice -n 10 bash tests/fuzz/campaign.sh "$B/tests/fuzz_$p" "tests/fuzz/corpus/$p" "$w" \
    "${limit[@]}" $opts >"$w.log" 2>&1
  local rc=$?
  local runs; runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$w.log" | tail -1)
  local corpus; corpus=$(find "$w/corpus" -type f | wc -l)
  local line
  line=$(printf '%-7s %12s executions %6d s  corpus %5d new + %4d committed  %s  %s' "$p" "${runs:-?}" \
    $((SECONDS - start)) "$corpus" "$(find "tests/fuzz/corpus/$p" -type f | wc -l)" \
    "$([ $rc -eq 0 ] && echo clean || echo "FAILED (exit $rc): see $w.log and $w/crashes/")" \
    "$(date -u +%Y-%m-%dT%H:%MZ)")
  echo "$line"
  echo "$line" >>$B/fuzz-summary.txt
  return $rc
}
export -f run_one
export B limit_s="${limit[*]}"
fails=0
if ((jobs > 1)); then
  printf '%s\n' "${parsers[@]}" |
    xargs -P "$jobs" -I{} bash -c 'limit=($limit_s); run_one {}' || fails=1
else
  for p in "${parsers[@]}"; do run_one "$p" || fails=1; done
fi
exit $fails
