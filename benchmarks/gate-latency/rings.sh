#!/bin/bash
# FILE: benchmarks/gate-latency/rings.sh
# DESCRIPTION:
#   Ring 3 against ring 0 in kernel images (docs/benchmarks.md): boots the
#   gate-latency image of each mechanism (intel-pku, none) in both rings,
#   one after the other, under QEMU TCG -cpu max with --icount (the
#   guest's TSC counts instructions: the figures are instruction counts,
#   the same from run to run, not time), and prints one table of medians
#   per case with each one's ratio to the plain call of the same image.
#   Writes BUILD_DIR/benchmarks/gate-latency/rings.{txt,tsv}.
# USAGE: benchmarks/gate-latency/rings.sh BUILD_DIR
# License: MIT (see LICENSE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") echo "usage: benchmarks/gate-latency/rings.sh BUILD_DIR (see --help)" >&2; exit 2 ;;
esac
build=$(cd "$1" && pwd) || exit 2
dir=$build/benchmarks/gate-latency
out=$dir/rings.tsv
images=(gate-latency-pku-ring0 gate-latency-pku gate-latency-none-ring0 gate-latency-none)
labels=("intel-pku, ring 0" "intel-pku, ring 3" "none, ring 0" "none, ring 3")
for img in "${images[@]}"; do
  [ -f "$dir/$img.elf" ] ||
    { echo "rings.sh: $dir/$img.elf missing; cmake --build $build --target $img" >&2; exit 1; }
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
printf 'image\tcase\tmedian\tratio\n' > "$out.part"
for i in "${!images[@]}"; do
  echo "rings.sh: ${labels[$i]} (${images[$i]}.elf, TCG --icount)" >&2
  log=$("$root/tools/run-image.sh" --accel tcg --icount --timeout 600 \
          "$dir/${images[$i]}.elf" 2>&1) ||
    { printf '%s\n' "$log" >&2; echo "rings.sh: ${images[$i]} failed" >&2; rm -f "$out.part"; exit 1; }
  printf '%s\n' "$log" |
    sed -n 's/^gate-latency: \([a-z0-9-]*\) *median *\([0-9]*\) cycles.*ratio \([0-9.]*x\)$/\1\t\2\t\3/p' |
    while IFS=$'\t' read -r case median ratio; do
      printf '%s\t%s\t%s\t%s\n' "${labels[$i]}" "$case" "$median" "$ratio"
    done >> "$out.part"
done
mv "$out.part" "$out"
{
  echo "gate-latency in images, ring 3 against ring 0: QEMU TCG -cpu max --icount on $cpu"
  echo "(medians of instructions per round trip; ratio to the same image's plain call)"
  printf '%-26s' case
  for l in "${labels[@]}"; do printf ' | %-20s' "$l"; done
  echo
  for case in $(awk -F'\t' 'NR > 1 && !seen[$2]++ { print $2 }' "$out"); do
    printf '%-26s' "$case"
    for l in "${labels[@]}"; do
      cell=$(awk -F'\t' -v l="$l" -v c="$case" '$1 == l && $2 == c { print $3 " (" $4 ")" }' "$out")
      printf ' | %-20s' "${cell:--}"
    done
    echo
  done
} | tee "$dir/rings.txt"
