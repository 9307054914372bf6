#!/bin/bash
# FILE: benchmarks/compile-overhead/run.sh
# DESCRIPTION:
#   Compile-time overhead of the flexos plugin on a real library.  Fetches
#   lwIP 2.1.3 from Debian's source package with libs/lwip/fetch-lwip.sh
#   (a private deb-src apt setup derived from
#   /etc/apt/sources.list.d/debian.sources; upstream tarball, no patches;
#   skipped when the cache already has it), then compiles lwIP's core, IPv4, IPv6, API and
#   Ethernet sources three ways, several runs each in rotating order:
#     plain      clang-19 -O2 -c
#     none       + -fplugin=flexos.so with none.yaml (lwip -> net)
#     intel-pku  + -fplugin=flexos.so with intel-pku.yaml
#   and prints the median wall time and the median compiler CPU time
#   (user+system; less disturbed by other load) of each and its ratio to
#   plain (the target is <= 1.05).  --callgrind also counts instructions of one
#   compile (src/core/tcp.c) under valgrind, a noise-free ratio.
#   Third-party source is only ever downloaded into the cache directory.
# USAGE:
#   benchmarks/compile-overhead/run.sh --build-dir build --runs 5 --callgrind
#   (or: cmake --build build --target bench-compile-overhead)
# License: MIT (see LICENSE)

set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=$(basename "$0")
build=${FLEXOS_BUILD_DIR:-}
cache=""
runs=5
callgrind=0
cc=${CC_FOR_BENCH:-clang-19}

usage() {
  cat <<EOF
usage: $prog --build-dir DIR [--cache-dir DIR] [--runs N] [--callgrind]
Times clang-19 -O2 on lwIP's sources without and with the flexos plugin
(configs none.yaml and intel-pku.yaml next to this script); prints median
wall and CPU times and plugin/plain ratios.
  --build-dir DIR   flexos build tree holding lib/flexos.so
                    (default: \$FLEXOS_BUILD_DIR)
  --cache-dir DIR   where lwIP's source is downloaded and objects go
                    (default: DIR/benchmarks/compile-overhead/cache)
  --runs N          timed runs per configuration, odd (default 5)
  --callgrind       also count instructions for src/core/tcp.c (slow)
EOF
}

die() {
  echo "$prog: error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
  --help | -h) usage; exit 0 ;;
  --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift ;;
  --cache-dir) [ $# -ge 2 ] || die "--cache-dir needs a directory"; cache=$2; shift ;;
  --runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
  --callgrind) callgrind=1 ;;
  *) echo "$prog: error: unknown argument $1; see --help" >&2; exit 2 ;;
  esac
  shift
done

case $runs in
'' | *[!0-9]*) die "--runs needs a positive odd number, not '$runs'" ;;
esac
[ "$runs" -ge 1 ] && [ $((runs % 2)) -eq 1 ] ||
  die "--runs needs a positive odd number (for a true median), not $runs"
[ -n "$build" ] || die "no build directory; pass --build-dir DIR (the flexos build tree)"
[ -d "$build" ] || die "build directory '$build' does not exist; configure and build flexos there first"
build=$(cd "$build" && pwd)
plugin=$build/lib/flexos.so
[ -f "$plugin" ] ||
  die "$plugin is missing; build flexos first: cmake --build $build --target flexos_plugin"
cache=${cache:-$build/benchmarks/compile-overhead/cache}
mkdir -p "$cache" || die "cannot create cache directory $cache"
cache=$(cd "$cache" && pwd)
command -v "$cc" >/dev/null || die "$cc not found; install clang-19"

# ---- STEP 1: lwIP source from Debian's source package ------------------
# libs/lwip/fetch-lwip.sh (shared with the images) runs apt on private
# lists under $cache/apt, so the system's apt state is untouched, and
# unpacks lwIP's upstream tarball into $cache/lwip.
fetch_lwip() {
  "$here/../../libs/lwip/fetch-lwip.sh" --dest "$cache" >"$cache/fetch.log" 2>&1 ||
    die "fetching lwIP failed: $(tail -n 1 "$cache/fetch.log")"
  echo "lwIP source: $cache/lwip"
}

fetch_lwip
lwip=$cache/lwip
version=$(sed -n 's/^#define LWIP_VERSION_\(MAJOR\|MINOR\|REVISION\)[[:space:]]*\([0-9]*\).*/\2/p' \
  "$lwip/src/include/lwip/init.h" | paste -sd. -)

files=()
for f in "$lwip"/src/core/*.c "$lwip"/src/core/ipv4/*.c "$lwip"/src/core/ipv6/*.c \
  "$lwip"/src/api/*.c "$lwip"/src/netif/ethernet.c; do
  [ -f "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || die "no lwIP sources found under $lwip/src"

# ---- STEP 2: the three compilations -------------------------------------
base_flags=(-O2 -I "$here/port" -I "$lwip/src/include")
configs=(plain none intel-pku)

# config_flags CONFIG: prints the extra flags of one configuration.
config_flags() {
  case $1 in
  plain) ;;
  *) echo "-fplugin=$plugin -fplugin-arg-flexos-config=$here/$1.yaml -fplugin-arg-flexos-library=lwip" ;;
  esac
}

# compile_files CONFIG OUTDIR: compiles every file; returns 1 on failure.
compile_files() {
  local f
  for f in "${files[@]}"; do
    # shellcheck disable=SC2046
    if ! "$cc" "${base_flags[@]}" $(config_flags "$1") -c "$f" \
      -o "$2/$(basename "$f" .c).o" 2>>"$cache/compile-$1.log"; then
      echo "$prog: error: $cc failed on $f in config $1 (see $cache/compile-$1.log)" >&2
      return 1
    fi
  done
}

# compile_all CONFIG: compiles every file; prints "WALL_NS CPU_NS", the
# wall time and the user+system CPU time of the compilers (bash's `time`
# keyword, which takes both from the kernel's accounting).
compile_all() {
  local out=$cache/obj/$1 TIMEFORMAT='%3R %3U %3S' r u s
  mkdir -p "$out" || die "cannot create $out"
  { time compile_files "$1" "$out" 2>&3; } 3>&2 2>"$cache/time-$1.txt" || exit 1
  read -r r u s <"$cache/time-$1.txt" || die "no timing for config $1"
  awk -v r="$r" -v u="$u" -v s="$s" 'BEGIN {printf "%.0f %.0f\n", r * 1e9, (u + s) * 1e9}'
}

# median: reads numbers, prints the middle one (odd count).
median() { sort -n | awk '{v[NR] = $1} END {print v[(NR + 1) / 2]}'; }

rm -f "$cache"/compile-*.log
"$here/../../tools/host-info.sh" | sed 's/^/host: /'
echo "compile-overhead: lwIP $version, ${#files[@]} files, $cc -O2, $runs timed runs per config (rotating order, after 1 warm-up)"
# compile_all runs in a subshell: an empty result means it died
for c in "${configs[@]}"; do
  [ -n "$(compile_all "$c")" ] || exit 1
done
declare -A wall cpu
for ((r = 0; r < runs; r++)); do
  for ((k = 0; k < 3; k++)); do
    c=${configs[$(((r + k) % 3))]}
    t=$(compile_all "$c")
    [ -n "$t" ] || exit 1
    wall[$c]="${wall[$c]:-} ${t% *}"
    cpu[$c]="${cpu[$c]:-} ${t#* }"
  done
done

# table NAME VALUES-ARRAY: median/min/max per config and ratio to plain;
# the medians also go to the chart's table ($tsv).
tsv=$build/benchmarks/compile-overhead/compile-overhead.tsv
mkdir -p "$(dirname "$tsv")"
: > "$tsv"
table() {
  local -n v=$2
  local c med min max p
  p=$(printf '%s\n' ${v[plain]} | median)
  printf '%-10s %10s %10s %10s %8s\n' "$1" "median s" "min s" "max s" "x plain"
  for c in "${configs[@]}"; do
    med=$(printf '%s\n' ${v[$c]} | median)
    min=$(printf '%s\n' ${v[$c]} | sort -n | head -n 1)
    max=$(printf '%s\n' ${v[$c]} | sort -n | tail -n 1)
    awk -v c="$c" -v m="$med" -v lo="$min" -v hi="$max" -v p="$p" \
      'BEGIN {printf "%-10s %10.3f %10.3f %10.3f %8.3f\n", c, m/1e9, lo/1e9, hi/1e9, m/p}'
    awk -v n="$1" -v c="$c" -v m="$med" -v p="$p" \
      'BEGIN {printf "%s time\t%s\t%.4f\t%.3f x plain\n", n, c, m/1e9, m/p}' >> "$tsv"
  done
}
table "wall" wall
table "cpu" cpu
python3 "$here/../../tools/svg-bars.py" --title "Compile time of lwIP with the flexos plugin" \
  --subtitle "median of $runs runs; $cc -O2" --unit "seconds" "$tsv" "${tsv%.tsv}.svg"
echo "target: plugin/plain <= 1.05"

# ---- STEP 3 (optional): instruction counts ------------------------------
if [ "$callgrind" -eq 1 ]; then
  command -v valgrind >/dev/null || die "--callgrind needs valgrind (apt-get install valgrind)"
  one=$lwip/src/core/tcp.c
  echo "callgrind: instructions executed by $cc -O2 -c src/core/tcp.c"
  plain_ir=""
  for c in "${configs[@]}"; do
    # shellcheck disable=SC2046
    ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$cc" "${base_flags[@]}" $(config_flags "$c") -c "$one" -o "$cache/obj/tcp-cg.o" 2>&1 |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    [ -n "$ir" ] || die "valgrind gave no instruction count for config $c"
    plain_ir=${plain_ir:-$ir}
    awk -v c="$c" -v ir="$ir" -v p="$plain_ir" \
      'BEGIN {printf "%-10s %16d Ir %8.4f x plain\n", c, ir, ir/p}'
  done
fi
