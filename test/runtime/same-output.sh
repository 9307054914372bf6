#!/bin/bash
# FILE: test/runtime/same-output.sh
# DESCRIPTION:
#   Boots the three-compartment functional test as the none image under
#   TCG, its ring-0 twin under KVM (kvm_pvm runs no guest's ring 3), and
#   the intel-pku image under TCG, and checks that the functional lines
#   (everything main prints after its banner) are identical.  Where QEMU cannot start a KVM guest (tools/host-info.sh)
#   the KVM run is skipped, said so, and
#   the two TCG runs are still compared.
# USAGE:
#   same-output.sh tools/run-image.sh rt-three-none.elf rt-three-pku.elf \
#     rt-three-none-ring0.elf
# License: MIT (see LICENSE)
set -u
run=$1 none=$2 pku=$3 none_kvm=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Lines from main's checks only: drop banners, timings and runner output.
functional() {
  "$run" "$@" | grep -Ev '^(flexos:|three: (protection keys on|no isolation)|boot-time:|run-image:|PASS:|SKIP:)'
}

functional --accel tcg "$none" > "$dir/none-tcg" || { echo "FAIL: none/tcg run"; exit 1; }
functional --accel tcg "$pku" > "$dir/pku-tcg" || { echo "FAIL: pku/tcg run"; exit 1; }
runs="none-tcg pku-tcg"
if [ "$("$(dirname "$0")/../../tools/host-info.sh" --get kvm-cpu)" != none ]; then
  functional --accel kvm --timeout 600 "$none_kvm" > "$dir/none-kvm" || { echo "FAIL: none/kvm run"; exit 1; }
  runs="$runs none-kvm"
else
  echo "SKIP (KVM run): $("$(dirname "$0")/../../tools/host-info.sh" --get kvm-reason); comparing the TCG runs only"
fi
grep -q "three: functional ok" "$dir/none-tcg" || { echo "FAIL: none/tcg not ok"; exit 1; }
status=0
for r in $runs; do
  if ! diff -u "$dir/none-tcg" "$dir/$r"; then
    echo "FAIL: $r output differs from none-tcg"
    status=1
  fi
done
[ $status -eq 0 ] && echo "PASS: identical functional output ($(wc -l < "$dir/none-tcg") lines) in: $runs"
exit $status
