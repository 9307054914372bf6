#!/bin/bash
# FILE: platform/linux/testvm/run-in-vm.sh
# DESCRIPTION:
#   Runs one Linux command in a throw-away VM whose CPU has protection keys:
#   Debian's kernel (CACHE/vmlinux or CACHE/vmlinuz, see fetch-kernel.sh)
#   on QEMU TCG with `-cpu max`, which emulates PKU.  Builds an initramfs
#   (cpio newc, gzip) holding busybox, every --file at its own absolute
#   path (a folder: every file under it), the shared libraries those files
#   need (ldd; with the dynamic loader and the host's /etc/ld.so.cache) and
#   an /init that mounts proc, sysfs and devtmpfs, prints
#   "flexos-vm: pku=yes|no" and "flexos-vm: kernel VERSION", runs
#   COMMAND ARGS in / with stdin from /dev/null and only the --env
#   variables, prints "flexos-vm-status: N" (128+signal if killed) and
#   powers off.  Guest output goes to stdout without carriage returns.
#   Libraries opened with dlopen are not found by ldd: add them with --file.
#   --kvm instead gives the VM a CPU that emulates AMD's SVM (TCG -cpu
#   max with vendor AuthenticAMD) and loads the kernel's KVM modules
#   (CACHE/kvm, fetch-kernel.sh): COMMAND runs where /dev/kvm is a real
#   kvm_amd, nested in the emulation, whatever the host's KVM is (or
#   without one); "flexos-vm: kvm=yes|no" replaces the pku line's role.
#   One run (boot, command, power-off) takes about 2.5 s on a 2-core host.
#   Exit status: COMMAND's status; 1 when the VM gave none (kernel panic,
#   --timeout, no PKU in the guest), with a "run-in-vm: ..." line.
# USAGE:
#   platform/linux/testvm/run-in-vm.sh [--cache DIR] [--file PATH]...
#       [--env NAME=VALUE]... [--timeout S] [--mem SIZE] [--kvm] -- COMMAND [ARGS...]
#   --cache DIR   holds vmlinuz and busybox, fetched there on first use (default
#                 ${FLEXOS_TESTVM_CACHE:-$PWD/testvm-cache})
#   --timeout S   QEMU's safety limit in seconds (default 300)
#   --mem SIZE    guest memory (default 512M)
# License: MIT
set -u

cache=${FLEXOS_TESTVM_CACHE:-$PWD/testvm-cache}
timeout_s=300 mem=512M kvm=no
files=() envs=()
tmp=""

usage() { sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run-in-vm: $*" >&2; exit 1; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h|--help) usage; exit 0 ;;
      --cache|--file|--env|--timeout|--mem)
        [ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;&
      --cache) cache=$2; shift 2 ;;
      --file) files+=("$2"); shift 2 ;;
      --env)
        [[ "$2" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, not '$2'"
        envs+=("$2"); shift 2 ;;
      --timeout)
        [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds, not '$2'"
        timeout_s=$2; shift 2 ;;
      --mem) mem=$2; shift 2 ;;
      --kvm) kvm=yes; shift ;;
      --) shift; break ;;
      *) die "unknown option '$1'; put the command after -- (see --help)" ;;
    esac
  done
  [ $# -gt 0 ] || die "no command; usage: run-in-vm.sh [options] -- COMMAND [ARGS...]"
  cmd=("$@")
}

check_host() {
  command -v qemu-system-x86_64 >/dev/null 2>&1 ||
    die "qemu-system-x86_64 is missing; install it (apt-get install qemu-system-x86)"
  command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) is missing"
  if [ -s "$cache/vmlinuz" ] && [ -s "$cache/busybox" ] &&
     { [ $kvm = no ] || [ -s "$cache/kvm/kvm-amd.ko" ]; }; then
    return 0
  fi
  # First use of this cache: fetch, once for all parallel runs.
  command -v flock >/dev/null 2>&1 || die "flock (util-linux) is missing"
  mkdir -p "$cache" && flock "$cache/.fetch.lock" "$(dirname "$0")/fetch-kernel.sh" "$cache" ||
    die "no kernel (or no KVM modules) in $cache, and fetch-kernel.sh could not get them (see above)"
}

# abspath PATH: absolute path without resolving symlinks.
abspath() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")" ;;
  esac
}

# put SRC DEST: copy SRC (dereferenced) to DEST inside the initramfs.
put() {
  local dest=$root$2
  mkdir -p "$(dirname "$dest")" || die "cannot create $(dirname "$dest")"
  rm -f "$dest"   # may be a busybox link: never write through it
  cp -L -p "$1" "$dest" || die "cannot copy $1 into the initramfs"
}

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; }

# add_libs FILE: the shared libraries FILE needs, at the paths ldd prints.
add_libs() {
  local out lib
  out=$(ldd "$1" 2>/dev/null) || return 0   # static, or not for this host
  if printf '%s\n' "$out" | grep -q 'not found'; then
    die "$1 needs libraries ldd cannot find: $(printf '%s\n' "$out" | grep 'not found' | tr -s ' \t\n' ' ')(set LD_LIBRARY_PATH or fix its RUNPATH)"
  fi
  for lib in $(printf '%s\n' "$out" | grep -o '/[^ ]*'); do
    [ -e "$root$lib" ] || put "$lib" "$lib"
  done
}

add_file() {
  local src f
  [ -e "$1" ] || die "--file $1 does not exist"
  src=$(abspath "$1")
  if [ -d "$src" ]; then
    while IFS= read -r f; do add_file "$f"; done < <(find "$src" -type f)
    return
  fi
  put "$src" "$src"
  if is_elf "$src"; then add_libs "$src"; fi
}

add_busybox() {
  local app
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,lib64}
  cp "$cache/busybox" "$root/bin/busybox" || die "cannot copy $cache/busybox"
  while IFS= read -r app; do
    [ "$app" = bin/busybox ] || ln -sf /bin/busybox "$root/$app"
  done < <("$cache/busybox" --list-full)
  [ -L "$root/bin/sh" ] || die "$cache/busybox has no sh applet"
}

# shq WORD: WORD single-quoted for sh.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_init() {
  local a line="env -i --"
  for a in "${envs[@]}" "${cmd[@]}"; do line+=" $(shq "$a")"; done
  cat >"$root/init" <<EOF
#!/bin/sh
# Written by run-in-vm.sh: runs one command, reports its status, powers off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
flags=\$(grep -m1 '^flags' /proc/cpuinfo)
pku=no
case " \$flags " in *" pku "*) case " \$flags " in *" ospke "*) pku=yes ;; esac ;; esac
echo "flexos-vm: pku=\$pku"
echo "flexos-vm: kernel \$(uname -r)"
ready=\$pku
if [ $kvm = yes ]; then
  for m in irqbypass kvm ccp kvm-amd; do insmod /kvm/\$m.ko || break; done
  ready=no
  [ -c /dev/kvm ] && ready=yes
  echo "flexos-vm: kvm=\$ready"
fi
if [ \$ready = yes ]; then
  cd /
  $line </dev/null
  echo "flexos-vm-status: \$?"
fi
poweroff -f
echo o >/proc/sysrq-trigger
EOF
  chmod 755 "$root/init"
}

pack_initrd() {
  local bb st
  bb=$(abspath "$cache/busybox")
  ( cd "$root" && find . | "$bb" cpio -o -H newc -R 0:0 2>/dev/null ) |
    gzip -1 >"$tmp/initrd.gz"
  st=("${PIPESTATUS[@]}")
  [ "${st[0]}${st[1]}" = 00 ] || die "cannot build the initramfs in $tmp (cpio or gzip failed)"
}

# firmware: qboot (quiet, quick) when QEMU ships it; else SeaBIOS told not
# to draw its screen on the serial port (the option makes QEMU warn once).
firmware() {
  local d
  for d in /usr/share/qemu /usr/share/qemu-kvm /usr/local/share/qemu; do
    [ -f "$d/qboot.rom" ] && { echo -bios "$d/qboot.rom"; return; }
  done
  echo -fw_cfg name=etc/sercon-port,string=0
}

# run_qemu: guest output on stdout (no \r) and in $tmp/log; QEMU's status.
# vmlinux (fetch-kernel.sh unpacks it) boots by PVH, skipping decompression.
run_qemu() {
  local rc kernel=$cache/vmlinuz fw
  [ -s "$cache/vmlinux" ] && kernel=$cache/vmlinux
  read -r -a fw <<<"$(firmware)"
  local cpu=max
  [ $kvm = yes ] && cpu=max,vendor=AuthenticAMD # kvm_amd wants an AMD CPU
  timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu "$cpu" \
    -m "$mem" -smp 1 -nographic -no-reboot -nic none "${fw[@]}" \
    -kernel "$kernel" -initrd "$tmp/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null |
    sed -u 's/\r//g' | tee "$tmp/log"
  rc=${PIPESTATUS[0]}
  return "$rc"
}

report() {
  local qemu_rc=$1 st
  if grep -q 'flexos-vm: kvm=no' "$tmp/log"; then
    die "KVM did not start in the guest (no /dev/kvm after loading kvm-amd; $(qemu-system-x86_64 --version | head -n1) without SVM emulation?); the command was not run"
  fi
  if [ $kvm = no ] && grep -q 'flexos-vm: pku=no' "$tmp/log"; then
    die "the guest CPU has no protection keys ($(qemu-system-x86_64 --version | head -n1)); the command was not run"
  fi
  st=$(sed -n 's/.*flexos-vm-status: \([0-9][0-9]*\)$/\1/p' "$tmp/log" | tail -n1)
  if [ -n "$st" ]; then exit "$st"; fi
  case "$qemu_rc" in
    124|137) die "no 'flexos-vm-status:' line: QEMU ran past --timeout $timeout_s s and was stopped" ;;
    *) die "no 'flexos-vm-status:' line: the guest did not finish (kernel panic or boot failure? QEMU status $qemu_rc; output above)" ;;
  esac
}

main() {
  parse_args "$@"
  check_host
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-in-vm.XXXXXX") || die "cannot create a temporary folder"
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM HUP
  root=$tmp/root
  add_busybox
  local f
  for f in "${files[@]}"; do add_file "$f"; done
  if [ $kvm = yes ]; then
    mkdir -p "$root/kvm" && cp "$cache"/kvm/*.ko "$root/kvm/" ||
      die "cannot copy the KVM modules of $cache/kvm into the initramfs"
  fi
  # The host's loader cache names libraries by the same absolute paths, so
  # ones found through /etc/ld.so.conf are found in the guest too.
  if [ -f /etc/ld.so.cache ]; then put /etc/ld.so.cache /etc/ld.so.cache; fi
  write_init
  pack_initrd
  run_qemu
  report $?
}

main "$@"
