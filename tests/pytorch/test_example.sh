#!/usr/bin/env bash
# test_example.sh — docs/pytorch.md's worked example (examples/pytorch/retrain.py)
# on 512 training and 500 test images: every step runs, the retrained network
# that axsim.torch evaluated through the MAC gets the same accuracy from
# `axsim eval --onnx` with that MAC, and estimate writes its table. Skipped
# (77) without Debian's python3-torch or the dataset.
set -uo pipefail
EX=$1 AX=$2 LIB=$3
/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || { echo "skip: no python3-torch"; exit 77; }
[ -d /usr/share/datasets/fashion-mnist ] || { echo "skip: no dataset-fashion-mnist"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
AXSIM_LIB=$LIB /usr/bin/python3 "$EX" --limit 512 --test-limit 500 --out "$T/ex" --axsim "$AX" >"$T/out" 2>&1 ||
  { cat "$T/out"; echo "FAIL: the example"; exit 1; }
cat "$T/out"
mine=$(sed -n 's/^3\. retrained .*: *\([0-9.]*\) %.*/\1/p' "$T/out")
theirs=$(sed -n 's/^eval .*accuracy \([0-9.]*\)%.*/\1/p' "$T/out")
[ -n "$mine" ] && [ "$mine" = "$theirs" ] || { echo "FAIL: axsim.torch gave $mine %, axsim eval --onnx $theirs %"; exit 1; }
[ -s "$T/ex/estimate/results.csv" ] || { echo "FAIL: no estimate table"; exit 1; }
echo "ok: the example"
