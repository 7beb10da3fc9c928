#!/usr/bin/env bash
# run-tests.sh — the README's test command: installs what is missing, then
# configures, builds and runs every test but the slow and bench ones
# (cmake --workflow --preset default). Pass "asan" to run the suite under
# AddressSanitizer + UndefinedBehaviorSanitizer instead (build-asan/, without
# the verilated models and CUDA), or "fuzz" to run every libFuzzer harness for
# a bounded campaign (clang, build-fuzz/). CI (.ci/run) runs all three.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cmake --workflow --preset "${1:-default}"
