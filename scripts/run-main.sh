#!/usr/bin/env bash
# run-main.sh — the README's first quick-start command: installs what is
# missing, builds, and runs the main job (axsim estimate) on the embedded
# default: Fashion-MNIST and the shipped LeNet-5. Extra arguments go to
# `axsim estimate` (e.g. --formats bf16).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
exec build/cli/axsim estimate "$@"
