#!/usr/bin/env bash
# setup.sh — installs the Debian packages axsim needs, when missing.
# Idempotent and non-interactive; run as root (or with sudo) on Debian 12.
set -euo pipefail
pkgs=(cmake ninja-build gcc g++ catch2 libcjson-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist
      verilator iverilog libsystemc-dev gnuplot-nox clang libclang-rt-14-dev python3-torch python3-numpy
      protobuf-c-compiler libprotobuf-c-dev libonnx-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
