#!/bin/bash
# FILE: benchmarks/gate-latency/ept/rings.sh
# DESCRIPTION:
#   The vm-ept gate with each VM's compartment in ring 3 against ring 0
#   (docs/benchmarks.md): boots gate-latency-ept-hypercall (ring 3) and
#   gate-latency-ept-hypercall-ring0 (built with RING0) under
#   tools/flexos-vmm, one after the other in one test VM
#   (platform/linux/testvm/run-in-vm.sh --kvm: kvm-amd nested in QEMU TCG,
#   the same KVM on every host), and prints each case's median with its
#   ratio to two null hypercalls of the same run, per ring, and ring 3's
#   median over ring 0's.  Figures are
#   cycles of a nested, emulated machine: compare ratios only.
#   Writes BUILD_DIR/benchmarks/gate-latency/ept-rings.txt.
# USAGE: benchmarks/gate-latency/ept/rings.sh BUILD_DIR [TESTVM_CACHE]
# License: MIT (see LICENSE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
case "${1:-}" in
  -h|--help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") echo "usage: benchmarks/gate-latency/ept/rings.sh BUILD_DIR [TESTVM_CACHE] (see --help)" >&2; exit 2 ;;
esac
build=$(cd "$1" && pwd) || exit 2
cache=${2:-$build/testvm-cache}
dir=$build/benchmarks/gate-latency
vmm=$build/bin/flexos-vmm
ring3=$dir/gate-latency-ept-hypercall.elf
ring0=$dir/gate-latency-ept-hypercall-ring0.elf
for f in "$vmm" "$ring3" "$ring0"; do
  [ -f "$f" ] || { echo "rings.sh: $f missing; build first (cmake --build $build)" >&2; exit 1; }
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "rings.sh: both rings in one test VM (kvm-amd nested in QEMU TCG)" >&2
# Inside the VM: each image in turn, its lines prefixed with its ring.
script="for r in 3 0; do if [ \$r = 3 ]; then i=$ring3; else i=$ring0; fi;
  $vmm --timeout 300 \$i | sed \"s/^/ring\$r /\" || exit 1; done"
"$root/platform/linux/testvm/run-in-vm.sh" --kvm --cache "$cache" --mem 1G \
  --timeout 900 --file "$vmm" --file "$ring3" --file "$ring0" -- sh -c "$script" >"$log" 2>&1
status=$?
if grep -q '^flexos-vm: kvm=no' "$log"; then
  cat "$log"; echo "SKIP: KVM did not start inside the test VM"; exit 77
fi
if [ $status -ne 0 ] || grep -q '^run-in-vm: ' "$log"; then
  cat "$log"; echo "rings.sh: the test VM failed (status $status)" >&2; exit 1
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
  echo "gate-latency-ept rings: host $cpu; kvm-amd nested in QEMU TCG; hypercall mode"
  printf '%-22s %12s %12s %12s %12s %14s\n' case "ring 0" "x null2" "ring 3" "x null2" "ring 3/ring 0"
  for c in plain-call null-hypercall two-null-hypercalls gate-0 gate-6; do
    line() { sed -n "s/^ring$1 gate-latency-ept: $c  *median  *\([0-9]*\) cycles.*ratio to two null hypercalls \([0-9.]*x\)\$/\1 \2/p" "$log"; }
    read -r m0 r0 <<<"$(line 0)"
    read -r m3 r3 <<<"$(line 3)"
    [ -n "${m0:-}" ] && [ -n "${m3:-}" ] ||
      { cat "$log"; echo "rings.sh: no figures for $c" >&2; exit 1; }
    printf '%-22s %12s %12s %12s %12s %13sx\n' "$c" "$m0" "$r0" "$m3" "$r3" \
      "$(awk -v a="$m3" -v b="$m0" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
  done
} > "$dir/ept-rings.txt" || exit 1
cat "$dir/ept-rings.txt"
