#!/usr/bin/env bash
# run_icarus.sh — the second simulator: Icarus Verilog runs rtl/ax_mul.v or
# rtl/ax_add.v (TOP) in tb_unit.v on vectors whose expected results come from
# the C model (axsim calc).
#   run_icarus.sh AXSIM RTL_DIR UNIT FMT_IN FMT_OUT TOP PARAMS SET [BUG]
# UNIT: the unit spec for axsim calc; PARAMS: the top's parameters as
# E=..,M=..,UNIT=..,... (cosim/icarus/icarus.cmake derives them from the unit
# table); SET: exhaustive8 | random16.
# Passes when every vector matches (or, with BUG != 0, when a mismatch is
# reported), and at least one vector ran.
set -euo pipefail
AX=$1 RTL=$2 UNIT=$3 FI=$4 FO=$5 TOP=$6 PARAMS=$7 SET=$8 BUG=${9:-0}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
case $SET in
exhaustive8) awk 'BEGIN { for (a = 0; a < 256; a++) for (b = 0; b < 256; b++) printf "%02X %02X\n", a, b }' ;;
random16) awk 'BEGIN { srand(12345); for (i = 0; i < 100000; i++) printf "%04X %04X\n", int(rand() * 65536), int(rand() * 65536) }' ;;
*) echo "run_icarus: unknown set $SET"; exit 2 ;;
esac >"$T/in"
"$AX" calc --unit "$UNIT" --fmt "$FI" --out-fmt "$FO" "$T/in" >"$T/vectors"
case $TOP in
ax_add) SRC=("$RTL/ax_add.v") ;;
ax_mul) SRC=("$RTL/ax_mul.v" "$RTL/ax_sig_mul.v") ;;
*) echo "run_icarus: unknown top $TOP"; exit 2 ;;
esac
P=(-P "tb_unit.TOP=\"$TOP\"")
for kv in ${PARAMS//,/ } BUG=$BUG; do P+=(-P "tb_unit.$kv"); done
# -I: the RTL includes the generated ax_units.vh and ax_realm_table.vh
iverilog -g2005 -Wall -I "$RTL" -o "$T/sim" "${P[@]}" "$(dirname "$0")/tb_unit.v" \
  "${SRC[@]}" "$RTL/ax_unpack.v" "$RTL/ax_round_pack.v" "$RTL/ax_exit.v"
vvp -n "$T/sim" "+vectors=$T/vectors" | tee "$T/log" | grep -v "^MISMATCH" || true
grep -m 20 "^MISMATCH" "$T/log" || true
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$T/log") || { echo "no summary"; exit 1; }
read -r np _ nf _ <<<"$summary"
if [ "$BUG" != 0 ]; then
  [ "$nf" -gt 0 ] || { echo "planted bug $BUG was not caught"; exit 1; }
  echo "planted bug $BUG caught: $nf mismatches"
  exit 0
fi
[ "$np" -gt 0 ] && [ "$nf" -eq 0 ]
