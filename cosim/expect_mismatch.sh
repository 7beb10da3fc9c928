#!/usr/bin/env bash
# expect_mismatch.sh — the verifier must catch a planted bug: runs
#   VERIFY... --config NAME
# (VERIFY: axsim-verify, or axsim verify --manifest FILE) in a scratch directory and passes only when it exits 1, prints a decoded
# report (inputs, C model and RTL results with flags), stops after at most 20
# reports, and writes a VCD whose path it prints and which holds the failing
# vectors.
#   expect_mismatch.sh NAME VERIFY...
set -uo pipefail
NAME=$1
shift
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$@" --config "$NAME" --jobs 2 >out 2>&1
rc=$?
cat out
fail() { echo "expect_mismatch: $*"; exit 1; }
[ $rc -eq 1 ] || fail "exit status $rc, want 1"
grep -Fq "  MISMATCH 1: $NAME, " out || fail "no MISMATCH report"
for what in 'a(\[0\])?' 'b(\[0\])?' "C model" RTL; do # a MAC shows its terms a[k], b[k]
  grep -Eq "^    $what +0x[0-9a-f]+  sign [01]  exponent 0x[0-9a-f]+ .* significand 0x[0-9a-f]+  = " out ||
    fail "report lacks the decoded '$what' line"
done
grep -Eq "^      flags +[a-z|]+ \(0x[0-9a-f]{2}\)$" out || fail "report lacks flags"
n=$(grep -c "^  MISMATCH " out)
[ "$n" -ge 1 ] && [ "$n" -le 20 ] || fail "$n reports (want 1..20)"
grep -Eq " FAIL " out || fail "no FAIL verdict"
vcd=$(sed -n 's/^    VCD of the failing vectors: //p' out)
[ -n "$vcd" ] && [ -s "$vcd" ] || fail "no VCD written"
grep -q '^\$enddefinitions \$end' "$vcd" || fail "$vcd is not a VCD"
[ "$(grep -c '^1G$' "$vcd" || true)" -eq "$n" ] || fail "$vcd does not hold the $n failing vectors"
echo "expect_mismatch: planted bug caught, $n reports, VCD $vcd"
