#!/usr/bin/env bash
# lint.sh — `verilator --lint-only -Wall` over every top module of rtl/ on
# formats from fp8 to fp32 and each unit's parameter range ends; any warning
# fails (waivers live in the RTL, each with a comment saying why).
#   lint.sh RTL_DIR
set -uo pipefail
R=$1
fails=0 runs=0
lint() { # top, parameters...
  local top=$1
  shift
  local out
  out=$(verilator --lint-only -Wall -I"$R" --top-module "$top" "$@" "$R"/ax_mul_*.v "$R"/ax_add_*.v "$R"/ax_mac.v \
    "$R"/ax_cvt.v "$R"/ax_mul.v "$R"/ax_add.v "$R"/ax_sig_mul.v "$R"/ax_unpack.v "$R"/ax_round_pack.v "$R"/ax_exit.v 2>&1)
  runs=$((runs + 1))
  if [ -n "$out" ]; then
    echo "lint: $top $*"
    echo "$out" | head -20
    fails=$((fails + 1))
  fi
}
fmts=("-GE=4 -GM=3 -GFN_I=1 -GEO=4 -GMO=3 -GFN_O=1" "-GE=5 -GM=2 -GEO=5 -GMO=10 -GFTZ_I=1"
      "-GE=8 -GM=7 -GEO=8 -GMO=23" "-GE=5 -GM=10 -GEO=5 -GMO=10 -GSAT_O=1 -GRTZ_O=1"
      "-GE=8 -GM=23 -GEO=8 -GMO=7")
for f in "${fmts[@]}"; do
  for t in mul_exact mul_trunc mul_mitchell mul_mbm add_exact add_trunc; do lint "ax_$t" $f; done
  for k in 2 6 24; do lint ax_mul_drum $f -GK=$k; done
  for p in "-GSEGS=1 -GQ=1" "-GSEGS=8 -GQ=6" "-GSEGS=16 -GQ=15"; do lint ax_mul_realm $f $p; done
  for l in 0 8 27; do lint ax_add_loa $f -GL=$l; lint ax_add_eta $f -GL=$l; done
  # ax_cvt reads the same E/M/EO/MO names
  lint ax_cvt $f
done
lint ax_mac
lint ax_mac -GE=4 -GM=3 -GFN_I=1 -GEP=5 -GMP=10 -GEA=5 -GMA=10 -GMUL_UNIT=3 -GADD_UNIT=3 -GL=6
lint ax_mac -GMUL_UNIT=5 -GADD_UNIT=2 -GEP=8 -GMP=7 -GEA=8 -GMA=7 -GSAT_A=1 -GRTZ_A=1
echo "lint: $runs runs, $fails with warnings"
[ $fails -eq 0 ] && [ $runs -gt 0 ]
