#!/usr/bin/env bash
# test_check_layers.sh — scripts/check-layers.sh passes on the tree as it is
# and fails on a copy with each kind of forbidden arrow planted: an include
# across a forbidden arrow, a link line, an include cycle inside a library;
# and on a built library whose two files call each other (--calls).
#   test_check_layers.sh SOURCE_DIR
set -uo pipefail
src=$(cd "$1" && pwd)
check=$src/scripts/check-layers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

out=$(bash "$check" "$src" 2>&1)
rc=$?
echo "$out" | tail -3
[ $rc -eq 0 ] || { echo "FAIL: the tree itself breaks the layers"; fails=$((fails + 1)); }

copy() { # a fresh copy of the checked files in $tmp/t
  rm -rf "$tmp/t" && mkdir "$tmp/t"
  (cd "$src" && git ls-files --cached --others --exclude-standard 2>/dev/null ||
   find . -type f ! -path './build*' ! -path './.git/*') |
    grep -E '\.(c|h|cpp|hpp|cu|cuh|v|vh|md)$|CMakeLists\.txt$' |
    (cd "$src" && while read -r f; do [ -f "$f" ] && echo "$f"; done) |
    (cd "$src" && tar -cf - -T -) | (cd "$tmp/t" && tar -xf -)
}

expect_fail() { # what, pattern the report must contain
  out=$(bash "$check" "$tmp/t" 2>&1)
  rc=$?
  if [ $rc -ne 1 ] || ! grep -q -- "$2" <<<"$out"; then
    echo "FAIL: planted $1 not reported (exit $rc):"
    echo "$out" | tail -5
    fails=$((fails + 1))
  else
    echo "ok: planted $1 reported: $(grep -m1 -- "$2" <<<"$out")"
  fi
}

copy
echo '#include "ax_nn.h"' >>"$tmp/t/cmodels/ax_metrics.c"
expect_fail "include cmodels -> networks" "cmodels/ax_metrics.c:.*includes ax_nn.h"

copy
sed -i 's/target_link_libraries(ax_networks PUBLIC /target_link_libraries(ax_networks PUBLIC ax_study /' \
  "$tmp/t/networks/CMakeLists.txt"
expect_fail "link networks -> study" "networks/CMakeLists.txt:.*links ax_study"

copy
sed -i 's/#include <stdint.h>/#include <stdint.h>\n#include "ax_backend.h"/' "$tmp/t/cuda_fastpath/ax_pool.h"
expect_fail "include cycle in the fast path" "include cycle"

# a call cycle: libax_planted.a of two files that call each other
mkdir -p "$tmp/calls"
printf 'int pb(int);\nint pa(int x) { return x > 0 ? pb(x - 1) : 0; }\n' >"$tmp/calls/pa.c"
printf 'int pa(int);\nint pb(int x) { return x > 0 ? pa(x - 1) : 1; }\n' >"$tmp/calls/pb.c"
if (cd "$tmp/calls" && cc -c pa.c pb.c && ar rcs libax_planted.a pa.o pb.o); then
  out=$(bash "$check" --calls "$tmp/calls" "$src" 2>&1)
  rc=$?
  if [ $rc -ne 1 ] || ! grep -q "call cycle in libax_planted.a" <<<"$out"; then
    echo "FAIL: planted call cycle not reported (exit $rc):"
    echo "$out" | tail -5
    fails=$((fails + 1))
  else
    echo "ok: planted call cycle reported: $(grep -A2 'call cycle' <<<"$out" | tr '\n' ' ')"
  fi
else
  echo "FAIL: cannot build the planted library"
  fails=$((fails + 1))
fi

[ $fails -eq 0 ] && echo "check-layers: passes on the tree, catches all 4 planted arrows"
exit $((fails > 0))
