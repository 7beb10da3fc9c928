#!/usr/bin/env bash
# test_cli.sh — end-to-end tests of the axsim command.
#   test_cli.sh AXSIM GEN_F32_VECTORS CASE
# Each CASE is one CTest test. Expected values come from the host FPU (via
# GEN_F32_VECTORS) or from hand computation noted beside them, never from axsim.
set -uo pipefail
AX=$1 GEN=$2 CASE=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# run CMD...: stdout -> $T/out, stderr -> $T/err, status -> $rc
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
has() { grep -q -- "$2" "$T/$1" || { echo "--- $1:"; cat "$T/$1"; fail "$1 lacks '$2'"; }; }

case $CASE in
calc_check_host_fp32)
  # 2000 fp32 products and sums from the host FPU, flags included, all pass
  for op in mul add; do
    "$GEN" $op 2000 7 >"$T/v"
    run "$AX" calc --unit ${op}_exact --fmt fp32 --check "$T/v"
    [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "$op: exit $rc"; }
    has out "^2000 passed, 0 failed$"
  done ;;
calc_check_reports_mismatch)
  # the same vectors checked against the wrong unit: must fail, decoded report
  "$GEN" mul 500 3 >"$T/v"
  run "$AX" calc --unit mul_trunc --fmt fp32 --check "$T/v"
  [ $rc -eq 1 ] || fail "exit $rc, want 1"
  has out "mismatch at $T/v:"
  has out "expected  0x"
  has out " failed$"
  [ "$(grep -c '^mismatch at' "$T/out")" -eq 20 ] || fail "should show exactly the first 20 mismatches"
  has out "more mismatches not shown"
  # one wrong flag alone is a mismatch: 1.0 * 1.0 = 1.0 exact, claim inexact
  run "$AX" calc --unit mul_exact --fmt fp32 --check - <<<"3F800000 3F800000 3F800000 01"
  [ $rc -eq 1 ] || fail "flag mismatch: exit $rc" ;;
calc_nan_rule)
  # 0 * inf = NaN (invalid); any NaN matches unless --check-nans
  echo "0000 7C00 7E01 10" >"$T/v"
  run "$AX" calc --unit mul_exact --fmt fp16 --check "$T/v"
  [ $rc -eq 0 ] || fail "any-NaN rule: exit $rc"
  run "$AX" calc --unit mul_exact --fmt fp16 --check --check-nans "$T/v"
  [ $rc -eq 1 ] || fail "--check-nans must compare NaN bits: exit $rc"
  echo "0000 7C00 7E00 10" >"$T/v"   # fp16 canonical NaN (axsim's stated rule)
  run "$AX" calc --unit mul_exact --fmt fp16 --check --check-nans "$T/v"
  [ $rc -eq 0 ] || fail "canonical NaN: exit $rc" ;;
calc_output)
  # bf16 1.5 * 1.5 = 2.25 exact: 3FC0 3FC0 -> 4010, no flags (by hand)
  run "$AX" calc --unit mul_exact --fmt bf16 - <<<"3FC0 3FC0"
  [ $rc -eq 0 ] || fail "exit $rc"
  has out "^3FC0 3FC0 4010 00$"
  # Mitchell: x = y = .5, x+y >= 1: 2(x+y) = 2.0 -> 4000 (by hand)
  run "$AX" calc --unit mul_mitchell --fmt bf16 <<<"0x3fc0 0x3fc0"
  has out "^3FC0 3FC0 4000 00$"
  # bf16 -> fp32 output: 1.5*1.5 = 2.25 = 0x40100000
  run "$AX" calc --unit mul_exact --fmt bf16 --out-fmt fp32 <<<"3FC0 3FC0"
  has out "^3FC0 3FC0 40100000 00$" ;;
calc_bad_input)
  echo "3F80 zz" >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "bad hex: exit $rc"; has err "$T/v:1: operand b 'zz' is not a hexadecimal"
  printf '# comment\n\n3F80 3F80\n3F80\n' >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "one field: exit $rc"; has err "$T/v:4: expected 2 to 4 hex fields"
  echo "13F80 3F80" >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "too wide: exit $rc"; has err "does not fit in bf16 (16 bits)"
  echo "3F80 3F80 3F80 20" >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 --check "$T/v"
  [ $rc -eq 2 ] || fail "bad flags: exit $rc"; has err "flags 0x20"
  echo "3F80 3F80 3F80 00 00" >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "5 fields: exit $rc"
  echo "3F80 3F80" >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 --check "$T/v"
  [ $rc -eq 2 ] || fail "check without expected: exit $rc"; has err "needs an expected result"
  : >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 --check "$T/v"
  [ $rc -eq 1 ] || fail "zero vectors: exit $rc"; has out "^0 passed, 0 failed$"; has err "no vectors"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/missing"
  [ $rc -eq 2 ] || fail "missing file: exit $rc"; has err "cannot open"
  run "$AX" calc --unit mul_exact --fmt bf17 "$T/v"
  [ $rc -eq 2 ] || fail "bad format: exit $rc"; has err "unknown format 'bf17'"; has err "valid forms"
  run "$AX" calc --unit mul_foo --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "bad unit: exit $rc"; has err "valid units: mul_exact"
  run "$AX" calc --unit mul_drum:k=99 --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "bad param: exit $rc"; has err "bad value '99' for 'k'"
  run "$AX" calc --unit mul_exact "$T/v"
  [ $rc -eq 2 ] || fail "missing --fmt: exit $rc"; has err "required"
  run "$AX" calc --bogus
  [ $rc -eq 2 ] || fail "unknown option: exit $rc" ;;
metrics)
  run "$AX" metrics --unit mul_mitchell --fmt bf16 --json
  [ $rc -eq 0 ] || fail "exit $rc"
  has out '"unit":[[:space:]]*"mul_mitchell"'
  has out '"pairs":[[:space:]]*16384'
  # Mitchell never overestimates: the bias is negative
  has out '"bias":[[:space:]]*-0\.0'
  run "$AX" metrics --unit add_loa:l=4 --fmt fp16
  [ $rc -eq 0 ] || fail "adder: exit $rc"; has out "seeded sample (seed 1)"
  run "$AX" metrics --unit mul_exact --fmt bf16
  has out "error rate  0.000000"
  run "$AX" metrics --unit mul_exact --fmt bf16 --seed -3
  [ $rc -eq 2 ] || fail "negative seed: exit $rc" ;;
info)
  run "$AX" --version; [ $rc -eq 0 ] || fail "--version"; has out "^axsim [0-9]"
  for v in formats units calc metrics hostcheck survey; do
    run "$AX" $v --help; [ $rc -eq 0 ] || fail "$v --help: exit $rc"; has out "usage: axsim $v"
  done
  run "$AX" units; for u in mul_exact mul_trunc mul_drum mul_mitchell mul_mbm mul_realm \
                           add_exact add_trunc add_loa add_eta; do has out "^$u "; done
  run "$AX" units --json; has out '"name":[[:space:]]*"mul_realm"'
  run "$AX" formats; has out "fp8e4m3"; has out "eXmY"
  run "$AX" nosuchverb; [ $rc -eq 2 ] || fail "unknown verb: exit $rc"; has err "unknown verb" ;;
hostcheck)
  run "$AX" hostcheck --random 20000 --stride 4099
  [ $rc -eq 0 ] || { cat "$T/out"; fail "exit $rc"; }
  has out "^6 passed, 0 failed$" ;;
survey)
  run "$AX" survey --random 20000 --stride 4099
  [ $rc -eq 0 ] || { cat "$T/out"; fail "exit $rc"; }
  has out "host-FPU check: passed"
  for u in mul_mitchell mul_mbm "mul_realm:m=8,q=6" "add_loa:l=8"; do has out "^$u "; done
  run "$AX" survey --random 1000 --stride 30000 --json
  [ $rc -eq 0 ] || fail "json: exit $rc"; has out '"hostcheck_passed":[[:space:]]*true' ;;
gemm)
  # same seed and configuration, same checksum on ref and cpu; --check compares every bit
  for mac in "mul=mbm,in=bf16" "mul=exact,in=fp32" "mul=realm,in=fp16,add=loa:l=6,acc=fp16,prod=fp16"; do
    for chunk in 0 7; do
      sums=""
      for b in ref cpu; do
        run "$AX" gemm --mac "$mac" --size 9x21x40 --backend $b --chunk $chunk --seed 5
        [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "$mac $b: exit $rc"; }
        has out "^backend $b"
        sums="$sums $(grep '^checksum' "$T/out")"
      done
      set -- $sums
      [ "$2" = "$4" ] || fail "$mac chunk $chunk: ref and cpu checksums differ ($sums)"
    done
    run "$AX" gemm --mac "$mac" --size 30x17x50 --check
    [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "$mac --check: exit $rc"; }
    has out "^backend .*(auto"
    has out "equal the ref backend bit for bit"
  done
  # another seed gives another result
  run "$AX" gemm --mac mul=mbm,in=bf16 --size 9x21x40 --backend cpu --seed 5; a=$(grep '^checksum' "$T/out")
  run "$AX" gemm --mac mul=mbm,in=bf16 --size 9x21x40 --backend cpu --seed 6; b=$(grep '^checksum' "$T/out")
  [ -n "$a" ] && [ "$a" != "$b" ] || fail "seed does not change the result ($a / $b)"
  true ;;
gemm_bad_input)
  for args in "--size 4x4" "--mac mul=foo" "--mac mul=mbm --backend gpu" "--mac mul=mbm --size 0x4x4" \
              "--mac mul=mbm --threads x" "--mac add=mbm" "--mac mul=mbm extra"; do
    run "$AX" gemm $args
    [ $rc -eq 2 ] || fail "gemm $args: exit $rc, want 2"
    grep -q "^axsim gemm: " "$T/err" || { cat "$T/err"; fail "gemm $args: no message"; }
  done
  run "$AX" gemm; [ $rc -eq 2 ] || fail "no --mac: exit $rc"; has err "--mac is required"
  run "$AX" gemm --mac mul=mbm --backend gpu; has err "unknown backend 'gpu'"
  if ! nvidia-smi >/dev/null 2>&1; then
    run "$AX" gemm --mac mul=mbm --backend cuda
    [ $rc -eq 2 ] || fail "cuda without a device: exit $rc"; has err "backend cuda: "
  fi ;;
bench)
  run "$AX" bench gemm --size 24x40x16 --mac mul=mbm,in=bf16 --mac "mul=drum,in=fp16,add=loa:l=5" \
      --min-time 0 --json "$T/b.json"
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "bench gemm: exit $rc"; }
  has out "^OpenBLAS sgemm"
  has out "mul=mul_mbm,in=bf16.* cpu "
  has out "path: cpu native fp32 (mul_mbm)"
  has out "path: cpu generic"
  for b in openblas ref cpu; do has b.json "\"backend\":[[:space:]]*\"$b\""; done
  grep -q '"macs_per_s":[[:space:]]*[1-9]' "$T/b.json" || fail "bench JSON lacks rates"
  run "$AX" bench conv --conv 2,4,7,6,6,3,2,1,2 --mac mul=realm,in=fp16 --min-time 0
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "bench conv: exit $rc"; }
  has out "^OpenBLAS im2col + sgemm"
  has out "conv 2,4,7,6,6,3,2,1,2 *cpu "
  run "$AX" bench conv --conv 1,4,2,2,4,3,1,0; [ $rc -eq 2 ] || fail "bad conv: exit $rc"; has err "output height < 1"
  run "$AX" bench gemm --size 3x3; [ $rc -eq 2 ] || fail "bad size: exit $rc"; has err "MxNxK"
  run "$AX" bench gemm --backends cpu,tpu; [ $rc -eq 2 ] || fail "bad backend: exit $rc"; has err "unknown 'tpu'"
  run "$AX" bench gemm --conv 1,2,3,3,4,3,1,1; [ $rc -eq 2 ] || fail "--conv on gemm: exit $rc"
  run "$AX" bench matmul; [ $rc -eq 2 ] || fail "bad benchmark: exit $rc"; has err "gemm or conv" ;;
*) fail "unknown case $CASE" ;;
esac
echo "ok: $CASE"
