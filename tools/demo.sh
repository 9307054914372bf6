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
#        with both compartments.
# USAGE: tools/demo.sh
# License: MIT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
"$root/tools/install-deps.sh"
"$root/tools/build.sh" "$build"

plugin=$build/lib/flexos.so
out=$build/demo
mkdir -p "$out"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

for mech in none intel-pku vm-ept; do
  say "README example, mechanism $mech: clang-19 -O2 -fplugin=flexos.so ... -S"
  clang-19 -O2 -fplugin="$plugin" -I"$root/include" \
    -fplugin-arg-flexos-config="$root/examples/readme/$mech.yaml" \
    -fplugin-arg-flexos-library=app -S "$root/examples/readme/app.c" \
    -o "$out/app-$mech.s"
  case $mech in
    none)      grep -E 'call.*recv' "$out/app-$mech.s" ;;
    intel-pku) grep -E 'call.*__flexos_mpk_gate|%gs:8' "$out/app-$mech.s"
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
  --expect "err=0x21 \\[present pk\\] from=fs touched=net" \
  "$build/test/runtime/rt-three-pku.elf"
