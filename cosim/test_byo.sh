#!/usr/bin/env bash
# test_byo.sh — `axsim verify --manifest` on bad manifests (a clear message
# naming file, line and reason; exit 2), on a Verilog error (the build log's
# end; exit 1), and on a changed source (rebuilt: the change is seen).
#   test_byo.sh AXSIM EXAMPLES_BYO_DIR
set -uo pipefail
AX=$1 EX=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export AXSIM_CACHE_DIR=$T/cache # its own cache, removed with the rest
cp "$EX"/mul_opt.v "$EX"/mul_opt.c "$T"/
cd "$T"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
good() {
  cat <<M
name = mul_t
kind = mul
verilog = mul_opt.v
top = mul_opt
c_source = mul_opt.c
c_function = mul_opt
formats = fp8e4m3
M
}
# bad MANIFEST-TEXT PATTERN: exit 2 and the message
bad() {
  printf '%s\n' "$1" >m.manifest
  "$AX" verify --manifest m.manifest >out 2>&1
  local rc=$?
  [ $rc -eq 2 ] || fail "exit $rc, want 2, for: $1"
  grep -Eq -- "$2" out || { fail "no /$2/ for the manifest:"; sed 's/^/  | /' out; }
}
bad "$(good | sed 's/^kind = mul/kind = div/')" "m.manifest:2: kind 'div': give mul or add"
bad "$(good; echo 'colour = red')" "m.manifest:8: unknown key 'colour' \(keys: name"
bad "$(good; echo 'kind = add')" "m.manifest:8: 'kind' given twice \(first on line 2\)"
bad "$(good | sed 's/^formats = .*/formats = fp8e4m3, fp9/')" "m.manifest:7: formats: 'fp9': "
bad "$(good | sed 's/^formats = .*/formats = bf16->nope/')" "m.manifest:7: formats: 'bf16->nope': "
bad "$(good | sed 's/^verilog = .*/verilog = missing.v/')" \
  "m.manifest:3: verilog 'missing.v': No such file or directory \(paths are relative"
bad "$(good | sed '/^top/d')" "m.manifest: the manifest lacks 'top'"
bad "$(good | sed 's/^name = .*/name = 9lives/')" "m.manifest:1: name '9lives' is not an identifier"
bad "$(good; echo 'parameters = T=three')" "m.manifest:8: parameters: 'T=three' is not NAME=INTEGER"
bad "$(good; echo 'just words')" "m.manifest:8: expected 'key = value', got 'just words'"
bad "$(good | sed 's/^top = .*/top = a b/')" "m.manifest:4: 'top' takes one value, got 2"
"$AX" verify --manifest nosuch.manifest >out 2>&1
[ $? -eq 2 ] && grep -q "cannot open the manifest nosuch.manifest: No such file" out ||
  fail "a missing manifest: $(cat out)"
"$AX" verify --manifest >out 2>&1
[ $? -eq 2 ] && grep -q "manifest needs a file" out || fail "--manifest without a file"

# a good one passes; the Verilog changed to truncate is rebuilt and caught
good >m.manifest
"$AX" verify --manifest m.manifest >out 2>&1 && grep -q "1 ok, 0 failed" out ||
  { fail "the good manifest:"; sed 's/^/  | /' out; }
# nothing changed: nothing is rebuilt
"$AX" verify --manifest m.manifest >out 2>&1 && grep -q "1 ok, 0 failed" out ||
  fail "the second run failed"
grep -q "no work to do" "$AXSIM_CACHE_DIR"/byo/mul_t-*/build.log || fail "an unchanged unit was rebuilt"
sed -i 's/`AX_MUL_EXACT/`AX_MUL_TRUNC/' mul_opt.v
"$AX" verify --manifest m.manifest >out 2>&1
[ $? -eq 1 ] && grep -q "MISMATCH 1: mul_t.fp8e4m3.fp8e4m3" out ||
  { fail "a changed Verilog source was not rebuilt:"; sed 's/^/  | /' out | tail -5; }
# a Verilog error: the end of the build log, exit 1
sed -i 's/endmodule/endmodul/' mul_opt.v
"$AX" verify --manifest m.manifest >out 2>&1
[ $? -eq 1 ] && grep -q "building mul_t failed" out && grep -q "  | .*mul_opt.v" out ||
  { fail "a Verilog syntax error:"; sed 's/^/  | /' out | tail -8; }
[ $fails -eq 0 ] && echo "test_byo: all passed"
exit $((fails > 0))
