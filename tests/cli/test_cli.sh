#!/usr/bin/env bash
# test_cli.sh — end-to-end tests of the axsim command.
#   test_cli.sh AXSIM GEN_F32_VECTORS CASE
# Each CASE is one CTest test. Expected values come from the host FPU (via
# GEN_F32_VECTORS) or from hand computation noted beside them, never from axsim.
set -uo pipefail
AX=$1 GEN=$2 CASE=$3
TOOL=${AX_CKPT_TOOL:-}   # tests/cli/ckpt_tool, for the cases that craft checkpoints
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
snn)
  # a spiking model end to end: train records its options in the checkpoint, eval
  # takes them back (or the ones given), reports per layer and traces membranes;
  # estimate studies it; bench train gives the same bits on ref and cpu; bad input
  A="--model snn-mlp --limit 256 --test-limit 64"
  run "$AX" train $A --epochs 1 --timesteps 3 --encoding rate --readout count \
      --neuron "neuron=lif,theta=0.5" --opt adam --lr 0.002 --out "$T/s.st" --json "$T/s.json"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "snn train: exit $rc"; }
  grep -q '"timesteps":[[:space:]]*3' "$T/s.json" || fail "train JSON lacks the time steps"
  run "$AX" eval --model snn-mlp --weights "$T/s.st" --test-limit 64 --trace lif1:0,lif1:3 \
      --trace-out "$T/tr"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "snn eval: exit $rc"; }
  has out "T=3 encoding=rate readout=count"
  has out "theta=0.5,"
  has out "lif1 .* spikes per neuron per image"
  has out "fc2 .* synaptic operations per image (accumulates of spikes)"
  [ "$(wc -l <"$T/tr/trace.csv")" -eq 7 ] || fail "trace: want a header and 2 neurons x 3 steps"
  run "$AX" eval --model snn-mlp --weights "$T/s.st" --test-limit 16 --timesteps 5 --encoding direct
  has out "T=5 encoding=direct"
  has out "fc1 .*(multiply-accumulates of a graded input)"
  # another neuron cannot resume the run
  run "$AX" train $A --epochs 1 --timesteps 3 --encoding rate --readout count \
      --neuron "neuron=lif,theta=0.75" --opt adam --lr 0.002 --out "$T/s.st" --resume
  [ $rc -eq 2 ] || fail "resume with another neuron: exit $rc"; has err "cannot resume: .*neuron"
  # bad input: what is wrong and the choices
  run "$AX" eval --model snn-mlp --weights "$T/s.st" --neuron "neuron=izhikevich"
  [ $rc -eq 2 ] || fail "bad neuron: exit $rc"; has err "choose lif or if"
  run "$AX" train --model snn-mlp --timesteps 0 --out "$T/x.st"
  [ $rc -eq 2 ] || fail "T = 0: exit $rc"; has err "give 1 to 4096 time steps"
  run "$AX" train --model snn-conv --encoding poisson --out "$T/x.st"
  [ $rc -eq 2 ] || fail "bad encoding: exit $rc"; has err "choose direct, rate or latency"
  run "$AX" train --model lenet5 --encoding rate --out "$T/x.st"
  [ $rc -eq 2 ] || fail "encoding for a DNN: exit $rc"; has err "not a spiking model"
  run "$AX" eval --model snn-mlp --weights "$T/s.st" --trace lif9:0
  [ $rc -eq 2 ] || fail "bad trace: exit $rc"; has err "LAYER one of lif1, readout"
  run "$AX" train --model snn-mlp --trace lif1:0 --out "$T/x.st"
  [ $rc -eq 2 ] || fail "--trace for train: exit $rc"; has err "is for eval"
  [ ! -e "$T/x.st" ] || fail "a refused run wrote a checkpoint"
  # estimate: a synapse row and a neuron row, with the spiking columns
  run "$AX" estimate --model snn-mlp --weights "$T/s.st" --synapses "in=bf16,add=loa:l=16,acc=fp32" \
      --neurons "fmt=fp16" --test-limit 64 --retrain-epochs 0 --no-verify --out "$T/est"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "snn estimate: exit $rc"; }
  has out "synops/img"
  [ "$(wc -l <"$T/est/results.csv")" -eq 3 ] || fail "snn estimate: want a header and 2 rows"
  grep -q "synaptic_ops_per_image,spikes_per_neuron,seconds" "$T/est/results.csv" || fail "CSV header"
  run "$AX" estimate --model snn-mlp --weights "$T/s.st" --units mul_mbm
  [ $rc -eq 2 ] || fail "--units for a spiking model: exit $rc"; has err "for DNN models"
  # bench train: the same trained bits on ref and cpu
  run "$AX" bench train --images 16 --backends ref,cpu --model snn-mlp --mac in=bf16,add=loa:l=8,acc=fp32
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "snn bench train: exit $rc"; }
  [ "$(grep -c '^snn-mlp .* [0-9a-f]\{16\}$' "$T/out")" -eq 2 ] || fail "bench train: want 2 matching rows" ;;
json_stdout)
  # --json - prints the JSON on standard output and writes no file named "-" (bench and
  # bench train wrote one)
  cd "$T" || fail "cd $T"
  run "$AX" bench gemm --size 8x8x8 --min-time 0 --backends cpu --mac mul=exact,in=bf16 --json -
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "bench gemm: exit $rc"; }
  has out '"benchmark":[[:space:]]*"gemm"'; has out '"macs_per_s":'
  [ ! -e "$T/-" ] || fail "bench gemm --json - wrote a file named -"
  run "$AX" bench train --images 32 --backends cpu --model mlp --mac mul=exact,in=fp32 --json -
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "bench train: exit $rc"; }
  has out '"benchmark":[[:space:]]*"train"'; has out '"weights_fnv1a64":'
  [ ! -e "$T/-" ] || fail "bench train --json - wrote a file named -"
  run "$AX" train --model mlp --epochs 1 --limit 100 --test-limit 50 --out "$T/m.st" --quiet --json -
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "train: exit $rc"; }
  has out '"verb":[[:space:]]*"train"'
  run "$AX" eval --model mlp --weights "$T/m.st" --test-limit 50 --quiet --json -
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "eval: exit $rc"; }
  has out '"verb":[[:space:]]*"eval"'
  [ ! -e "$T/-" ] || fail "train or eval --json - wrote a file named -" ;;
no_verilated)
  # a build with -DAXSIM_BUILD_VERILATED=OFF: no RTL, said so, never a verdict
  run "$AX" verify --unit mul_exact --fmt bf16
  [ $rc -eq 1 ] || fail "verify: exit $rc, want 1"; has err "no verilated models"
  run "$AX" verify --manifest "$(dirname "$0")/../../examples/byo/mul_opt.manifest"
  [ $rc -eq 1 ] || fail "verify --manifest: exit $rc, want 1"; has err "no verilated models"
  run "$AX" estimate --units mul_mitchell --formats bf16 --adder none --retrain-epochs 0 \
      --test-limit 200 --out "$T/est" --quiet
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "estimate: exit $rc"; }
  grep -Eq "^mul_mitchell  *bf16 .* not built " "$T/out" || { cat "$T/out"; fail "RTL column is not 'not built'"; }
  grep -q ',not built,' "$T/est/results.csv" || fail "results.csv: RTL is not 'not built'" ;;
hardening_gemm_sizes)
  # issue 12, 1: sizes whose operands overflow size_t were malloc'd short and written past (SIGSEGV);
  # sizes past 64 bits were read as INT64_MAX. Each is refused before anything is allocated.
  for s in 1x1x4611686018427387905 1x1x18446744073709551617 2147483648x1x1 -1x2x2 4x4x4x4 4x4x4junk \
           " 4x4x4" 2147483647x2147483647x2147483647; do
    for verb in gemm "bench gemm"; do
      run "$AX" $verb --mac mul=mbm,in=bf16 --size "$s"
      [ $rc -eq 2 ] || { cat "$T/err"; fail "$verb --size '$s': exit $rc, want 2"; }
      has err "^axsim [a-z]*: --size '"
    done
  done
  run "$AX" bench conv --conv 1,1,99999999999999999999,4,4,3,1,1; [ $rc -eq 2 ] || fail "conv past 64 bits: exit $rc"
  run "$AX" bench conv --conv 1,1,4,4,4,3,1,1,1,1; [ $rc -eq 2 ] || fail "conv with 10 fields: exit $rc"
  # the largest size accepted still runs (a thin one)
  run "$AX" gemm --mac mul=mbm,in=bf16 --size 1x1x100000 --check
  [ $rc -eq 0 ] || { cat "$T/err"; fail "1x1x100000: exit $rc"; }
  # integer options: decimal only (strtoull read "010" as 8 and "0x10" as 16, and --threads was
  # cast to int: 4294967297 ran on 1 thread), counts bounded
  for t in 4294967297 2147483648 1025 -1 0x10 " 2" +2 2x; do
    run "$AX" gemm --mac mul=mbm,in=bf16 --size 4x4x4 --threads "$t"
    [ $rc -eq 2 ] || fail "--threads '$t': exit $rc, want 2"; has err "^axsim gemm: --threads"
  done
  run "$AX" gemm --mac mul=mbm,in=bf16 --size 4x4x4 --seed 010
  [ $rc -eq 0 ] || fail "--seed 010: exit $rc"
  a=$(grep '^checksum' "$T/out"); run "$AX" gemm --mac mul=mbm,in=bf16 --size 4x4x4 --seed 10
  [ "$a" = "$(grep '^checksum' "$T/out")" ] || fail "--seed 010 is not 10"
  run "$AX" train --model mlp --epochs 99999999999 --out "$T/e.st"
  [ $rc -eq 2 ] || fail "--epochs 99999999999: exit $rc"; has err "epochs must be in 1..1000000"
  run "$AX" estimate --retrain-epochs 99999999999 --out "$T/est"
  [ $rc -eq 2 ] || fail "--retrain-epochs 99999999999: exit $rc"; has err "at most 1000000"
  # a 100 kB option value is cut in the message, not echoed whole
  long=$(head -c 100000 /dev/zero | tr '\0' x)
  for v in "train --model" "eval --model" "estimate --model" "gemm --backend" "bench gemm --size"; do
    run "$AX" $v "$long"
    [ $rc -eq 2 ] || fail "$v <100 kB>: exit $rc"
    [ "$(wc -c <"$T/err")" -lt 4096 ] || fail "$v <100 kB>: a $(wc -c <"$T/err")-byte message"
  done ;;
hardening_ckpt_meta)
  # issue 12, 3 and 8: metadata the run depends on is checked, not strtod'd into a wrong answer
  "$AX" train --model mlp --epochs 2 --limit 300 --test-limit 100 --out "$T/a.st" --quiet >/dev/null 2>&1 ||
    fail "setup train"
  for kv in norm_std=0 norm_std=inf norm_std=-1 norm_std=garbage norm_mean=nan norm_scale=0 norm_scale=1e999 \
            "norm_mean=0.1 " classes=1 classes=1x classes=99999999999; do
    "$TOOL" set "$T/a.st" "$T/m.st" "$kv" || fail "ckpt_tool $kv"
    run "$AX" eval --model mlp --weights "$T/m.st" --test-limit 100
    [ $rc -eq 2 ] || { cat "$T/out" "$T/err"; fail "eval with metadata $kv: exit $rc, want 2"; }
    has err "metadata ${kv%%=*} '"
  done
  "$TOOL" set "$T/a.st" "$T/m.st" norm_std=0 || fail "ckpt_tool"
  run "$AX" estimate --weights "$T/m.st" --model mlp --units mul_exact --formats bf16 --adder none \
      --retrain-epochs 0 --test-limit 100 --no-verify --out "$T/est" --quiet
  [ $rc -eq 2 ] || fail "estimate with norm_std 0: exit $rc"; has err "metadata norm_std '0'"
  run "$AX" eval --model mlp --weights "$T/a.st" --test-limit 100 --norm 0.5,inf
  [ $rc -eq 2 ] || fail "--norm 0.5,inf: exit $rc"; has err "^axsim eval: --norm"
  # --resume: the epoch count must be an integer within the run's epochs
  for e in -3 "" 1x 3 0 99999999999999999999; do
    "$TOOL" set "$T/a.st" "$T/r.st" "epoch=$e" || fail "ckpt_tool epoch=$e"
    run "$AX" train --model mlp --epochs 2 --limit 300 --test-limit 100 --out "$T/r.st" --resume
    [ $rc -eq 2 ] || { cat "$T/out" "$T/err"; fail "resume with epoch '$e': exit $rc, want 2"; }
    has err "metadata epoch '"
  done
  # a malformed file under --resume is bad input (2), as documented, and is left alone
  printf 'garbage!' >"$T/g.st"
  run "$AX" train --model mlp --epochs 2 --limit 300 --out "$T/g.st" --resume
  [ $rc -eq 2 ] || fail "malformed --resume file: exit $rc"; has err "g.st: "
  [ "$(cat "$T/g.st")" = 'garbage!' ] || fail "the malformed file was changed"
  # a label above the model's classes is bad input too
  { printf '\0\0\10\3\0\0\0\2\0\0\0\34\0\0\0\34'; head -c 1568 /dev/zero; } >"$T/x.idx"
  printf '\0\0\10\1\0\0\0\2\1\14' >"$T/y.idx"
  run "$AX" eval --model mlp --weights "$T/a.st" --test-images "$T/x.idx" --test-labels "$T/y.idx"
  [ $rc -eq 2 ] || fail "label 12 on a 10-class model: exit $rc"; has err "labels go up to 12"
  # NaN pixels are refused, not trained to "loss nan"
  { printf '\0\0\15\3\0\0\0\2\0\0\0\34\0\0\0\34'; for i in $(seq 1568); do printf '\177\300\0\0'; done; } >"$T/n.idx"
  printf '\0\0\10\1\0\0\0\2\1\2' >"$T/ny.idx"
  run "$AX" train --model mlp --epochs 1 --train-images "$T/n.idx" --train-labels "$T/ny.idx" \
      --test-images "$T/n.idx" --test-labels "$T/ny.idx" --out "$T/n.st"
  [ $rc -eq 2 ] || fail "NaN pixels: exit $rc"; has err "images must be finite" ;;
hardening_ckpt_large_header)
  # issue 12, 4: the name and key checks were pairwise, 300k entries took minutes; now n log n
  "$TOOL" many 300000 "$T/many.st" || fail "ckpt_tool many"
  run timeout 120 "$AX" eval --model mlp --weights "$T/many.st" --test-limit 10
  [ $rc -eq 2 ] || { cat "$T/err"; fail "eval of 300k empty tensors: exit $rc, want 2 (124: too slow)"; }
  has err "no tensor 'fc1.weight'" ;;
hardening_outputs)
  # issue 12: an existing --json is not overwritten; an --out that cannot be written is
  # refused before the first epoch; estimate --out naming a file is refused before any row
  "$AX" train --model mlp --epochs 1 --limit 100 --test-limit 50 --out "$T/c.st" --quiet >/dev/null 2>&1 ||
    fail "setup train"
  echo keep >"$T/j.json"
  for v in "train --model mlp --epochs 1 --limit 100 --out $T/x.st" "eval --model mlp --weights $T/c.st"; do
    run "$AX" $v --json "$T/j.json"
    [ $rc -eq 2 ] || fail "$v --json existing: exit $rc"; has err "exists"
    [ "$(cat "$T/j.json")" = keep ] || fail "$v overwrote --json"
  done
  run "$AX" bench gemm --size 8x8x8 --min-time 0 --json "$T/j.json"
  [ $rc -eq 2 ] || fail "bench --json existing: exit $rc"; [ "$(cat "$T/j.json")" = keep ] || fail "bench overwrote"
  run "$AX" train --model mlp --epochs 1 --limit 100 --out "$T/no/such/dir/x.st"
  [ $rc -eq 2 ] || fail "unwritable --out: exit $rc"; has err "cannot write"
  grep -q "^epoch" "$T/err" && fail "refused only after training"
  run "$AX" estimate --units mul_exact --formats bf16 --adder none --out "$T/j.json"
  [ $rc -eq 2 ] || fail "estimate --out FILE: exit $rc"; has err "is not a folder"
  [ "$(cat "$T/j.json")" = keep ] || fail "estimate changed the file"
  # the temporary file of a killed save is removed by the next save of that file
  sleep 0 & dead=$!; wait $dead
  echo partial >"$T/c2.st.tmp.$dead"
  echo other >"$T/c2.st.tmp.$$"             # a live process's: kept
  "$AX" train --model mlp --epochs 1 --limit 100 --test-limit 50 --out "$T/c2.st" --quiet >/dev/null 2>&1 ||
    fail "train c2"
  [ ! -e "$T/c2.st.tmp.$dead" ] || fail "a dead process's temporary file was not removed"
  [ -e "$T/c2.st.tmp.$$" ] || fail "a live process's temporary file was removed"
  cmp -s "$T/c.st" "$T/c2.st" || fail "same run, different checkpoint" ;;
hardening_faults)
  # issue 12: a save that hits a full disk or a read-only folder leaves the previous file
  # intact and says so. Real faults: a small tmpfs in a private mount namespace.
  unshare -rm true 2>/dev/null || { echo "SKIP: no user mount namespaces here (unshare -rm)"; exit 77; }
  export AX T
  unshare -rm bash -c '
    set -u
    fail() { echo "FAIL: $*"; exit 1; }
    mkdir -p "$T/fs" && mount -t tmpfs -o size=3m tmpfs "$T/fs" || exit 77
    args="--model mlp --epochs 2 --limit 200 --test-limit 50 --quiet"
    # the full run elsewhere, for comparison
    "$AX" train $args --out "$T/ref.st" >/dev/null 2>&1 || fail "ref run"
    sz=$(stat -c %s "$T/ref.st")
    # room for one checkpoint and a half: epoch 1 saves, epoch 2 finds the disk full
    umount "$T/fs"; mount -t tmpfs -o size=$((sz * 3 / 2)) tmpfs "$T/fs" || exit 77
    "$AX" train $args --out "$T/fs/a.st" >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] || { cat "$T/e"; fail "full disk: exit $rc, want 1"; }
    grep -q "No space left on device (the previous file, if any, is unchanged)" "$T/e" || { cat "$T/e"; fail "message"; }
    ls "$T/fs" | grep -q tmp && fail "a temporary file was left on the full disk"
    # the epoch-1 checkpoint is whole: resuming it elsewhere gives the uninterrupted bytes
    cp "$T/fs/a.st" "$T/a.st"
    "$AX" train $args --out "$T/a.st" --resume >/dev/null 2>"$T/e" || { cat "$T/e"; fail "resume after ENOSPC"; }
    cmp -s "$T/a.st" "$T/ref.st" || fail "resumed checkpoint differs from the uninterrupted run"
    # estimate: results.json of a finished run, then a rerun on a full disk
    umount "$T/fs"; mount -t tmpfs -o size=1m tmpfs "$T/fs" || exit 77
    eargs="--units mul_exact --formats bf16 --adder none --retrain-epochs 0 --test-limit 100 --no-verify --quiet"
    "$AX" estimate $eargs --out "$T/fs/est" >/dev/null 2>&1 || fail "estimate setup"
    cp "$T/fs/est/results.json" "$T/keep.json"
    dd if=/dev/zero of="$T/fs/fill" bs=4k 2>/dev/null
    "$AX" estimate $eargs --out "$T/fs/est" --resume >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] || { cat "$T/e"; fail "estimate on a full disk: exit $rc, want 1"; }
    grep -q "No space left on device (the previous file, if any, is unchanged)" "$T/e" || { cat "$T/e"; fail "estimate message"; }
    cmp -s "$T/fs/est/results.json" "$T/keep.json" || fail "results.json changed on a full disk"
    # read-only: refused before any work, the file untouched
    rm -f "$T/fs/fill"; echo keep >"$T/fs/ro.st"
    mount -o remount,ro "$T/fs" || exit 77
    "$AX" train $args --out "$T/fs/new.st" >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 2 ] || { cat "$T/e"; fail "read-only --out: exit $rc, want 2"; }
    grep -q "Read-only file system" "$T/e" || { cat "$T/e"; fail "read-only message"; }
    "$AX" train $args --out "$T/fs/ro.st" --resume >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 2 ] || { cat "$T/e"; fail "read-only --resume: exit $rc, want 2"; }
    [ "$(cat "$T/fs/ro.st")" = keep ] || fail "read-only checkpoint changed"
    "$AX" estimate $eargs --out "$T/fs/est" >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 2 ] || { cat "$T/e"; fail "estimate into a read-only folder: exit $rc, want 2"; }
    cmp -s "$T/fs/est/results.json" "$T/keep.json" || fail "results.json changed on a read-only disk"
    exit 0' || exit $? ;;
calc_read_error)
  # a getline failure (ENOMEM: a line too long for memory) is a read error naming the line,
  # not the end of the input ("1 passed, 0 failed", exit 0, the rest unread); the shim makes
  # the second getline fail as glibc's does (tests/cli/fail_getline.c)
  shim=$(dirname "$GEN")/fail_getline.so
  [ -f "$shim" ] || fail "no $shim"
  printf '3F80 3F80 3F80\n3F80 3F80 3F80\n3F80 3F80 4000\n' >"$T/v"
  run env AXSIM_TEST_FAIL_GETLINE=2 LD_PRELOAD="$shim" \
      ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
      "$AX" calc --unit mul_exact --fmt bf16 --check "$T/v"
  grep -q "fail_getline: call 2 fails" "$T/err" ||
    { echo "SKIP: the shim cannot interpose getline in this build"; cat "$T/err"; exit 77; }
  [ $rc -eq 2 ] || { cat "$T/out" "$T/err"; fail "read error: exit $rc, want 2"; }
  has err "$T/v:2: read error: Cannot allocate memory"
  grep -q "passed" "$T/out" && fail "a summary after a read error" ;;
calc_nul_byte)
  # bytes after a NUL were dropped silently: the line is an error that names it
  printf '3F80 3F80 3F80\n3F80 3F80\0 4000 zz\n' >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "NUL: exit $rc, want 2"; has err "$T/v:2: the line holds a NUL byte (at byte 10"
  printf '3F80 3F80\0\n' | run "$AX" calc --unit mul_exact --fmt bf16 -
  [ $rc -eq 2 ] || fail "NUL on stdin: exit $rc"; has err "<stdin>:1: the line holds a NUL byte" ;;
calc_long_field)
  # a 1 MB bad field was echoed whole; now its first 40 bytes, "..." and its length
  { printf '3F80 '; head -c 1048576 /dev/zero | tr '\0' A; printf '\n'; } >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "long field: exit $rc"
  [ "$(wc -c <"$T/err")" -lt 300 ] || fail "a $(wc -c <"$T/err")-byte message"
  has err "$T/v:1: operand b 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...' (1048576 bytes) is not a hex"
  # control characters in a field are shown escaped, not sent to the terminal
  printf '3F80 1\033[2J\n' >"$T/v"
  run "$AX" calc --unit mul_exact --fmt bf16 "$T/v"
  [ $rc -eq 2 ] || fail "escape: exit $rc"; has err "operand b '1\\\\x1B\[2J' is not" ;;
byo_manifest_paths)
  # a newline in the manifest's own path ended the "# generated by" comment of the generated
  # CMakeLists.txt: the next line of the path ran as CMake code at configure time
  src=$T/src; mkdir -p "$src"
  cp "$(dirname "$0")/../../examples/byo/mul_opt.v" "$(dirname "$0")/../../examples/byo/mul_opt.c" "$src/"
  manifest() { printf 'name = mul_t\nkind = mul\nverilog = %s\ntop = mul_opt\nc_source = %s\nc_function = mul_opt\nformats = fp8e4m3\n%s' \
                 "$src/mul_opt.v" "$src/mul_opt.c" "${1-}"; }
  d="$T/a"$'\n'"execute_process(COMMAND touch $T/marker)"$'\n'"#"
  mkdir -p "$d"; manifest >"$d/m.manifest"
  run env AXSIM_CACHE_DIR="$T/cache" "$AX" verify --manifest "$d/m.manifest"
  [ -e "$T/marker" ] && fail "the manifest's path ran as CMake code"
  [ $rc -eq 2 ] || { cat "$T/err"; fail "newline in the manifest path: exit $rc, want 2"; }
  has err "the manifest '$T/a\\\\x0Aexecute_process"; has err "control character (0x0A at byte"
  [ -e "$T/cache/byo" ] && fail "a cache folder for a refused manifest"
  d="$T/b"$'\r'"c"; mkdir -p "$d"; manifest >"$d/m.manifest"
  run env AXSIM_CACHE_DIR="$T/cache" "$AX" verify --manifest "$d/m.manifest"
  [ $rc -eq 2 ] || fail "CR in the manifest path: exit $rc"; has err "control character (0x0D"
  # a source path that resolves (through a link) to a name with a newline: refused too
  mkdir -p "$src/x"$'\n'"z"; cp "$src/mul_opt.v" "$src/x"$'\n'"z/"; ln -s "x"$'\n'"z" "$src/lnk"
  manifest | sed "s|^verilog = .*|verilog = lnk/mul_opt.v|" >"$src/m.manifest"
  run env AXSIM_CACHE_DIR="$T/cache" "$AX" verify --manifest "$src/m.manifest"
  [ $rc -eq 2 ] || fail "a source path with a newline: exit $rc"
  has err "m.manifest:3: verilog '$src/x\\\\x0Az/mul_opt.v': the path holds a control character" ;;
byo_manifest_lines)
  # parameters are range-checked, NUL bytes named, format parameters not overridable
  src=$T/src; mkdir -p "$src"
  cp "$(dirname "$0")/../../examples/byo/mul_opt.v" "$(dirname "$0")/../../examples/byo/mul_opt.c" "$src/"
  manifest() { printf 'name = mul_t\nkind = mul\nverilog = mul_opt.v\ntop = mul_opt\nc_source = mul_opt.c\nc_function = mul_opt\nformats = fp8e4m3\n%s' "${1-}"; }
  bad() { # bad MANIFEST-TAIL PATTERN
    manifest "$1" >"$src/m.manifest"
    run env AXSIM_CACHE_DIR="$T/cache" "$AX" verify --manifest "$src/m.manifest"
    [ $rc -eq 2 ] || { cat "$T/err"; fail "exit $rc for: $1"; }
    has err "$2"
  }
  bad 'parameters = T=99999999999999999999999' \
    "m.manifest:8: parameters: 'T=99999999999999999999999': the value is out of range: Verilog integer parameters are 32-bit signed, -2147483648..2147483647"
  bad 'parameters = T=2147483648' "m.manifest:8: parameters: 'T=2147483648': the value is out of range"
  bad 'parameters = T=-2147483649' "m.manifest:8: parameters: 'T=-2147483649': the value is out of range"
  bad 'parameters = T=0x10' "m.manifest:8: parameters: 'T=0x10' is not NAME=INTEGER"
  bad 'parameters = E=5' "m.manifest:8: parameters: 'E=5': axsim sets E itself from the formats"
  bad 'parameters = T=1 T=2' "m.manifest:8: parameters: 'T' given twice"
  # a NUL byte was reported as "line longer than 4094 characters"
  { manifest; printf 'axsim_rtl = yes\0 junk\n'; } >"$src/m.manifest"
  run env AXSIM_CACHE_DIR="$T/cache" "$AX" verify --manifest "$src/m.manifest"
  [ $rc -eq 2 ] || fail "NUL: exit $rc"
  has err "m.manifest:8: the line holds a NUL byte (at byte 16); a manifest is text"
  [ -e "$T/cache/byo" ] && fail "a cache folder for a refused manifest"
  true ;;
accel)
  # a GEMM worked by hand (docs/accelerator.md, "Memory"): 8x8x8 on a 4x4 os
  # array, 1 word per cycle, resident operands: 4 folds of 8+4+4-2 = 14
  # cycles, fold 1 waits until 32, fold 2 until 64, fold 3 until 80; the
  # layer ends at 80 + 14 + 1 = 95, 38 of them stalls; SCALE-Sim counts 93
  printf 'Layer, M, N, K,\nt8, 8, 8, 8,\n' >"$T/topo.csv"
  run "$AX" accel --topology "$T/topo.csv" --array 4x4 --dataflow os --bandwidth 1 --out "$T/a" --json "$T/a.json"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "exit $rc"; }
  has out "^t8 .* 8x8x8 .*  4 .*  95 .*  38 "
  grep -q '^0, 93, 38, ' "$T/a/COMPUTE_REPORT.csv" || { cat "$T/a/COMPUTE_REPORT.csv"; fail "COMPUTE_REPORT"; }
  # fold 1 (row fold 1: rows 4..7 of M) starts at 32, after 32 - 14 = 18 stalls; fold 3 at 80
  grep -q '^"t8",1,1,0,4,4,0,4,32,14,18,' "$T/a/folds.csv" || { cat "$T/a/folds.csv"; fail "folds.csv fold 1"; }
  grep -q '^"t8",3,1,1,4,4,4,4,80,14,2,' "$T/a/folds.csv" || fail "folds.csv fold 3"
  for f in layers.csv BANDWIDTH_REPORT.csv DETAILED_ACCESS_REPORT.csv; do
    [ -s "$T/a/$f" ] || fail "no $f"
  done
  if command -v gnuplot >/dev/null; then [ -s "$T/a/accel.png" ] || fail "no accel.png"; fi
  grep -q '"stall_cycles":[[:space:]]*38' "$T/a.json" || fail "JSON stall_cycles"
  # 8*8*8 MACs over 95 cycles x 16 PEs
  grep -q '"overall_utilization":[[:space:]]*0.3368421052631' "$T/a.json" || fail "JSON utilization"
  # nothing the user had is overwritten
  run "$AX" accel --topology "$T/topo.csv" --out "$T/a"
  [ $rc -eq 2 ] || fail "existing files: exit $rc"
  has err "layers.csv exists"
  # the model's layers: LeNet-5 has two convolutions and three linear layers
  run "$AX" accel --out "$T/b" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "lenet5: exit $rc"; }
  has out "^conv1 .*784x6x25"
  has out "^fc3 .*1x10x84"
  # SCALE-Sim's memory model: its CI run (AlexNet Conv1, 32x32 ws, CALC)
  # reproduced column for column, DRAM included (scale-sim-v2's
  # test/general/golden_trace/DETAILED_ACCESS_REPORT.csv)
  printf '[general]\nrun_name = ci\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 32\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nIfmapOffset: 0\nFilterOffset: 10000000\nOfmapOffset: 20000000\nBandwidth : 10\nDataflow : ws\nMemoryBanks: 1\n[run_presets]\nInterfaceBandwidth: CALC\n' >"$T/ci.cfg"
  printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1, 224, 224, 11, 11, 3, 96, 4,\n' >"$T/alex.csv"
  run "$AX" accel --config "$T/ci.cfg" --topology "$T/alex.csv" --memory scalesim --out "$T/s" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "scalesim memory: exit $rc"; }
  grep -qx '0, 33.0, 112176.0, 3294225, 1.0, 109197.0, 34848, 63.0, 112283.0, 3484800, -3243.0, 111824.0, 1805023, -3275.0, 102937.0, 34848, 1102.0, 112639.0, 3484831,' "$T/s/DETAILED_ACCESS_REPORT.csv" ||
    { cat "$T/s/DETAILED_ACCESS_REPORT.csv"; fail "DETAILED_ACCESS_REPORT under SCALE-Sim's memory"; }
  # a model's padded convolutions through it, USER bandwidth; folds.csv has
  # no per-fold DRAM columns there
  run "$AX" accel --memory scalesim --bandwidth 4 --out "$T/s2" --json "$T/s2.json" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "lenet5, scalesim memory: exit $rc"; }
  has out "SCALE-Sim's memory model"
  grep -q '"memory":[[:space:]]*"scalesim"' "$T/s2.json" || fail "JSON memory"
  grep -q '^"conv1",0,.*,,$' "$T/s2/folds.csv" || { head -3 "$T/s2/folds.csv"; fail "folds.csv, scalesim memory"; }
  # bad input: the file and line, the reason, exit 2
  bad() { run "$AX" accel "$@" --out "$T/bad"; [ $rc -eq 2 ] || { cat "$T/err"; fail "exit $rc for $*"; }; }
  bad --array 0x4
  has err "rows and columns must be 1..4096"
  bad --dataflow rs
  has err "unknown dataflow 'rs'"
  printf 'Layer, M, N, K,\nok, 1, 2, 3,\nbad, 5, x, 3,\n' >"$T/bad.csv"
  bad --topology "$T/bad.csv"
  has err "bad.csv:3: field 3 ('x') of layer 'bad'"
  printf '[general]\nrun_name = r\n[architecture_presets]\nArrayHeight: 8\n' >"$T/bad.cfg"
  bad --config "$T/bad.cfg"
  has err "bad.cfg: \[architecture_presets\] ArrayWidth is missing"
  printf 'mac = 1\nsram = 2\n' >"$T/e.txt"
  bad --energy "$T/e.txt"
  has err "e.txt:2: unknown energy 'sram'"
  bad --topology "$T/topo.csv" --mode cycle
  has err "a topology has no data"
  bad --images 3
  has err "are for --mode cycle"
  bad --model snn-conv
  has err "spiking"
  bad --memory dram
  has err "unknown memory model 'dram'"
  bad --memory scalesim --mode cycle
  has err "memory scalesim is for --mode analytic"
  [ -e "$T/bad" ] && [ -n "$(ls "$T/bad")" ] && fail "a refused run left files"
  true ;;
daa)
  # dynamic asymmetric precision (docs/units.md section 15) through eval on
  # the shipped LeNet-5
  W="$(cd "$(dirname "$0")/../.." && pwd)/networks/weights/lenet5-fashion-mnist.safetensors"
  ev() { rm -f "$T/e.json"; run "$AX" eval --weights "$W" --test-limit 200 --mac "$1" --json "$T/e.json"
         [ $rc -eq 0 ] || { cat "$T/err"; fail "eval --mac $1: exit $rc"; }; }
  acc_loss() { sed -n 's/.*accuracy \([0-9.]*%\), loss \([0-9.]*\).*/\1 \2/p' "$T/out"; }
  conv1() { sed -n 's/^  conv1  *\([0-9.]*\)% .*/\1/p' "$T/out"; }
  # lo the same multiplier on the same operands: the plain MAC's bits, so its accuracy and loss
  ev mul=mitchell,in=bf16; plain=$(acc_loss)
  ev daa:hi=mitchell,lo=mitchell,policy=random,seed=3,in=bf16; same=$(acc_loss)
  [ -n "$plain" ] && [ "$plain" = "$same" ] || fail "lo = hi: '$same', plain '$plain'"
  has out "^  conv1 .*% of [0-9]* non-zero products through the high-precision multiplier"
  grep -q '"daa_hi_fraction"' "$T/e.json" || fail "JSON lacks daa_hi_fraction"
  # zero and value give hi to the non-zero product of a pair with one zero
  # and to one of two non-zero ones: on the same operands (conv1's: the
  # images; later layers see the policy's own activations) the same
  # fraction, at least half, and no less than static's
  ev daa:hi=exact,lo=drum:k=3,policy=zero,in=bf16; z=$(conv1)
  ev daa:hi=exact,lo=drum:k=3,policy=value,in=bf16; v=$(conv1)
  ev daa:hi=exact,lo=drum:k=3,policy=static,in=bf16; st=$(conv1)
  [ -n "$z" ] && [ "$z" = "$v" ] || fail "zero $z% and value $v% of products through hi differ"
  awk -v z="$z" -v s="$st" 'BEGIN { exit !(z >= 50 && z >= s) }' || fail "zero $z%, static $st%"
  # a policy's error metrics: value loses less than static, both less than all lo
  ned() { "$AX" metrics --mac "daa:hi=exact,lo=mitchell,in=bf16,policy=$1" --pairs 200 --terms 64 |
          sed -n "s/^  NED, $2 *\([0-9.e+-]*\)$/\1/p"; }
  vp=$(ned value "the policy"); sp=$(ned static "the policy"); lo=$(ned static "all lo")
  awk -v v="$vp" -v s="$sp" -v l="$lo" 'BEGIN { exit !(v > 0 && v < s && s < l) }' ||
    fail "NED value $vp, static $sp, all lo $lo"
  run "$AX" metrics --mac daa:lo=mitchell,in=bf16 --pairs 10 --terms 8 --json
  [ $rc -eq 0 ] && grep -q '"hi_fraction"' "$T/out" || fail "metrics --json"
  # refusals: the reason, exit 2
  bad() { run "$AX" "$@"; [ $rc -eq 2 ] || { cat "$T/err"; fail "exit $rc for $*"; }; }
  bad metrics --mac mul=mitchell,in=bf16
  has err "not a DAA configuration"
  bad eval --weights "$W" --mac daa:hi=exact,in=bf16
  has err "lo (the low-precision multiplier) is missing"
  bad eval --weights "$W" --mac daa:lo=exact,lo_in=fp16,in=bf16
  has err "lo_in=fp16 is wider than in=bf16"
  bad eval --weights "$W" --mac daa:lo=exact,policy=best
  has err "unknown DAA policy 'best'"
  # estimate: a row per DAA configuration, after the units; its RTL check is
  # the verilated DAA PE of that configuration when the build has it
  D="daa:hi=exact,lo=exact,lo_in=fp8e4m3,in=bf16,prod=fp32,acc=fp32"
  run "$AX" estimate --units mul_exact --formats bf16 --adder none --daa "$D;$D,policy=static" \
    --test-limit 200 --retrain-epochs 0 --out "$T/est" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "estimate --daa: exit $rc"; }
  grep -Eq "^daa:value mul_exact/mul_exact +bf16/fp8e4m3 .* (verified|not built) " "$T/out" ||
    fail "estimate: no DAA row"
  has out "^daa:static mul_exact/mul_exact "
  has out "^    policy NED [0-9.e+-]* (all hi .*), hi share 75.0%; the network's non-zero products through hi: [0-9.]*%"
  [ "$(wc -l <"$T/est/results.csv")" -eq 4 ] || fail "estimate CSV: want a header and 3 rows"
  grep -q '"daa.value.mul_exact/mul_exact+add_exact.bf16/fp8e4m3.fp32.fp32"' "$T/est/results.json" ||
    fail "estimate JSON: the DAA PE's verifier name"
  grep -q '"hi_fraction_network"' "$T/est/results.json" || fail "estimate JSON: hi_fraction_network"
  bad estimate --daa mul=exact,in=bf16 --out "$T/est2"
  has err "not a DAA configuration"
  # the array of DAA PEs: 8x8x8 on a 4x4 os array maps 4 pairs of rows of A
  # on the rows: 2 folds of 8 + 4 + 4 - 2 = 14 cycles, + 1 = 29; the plain
  # array takes 4 folds, 57 cycles
  printf 'Layer, M, N, K,\nt8, 8, 8, 8,\n' >"$T/topo.csv"
  run "$AX" accel --topology "$T/topo.csv" --array 4x4 --dataflow os --mac daa:lo=mitchell,in=bf16 \
    --out "$T/acc" --json "$T/acc.json" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "accel, DAA: exit $rc"; }
  has out "^t8 .* 8x8x8 .*  2 .*  29 "
  has out "against the plain 4x4 array of hi MACs: cycles 29 vs 57 (1.97x the throughput)"
  grep -q '"plain_array"' "$T/acc.json" && grep -q '"streams_per_pe":[[:space:]]*2' "$T/acc.json" ||
    fail "JSON plain_array / streams_per_pe"
  # a batch: LeNet-5's linear layers get one row of A per image
  run "$AX" accel --batch 4 --mac daa:lo=mitchell,in=bf16 --out "$T/acc2" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "accel --batch 4: exit $rc"; }
  has out "^fc3 .*4x10x84 "
  has out "per batch of 4 images"
  bad accel --mac daa:lo=mitchell,in=bf16 --mode cycle --out "$T/acc3"
  has err "an array of DAA PEs (rtl/ax_daa_pe.v, two streams each) is counted by --mode analytic"
  bad accel --mac daa:lo=mitchell,in=bf16 --memory scalesim --out "$T/acc3"
  has err "runs with axsim's"
  bad accel --batch 0 --out "$T/acc3"
  has err "batch: give 1..65536"
  bad eval --model snn-mlp --weights "${W%/*}/snn-mlp-fashion-mnist.safetensors" --mac daa:lo=mitchell,in=bf16
  has err "spiking: its synapses of binary spikes only add"
  true ;;
accel_cycle)
  # every output and flag of LeNet-5's layers on the array equals the fast
  # path's, every count the analytic model's; a VCD of one fold
  run "$AX" accel --mode cycle --images 2 --bandwidth 3 --out "$T/c" --vcd conv2:1
  if [ $rc -eq 2 ] && grep -q "no SystemC model" "$T/err"; then echo "skip: no SystemC build"; exit 77; fi
  [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "exit $rc"; }
  has out "^conv1 .* 9408 equal"
  has out "every output and flag equals the fast path's; every count the analytic model's"
  head -1 "$T/c/conv2.fold1.vcd" | grep -q '^\$comment axsim-accel: 16x16 ws array' || fail "VCD header"
  grep -q 'pe_r15_c15' "$T/c/conv2.fold1.vcd" || fail "VCD lacks the PE registers"
  # the other dataflows, the approximate adder (where the order of additions shows)
  for df in os is; do
    run "$AX" accel --mode cycle --dataflow $df --array 8x8 --mac mul=exact,in=bf16,prod=fp32,add=loa:l=8,acc=fp32 --out "$T/$df"
    [ $rc -eq 0 ] || { cat "$T/out" "$T/err"; fail "$df: exit $rc"; }
    has out "rtl PEs): every output and flag equals the fast path's"
  done
  # an unverilated MAC: refused for RTL PEs (naming the built ones), run on C PEs
  run "$AX" accel --mode cycle --mac mul=drum:k=4,in=fp16,acc=fp16 --out "$T/d"
  [ $rc -eq 2 ] || fail "unbuilt RTL MAC: exit $rc"
  has err "is not verilated as a PE"
  run "$AX" accel --mode cycle --mac mul=drum:k=4,in=fp16,acc=fp16 --pe c --dataflow is --array 5x7 --out "$T/d"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "C PEs: exit $rc"; }
  has out "c PEs): every output"
  run "$AX" accel --mode cycle --vcd nosuch --out "$T/e"
  [ $rc -eq 2 ] || fail "--vcd nosuch: exit $rc"
  has err "no layer of that name"
  true ;;
pytorch_ckpt)
  # issue 17's rough edges 1-5: a checkpoint as PyTorch exports it (no metadata,
  # an I64 num_batches_tracked per BatchNorm, a tensor the model lacks, its own names)
  [ -x "$TOOL" ] || { echo "no ckpt_tool"; exit 77; }
  D=/usr/share/datasets/fashion-mnist
  W=$(dirname "$0")/../../networks/weights/lenet5-fashion-mnist.safetensors
  "$TOOL" torch "$W" "$T/l.st" || fail "ckpt_tool torch"
  # 2, 3: integer dtypes read, the model from the tensor names, unused tensors named
  run "$AX" eval --weights "$T/l.st" --test-limit 500 --json "$T/l.json" --predictions "$T/l.csv"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "eval of the PyTorch-style lenet5: exit $rc"; }
  has err "no model in its metadata; its tensor names are lenet5's"
  has err "1 tensor the lenet5 model does not use, ignored: extra.mask"
  # 1: no normalization metadata: the training images' statistics, said and recorded
  has err "normalization from the training images' statistics (mean 0.2860, std 0.3530)"
  grep -A4 '"normalization"' "$T/l.json" >"$T/n"; has n '"source":.*"training images"'
  run "$AX" eval --weights "$W" --test-limit 500 --predictions "$T/w.csv" --json "$T/w.json"
  acc=$(sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p' "$T/out")
  cmp -s "$T/l.csv" "$T/w.csv" || fail "the PyTorch-style copy predicts otherwise than the original"
  grep -A4 '"normalization"' "$T/w.json" >"$T/n"; has n '"source":.*"checkpoint"'
  # without training images: the test images' statistics, with a warning, in the JSON too
  run "$AX" eval --weights "$T/l.st" --test-images $D/t10k-images-idx3-ubyte.gz \
      --test-labels $D/t10k-labels-idx1-ubyte.gz --test-limit 100 --json "$T/t.json" --quiet
  [ $rc -eq 0 ] || fail "eval on test files alone: exit $rc"
  has err "warning: normalization from the test images' statistics"
  grep -A4 '"normalization"' "$T/t.json" >"$T/n"; has n '"source":.*"test images"'
  run "$AX" eval --weights "$T/l.st" --norm 0.25,0.5 --test-limit 100 --json "$T/o.json" --quiet
  grep -A4 '"normalization"' "$T/o.json" >"$T/n"; has n '"source":.*"--norm"'; has n '"mean":.*0.25'
  # 3: the model from the metadata; a --model that disagrees is refused
  M=$(dirname "$0")/../../networks/weights/mlp-fashion-mnist.safetensors
  run "$AX" eval --weights "$M" --test-limit 100 --json "$T/m.json" --quiet
  [ $rc -eq 0 ] || fail "eval of the mlp checkpoint without --model: exit $rc"; has m.json '"model":.*"mlp"'
  run "$AX" eval --weights "$M" --model lenet5 --test-limit 100
  [ $rc -eq 2 ] || fail "--model lenet5 on an mlp checkpoint: exit $rc"; has err "holds a mlp model, not lenet5"
  # 4: the predictions: a line per image, the accuracy is the share of label == predicted
  [ "$(wc -l <"$T/l.csv")" -eq 501 ] || fail "predictions: $(wc -l <"$T/l.csv") lines, want 501"
  head -1 "$T/l.csv" | grep -q '^image,label,predicted,logit_0,.*,logit_9$' || fail "predictions header"
  mine=$(awk -F, 'NR > 1 { n++; ok += $2 == $3 } END { printf "%.2f", 100 * ok / n }' "$T/w.csv")
  [ "$acc" = "$mine" ] || fail "predictions give accuracy $mine%, eval printed $acc%"
  # the predicted class is the first largest logit; labels are the test set's (line 2: 9, the IDX file's first)
  awk -F, 'NR > 1 { a = 4; for (k = 5; k <= NF; k++) if ($k + 0 > $a + 0) a = k; if (a - 4 != $3) exit 1 }' \
      "$T/l.csv" || fail "a predicted class is not the largest logit"
  [ "$(sed -n 2p "$T/l.csv" | cut -d, -f2)" = "$(zcat $D/t10k-labels-idx1-ubyte.gz | od -An -tu1 -j8 -N1 | tr -d ' ')" ] ||
    fail "the first label is not the test set's"
  run "$AX" eval --weights "$W" --test-limit 500 --predictions "$T/w.npy" --quiet
  [ $rc -eq 0 ] || fail "--predictions .npy: exit $rc"
  [ "$(head -c 6 "$T/w.npy" | od -An -c | tr -d ' ')" = '223NUMPY' ] || fail "no NPY magic"
  hl=$(od -An -tu2 -j8 -N2 "$T/w.npy" | tr -d ' ')
  [ "$(stat -c %s "$T/w.npy")" -eq $((10 + hl + 500 * 12 * 4)) ] || fail "NPY size"
  [ $(((10 + hl) % 64)) -eq 0 ] || fail "NPY data not 64-aligned"
  if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    /usr/bin/python3 - "$T/w.npy" "$T/w.csv" <<'PY' || fail "the NPY and the CSV disagree"
import sys, numpy as np
a = np.load(sys.argv[1]); b = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, dtype=np.float64)
assert a.shape == (500, 12) and a.dtype == np.float32, a.shape
assert (a == b[:, 1:].astype(np.float32)).all()
PY
  fi
  run "$AX" eval --weights "$W" --test-limit 10 --predictions "$T/w.npy"
  [ $rc -eq 2 ] || fail "an existing --predictions file: exit $rc"; has err "exists"
  run "$AX" train --epochs 1 --limit 10 --out "$T/x.st" --predictions "$T/p.csv"
  [ $rc -eq 2 ] || fail "train --predictions: exit $rc"; has err "option --predictions is for eval"
  # 5: names mapped by a rules file: a ResNet-8 under PyTorch's CIFAR names
  "$AX" train --model resnet8 --epochs 1 --limit 64 --test-limit 64 --out "$T/r.st" --quiet >/dev/null ||
    fail "setup train resnet8"
  "$TOOL" torch "$T/r.st" "$T/rt.st" "$(dirname "$0")/resnet-to-torch.txt" || fail "ckpt_tool torch resnet"
  run "$AX" eval --weights "$T/rt.st" --test-limit 100
  [ $rc -eq 2 ] || fail "PyTorch's ResNet names without --rename: exit $rc"
  has err "its tensor names fit none of the architectures"
  R=$(dirname "$0")/../../examples/rename/resnet-cifar.txt
  run "$AX" eval --weights "$T/rt.st" --rename "$R" --test-limit 100 --predictions "$T/rt.csv"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "--rename resnet-cifar.txt: exit $rc"; }
  has err "its tensor names are resnet8's"; has err "10 tensors the resnet8 model does not use"
  run "$AX" eval --weights "$T/r.st" --test-limit 100 --predictions "$T/r.csv"
  cmp -s "$T/r.csv" "$T/rt.csv" || fail "the renamed ResNet-8 predicts otherwise"
  # bad rules: said with the file and line, nothing runs
  badrule() { printf '%s\n' "$1" >"$T/bad.txt"; run "$AX" eval --weights "$T/rt.st" --rename "$T/bad.txt" --test-limit 10
    [ $rc -eq 2 ] || fail "rule '$1': exit $rc"; has err "$2"; }
  badrule 'conv1.* stem.conv.* extra' "bad.txt:1: expected 'FROM TO'"
  badrule 'conv1.* stem.conv' "bad.txt:1: 'conv1.\*' and 'stem.conv' must hold the same number of '\*'"
  badrule 'layer1.0.conv1.weight linear.weight' "tensors 'layer1.0.conv1.weight' and 'linear.weight' would both be named 'linear.weight'"
  badrule 'a**b x*y*' "two '\*' side by side"
  run "$AX" eval --weights "$T/rt.st" --rename "$T/none.txt" --test-limit 10
  [ $rc -eq 2 ] || fail "a missing rules file: exit $rc"; has err "none.txt: cannot open"
  run "$AX" train --epochs 1 --limit 10 --out "$T/y.st" --rename "$R"
  [ $rc -eq 2 ] || fail "train --rename: exit $rc"
  # a dtype safetensors has but axsim does not read: named
  sed 's/"U8"/"C8"/' "$T/l.st" >"$T/c.st"
  run "$AX" eval --weights "$T/c.st" --test-limit 10
  [ $rc -eq 2 ] || fail "dtype C8: exit $rc"; has err "tensor 'extra.mask' has dtype C8 (supported: F32"
  # estimate takes the model from the checkpoint too
  run "$AX" estimate --weights "$M" --units mul_exact --formats bf16 --adder none --retrain-epochs 0 \
      --test-limit 100 --no-verify --out "$T/est" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "estimate --weights mlp without --model: exit $rc"; }
  has out "mlp"
  true ;;
onnx)
  # issue 17: ONNX import end to end (the model-level checks are test_onnx.cpp's)
  O=$(dirname "$0")/../onnx
  # PyTorch's own accuracy of this export on the first 2,000 test images: 91.05 %
  # (tests/onnx/lenet5.pred.npy against the labels; 90.31 % on all 10,000)
  run "$AX" eval --onnx "$O/lenet5.onnx" --norm 0.2860,0.3530 --test-limit 2000 --json "$T/e.json"
  [ $rc -eq 0 ] || { cat "$T/err"; fail "eval --onnx lenet5: exit $rc"; }
  has out "onnx, mul=mul_exact,in=fp32.*2000 images, accuracy 91.05%"
  has e.json '"onnx":.*lenet5.onnx'; has e.json '"model":.*"onnx"'
  # the final Softmax is said to be left out
  run "$AX" eval --onnx "$O/ops_mlp.onnx" --test-limit 100
  [ $rc -eq 0 ] || fail "eval --onnx ops_mlp: exit $rc"; has err "the final Softmax is left out"
  # retrain through the MAC, then the checkpoint's weights in the ONNX model
  run "$AX" retrain --onnx "$O/resnet8_bn.onnx" --mac mul=mitchell,in=bf16 --epochs 1 --limit 128 \
      --test-limit 100 --out "$T/r.st" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "retrain --onnx: exit $rc"; }
  after=$(sed -n 's/^after .*accuracy \([0-9.]*\)%.*/\1/p' "$T/out")
  run "$AX" eval --onnx "$O/resnet8_bn.onnx" --weights "$T/r.st" --mac mul=mitchell,in=bf16 --test-limit 100 --quiet
  [ $rc -eq 0 ] || fail "eval --onnx --weights: exit $rc"
  has out "accuracy $after%"
  # estimate rows over an ONNX model
  run "$AX" estimate --onnx "$O/lenet5.onnx" --units mul_exact --formats bf16 --adder none --retrain-epochs 0 \
      --test-limit 200 --no-verify --out "$T/est" --quiet
  [ $rc -eq 0 ] || { cat "$T/err"; fail "estimate --onnx: exit $rc"; }
  has out "lenet5.onnx"
  # the array: the ONNX ResNet-8 is the built-in resnet8, layer for layer, so the same totals
  "$AX" accel --onnx "$O/resnet8_bn.onnx" --out "$T/a1" --quiet | grep '^total' >"$T/t1" || fail "accel --onnx"
  "$AX" accel --model resnet8 --out "$T/a2" --quiet | grep '^total' >"$T/t2" || fail "accel --model resnet8"
  cmp -s "$T/t1" "$T/t2" || { cat "$T/t1" "$T/t2"; fail "accel --onnx resnet8 totals differ from the built-in's"; }
  # cycle mode: dilated, strided, depthwise and 3x1 convolutions through the array, checked against the fast path
  run "$AX" accel --onnx "$O/ops_conv.onnx" --mode cycle --images 1 --pe c --out "$T/a3" --quiet
  if [ $rc -ne 77 ] && ! grep -q "no SystemC model" "$T/err"; then
    [ $rc -eq 0 ] || { cat "$T/err"; fail "accel --onnx --mode cycle: exit $rc"; }
    has out "every output and flag equals the fast path's; every count the analytic model's"
  fi
  # refusals
  bad() { run "$AX" "$@"; [ $rc -eq 2 ] || { cat "$T/err"; fail "exit $rc for $*"; }; }
  bad eval --onnx "$O/lenet5.onnx" --model lenet5; has err "give --onnx FILE or --model M, not both"
  bad train --onnx "$O/lenet5.onnx" --out "$T/t.st"; has err "^axsim train: --onnx is for eval and retrain"
  bad eval --onnx "$T/none.onnx"; has err "none.onnx: cannot open"
  printf 'not a model' >"$T/bad.onnx"
  bad eval --onnx "$T/bad.onnx"; has err "not an ONNX model"
  bad eval --onnx "$O/lenet5.onnx" --rename "$T/x.txt"; has err "an ONNX file's weights load as they are"
  bad accel --onnx "$O/lenet5.onnx" --model lenet5; has err "give one"
  bad accel --onnx "$O/ops_conv.onnx" --memory scalesim --out "$T/a4"; has err "SCALE-Sim's memory model addresses neither"
  true ;;
*) fail "unknown case $CASE" ;;
esac
echo "ok: $CASE"
