#!/bin/bash
# FILE: test/ept/run-vm-test.sh
# DESCRIPTION:
#   Runs a vm-ept image under tools/flexos-vmm and checks its exit status
#   and output (stdout and stderr together) against regexes.  With
#   --nested CACHE the monitor runs inside the test VM of
#   platform/linux/testvm on kvm-amd nested in QEMU TCG (run-in-vm.sh
#   --kvm; the kernel fetched into CACHE on first use): a KVM with
#   hardware-virtualization rules on every host, kvm_pvm or none.
#   --nested-if-pvm CACHE does the same only where the host's KVM is
#   kvm_pvm, which runs no guest's ring 3 (a PVM guest enters its kernel
#   through PVM's own paravirtual entry, which flexos does not speak):
#   for ring-3 images (docs/runtime.md, "Ring choice").
#   Exit status: 0 pass, 1 fail, 77 skipped (no usable /dev/kvm).
# USAGE:
#   run-vm-test.sh VMM IMAGE [--nested CACHE | --nested-if-pvm CACHE]
#                  [--exit CODE] [--append ARGS] [--vmm-arg ARG]...
#                  [--expect REGEX]... [--reject REGEX]...
# License: MIT (see LICENSE)
set -u
vmm=$1 image=$2
shift 2
want=0 append="" expects=() rejects=() nested="" vmm_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --exit) want=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --vmm-arg) vmm_args+=("$2"); shift 2 ;;
    --nested) nested=$2; shift 2 ;;
    --nested-if-pvm)
      if [ -d /sys/module/kvm_pvm ]; then
        echo "run-vm-test: the host's KVM is kvm_pvm, which runs no guest's ring 3:" \
             "the monitor runs nested, on kvm-amd in QEMU TCG"
        nested=$2
      fi
      shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --reject) rejects+=("$2"); shift 2 ;;
    *) echo "run-vm-test: unknown argument $1" >&2; exit 1 ;;
  esac
done
launcher=()
if [ -n "$nested" ]; then
  testvm=$(cd "$(dirname "$0")/../../platform/linux/testvm" && pwd)
  vmm=$(cd "$(dirname "$vmm")" && pwd)/$(basename "$vmm")
  image=$(cd "$(dirname "$image")" && pwd)/$(basename "$image")
  launcher=("$testvm/run-in-vm.sh" --kvm --cache "$nested" --mem 1G --timeout 900
            --file "$vmm" --file "$image" --)
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible; vm-ept needs KVM"
  exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s%N)
${launcher[@]+"${launcher[@]}"} "$vmm" --timeout 600 --stats ${vmm_args[@]+"${vmm_args[@]}"} --append "$append" "$image" >"$out" 2>&1
status=$?
if [ -n "$nested" ]; then
  # The test VM's own verdicts (run-in-vm.sh), not the monitor's.
  if grep -q '^flexos-vm: kvm=no' "$out"; then
    cat "$out"; echo "SKIP: KVM did not start inside the test VM"; exit 77
  fi
  if grep -q '^run-in-vm: ' "$out"; then
    cat "$out"; echo "FAIL: the test VM failed"; exit 1
  fi
fi
end=$(date +%s%N)
cat "$out"
echo "run-vm-test: exit status $status after $(( (end - start) / 1000000 )) ms"
fail=0
if [ "$status" -ne "$want" ]; then
  echo "FAIL: exit status $status, expected $want"
  fail=1
fi
for re in "${expects[@]}"; do
  grep -Eq -- "$re" "$out" || { echo "FAIL: no line matches: $re"; fail=1; }
done
for re in "${rejects[@]}"; do
  if grep -Eq -- "$re" "$out"; then
    echo "FAIL: a line matches: $re"
    grep -E -- "$re" "$out" | head -5
    fail=1
  fi
done
exit $fail
