#!/usr/bin/env bash
# run-tests.sh — the README's test command: installs what is missing, then
# configures, builds and runs every test but the slow and bench ones
# (cmake --workflow --preset default). Pass "asan" to run the suite under
# AddressSanitizer + UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cmake --workflow --preset "${1:-default}"
