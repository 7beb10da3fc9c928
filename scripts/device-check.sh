#!/usr/bin/env bash
# device-check.sh — the GPU check, for a lent machine with one NVIDIA GPU, CMake,
# a C/C++ compiler and the CUDA toolkit (/usr/local/cuda), but no Debian network
# and only minutes of time. It runs from a copy of the working tree plus .debs/
# (scripts/device-debs.sh), and writes every log and a summary to $OUT.
#
#   OUT=/some/dir scripts/device-check.sh     # $OUT defaults to ./device-out
#
# Steps, each timed, each run even when an earlier one failed (a step that
# needs an earlier one's result fails at once when it is missing):
#   unpack      the .debs/ packages the system lacks, into a private prefix
#               (dpkg -x; ar x + tar where dpkg is missing)
#   configure   build-device/: -DCMAKE_CUDA_ARCHITECTURES=90 -DAXSIM_BUILD_VERILATED=OFF
#   build       only axsim and the GPU test programs
#   nvidia-smi  the device, driver and CUDA version
#   ctest-gpu   ctest -L gpu --output-on-failure
#   bench-gemm  axsim bench gemm: cpu, cuda, OpenBLAS and cuBLAS side by side
#   bench-train axsim bench train: mlp and lenet5, cpu and cuda, 4096 images
# $OUT/summary lists each step (PASS, FAIL or SKIP), its seconds and its log;
# the exit status is 1 when any step failed, else 0. The whole run stays within
# AXSIM_DEVICE_BUDGET seconds (default 450): a step's time limit is cut to what
# is left, and a step with no time left fails as "out of time".
#
# Environment (all optional):
#   OUT                        where logs and the summary go (default ./device-out)
#   AXSIM_DEVICE_BUILD         build folder (default build-device, in the tree)
#   AXSIM_DEVICE_DEBS          the .deb folder (default .debs)
#   AXSIM_DEVICE_FORCE_PREFIX  1: unpack every .deb and use it, even where the
#                              system has the package (to exercise the prefix)
#   AXSIM_DEVICE_NO_DPKG       1: unpack with ar + tar even where dpkg exists
#   AXSIM_DEVICE_EXPECT_GPU    1 (default): no GPU is a failure (nvidia-smi
#                              fails, GPU tests skip, benchmarks skip cuda);
#                              0: those are SKIP, for a trial run without a GPU
#   AXSIM_DEVICE_JOBS          build jobs (default: every core)
#   AXSIM_DEVICE_CUDA_ARCH     CMAKE_CUDA_ARCHITECTURES (default 90: H100, H200)
#   AXSIM_DEVICE_BUDGET        seconds for the whole run (default 450)
#   AXSIM_DEVICE_BENCH_IMAGES  images of bench train (default 4096)
set -u
export LC_ALL=C

t_start=$(date +%s)
OUT=${OUT:-./device-out}
mkdir -p "$OUT" || { echo "device-check: cannot create $OUT" >&2; exit 1; }
OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

BUILD=$ROOT/${AXSIM_DEVICE_BUILD:-build-device}
case ${AXSIM_DEVICE_BUILD:-} in /*) BUILD=$AXSIM_DEVICE_BUILD ;; esac
DEBS=$ROOT/${AXSIM_DEVICE_DEBS:-.debs}
case ${AXSIM_DEVICE_DEBS:-} in /*) DEBS=$AXSIM_DEVICE_DEBS ;; esac
PREFIX=$BUILD/prefix
FORCE_PREFIX=${AXSIM_DEVICE_FORCE_PREFIX:-0}
NO_DPKG=${AXSIM_DEVICE_NO_DPKG:-0}
EXPECT_GPU=${AXSIM_DEVICE_EXPECT_GPU:-1}
JOBS=${AXSIM_DEVICE_JOBS:-$(nproc 2>/dev/null || echo 4)}
ARCH=${AXSIM_DEVICE_CUDA_ARCH:-90}
BUDGET=${AXSIM_DEVICE_BUDGET:-450}
IMAGES=${AXSIM_DEVICE_BENCH_IMAGES:-4096}
MULTIARCH=x86_64-linux-gnu
case $(uname -m) in aarch64) MULTIARCH=aarch64-linux-gnu ;; esac

SUMMARY=$OUT/summary
failed=0
nsteps=0
: >"$SUMMARY"
note() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }

# result NAME STATUS SECONDS RC DETAIL: one line of the summary
result() {
  nsteps=$((nsteps + 1))
  [ "$2" = FAIL ] && failed=$((failed + 1))
  printf '%-12s %-4s %7s s  rc=%-3s %-16s %s\n' "$1" "$2" "$3" "$4" "$1.log" "$5" | tee -a "$SUMMARY"
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# run_step NAME CAP CMD...: CMD with its output in $OUT/NAME.log, at most CAP
# seconds (less when the budget has less left); sets rc and dt
run_step() {
  local name=$1 cap=$2
  shift 2
  local left=$((BUDGET - ($(date +%s) - t_start)))
  local lim=$cap
  [ "$left" -lt "$lim" ] && lim=$left
  if [ "$lim" -lt 5 ]; then
    echo "out of time: ${left}s of the ${BUDGET}s budget left" >"$OUT/$name.log"
    rc=124 dt=0.0
    return
  fi
  {
    echo "\$ $*"
    echo "(time limit ${lim}s; $(date -u +%FT%TZ))"
  } >"$OUT/$name.log"
  local t0
  t0=$(now)
  timeout -k 10 "$lim" "$@" >>"$OUT/$name.log" 2>&1
  rc=$?
  dt=$(secs "$t0" "$(now)")
  [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo "TIMED OUT after ${lim}s" >>"$OUT/$name.log"
}

note "axsim device check, $(date -u +%FT%TZ), host $(hostname 2>/dev/null || echo ?), $(nproc 2>/dev/null || echo ?) cores"
note "tree $ROOT$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null | sed 's/^/ at /')"
note "build $BUILD, prefix $PREFIX, jobs $JOBS, CUDA arch $ARCH, budget ${BUDGET}s, expect GPU $EXPECT_GPU"
note ""

# --- unpack ------------------------------------------------------------------
# have PKG: whether the system already has what PKG would provide (files, not
# dpkg's database, which a container may lack or not match)
have_lib() {
  local d
  for d in "/usr/lib/$MULTIARCH" "/lib/$MULTIARCH" /usr/lib64 /usr/lib /lib64 /lib; do
    [ -e "$d/$1" ] && return 0
  done
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "[[:space:]]$1 "
}
have() {
  case $1 in
  ninja-build) command -v ninja >/dev/null ;;
  catch2) # version 2 (v3 has no catch.hpp), with its CMake package
    [ -f /usr/include/catch2/catch.hpp ] && {
      [ -f /usr/lib/cmake/Catch2/Catch2Config.cmake ] ||
        [ -f "/usr/lib/$MULTIARCH/cmake/Catch2/Catch2Config.cmake" ] ||
        [ -f /usr/share/cmake/Catch2/Catch2Config.cmake ] ||
        [ -f /usr/local/lib/cmake/Catch2/Catch2Config.cmake ]
    } ;;
  libcjson-dev) [ -f /usr/include/cjson/cJSON.h ] && have_lib libcjson.so ;;
  libcjson1) have_lib libcjson.so.1 ;;
  zlib1g-dev) [ -f /usr/include/zlib.h ] && have_lib libz.so ;;
  zlib1g) have_lib libz.so.1 ;;
  libopenblas0-pthread) have_lib libopenblas.so.0 ;;
  libgfortran5) have_lib libgfortran.so.5 ;;
  libquadmath0) have_lib libquadmath.so.0 ;;
  dataset-fashion-mnist) [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] ;;
  *) return 1 ;;
  esac
}

# unpack_deb FILE: its files into $PREFIX
unpack_deb() {
  if [ "$NO_DPKG" != 1 ] && command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$1" "$PREFIX"
    return
  fi
  local tmp
  tmp=$(mktemp -d) || return 1
  (cd "$tmp" && ar x "$1") || { rm -rf "$tmp"; return 1; }
  local data=("$tmp"/data.tar*)
  [ -f "${data[0]}" ] && tar -xf "${data[0]}" -C "$PREFIX"
  local r=$?
  rm -rf "$tmp"
  return $r
}

unpack_all() {
  rm -rf "$PREFIX" && mkdir -p "$PREFIX" || return 1
  echo "unpacking with $([ "$NO_DPKG" != 1 ] && command -v dpkg-deb >/dev/null && echo dpkg-deb -x || echo ar x + tar)"
  local f name bad=0 want=() n=0
  shopt -s nullglob
  local debs=("$DEBS"/*.deb)
  shopt -u nullglob
  if [ "${#debs[@]}" -eq 0 ]; then
    echo "no .deb files in $DEBS (run scripts/device-debs.sh and carry .debs)"
    return 1
  fi
  for f in "${debs[@]}"; do
    name=$(basename "$f"); name=${name%%_*}
    if [ "$FORCE_PREFIX" = 1 ] || ! have "$name"; then want+=("$name"); fi
  done
  # a -dev package's library symlink points at its runtime package's file
  local w
  for w in "${want[@]}"; do
    case $w in
    libcjson-dev) want+=(libcjson1) ;;
    zlib1g-dev) want+=(zlib1g) ;;
    esac
  done
  for f in "${debs[@]}"; do
    name=$(basename "$f"); name=${name%%_*}
    case " ${want[*]} " in
    *" $name "*)
      if unpack_deb "$f"; then echo "prefix: $name ($(basename "$f"))"; n=$((n + 1))
      else echo "FAILED to unpack $f"; bad=1; fi ;;
    *) echo "system: $name" ;;
    esac
  done
  # absolute symlinks (zlib1g-dev: libz.so -> /lib/.../libz.so.1.2.13) point
  # at the system; point them into the prefix where the target is there
  local l t
  while IFS= read -r l; do
    t=$(readlink "$l")
    case $t in /*) [ -e "$PREFIX$t" ] && ln -sfn "$PREFIX$t" "$l" && echo "relinked $l -> $PREFIX$t" ;; esac
  done < <(find "$PREFIX" -type l)
  echo "$n packages unpacked into $PREFIX"
  return $bad
}

t0=$(now)
unpack_all >"$OUT/unpack.log" 2>&1
rc=$?
dt=$(secs "$t0" "$(now)")
from_prefix=$(sed -n 's/^prefix: \([^ ]*\).*/\1/p' "$OUT/unpack.log" | tr '\n' ' ')
if [ "$rc" -eq 0 ]; then result unpack PASS "$dt" "$rc" "prefix: ${from_prefix:-nothing}"
else result unpack FAIL "$dt" "$rc" "see unpack.log"; fi

# Point everything at the prefix (harmless where it holds nothing).
P=$PREFIX
export PATH="$P/usr/bin:$PATH"
libdirs="$P/usr/lib/$MULTIARCH:$P/lib/$MULTIARCH:$P/usr/lib/$MULTIARCH/openblas-pthread"
export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LIBRARY_PATH="$P/usr/lib/$MULTIARCH:$P/lib/$MULTIARCH${LIBRARY_PATH:+:$LIBRARY_PATH}"
export CPATH="$P/usr/include${CPATH:+:$CPATH}"
export CMAKE_PREFIX_PATH="$P/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
export AXSIM_CACHE_DIR=$BUILD/cache # LUTs, not in $HOME
# nvcc, and the CUDA runtime and cuBLAS (dlopened) where ld.so.conf lacks them
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="$PATH:/usr/local/cuda/bin"
if cuda_bin=$(command -v nvcc); then
  cuda_root=$(cd "$(dirname "$cuda_bin")/.." && pwd)
  for d in "$cuda_root/lib64" "$cuda_root/lib" "$cuda_root/targets/$(uname -m)-linux/lib"; do
    [ -d "$d" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
  done
fi
DATA=/usr/share/datasets/fashion-mnist
[ -f "$P$DATA/train-images-idx3-ubyte.gz" ] && DATA=$P$DATA

# --- configure -----------------------------------------------------------------
gen="Unix Makefiles"
if ninja --version >/dev/null 2>&1; then gen=Ninja; fi
{
  echo "cmake:    $(cmake --version 2>/dev/null | head -n 1)"
  echo "nvcc:     $(nvcc --version 2>/dev/null | tail -n 1)"
  echo "cc:       $(cc --version 2>/dev/null | head -n 1)"
  echo "ninja:    $(command -v ninja || echo none) $(ninja --version 2>/dev/null)"
  echo "data:     $DATA"
  echo "env:      PATH=$PATH"
  echo "          LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "          CMAKE_PREFIX_PATH=$CMAKE_PREFIX_PATH"
} >"$OUT/environment.log"
note "$(sed -n '1,5p' "$OUT/environment.log")"
note ""

# a fresh cache: one from an earlier run may name a prefix that is gone
rm -rf "$BUILD/CMakeCache.txt" "$BUILD/CMakeFiles"
run_step configure 120 cmake -S "$ROOT" -B "$BUILD" -G "$gen" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="$ARCH" -DAXSIM_BUILD_VERILATED=OFF -DAXSIM_BUILD_TESTS=ON \
  -DCMAKE_PREFIX_PATH="$P/usr" -DCMAKE_INCLUDE_PATH="$P/usr/include" \
  -DCMAKE_LIBRARY_PATH="$P/usr/lib/$MULTIARCH;$P/lib/$MULTIARCH"
configured=0
if [ "$rc" -eq 0 ] && grep -q "axsim: CUDA enabled" "$OUT/configure.log"; then
  configured=1
  result configure PASS "$dt" "$rc" "$gen; $(grep -o 'CUDA enabled.*' "$OUT/configure.log" | head -n 1)"
elif [ "$rc" -eq 0 ]; then
  result configure FAIL "$dt" "$rc" "configured without CUDA (nvcc not found): no GPU code"
else
  result configure FAIL "$dt" "$rc" "see configure.log"
fi

# --- build: axsim and what ctest -L gpu runs -----------------------------------
targets=(axsim test_device_units test_fastpath_gpu)
built=0
if [ "$configured" -eq 1 ]; then
  run_step build 300 cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]}"
  if [ "$rc" -eq 0 ]; then built=1; result build PASS "$dt" "$rc" "${targets[*]}"
  else result build FAIL "$dt" "$rc" "see build.log"; fi
else
  echo "not built: configure failed" >"$OUT/build.log"
  result build FAIL 0.0 - "configure failed"
fi
AX=$BUILD/cli/axsim
if [ "$built" -eq 1 ]; then # where the libraries come from (OpenBLAS is dlopened)
  libs=$(LD_DEBUG=libs timeout 30 "$AX" bench gemm --backends openblas --size 64x64x64 --min-time 0 2>&1 >/dev/null |
    grep -Eo 'calling init: [^ ]*(openblas|cjson|libz\.)[^ ]*' | sed 's/^calling init: //' | sort -u | tr '\n' ' ')
  echo "libs:     ${libs:-?}" >>"$OUT/environment.log"
  note "libs:     ${libs:-?}"
fi

# gpu_result NAME LOG-PATTERN-OF-NO-GPU DETAIL: PASS, or SKIP/FAIL when the
# log says there was no GPU (SKIP only with AXSIM_DEVICE_EXPECT_GPU=0)
gpu_result() {
  local name=$1 pat=$2 detail=$3
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && detail="timed out; $detail"
    result "$name" FAIL "$dt" "$rc" "$detail"
  elif grep -Eq "$pat" "$OUT/$name.log"; then
    if [ "$EXPECT_GPU" = 1 ]; then result "$name" FAIL "$dt" "$rc" "no GPU: $detail"
    else result "$name" SKIP "$dt" "$rc" "no GPU: $detail"; fi
  else
    result "$name" PASS "$dt" "$rc" "$detail"
  fi
}

# --- nvidia-smi ------------------------------------------------------------------
if command -v nvidia-smi >/dev/null; then
  run_step nvidia-smi 30 nvidia-smi
  gpu=$(timeout 20 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -n 1)
else
  echo "nvidia-smi: not found" >"$OUT/nvidia-smi.log"
  rc=127 dt=0.0 gpu=""
fi
if [ "$rc" -eq 0 ]; then result nvidia-smi PASS "$dt" "$rc" "${gpu:-see nvidia-smi.log}"
elif [ "$EXPECT_GPU" = 1 ]; then result nvidia-smi FAIL "$dt" "$rc" "no GPU: $(tail -n 1 "$OUT/nvidia-smi.log")"
else result nvidia-smi SKIP "$dt" "$rc" "no GPU: $(tail -n 1 "$OUT/nvidia-smi.log")"; fi

# --- ctest -L gpu ------------------------------------------------------------------
if [ "$built" -eq 1 ]; then
  run_step ctest-gpu 150 ctest --test-dir "$BUILD" -L gpu --output-on-failure
  cp "$BUILD/Testing/Temporary/LastTest.log" "$OUT/ctest-LastTest.log" 2>/dev/null
  tests=$(grep -Eo '[0-9]+% tests passed.*' "$OUT/ctest-gpu.log" | tail -n 1)
  [ "$rc" -eq 0 ] && ! grep -q "tests passed" "$OUT/ctest-gpu.log" && rc=1 # no gpu tests at all
  gpu_result ctest-gpu "\*\*\*Skipped|Not Run" "${tests:-no test summary}"
else
  echo "not run: the build failed" >"$OUT/ctest-gpu.log"
  result ctest-gpu FAIL 0.0 - "the build failed"
fi

# --- benchmarks: cuda next to cpu (and cuBLAS next to OpenBLAS) ---------------------
rm -f "$OUT/bench_gemm.json" "$OUT/bench_train.json" # --json will not overwrite
if [ "$built" -eq 1 ]; then
  run_step bench-gemm 150 "$AX" bench gemm --backends cpu,cuda,openblas,cublas \
    --size 256x256x256 --size 1024x1024x1024 --min-time 0.2 --json "$OUT/bench_gemm.json"
  gpu_result bench-gemm "cuda and cublas skipped|cuda skipped" "9 MACs x 2 sizes; bench_gemm.json"
  for b in "openblas skipped" "cublas: "; do # a baseline missing: worth a line
    grep -q "$b" "$OUT/bench-gemm.log" && note "             (bench-gemm: $(grep -o "$b.*" "$OUT/bench-gemm.log" | head -n 1))"
  done
  run_step bench-train 150 "$AX" bench train --model mlp,lenet5 --backends cpu,cuda \
    --images "$IMAGES" --data "$DATA" --json "$OUT/bench_train.json"
  gpu_result bench-train "cuda skipped" "mlp,lenet5 x 3 MACs, $IMAGES images; bench_train.json"
else
  for s in bench-gemm bench-train; do
    echo "not run: the build failed" >"$OUT/$s.log"
    result "$s" FAIL 0.0 - "the build failed"
  done
fi

total=$(($(date +%s) - t_start))
note ""
if [ "$failed" -eq 0 ]; then
  note "overall: PASS ($nsteps steps, ${total}s)"
  exit 0
fi
note "overall: FAIL ($failed of $nsteps steps failed, ${total}s)"
exit 1
