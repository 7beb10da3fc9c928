#!/usr/bin/env bash
# daa-study.sh — the dynamic-asymmetric-precision study of docs/results.md:
# a network trained from scratch on Fashion-MNIST with DAA in the forward and
# both backward GEMMs (docs/units.md section 15) under each controller policy,
# against exact fp32, all products through hi and all through lo; then the
# array's throughput and energy for the DAA PEs against the plain array
# (axsim accel). Writes OUT/summary.csv, OUT/accel.txt and OUT/daa.png
# (accuracy against the share of non-zero products through hi).
#   scripts/daa-study.sh [OUT]        (default axsim-daa-study)
# Environment: AXSIM (default build/cli/axsim), MODEL (lenet5), EPOCHS (4),
# LIMIT (training images, default all), TEST_LIMIT (test images, default
# all), HI_IN (bf16), LO_IN (e4m2), SEED (1),
# THREADS (every core). A run whose JSON exists is kept; an interrupted one
# resumes from its checkpoint, so the same command continues a study.
set -euo pipefail
OUT=${1:-axsim-daa-study}
AX=${AXSIM:-build/cli/axsim}
MODEL=${MODEL:-lenet5}
EPOCHS=${EPOCHS:-4}
HI_IN=${HI_IN:-bf16}
LO_IN=${LO_IN:-e4m2}
SEED=${SEED:-1}
[ -x "$AX" ] || { echo "daa-study: no axsim at $AX (build first, or set AXSIM)" >&2; exit 2; }
mkdir -p "$OUT"
common=(--model "$MODEL" --epochs "$EPOCHS" --seed "$SEED" --quiet)
[ -n "${LIMIT:-}" ] && common+=(--limit "$LIMIT")
[ -n "${TEST_LIMIT:-}" ] && common+=(--test-limit "$TEST_LIMIT")
[ -n "${THREADS:-}" ] && common+=(--threads "$THREADS")
daa="daa:hi=exact,lo=exact,lo_in=$LO_IN,in=$HI_IN,prod=fp32,add=exact,acc=fp32"
# name | forward MAC (the gradients' too)
runs=(
  "fp32|mul=exact,in=fp32"
  "all_hi|mul=exact,in=$HI_IN,prod=fp32,add=exact,acc=fp32"
  "all_lo|mul=exact,in=$LO_IN,prod=fp32,add=exact,acc=fp32"
  "daa_static|$daa,policy=static"
  "daa_random|$daa,policy=random,seed=1"
  "daa_zero|$daa,policy=zero"
  "daa_value|$daa,policy=value"
)
# a number from one of axsim's JSON files: the last "key": value line
num() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([-0-9.e+]*\),\{0,1\}$/\1/p" "$1" | tail -1; }
for r in "${runs[@]}"; do
  name=${r%%|*} mac=${r#*|}
  [ -s "$OUT/$name.json" ] && { echo "daa-study: $name done before"; continue; }
  resume=()
  [ -e "$OUT/$name.safetensors" ] && resume=(--resume)
  echo "daa-study: $name: $mac ($(date +%T))"
  "$AX" train "${common[@]}" --mac "$mac" --bwd-mac same --out "$OUT/$name.safetensors" \
    --json "$OUT/$name.json" "${resume[@]}" >"$OUT/$name.log" 2>&1 ||
    { tail -5 "$OUT/$name.log" >&2; exit 1; }
done
# the table (the MAC last: it holds commas) and the plot's points (fp32 is its line)
echo "run,hi_fraction,test_accuracy,test_loss,train_seconds,mac" >"$OUT/summary.csv"
: >"$OUT/points.dat"
for r in "${runs[@]}"; do
  name=${r%%|*} mac=${r#*|} j="$OUT/${r%%|*}.json"
  hi=$(num "$j" daa_hi_fraction)
  case $name in all_hi|fp32) hi=1 ;; all_lo) hi=0 ;; esac
  acc=$(num "$j" test_accuracy)
  echo "$name,$hi,$acc,$(num "$j" test_loss),$(num "$j" train_seconds),\"$mac\"" >>"$OUT/summary.csv"
  if [ "$name" = fp32 ]; then fp32=$(awk -v a="$acc" 'BEGIN { print 100 * a }')
  else awk -v h="$hi" -v a="$acc" -v n="$name" 'BEGIN { print 100 * h, 100 * a, n }' >>"$OUT/points.dat"; fi
done
cat "$OUT/summary.csv"
# the array: a batch of 64 images (the training batch), the DAA PE against
# the plain array of hi MACs, two dataflows
for df in ws os; do
  rm -rf "$OUT/accel_$df"
  "$AX" accel --model "$MODEL" --batch 64 --dataflow "$df" --mac "$daa,policy=value" \
    --out "$OUT/accel_$df" --quiet | sed -n "1p;\$p"
done | tee "$OUT/accel.txt"
# accuracy against the share of products through hi
if command -v gnuplot >/dev/null; then
  gnuplot <<EOF
set terminal pngcairo size 900,560 noenhanced
set output "$OUT/daa.png"
set title "$MODEL on Fashion-MNIST${LIMIT:+ ($LIMIT images)}, $EPOCHS epochs: DAA (hi exact $HI_IN, lo exact $LO_IN) by policy"
set xlabel "non-zero products through hi (%)"
set ylabel "test accuracy (%)"
set xrange [-5:105]
set key bottom right
set grid
plot "$OUT/points.dat" using 1:2 with points pt 7 ps 1.5 title "runs", \
     "" using 1:2:3 with labels offset 0,1 font ",9" notitle, \
     $fp32 with lines dt 2 title "exact fp32"
EOF
  echo "daa-study: $OUT/daa.png"
fi
