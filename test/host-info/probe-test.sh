#!/usr/bin/env bash
# FILE: test/host-info/probe-test.sh
# DESCRIPTION:
#   Tests of the host probe (tools/host-info.sh) and of run-image.sh's use
#   of it, in three cases:
#     real IMAGE   the probe on this machine: every key present with a value
#                  of the expected form, and its facts agree with what the
#                  suite then does (kvm-cpu none <=> run-image --accel kvm
#                  skips; otherwise IMAGE boots under KVM with that model;
#                  host pku <=> pkey_alloc works).
#     amd          a stand-in QEMU that aborts like QEMU 7.2 on an AMD
#                  kvm_pvm host ("failed to set MSR 0x10a") for -cpu host
#                  but runs with host,-arch-capabilities: the probe must
#                  pick that model and run-image must pass it to QEMU.
#     no-kvm-guest a stand-in QEMU that never starts a KVM guest: the probe
#                  says none with the reason, run-image --accel kvm skips
#                  (77) and prints that reason.
# USAGE: probe-test.sh ROOT real IMAGE | ROOT amd | ROOT no-kvm-guest
# License: MIT
set -u
root=$1 case=$2
probe=$root/tools/host-info.sh
run_image=$root/tools/run-image.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export FLEXOS_HOST_INFO=$dir/host-info.txt
fail() { echo "FAIL: $*"; exit 1; }

get() { "$probe" --get "$1" || fail "no value for $1"; }

# A stand-in qemu-system-x86_64: $1 is a shell test on "$cpu" that says
# whether a KVM guest starts with that model.
stand_in() {
  cat > "$dir/qemu-system-x86_64" <<Q
#!/bin/bash
if [ "\$1" = --version ]; then echo "QEMU emulator version 7.2.99"; exit 0; fi
cpu=""; prev=""
for a in "\$@"; do [ "\$prev" = -cpu ] && cpu=\$a; prev=\$a; done
echo "\$cpu" >> "$dir/models-tried"
if $1; then
  case " \$* " in *" -kernel "*) printf 'image ran with -cpu %s\n' "\$cpu"; exit 1 ;; esac
  exit 11
fi
echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
echo "qemu-system-x86_64: ../target/i386/kvm/kvm.c:3000: kvm_buf_set_msrs: Assertion failed." >&2
exit 134
Q
  chmod +x "$dir/qemu-system-x86_64"
  : > "$dir/kvm"           # a KVM device that is there and writable
  export FLEXOS_KVM_DEV=$dir/kvm PATH="$dir:$PATH"
  : > "$dir/image.elf"
}

case $case in
real)
  image=${3:?usage: probe-test.sh ROOT real IMAGE}
  out=$("$probe") || fail "the probe failed"
  echo "$out"
  for key in cpu host-pku pkey-alloc kvm-module kvm-kind qemu kvm-cpu kvm-guest-pku kvm-timings; do
    grep -q "^$key: ." <<<"$out" || fail "no line '$key: ...'"
  done
  grep -Eq '^host-pku: (yes|no) \(' <<<"$out" || fail "host-pku is not yes/no"
  grep -Eq '^pkey-alloc: (works|fails|no|unknown)' <<<"$out" || fail "pkey-alloc has no verdict"
  grep -Eq '^kvm-kind: (VMX|SVM|PVM|none|unknown)' <<<"$out" || fail "kvm-kind unknown form"
  if [[ $(get host-pku) == yes* ]]; then
    [[ $(get pkey-alloc) == works* ]] || fail "host has pku but pkey_alloc does not work"
  fi
  model=$(get kvm-cpu)
  "$run_image" --accel kvm --timeout 600 --expect . "$image" > "$dir/run.log" 2>&1
  rc=$?
  cat "$dir/run.log"
  if [ "$model" = none ]; then
    [ $rc -eq 77 ] || fail "probe says no KVM guest, but run-image --accel kvm returned $rc, not 77 (skip)"
    grep -q "^SKIP: QEMU cannot start a KVM guest here" "$dir/run.log" || fail "the skip does not give the probe's reason"
    grep -q '^kvm-reason: ' "$FLEXOS_HOST_INFO" || fail "no kvm-reason line"
  else
    [ $rc -eq 0 ] || fail "probe chose -cpu $model, but the image did not pass under KVM (status $rc)"
  fi
  ;;
amd)
  stand_in '[[ $cpu != host && $cpu != *pku* ]]'
  [ "$(get kvm-cpu)" = "host,-arch-capabilities" ] || fail "probe chose '$(get kvm-cpu)', not host,-arch-capabilities"
  [[ $(get kvm-guest-pku) == no* ]] || fail "probe claims guest pku"
  head -n2 "$dir/models-tried" | tr '\n' ' ' | grep -qx 'host host,-arch-capabilities ' ||
    fail "the probe did not try host first: $(cat "$dir/models-tried")"
  out=$("$run_image" --accel kvm --expect "image ran" "$dir/image.elf" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 0 ] || fail "run-image --accel kvm failed with the probe's model"
  grep -q "image ran with -cpu host,-arch-capabilities" <<<"$out" || fail "run-image did not use the probe's model"
  ;;
no-kvm-guest)
  stand_in false
  [ "$(get kvm-cpu)" = none ] || fail "probe chose '$(get kvm-cpu)' although no model starts"
  get kvm-reason | grep -q "failed to set MSR 0x10a" || fail "the reason does not quote QEMU"
  out=$("$run_image" --accel kvm "$dir/image.elf" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 77 ] || fail "run-image returned $rc, not 77 (skip)"
  grep -q "^SKIP: QEMU cannot start a KVM guest here: -cpu host: qemu-system-x86_64: error: failed to set MSR" <<<"$out" ||
    fail "the skip line does not carry the probe's reason"
  ;;
*) fail "unknown case '$case'" ;;
esac
echo "PASS: host-info $case"
