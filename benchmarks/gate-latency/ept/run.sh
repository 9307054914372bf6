#!/bin/bash
# FILE: benchmarks/gate-latency/ept/run.sh
# DESCRIPTION:
#   Runs the vm-ept gate-latency images (hypercall and polling mode) under
#   tools/flexos-vmm, one after the other on the same machine, and prints
#   their lines: every case as cycles and as a ratio to two null
#   hypercalls measured in the same run.  Where the host's KVM is kvm_pvm,
#   which runs no guest's ring 3, it says so and stops: ept/rings.sh runs
#   these images nested in the test VM instead.
# USAGE: benchmarks/gate-latency/ept/run.sh BUILD_DIR
# License: MIT (see LICENSE)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR}
vmm=$build/bin/flexos-vmm
dir=$build/benchmarks/gate-latency
[ -x "$vmm" ] || { echo "run.sh: $vmm missing; build first (ninja -C $build)" >&2; exit 1; }
if [ ! -w /dev/kvm ]; then
  echo "run.sh: /dev/kvm is missing or not writable; vm-ept needs KVM" >&2
  exit 77
fi
if [ -d /sys/module/kvm_pvm ]; then
  echo "run.sh: the host's KVM is kvm_pvm, which runs no guest's ring 3; run" \
       "benchmarks/gate-latency/ept/rings.sh $build (nested in the test VM) instead" >&2
  exit 77
fi
echo "gate-latency-ept: host $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) CPUs"
for mode in hypercall polling; do
  "$vmm" --timeout 300 "$dir/gate-latency-ept-$mode.elf" | grep '^gate-latency-ept:'
done
