#!/usr/bin/env bash
# campaign.sh — one bounded libFuzzer campaign (CTest fuzz.<parser>, scripts/fuzz.sh).
#   campaign.sh HARNESS CORPUS WORK [libFuzzer options...]
# New inputs go to WORK/corpus, a crashing input to WORK/crashes/; the committed
# CORPUS is only read (libFuzzer writes into the first folder it is given).
# Exit status: the harness's (0: clean; else a crash, leak, timeout or OOM).
set -uo pipefail
h=$1 corpus=$2 work=$3
shift 3
[ -d "$corpus" ] || { echo "campaign.sh: no corpus folder $corpus"; exit 1; }
mkdir -p "$work/corpus" "$work/crashes"
"$h" -artifact_prefix="$work/crashes/" -print_final_stats=1 "$@" "$work/corpus" "$corpus"
rc=$?
if [ $rc -ne 0 ]; then
  echo "campaign.sh: $(basename "$h") failed (exit $rc); the input is in $work/crashes/;"
  echo "  reproduce: $h $work/crashes/<file>; keep it as tests/fuzz/corpus/<parser>/<what-it-shows>"
fi
exit $rc
