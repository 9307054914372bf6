#!/bin/bash
# FILE: benchmarks/gate-latency/run.sh
# DESCRIPTION:
#   Gate latency by path, each path side by side with a plain call in the
#   same run: the hosted benchmark (build/bin/gate-latency-hosted: plain
#   call, the MPK gate, its two PKRU switches, a shared local), natively
#   where the host has protection keys and otherwise in the QEMU TCG test
#   VM of the hosted-pku tests, then the kernel image's (intel-pku, under
#   QEMU TCG -cpu max).  TCG figures are emulation, not hardware.  Prints
#   the tables, the CPU and where each ran, and draws the medians as an
#   SVG chart next to them: BUILD_DIR/benchmarks/gate-latency/
#   gate-latency.{txt,tsv,svg}.  (vm-ept: ept/run.sh.)
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
echo "gate-latency: hosted, $where"
"$root/platform/linux/testvm/run-pku.sh" --cache "$build/testvm-cache" -- \
  "$bench" --samples "$samples" | tee "$out/gate-latency.txt"
# rows: LABEL  MEDIAN  P10  P90  RATIO
awk -v g="Linux process ($where)" '/^[A-Za-z ].*[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$/ {
       r = $NF; m = $(NF-3);
       label = $0; sub(/ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$/, "", label); sub(/^ +/, "", label);
       printf "%s\t%s\t%s\tx%s\n", g, label, m, r }' \
  "$out/gate-latency.txt" > "$out/gate-latency.tsv"
image=$out/gate-latency-pku.elf
if [ -f "$image" ]; then
  echo "gate-latency: kernel image, intel-pku under QEMU TCG -cpu max"
  "$root/tools/run-image.sh" "$image" | grep '^gate-latency:' | tee -a "$out/gate-latency.txt" |
    awk '$3 == "median" { printf "kernel image (QEMU TCG, intel-pku)\t%s\t%s\t%s\n", $2, $4, $NF }' \
    >> "$out/gate-latency.tsv"
fi
python3 "$root/tools/svg-bars.py" --title "Gate latency by path" \
  --subtitle "median of each row; x = ratio to the plain call of the same run; TCG rows are emulation" \
  --unit "TSC ticks (process) or cycles (image) per round trip" "$out/gate-latency.tsv" "$out/gate-latency.svg"
