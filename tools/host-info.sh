#!/usr/bin/env bash
# FILE: tools/host-info.sh
# DESCRIPTION:
#   The host probe: says in a few `key: value` lines what this machine can
#   run, by trying rather than by a table of CPU names:
#     cpu               vendor and model (/proc/cpuinfo)
#     host-pku          pku/ospke flags of the host CPU
#     pkey-alloc        whether pkey_alloc(2) works here (tried)
#     kvm-module        kvm_intel, kvm_amd, kvm_pvm or none (/sys/module)
#     kvm-kind          VMX, SVM, PVM (no vmx/svm flag: a paravirtual
#                       module), or none; "nested" when the host is a VM
#     qemu              QEMU's version
#     kvm-cpu           the first -cpu model under which QEMU really runs a
#                       tiny KVM guest here (host, then host without
#                       arch-capabilities, then max without it, then
#                       qemu64), or "none"
#     kvm-reason        why no model works (only when kvm-cpu is none)
#     kvm-guest-pku     whether a KVM guest gets protection keys
#                       (kvm-cpu,+pku,enforce boots)
#     kvm-timings       "meaningful" or why KVM cycle counts here measure
#                       something else than flexos
#   The tiny guest is a 64 KiB firmware image whose reset vector writes 5
#   to isa-debug-exit, so QEMU exits with 11 once a vCPU has really run.
#   The answer is cached (with the kernel, boot id, QEMU version and CPU it
#   was taken on) in the build directory: FLEXOS_HOST_INFO if set, else
#   host-info.txt in the nearest directory above $PWD that holds a
#   CMakeCache.txt, else build/ of this tree, else $TMPDIR.  Concurrent
#   callers wait for one probe (flock).
# USAGE:
#   tools/host-info.sh [--refresh] [--cache FILE]   print every line
#   tools/host-info.sh [--cache FILE] --get KEY     print one value
#   Environment (tests only): FLEXOS_KVM_DEV (default /dev/kvm),
#   FLEXOS_QEMU (default qemu-system-x86_64).
# License: MIT (see LICENSE)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; }

refresh=0 cache="" get=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --refresh) refresh=1; shift ;;
    --cache) cache=${2:?host-info: --cache needs a file}; shift 2 ;;
    --get) get=${2:?host-info: --get needs a key}; shift 2 ;;
    *) echo "host-info: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

kvm_dev=${FLEXOS_KVM_DEV:-/dev/kvm}
qemu=${FLEXOS_QEMU:-qemu-system-x86_64}

# ---- where the answer is cached ----------------------------------------
build_dir_above() {
  local d=$PWD
  while [ "$d" != / ]; do
    [ -f "$d/CMakeCache.txt" ] && { echo "$d"; return 0; }
    d=$(dirname "$d")
  done
  return 1
}

default_cache() {
  if [ -n "${FLEXOS_HOST_INFO:-}" ]; then echo "$FLEXOS_HOST_INFO"; return; fi
  local b
  if b=$(build_dir_above); then echo "$b/host-info.txt"; return; fi
  if [ -d "$root/build" ] && [ -w "$root/build" ]; then echo "$root/build/host-info.txt"; return; fi
  echo "${TMPDIR:-/tmp}/flexos-host-info.$(id -u).txt"
}

# What the cached answer depends on: a new boot, kernel, QEMU or CPU (or
# a stand-in QEMU/KVM device in a test) means probing again.
fingerprint() {
  local boot qv
  boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo none)
  qv=$(command -v "$qemu" 2>/dev/null || echo none)
  echo "$(uname -r) $boot $qv $kvm_dev $(grep -m1 '^model name' /proc/cpuinfo | md5sum | cut -c1-8)"
}

# ---- the facts ------------------------------------------------------------
cpu_flag() { grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$1"; }

cpu_line() {
  local vendor model
  vendor=$(grep -m1 '^vendor_id' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  echo "${vendor:-unknown}, ${model:-unknown}, $(nproc) CPUs"
}

host_pku_line() {
  local pku=no ospke=no
  cpu_flag pku && pku=yes
  cpu_flag ospke && ospke=yes
  if [ $pku = yes ] && [ $ospke = yes ]; then echo "yes (pku, ospke)"
  else echo "no (pku: $pku, ospke: $ospke)"; fi
}

# Tries pkey_alloc through glibc (python3's ctypes: no compiler needed).
pkey_alloc_line() {
  command -v python3 >/dev/null 2>&1 || { echo "unknown (no python3 to try it)"; return; }
  python3 - <<'PY' 2>/dev/null || echo "unknown (python3 could not try it)"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
if not hasattr(libc, "pkey_alloc"):
    print("no (glibc has no pkey_alloc)")
else:
    k = libc.pkey_alloc(0, 0)
    if k >= 0:
        libc.pkey_free(k)
        print("works (got key %d)" % k)
    else:
        e = ctypes.get_errno()
        print("fails (%s)" % os.strerror(e))
PY
}

kvm_module() {
  local m
  for m in kvm_pvm kvm_intel kvm_amd; do
    [ -d "/sys/module/$m" ] && { echo "$m"; return; }
  done
  if [ -e "$kvm_dev" ]; then echo "unknown (no kvm_intel/kvm_amd/kvm_pvm in /sys/module)"
  else echo none; fi
}

kvm_kind() {
  local kind=none
  case "$1" in
    kvm_pvm) kind=PVM ;;
    kvm_intel) kind=VMX ;;
    kvm_amd) kind=SVM ;;
    *) [ -e "$kvm_dev" ] && kind=unknown ;;
  esac
  if [ "$kind" != none ] && cpu_flag hypervisor; then kind="$kind, nested (the host is itself a VM)"; fi
  echo "$kind"
}

qemu_version() {
  command -v "$qemu" >/dev/null 2>&1 || { echo none; return; }
  "$qemu" --version 2>/dev/null | head -n1 | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p'
}

# A 64 KiB firmware image: every byte hlt, and at the reset vector
# (offset 0xfff0) mov $5,%al; out %al,$0xf4; hlt; jmp .-3.
make_firmware() {
  python3 - "$1" <<'PY'
import sys
img = bytearray(b"\xf4" * 65536)
img[0xfff0:0xfff7] = b"\xb0\x05\xe6\xf4\xf4\xeb\xfd"
open(sys.argv[1], "wb").write(img)
PY
}

# Boots the tiny guest under KVM with -cpu $1; prints QEMU's first error
# line on failure.  60 s is a safety net for a wedged QEMU, not a measure.
try_kvm_boot() {
  local out status
  out=$(timeout 60 "$qemu" -accel kvm -cpu "$1" -m 16M -nodefaults \
          -display none -no-reboot -serial none -monitor none \
          -bios "$firmware" -device isa-debug-exit,iobase=0xf4,iosize=0x04 2>&1)
  status=$?
  [ $status -eq 11 ] && return 0
  if [ $status -eq 124 ]; then echo "QEMU did not finish within 60 s"
  else
    printf '%s\n' "$out" | grep -v '^$' | head -n1 | sed 's/^ *//' | cut -c1-160
    [ -z "$out" ] && echo "QEMU exited with $status"
  fi
  return 1
}

probe() {
  local module kind qv model reason="" guest_pku timings why
  echo "fingerprint: $(fingerprint)"
  echo "cpu: $(cpu_line)"
  echo "host-pku: $(host_pku_line)"
  echo "pkey-alloc: $(pkey_alloc_line)"
  module=$(kvm_module)
  kind=$(kvm_kind "$module")
  qv=$(qemu_version)
  echo "kvm-module: $module"
  echo "kvm-kind: $kind"
  echo "qemu: ${qv:-unknown}"
  model=none
  if [ ! -r "$kvm_dev" ] || [ ! -w "$kvm_dev" ]; then
    reason="$kvm_dev is missing or not accessible"
  elif [ "$qv" = none ]; then
    reason="QEMU ($qemu) is not installed"
  elif ! command -v python3 >/dev/null 2>&1; then
    reason="python3 is needed to build the probe guest"
  else
    firmware=$(mktemp)
    make_firmware "$firmware"
    for m in host host,-arch-capabilities max,-arch-capabilities qemu64; do
      if why=$(try_kvm_boot "$m"); then model=$m; break; fi
      reason="${reason:+$reason; }-cpu $m: $why"
    done
  fi
  echo "kvm-cpu: $model"
  if [ "$model" = none ]; then
    echo "kvm-reason: QEMU cannot start a KVM guest here: $reason"
    guest_pku="no (no KVM guest)"
  elif try_kvm_boot "$model,+pku,enforce" >/dev/null; then
    guest_pku=yes
  else
    guest_pku="no (-cpu $model,+pku,enforce does not start)"
  fi
  [ -n "${firmware:-}" ] && rm -f "$firmware"
  echo "kvm-guest-pku: $guest_pku"
  case "$model:$kind" in
    none:*) timings="none (no KVM guest)" ;;
    *:PVM*) timings="EMULATED: kvm_pvm runs guest code in software; KVM figures measure the emulation, not flexos (report ratios within one run only)" ;;
    *nested*) timings="nested: a VM exit costs a trip through the outer hypervisor (report ratios to a null hypercall in the same run)" ;;
    *) timings=meaningful ;;
  esac
  echo "kvm-timings: $timings"
}

# ---- cache ------------------------------------------------------------------
[ -n "$cache" ] || cache=$(default_cache)
mkdir -p "$(dirname "$cache")" 2>/dev/null
exec 9>>"$cache.lock" || { echo "host-info: cannot create $cache.lock" >&2; exit 1; }
flock 9
fp=$(fingerprint)
if [ $refresh = 1 ] || [ ! -s "$cache" ] || [ "$(sed -n 's/^fingerprint: //p' "$cache")" != "$fp" ]; then
  tmp=$(mktemp "$cache.XXXXXX") || { echo "host-info: cannot write next to $cache" >&2; exit 1; }
  probe > "$tmp" && mv -f "$tmp" "$cache" || { rm -f "$tmp"; echo "host-info: probe failed" >&2; exit 1; }
fi
flock -u 9

if [ -n "$get" ]; then
  line=$(grep -m1 "^$get: " "$cache") || { echo "host-info: no key '$get' (keys: $(cut -d: -f1 "$cache" | tr '\n' ' '))" >&2; exit 2; }
  printf '%s\n' "${line#"$get: "}"
else
  grep -v '^fingerprint: ' "$cache"
fi
