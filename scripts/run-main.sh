#!/usr/bin/env bash
# run-main.sh — the README's first quick-start command: installs what is
# missing, builds, and runs the main job (axsim survey) on the embedded default.
# Extra arguments go to `axsim survey` (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
exec build/cli/axsim survey "$@"
