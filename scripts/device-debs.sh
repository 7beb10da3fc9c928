#!/usr/bin/env bash
# device-debs.sh — downloads into .debs/ the Debian 12 packages that the GPU
# check (scripts/device-check.sh) needs and that the device machine may lack:
# it has CMake, a C/C++ compiler and the CUDA toolkit, but no Debian network.
# Run it here (Debian 12, apt sources reachable), then carry .debs/ (ignored by
# git) with the working tree. Only downloads (apt-get download): nothing is
# installed here. Idempotent: a package whose .deb is already there is kept.
#
#   scripts/device-debs.sh            # into .debs/ (AXSIM_DEBS_DIR overrides)
#
# What each package is for:
#   ninja-build                        the CMake generator (make is the fallback)
#   catch2                             find_package(Catch2 2) in tests/CMakeLists.txt
#   libcjson-dev libcjson1             cli/ and networks/ (JSON, safetensors)
#   zlib1g-dev zlib1g                  networks/ (gzip IDX files); zlib1g because
#                                      zlib1g-dev's libz.so points at its library
#   libopenblas0-pthread               the CPU baseline of axsim bench (dlopened
#   libgfortran5 libquadmath0          libopenblas.so.0), and what it needs
#   dataset-fashion-mnist              axsim bench train reads Fashion-MNIST
# About 40 MB in all, 31 MB of it the data set; the script stops above
# AXSIM_DEBS_MAX_MB (default 50) so the carried tree stays under 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${AXSIM_DEBS_DIR:-.debs}
max_mb=${AXSIM_DEBS_MAX_MB:-50}
pkgs=(ninja-build catch2 libcjson-dev libcjson1 zlib1g-dev zlib1g
      libopenblas0-pthread libgfortran5 libquadmath0 dataset-fashion-mnist)

command -v apt-get >/dev/null || { echo "device-debs: apt-get not found (Debian 12 needed)" >&2; exit 1; }
SUDO=
dl_opts=(-q)
if [ "$(id -u)" -eq 0 ]; then
  dl_opts+=(-o APT::Sandbox::User=root) # the _apt user cannot write into the checkout
else
  SUDO=sudo
fi

# "name version arch" of every package's candidate (one apt-cache call: they are slow)
candidates() {
  apt-cache show --no-all-versions "${pkgs[@]}" 2>/dev/null |
    awk '/^Package: /{p=$2} /^Version: /{v=$2} /^Architecture: /{a=$2} /^$/{if(p)print p, v, a; p=""} END{if(p)print p, v, a}'
}
cand=$(candidates)
complete() { for p in "${pkgs[@]}"; do grep -q "^$p " <<<"$cand" || return 1; done; }
if ! complete; then
  echo "device-debs: apt-get update (some packages have no candidate)"
  $SUDO apt-get update -qq
  cand=$(candidates)
fi

mkdir -p "$dest"
total=0
for p in "${pkgs[@]}"; do
  read -r _ v arch < <(grep "^$p " <<<"$cand" | head -n 1) || true
  [ -n "${v:-}" ] || { echo "device-debs: no candidate for $p" >&2; exit 1; }
  f="${p}_${v//:/%3a}_${arch}.deb" # apt-get download's name for it
  if [ ! -s "$dest/$f" ]; then
    # another version of the same package would be unpacked too: drop it
    find "$dest" -maxdepth 1 -name "${p}_*.deb" ! -name "$f" -delete
    (cd "$dest" && apt-get download "${dl_opts[@]}" "$p=$v")
  fi
  [ -s "$dest/$f" ] || { echo "device-debs: $f was not downloaded" >&2; exit 1; }
  size=$(stat -c %s "$dest/$f")
  total=$((total + size))
  printf '%-24s %-28s %10d bytes\n' "$p" "$v" "$size"
done
# .debs of packages no longer listed would be unpacked as well: report them
for f in "$dest"/*.deb; do
  name=$(basename "$f"); name=${name%%_*}
  case " ${pkgs[*]} " in *" $name "*) ;; *) echo "device-debs: note: $f is not in the list (remove it?)" ;; esac
done
mb=$(( (total + 1048575) / 1048576 ))
echo "device-debs: ${#pkgs[@]} packages, $total bytes (about $mb MiB) in $dest/"
if [ "$mb" -gt "$max_mb" ]; then
  echo "device-debs: more than $max_mb MiB: the carried tree would be too large" >&2
  exit 1
fi
