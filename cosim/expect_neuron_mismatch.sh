#!/usr/bin/env bash
# expect_neuron_mismatch.sh — the verifier must catch a planted bug in the
# neuron (rtl/ax_neuron.v's BUG): runs
#   VERIFY... --config NAME
# in a scratch directory and passes only when it exits 1, prints a decoded
# report (configuration, trajectory and step, the membrane and the current,
# the C model's and the RTL's U', U'', spike and flags, what differs), stops
# after at most 20 reports, and writes a VCD whose path it prints and which
# holds the failing trajectories, one failing step marked per report.
#   expect_neuron_mismatch.sh NAME VERIFY...
set -uo pipefail
NAME=$1
shift
RE=$(printf '%s' "$NAME" | sed 's/[][\.*^$+?(){}|/]/\\&/g') # NAME as a regular expression
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$@" --config "$NAME" --jobs 2 >out 2>&1
rc=$?
cat out
fail() { echo "expect_neuron_mismatch: $*"; exit 1; }
[ $rc -eq 1 ] || fail "exit status $rc, want 1"
grep -Eq "^  MISMATCH 1: $RE, trajectory #[0-9]+, step #[0-9]+ \(seed [0-9]+\)$" out ||
  fail "no MISMATCH report"
grep -Eq "^    config +neuron=" out || fail "report lacks the configuration"
for what in U I "  U'" "  U''"; do
  grep -Eq "^    $what +0x[0-9a-f]+  sign [01]  exponent 0x[0-9a-f]+ .* significand 0x[0-9a-f]+  = " out ||
    fail "report lacks the decoded '$what' line"
done
grep -Eq "^    C model +spike [01]$" out && grep -Eq "^    RTL +spike [01]$" out ||
  fail "report lacks the spikes"
grep -Eq "^      flags +[a-z|-]+ \(0x[0-9a-f]{2,3}\)$" out || fail "report lacks flags"
grep -Eq "^    differs +(spike|U'|U''|flags)" out || fail "report does not say what differs"
n=$(grep -c "^  MISMATCH " out)
[ "$n" -ge 1 ] && [ "$n" -le 20 ] || fail "$n reports (want 1..20)"
grep -Eq "^$RE .* FAIL " out || fail "no FAIL verdict"
vcd=$(sed -n 's/^    VCD of the failing trajectories: //p' out)
[ -n "$vcd" ] && [ -s "$vcd" ] || fail "no VCD written"
grep -q '^\$enddefinitions \$end' "$vcd" || fail "$vcd is not a VCD"
id=$(sed -n 's/^  \$var wire 1 \([^ ]*\) mismatch \$end$/\1/p' "$vcd")
[ -n "$id" ] || fail "$vcd has no mismatch signal"
[ "$(grep -c "^1$id\$" "$vcd" || true)" -eq "$n" ] || fail "$vcd does not mark the $n failing steps"
steps=$(($(grep -c '^#' "$vcd") - 1))
echo "expect_neuron_mismatch: planted bug caught, $n reports, VCD $vcd ($steps steps)"
