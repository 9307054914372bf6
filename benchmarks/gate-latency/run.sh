#!/bin/bash
# FILE: benchmarks/gate-latency/run.sh
# DESCRIPTION:
#   The hosted gate-latency benchmark (build/bin/gate-latency-hosted:
#   plain call, the MPK gate, its two PKRU switches, a shared local, side
#   by side in one run), natively where the host has protection keys and
#   otherwise in the QEMU TCG test VM of the hosted-pku tests (whose
#   figures are emulation, not hardware).  Prints the table, the CPU and
#   where it ran, and draws the medians as an SVG chart next to it:
#   BUILD_DIR/benchmarks/gate-latency/gate-latency-hosted.{txt,tsv,svg}.
# USAGE: benchmarks/gate-latency/run.sh BUILD_DIR [--samples N]
# License: MIT (see LICENSE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="" samples=20001
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --samples) samples=$2; shift 2 ;;
    -*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) build=$(cd "$1" && pwd) || exit 2; shift ;;
  esac
done
[ -n "$build" ] || { echo "usage: benchmarks/gate-latency/run.sh BUILD_DIR [--samples N]" >&2; exit 2; }
bench=$build/bin/gate-latency-hosted
[ -x "$bench" ] || { echo "run.sh: $bench missing; ninja -C $build gate-latency-hosted" >&2; exit 1; }
out=$build/benchmarks/gate-latency
mkdir -p "$out"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
if FLEXOS_HOST_INFO=$build/host-info.txt "$root/tools/host-info.sh" --get pkey-alloc | grep -q '^works'; then
  where="natively on $cpu (pku)"
else
  where="QEMU TCG -cpu max on $cpu (no pku here): emulation, not hardware"
fi
echo "gate-latency: $where"
"$root/platform/linux/testvm/run-pku.sh" --cache "$build/testvm-cache" -- \
  "$bench" --samples "$samples" | tee "$out/gate-latency-hosted.txt"
# rows: LABEL  MEDIAN  P10  P90  RATIO
awk '/^[A-Za-z ].*[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$/ {
       r = $NF; p90 = $(NF-1); p10 = $(NF-2); m = $(NF-3);
       label = $0; sub(/ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$/, "", label); sub(/^ +/, "", label);
       printf "round trip\t%s\t%s\tx%s\n", label, m, r }' \
  "$out/gate-latency-hosted.txt" > "$out/gate-latency-hosted.tsv"
python3 "$root/tools/svg-bars.py" --title "Gate latency in a Linux process (hosted platform)" \
  --subtitle "$where; median of $samples samples; x = ratio to the plain call" \
  --unit "TSC ticks per round trip" "$out/gate-latency-hosted.tsv" "$out/gate-latency-hosted.svg"
