#!/usr/bin/env bash
# test_bench_best.sh — scripts/bench_pytorch.py --threads best (issue 17, rough
# edge 6): every thread count from 1 to the core count, tuned and as
# installed, each in its own process, and the best the fastest of them.
# Skipped (77) without Debian's python3-torch.
set -uo pipefail
PY=/usr/bin/python3
S=$(dirname "$0")/../../scripts/bench_pytorch.py
$PY -c 'import torch, numpy' 2>/dev/null || { echo "skip: no python3-torch for $PY"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$PY "$S" --model mlp --limit 256 --threads best --json "$T/b.json" >"$T/out" 2>&1 ||
  { cat "$T/out"; echo "FAIL: bench_pytorch --threads best"; exit 1; }
$PY - "$T/b.json" "$(nproc)" <<'PY' || { cat "$T/out"; echo "FAIL: the settings or the best"; exit 1; }
import json, sys
r = json.load(open(sys.argv[1])); cores = int(sys.argv[2])
got = sorted((s["threads"], s["env"]) for s in r["settings"])
want = sorted((t, e) for t in range(1, cores + 1) for e in ("tuned", "as-installed"))
assert got == want, (got, want)
assert r["best"] == min(r["settings"], key=lambda s: s["seconds_per_epoch"]), r["best"]
tuned = [s for s in r["settings"] if s["env"] == "tuned"]
assert all(s["env_values"]["OMP_WAIT_POLICY"] == "PASSIVE" for s in tuned), tuned
for s in r["settings"]:
    assert s["seconds_per_epoch"] > 0 and 0 <= s["test_acc"] <= 1, s
PY
grep -q "best setting [0-9]* thread(s), \(tuned\|as-installed\)" "$T/out" || { cat "$T/out"; echo "FAIL: no best line"; exit 1; }
echo "ok: bench_pytorch --threads best"
