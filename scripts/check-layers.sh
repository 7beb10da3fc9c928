#!/usr/bin/env bash
# check-layers.sh — holds the code to the allowed arrows between axsim's
# libraries, as docs/architecture.md draws them (the table between
# "<!-- layers begin -->" and "<!-- layers end -->": a folder, its library,
# the libraries it may use, or "any"). Fails (exit 1), naming file and line:
#   - an #include (C, C++, CUDA) or `include (Verilog) of a header that lives
#     in another library's folder which the table does not allow;
#   - a target_link_libraries line of a folder's CMakeLists.txt that links an
#     ax_* library the folder may not use;
#   - an include cycle between the files of one library;
#   - with --calls BUILD: a call cycle between the object files of one of
#     the libax_*.a archives in BUILD (read with nm): a file that calls a
#     file that calls it back.
# Headers found in no folder (system, generated, Verilator's) are not
# checked. A folder belongs to the longest folder of the table it is under.
#   check-layers.sh [--calls BUILD] [ROOT]   (ROOT: the checkout this script is in)
set -euo pipefail
build=
if [ "${1:-}" = --calls ]; then
  build=$(cd "$2" && pwd)
  shift 2
fi
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
doc=$root/docs/architecture.md
[ -f "$doc" ] || { echo "check-layers: $doc not found" >&2; exit 2; }

table=$(awk '/<!-- layers begin -->/ { on = 1; next } /<!-- layers end -->/ { on = 0 } on' "$doc" |
  awk -F'|' 'NF >= 4 && $2 ~ /`/ {
      f = $2; l = $3; u = $4
      gsub(/[` ]/, "", f); gsub(/[` ]/, "", l); gsub(/[` ]/, "", u)
      if (u == "" || u == "—" || u == "-") u = "none"
      print f, l, u }')
[ -n "$table" ] || { echo "check-layers: no layer table in $doc" >&2; exit 2; }

# every source file of the tree (a git checkout: the tracked and untracked
# files git does not ignore; else every file outside build folders)
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git -C "$root" ls-files --cached --others --exclude-standard)
else
  files=$(cd "$root" && find . -type f ! -path './build*' ! -path './.git/*' | sed 's|^\./||')
fi
files=$(grep -E '\.(c|h|cpp|hpp|cu|cuh|v|vh)$|(^|/)CMakeLists\.txt$' <<<"$files" | while read -r f; do
  [ -f "$root/$f" ] && echo "$f"; done)

# each file with its folder's row: "file folder lib uses" (the longest folder)
owners=$(awk 'NR == FNR { dir[NR] = $1; row[NR] = $0; n = NR; next }
              { best = 0
                for (i = 1; i <= n; i++)
                  if (index($0, dir[i]) == 1 && length(dir[i]) > best) { best = length(dir[i]); r = row[i] }
                if (best) print $0, r }' <(echo "$table") <(echo "$files"))

declare -A lib_of_file uses_of_lib lib_of_header
while read -r f _ lib uses; do
  [ -n "$f" ] || continue
  lib_of_file[$f]=$lib
  uses_of_lib[$lib]=$uses
  case $f in *.h | *.hpp | *.cuh | *.vh) lib_of_header[${f##*/}]=$lib ;; esac
done <<<"$owners"

allowed() { # library, used library
  [ "$1" = "$2" ] && return 0
  local u=${uses_of_lib[$1]:-none}
  [ "$u" = any ] && return 0
  [[ ",$u," == *",$2,"* ]]
}

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in "${!lib_of_file[@]}"; do
  lib=${lib_of_file[$f]}
  case $f in
  *CMakeLists.txt)
    # the ax_* libraries on each target_link_libraries(...) call
    while IFS=: read -r line used; do
      [ -n "$used" ] || continue
      if ! allowed "$lib" "$used"; then
        echo "$f:$line: links $used, but $lib may use only: ${uses_of_lib[$lib]}"
        bad=$((bad + 1))
      fi
    done < <(awk '/^[ \t]*target_link_libraries\(/ { on = 1; start = NR }
                  on { s = $0; sub(/#.*/, "", s)
                       n = split(s, w, /[ \t()]+/)
                       for (i = 1; i <= n; i++) if (w[i] ~ /^ax_[a-z0-9_]+$/) print start ":" w[i]
                       if ($0 ~ /\)/) on = 0 }' "$root/$f" | sort -u)
    ;;
  *)
    while IFS=: read -r line hdr; do
      h=${hdr##*/}
      used=${lib_of_header[$h]:-}
      [ -n "$used" ] || continue
      if ! allowed "$lib" "$used"; then
        echo "$f:$line: includes $hdr ($used), but $lib may use only: ${uses_of_lib[$lib]}"
        bad=$((bad + 1))
      fi
      [ "$used" = "$lib" ] && echo "${f##*/} $h" >>"$edges"
    done < <(grep -nE '^[ \t]*(#|`)[ \t]*include[ \t]+"[^"]+"' "$root/$f" |
             sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1:\2/')
    ;;
  esac
done

# include cycles inside a library (tsort names the loop)
if [ -s "$edges" ] && ! tsort "$edges" >/dev/null 2>"$edges.err"; then
  echo "include cycle:"
  sed 's/^/  /' "$edges.err"
  bad=$((bad + 1))
fi
rm -f "$edges.err"

# call cycles inside a library: member -> member when one calls (or reads)
# what the other defines
narchives=0
if [ -n "$build" ]; then
  while read -r a; do
    narchives=$((narchives + 1))
    nm -A "$a" 2>/dev/null | awk '
      { n = split($1, p, ":"); m = p[2]; t = $(NF - 1); s = $NF
        if (t == "U") use[m SUBSEP s] = 1
        else if (t ~ /^[TDBRV]$/) def[s] = m }
      END { for (k in use) { split(k, q, SUBSEP)
                             if ((q[2] in def) && def[q[2]] != q[1]) print q[1], def[q[2]] } }' |
      sort -u >"$edges"
    if [ -s "$edges" ] && ! tsort "$edges" >/dev/null 2>"$edges.err"; then
      echo "call cycle in $(basename "$a"):"
      sed 's/^/  /' "$edges.err"
      bad=$((bad + 1))
    fi
    rm -f "$edges.err"
  done < <(find "$build" -name 'libax_*.a' | sort)
  [ $narchives -gt 0 ] || { echo "check-layers: no libax_*.a under $build" >&2; exit 2; }
fi

nfiles=${#lib_of_file[@]}
if [ $bad -gt 0 ]; then
  echo "check-layers: $bad forbidden arrow(s) in $nfiles files (docs/architecture.md, \"Layers\")"
  exit 1
fi
echo "check-layers: $nfiles files${build:+ and $narchives libraries}, every include${build:+, call} and link within the allowed arrows"
