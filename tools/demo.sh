#!/usr/bin/env bash
# FILE: tools/demo.sh
# DESCRIPTION:
#   Quick start, command 1: installs missing packages, builds everything,
#   then shows what flexos does:
#     1. the README example compiled under none, intel-pku and vm-ept, with
#        the code each gate became;
#     2. the kvstore example (three libraries) running as a Linux program
#        in the none configuration;
#     3. the same kvstore sources as a kernel image with three MPK
#        compartments, booted under QEMU TCG (which enforces protection
#        keys), printing the same lines;
#     4. a compartment (fs) reading another one's (net) private global in
#        the three-compartment test image: a protection-key fault, reported
#        with both compartments;
#     5. vm-ept: three compartments in three KVM VMs under tools/flexos-vmm
#        (skipped without /dev/kvm);
#     6. the headline: the Redis-compatible kvstore server on lwIP and the
#        sched library, built in five isolation configurations from one set
#        of sources, each booted and driven by the real redis-benchmark,
#        with throughput tables and the ratio to one compartment: (a)-(d)
#        under QEMU TCG, (e) (lwIP in its own KVM VM) under tools/flexos-vmm
#        next to its one-VM baseline, with 200 requests per test (guest
#        code under this host's nested KVM is very slow; docs/vm.md).
# USAGE: tools/demo.sh [--requests N]   (redis-benchmark requests per test
#                                        under TCG; default 20000)
# License: MIT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requests=20000
if [ "${1:-}" = --requests ] && [ -n "${2:-}" ]; then
  requests=$2
elif [ $# -gt 0 ]; then
  sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
build=$root/build
"$root/tools/install-deps.sh"
"$root/tools/build.sh" "$build"

plugin=$build/lib/flexos.so
out=$build/demo
mkdir -p "$out"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "this machine (tools/host-info.sh): every number below comes from it"
FLEXOS_HOST_INFO=$build/host-info.txt "$root/tools/host-info.sh"

for mech in none intel-pku vm-ept; do
  say "README example, mechanism $mech: clang-19 -O2 -fplugin=flexos.so ... -S"
  clang-19 -O2 -fplugin="$plugin" -I"$root/include" \
    -fplugin-arg-flexos-config="$root/examples/readme/$mech.yaml" \
    -fplugin-arg-flexos-library=app -S "$root/examples/readme/app.c" \
    -o "$out/app-$mech.s"
  case $mech in
    none)      grep -E 'call.*recv' "$out/app-$mech.s" ;;
    intel-pku) grep -E 'call.*__flexos_pku_gate|%gs:8' "$out/app-$mech.s"
               echo "  gate instance:"
               grep -A5 -m2 -E '^\s*movl\s+\$[0-9]+, %eax' "$out/app-$mech.s" | head -12 ;;
    vm-ept)    grep -E '%gs:16|movabsq|__flexos_ept_call' "$out/app-$mech.s" ;;
  esac
done

say "kvstore: app, store and crypto in three compartments, mechanism none"
"$build/bin/kvstore-none"

say "kvstore as a kernel image, three intel-pku compartments, QEMU TCG -cpu max"
"$root/tools/run-image.sh" --accel tcg --timeout 60 \
  --expect "evicted 4 entries, sum 1000" "$build/test/runtime/rt-kvstore-pku.elf"

say "attack: compartment fs reads net's private global (expected: a PK fault)"
"$root/tools/run-image.sh" --accel tcg --timeout 60 --append read-global --exit 3 \
  --expect "err=0x25 \\[present user pk\\] from=fs touched=net" \
  "$build/test/runtime/rt-three-pku.elf"

say "vm-ept: app, net and crypto in three KVM VMs (tools/flexos-vmm), each in ring 3 over its VM's core"
# kvm_pvm runs no guest's ring 3: there the monitor runs nested in the
# test VM (kvm-amd in QEMU TCG; run-vm-test.sh says so).
set +e
"$root/test/ept/run-vm-test.sh" "$build/bin/flexos-vmm" "$build/test/ept/ept-three.elf" \
  --nested-if-pvm "$build/testvm-cache" --append functional --expect "ept: functional ok" \
  --reject "WRONG|FAULT|panic" | grep -E "^(ok|ept|flexos: image|\[|run-vm-test|SKIP|FAIL)" | tail -9
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || { echo "demo: the vm-ept step failed (status $rc)" >&2; exit 1; }

say "kvstore server on lwIP: five isolation configurations, redis-benchmark"
"$root/benchmarks/kvstore/run.sh" "$build" --requests "$requests" --kvm-requests 200
