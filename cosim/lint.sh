#!/usr/bin/env bash
# lint.sh — `verilator --lint-only -Wall` over the top modules of rtl/; any
# warning fails (waivers live in the RTL, each with a comment saying why).
#   lint.sh RTL_DIR SET...
# A SET is a top module and its parameters, one word each ("ax_mul -GUNIT=2
# -GK=24"); cosim/CMakeLists.txt writes one per unit and end of its
# parameter ranges from the unit table (cmake/ax_units.cmake). Sets of
# ax_mul, ax_add and ax_cvt run on each format below, from fp8 to fp32; any
# other set (ax_mac) runs as given.
set -uo pipefail
R=$1
shift
fails=0 runs=0
lint() { # top, parameters...
  local top=$1
  shift
  local out
  out=$(verilator --lint-only -Wall -I"$R" --top-module "$top" "$@" "$R"/*.v 2>&1)
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
for set in "$@"; do
  read -r -a s <<<"$set"
  case ${s[0]} in
  ax_mul | ax_add | ax_cvt) # ax_cvt reads the same E/M/EO/MO names
    for f in "${fmts[@]}"; do lint "${s[@]}" $f; done ;;
  *) lint "${s[@]}" ;;
  esac
done
echo "lint: $runs runs, $fails with warnings"
[ $fails -eq 0 ] && [ $runs -gt 0 ]
