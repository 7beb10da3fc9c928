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
  [ $rc -eq 2 ] || fail "negative seed: exit $rc"
  # truncation only rounds: in bf16 it errs, into fp32 (16-bit products fit) it cannot
  run "$AX" metrics --unit mul_trunc --fmt bf16
  grep -q "error rate  0.000000" "$T/out" && fail "mul_trunc in bf16 shows no error"
  run "$AX" metrics --unit mul_trunc --fmt bf16 --out-fmt fp32 --json
  [ $rc -eq 0 ] || fail "--out-fmt: exit $rc"
  has out '"out_format":[[:space:]]*"fp32"'; has out '"error_rate":[[:space:]]*0[,}]'
  run "$AX" metrics --unit mul_trunc --fmt bf16 --out-fmt fp99
  [ $rc -eq 2 ] || fail "bad --out-fmt: exit $rc"; has err "out-fmt" ;;
info)
  run "$AX" --version; [ $rc -eq 0 ] || fail "--version"; has out "^axsim [0-9]"
  for v in formats units calc metrics hostcheck survey train eval retrain estimate; do
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
train)
  # a short run on Fashion-MNIST: checkpoint, JSON, resume, refusal to overwrite
  D=/usr/share/datasets/fashion-mnist
  run "$AX" train --model mlp --epochs 2 --limit 2000 --test-limit 500 --out "$T/a.st" --json "$T/a.json"
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "train: exit $rc"; }
  has out "^mlp: test accuracy"; has err "^epoch 2/2 "; [ -s "$T/a.st" ] || fail "no checkpoint"
  grep -q '"test_accuracy"' "$T/a.json" || fail "JSON lacks test_accuracy"
  acc=$(sed -n 's/^mlp: test accuracy \([0-9.]*\)%.*/\1/p' "$T/out")
  awk -v a="$acc" 'BEGIN { exit !(a > 60) }' || fail "accuracy $acc% after 2 epochs of 2000 images"
  cp "$T/a.st" "$T/keep.st"
  run "$AX" train --model mlp --epochs 2 --limit 2000 --test-limit 500 --out "$T/a.st"
  [ $rc -eq 2 ] || fail "existing --out without --resume: exit $rc"; has err "exists"
  cmp -s "$T/a.st" "$T/keep.st" || fail "the refused run changed the checkpoint"
  # --resume on a new file starts afresh: the same options give the same bytes
  run "$AX" train --model mlp --epochs 2 --limit 2000 --test-limit 500 --out "$T/b.st" --resume --json "$T/b1.json"
  [ $rc -eq 0 ] || fail "b: exit $rc"
  cmp -s "$T/a.st" "$T/b.st" || fail "same options, different checkpoint"
  run "$AX" train --model mlp --epochs 2 --limit 2000 --test-limit 500 --out "$T/b.st" --resume
  [ $rc -eq 0 ] || fail "finished resume: exit $rc"; has err "already holds all 2 epochs"
  run "$AX" train --model mlp --epochs 2 --limit 2000 --seed 9 --out "$T/b.st" --resume
  [ $rc -eq 2 ] || fail "resume with another seed: exit $rc"; has err "cannot resume.*seed"
  # eval of the checkpoint: the accuracy train reported, on the same 500 images
  run "$AX" eval --model mlp --weights "$T/a.st" --test-limit 500
  [ $rc -eq 0 ] || fail "eval: exit $rc"; has out "accuracy $acc%"
  run "$AX" eval --model lenet5 --weights "$T/a.st"
  [ $rc -eq 2 ] || fail "eval of another model: exit $rc"; has err "holds a mlp model"
  run "$AX" retrain --model mlp --weights "$T/a.st" --mac mul=mbm,in=bf16 --limit 500 --test-limit 500
  [ $rc -eq 0 ] || fail "retrain: exit $rc"; has out "^before "; has out "^after .*points"
  # e3m2 (largest finite 14) overflows in training: stopped and named, exit 1, no checkpoint
  run "$AX" retrain --model mlp --weights "$T/a.st" --mac mul=exact,in=e3m2 --limit 2000 --test-limit 200 \
      --lr 0.5 --out "$T/div.st"
  [ $rc -eq 1 ] || fail "diverging retrain: exit $rc"; has err "training diverged: .* epoch 1, step"
  [ ! -e "$T/div.st" ] || fail "a diverged run left a checkpoint" ;;
train_bad_input)
  run "$AX" train --model nosuch --out "$T/x.st"; [ $rc -eq 2 ] || fail "model: exit $rc"; has err "unknown"
  run "$AX" train --mac mul=nosuch --out "$T/x.st"; [ $rc -eq 2 ] || fail "mac: exit $rc"; has err "nosuch"
  run "$AX" train --data "$T/nodir" --out "$T/x.st"; [ $rc -eq 2 ] || fail "data: exit $rc"; has err "nodir"
  run "$AX" train --model mlp; [ $rc -eq 2 ] || fail "no --out: exit $rc"; has err "out CKPT is required"
  printf 'garbage' >"$T/bad.st"
  run "$AX" eval --weights "$T/bad.st"; [ $rc -eq 2 ] || fail "bad checkpoint: exit $rc"; has err "bad.st"
  run "$AX" eval --weights "$T/bad.st" --epochs 3; [ $rc -eq 2 ] || fail "--epochs on eval: exit $rc"
  [ ! -e "$T/x.st" ] || fail "a failed run left a checkpoint" ;;
estimate)
  # the main job, narrowed: the shipped weights, two units, one format
  run "$AX" estimate --units mul_exact,mul_mitchell --formats bf16 --adder none \
      --test-limit 1000 --retrain-limit 500 --out "$T/est" --quiet
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "estimate: exit $rc"; }
  has out "exact fp32: "
  has out "^mul_exact  *bf16  *0.000e+00 "; has out "^mul_mitchell  *bf16 "
  grep -Eq "^mul_mitchell .* (verified|not built) " "$T/out" || fail "no RTL verdict"
  [ "$(wc -l <"$T/est/results.csv")" -eq 3 ] || fail "CSV: want a header and 2 rows"
  grep -q '"accuracy_retrained"' "$T/est/results.json" || fail "JSON lacks accuracy_retrained"
  if command -v gnuplot >/dev/null; then
    head -c 8 "$T/est/accuracy.png" | od -An -tx1 | grep -q "89 50 4e 47" || fail "not a PNG"
  fi
  # the exact bf16 MAC loses little against fp32 on the shipped LeNet-5
  fp=$(sed -n 's/.*exact fp32: \([0-9.]*\)%.*/\1/p' "$T/out")
  bf=$(awk '/^mul_exact/ { sub("%", "", $5); print $5 }' "$T/out")
  awk -v a="$fp" -v b="$bf" 'BEGIN { exit !(a > 85 && b > a - 1) }' || fail "fp32 $fp%, bf16 $bf%"
  # a row whose retraining overflows e3m2 is reported as diverged; the job goes on
  run "$AX" estimate --units mul_mitchell,mul_exact --formats e3m2 --adder none --test-limit 200 \
      --retrain-limit 2000 --no-verify --out "$T/est2" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "estimate with a diverging row: exit $rc"; }
  has out "^mul_mitchell  *e3m2 .* diverged "; has err "mul_mitchell e3m2: training diverged"
  grep -q '^mul_mitchell,e3m2,.*,diverged,,' "$T/est2/results.csv" || fail "CSV: no diverged row"
  [ "$(wc -l <"$T/est2/results.csv")" -eq 3 ] || fail "CSV: want a header and 2 rows after a divergence"
  # an interrupted run resumes: the rows already in results.json are taken, the rest computed,
  # and the table equals an uninterrupted run's (but for the seconds column)
  args="--units mul_exact,mul_mitchell,mul_mbm --formats bf16 --adder none --test-limit 300 --retrain-limit 300 --no-verify --quiet"
  "$AX" estimate $args --out "$T/r1" >"$T/r1.out" 2>&1 || fail "estimate r1: exit $?"
  "$AX" estimate $args --out "$T/r2" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 600); do [ -e "$T/r2/results.json" ] && break; sleep 0.05; done
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  [ -e "$T/r2/results.json" ] || fail "no partial results.json after the first row"
  run "$AX" estimate $args --out "$T/r2" --resume
  [ $rc -eq 0 ] || { cat "$T/err"; fail "resume: exit $rc"; }
  has out "^resumed: [1-3] of 3 rows"
  diff <(sed 's/,[^,]*$//' "$T/r1/results.csv") <(sed 's/,[^,]*$//' "$T/r2/results.csv") >"$T/d" ||
    { cat "$T/d"; fail "resumed table differs from the uninterrupted one"; }
  run "$AX" estimate $args --out "$T/r2" --resume --lr 0.01
  [ $rc -eq 2 ] || fail "resume with another lr: exit $rc"; has err "cannot resume: .*retrain_lr"
  run "$AX" estimate --units mul_nosuch; [ $rc -eq 2 ] || fail "bad unit: exit $rc"
  run "$AX" estimate --units add_loa; [ $rc -eq 2 ] || fail "adder as --units: exit $rc"; has err "not a multiplier"
  run "$AX" estimate --model vgg; [ $rc -eq 2 ] || fail "no shipped vgg: exit $rc"; has err "weights" ;;
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
  has out "path: cpu fp32 adder"
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
  run "$AX" bench matmul; [ $rc -eq 2 ] || fail "bad benchmark: exit $rc"; has err "gemm, conv or train"
  # bench train: the trained weights' checksum must agree on ref and cpu ...
  run "$AX" bench train --images 64 --backends ref,cpu --model mlp --mac mul=exact,in=bf16,add=loa:l=8 \
      --json "$T/t.json"
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "bench train: exit $rc"; }
  [ "$(grep -c '^mlp .* [0-9a-f]\{16\}$' "$T/out")" -eq 2 ] || fail "bench train: want 2 matching rows"
  grep -q '"seconds_per_60k_epoch":[[:space:]]*[1-9]' "$T/t.json" || fail "bench train JSON lacks epoch time"
  # ... and a planted rounding bug in the cpu adder path must show as a mismatch
  run env AXSIM_PLANT_BUG=cpu-adder-tie "$AX" bench train --images 64 --backends ref,cpu --model mlp \
      --mac mul=exact,in=bf16,add=loa:l=8
  [ $rc -eq 1 ] || fail "planted bug: bench train exit $rc"; has out "cpu .* MISMATCH$"
  run "$AX" bench train --model alexnet; [ $rc -eq 2 ] || fail "bad model: exit $rc"; has err "alexnet"
  run "$AX" bench train --backends cpu,tpu; [ $rc -eq 2 ] || fail "bad backend: exit $rc"; has err "tpu"
  run "$AX" bench train --images 0; [ $rc -eq 2 ] || fail "--images 0: exit $rc"
  run "$AX" bench train --help; [ $rc -eq 0 ] || fail "bench train --help: exit $rc"; has out "usage: axsim bench train" ;;
*) fail "unknown case $CASE" ;;
esac
echo "ok: $CASE"
