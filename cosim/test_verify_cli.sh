#!/usr/bin/env bash
# test_verify_cli.sh — `axsim verify` as a user meets it: options, usage
# errors (exit 2 with a message), a passing run, the report of a planted bug
# independent of --jobs, and VCD files that never overwrite earlier ones.
#   test_verify_cli.sh AXSIM
set -uo pipefail
AX=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect RC PATTERN ARGS...: exit status RC and output matching PATTERN
expect() {
  local rc=$1 pat=$2
  shift 2
  "$AX" verify "$@" >out 2>&1
  local got=$?
  [ $got -eq "$rc" ] || fail "axsim verify $*: exit $got, want $rc"
  grep -Eq -- "$pat" out || { fail "axsim verify $*: output lacks /$pat/"; sed 's/^/  | /' out; }
}
expect 0 "--level quick\|full|--level L" --help
expect 2 "unknown level 'bogus' \(quick or full\)" --level bogus
expect 2 "no verilated configuration matches --unit mul_nosuch" --unit mul_nosuch
expect 2 "no verilated configuration matches --unit mul_mbm --fmt e2m1" --unit mul_mbm --fmt e2m1
expect 2 "no configuration named 'nosuch'" --config nosuch
expect 2 "--jobs '0': give a thread count" --jobs 0
expect 2 "--seed 'x1' is not a number" --seed x1
expect 2 "unknown option '--bogus'" --bogus
expect 2 "--fmt needs a value" --fmt
expect 0 "^mul_mbm.bf16.bf16 +mul_mbm +bf16 +-> bf16" --list --unit mul_mbm
grep -q "bug" out && fail "--list shows planted-bug variants"
expect 0 "^mul_mbm +fp8e4m3 +-> fp8e4m3 +65,536 vectors  ok " --unit mul_mbm --fmt fp8e4m3
expect 0 "1 ok, 0 failed" --config mul_mbm.fp8e4m3.fp8e4m3
expect 0 "^add_loa:l=8 +bf16 +-> bf16 .* ok " --unit add_loa,add_eta --fmt bf16
grep -Eq "^add_eta:l=8 +bf16 +-> bf16 .* ok " out && grep -q " 0 failed;" out || fail "add_loa,add_eta"
# a planted bug: exit 1, the same report on 1 and 2 jobs, a new VCD each run
expect 1 "MISMATCH 20: " --config mul_exact.bf16.bf16.bug1 --jobs 1
grep "MISMATCH\|^    " out | grep -v "VCD of\|mismatch" >r1
expect 1 "MISMATCH 20: " --config mul_exact.bf16.bf16.bug1 --jobs 2
grep "MISMATCH\|^    " out | grep -v "VCD of\|mismatch" >r2
cmp -s r1 r2 || fail "the report depends on --jobs"
[ -s axsim-vcd/mul_exact.bf16.bf16.bug1.vcd ] && [ -s axsim-vcd/mul_exact.bf16.bf16.bug1-2.vcd ] ||
  fail "a second run did not get its own VCD: $(ls axsim-vcd)"
expect 1 "VCD of the failing vectors: sub/dir/" --config mul_exact.bf16.bf16.bug1 --vcd-dir sub/dir
touch blocked
expect 1 "cannot create blocked/" --config mul_exact.bf16.bf16.bug1 --vcd-dir blocked
# neurons: the parser's message for a bad string, a string with no verilated
# model, a canonical match (any key order, prefixes, defaults), the list, and
# a planted bug reported the same on 1 and 2 jobs
expect 2 "--neuron 'neuron=lif,fmt=bf16,theta=-1': neuron configuration: theta=-1 is not a positive finite" \
  --neuron 'neuron=lif,fmt=bf16,theta=-1'
expect 2 "neuron configuration: .*neuron=spiky" --neuron 'neuron=spiky'
expect 2 "no verilated neuron configuration matches --neuron 'neuron=lif,fmt=e6m9'" --neuron 'neuron=lif,fmt=e6m9'
expect 0 "^neuron\.lif\.bf16\.mul_drum:k=4\+add_loa:l=6\.zero +[0-9,]+ steps +[0-9.]+% spiking  ok " \
  --neuron 'reset=zero,add=loa:l=6,fmt=bf16,mul=mul_drum:k=4,beta=0.9' --jobs 2
grep -q "1 configuration" out && grep -q "1 ok, 0 failed" out || fail "--neuron ran more than its neuron"
expect 0 "^neuron\.if\.fp16\.add_eta:l=8\.none +neuron=if,fmt=fp16,add=add_eta:l=8," --list --unit neuron
grep -q "bug\|^mul_" out && fail "--list --unit neuron shows more than the neurons"
N=neuron.lif.fp8e4m3.mul_exact+add_trunc.subtract.bug2
NRE='neuron\.lif\.fp8e4m3\.mul_exact\+add_trunc\.subtract\.bug2'
expect 1 "MISMATCH 20: $NRE, trajectory #" --config $N --jobs 1
grep "MISMATCH\|^    " out | grep -v "VCD of\|failing trajector" >n1
expect 1 "MISMATCH 20: $NRE, trajectory #" --config $N --jobs 2
grep "MISMATCH\|^    " out | grep -v "VCD of\|failing trajector" >n2
cmp -s n1 n2 || fail "the neuron's report depends on --jobs"
# a different seed draws different random vectors
"$AX" verify --config mul_exact.bf16.bf16.bug1 --seed 7 >out7 2>&1
grep -q "seed 7" out7 || fail "--seed not reported"
[ $fails -eq 0 ] && echo "test_verify_cli: all passed"
exit $((fails > 0))
