#!/bin/bash
# FILE: platform/linux/testvm/fetch-kernel.sh
# DESCRIPTION:
#   Downloads Debian's amd64 kernel (the versioned linux-image-*-amd64
#   package that linux-image-amd64 depends on, from whichever of bookworm
#   and bookworm-security apt prefers) and busybox-static with
#   `apt-get download` (no root needed), and extracts CACHE_DIR/vmlinuz,
#   CACHE_DIR/busybox and CACHE_DIR/kernel-version ("PACKAGE VERSION").
#   It also unpacks the kernel inside vmlinuz into CACHE_DIR/vmlinux (an
#   ELF with a PVH entry point, when readelf confirms it has one): QEMU
#   boots that directly, which under TCG saves about 3 s of decompression
#   per boot.  run-in-vm.sh uses vmlinux when it is there.
#   It keeps the kernel's KVM modules for AMD too (CACHE_DIR/kvm/:
#   irqbypass.ko kvm.ko ccp.ko kvm-amd.ko, in loading order), which
#   run-in-vm.sh --kvm loads in a VM whose CPU emulates SVM (nested KVM).
#   Does nothing when CACHE_DIR/vmlinuz, CACHE_DIR/busybox and
#   CACHE_DIR/kvm/kvm-amd.ko exist.
#   Files appear atomically (extracted in a temporary folder inside
#   CACHE_DIR, then renamed).  CACHE_DIR belongs in the build directory;
#   never commit what it holds.  Needs apt package lists (`apt-get update`,
#   as root, once) and the network on the first run.
#   Exit status: 0 ready, 1 failure (with a message saying what to do).
# USAGE: platform/linux/testvm/fetch-kernel.sh CACHE_DIR
# License: MIT
set -u

meta=linux-image-amd64
# The KVM modules for AMD, in the order they load (each needs the ones before).
kvm_modules="virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko drivers/crypto/ccp/ccp.ko arch/x86/kvm/kvm-amd.ko"

usage() { sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "fetch-kernel: $*" >&2; exit 1; }

need_tools() {
  local t
  for t in apt-get apt-cache dpkg-deb; do
    command -v "$t" >/dev/null 2>&1 ||
      die "$t is missing; this script needs Debian's apt and dpkg"
  done
}

# Prints "PACKAGE VERSION" of the kernel image that $meta depends on.
resolve_kernel() {
  local rec pkg ver
  rec=$(apt-cache show --no-all-versions "$meta" 2>/dev/null) ||
    die "apt knows no package $meta (no package lists?); run 'apt-get update' as root, then retry"
  pkg=$(printf '%s\n' "$rec" | sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n1)
  [ -n "$pkg" ] || die "cannot find the kernel image in $meta's Depends; run 'apt-cache show $meta'"
  ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
  [ -n "$ver" ] || die "apt knows no package $pkg; run 'apt-get update' as root, then retry"
  echo "$pkg $ver"
}

# download DIR PACKAGE...: apt-get download into DIR.
download() {
  local dir=$1; shift
  local sandbox=()
  # As root, apt would drop to the _apt user, which cannot write to a
  # private temporary folder; it would only warn, but say it quietly.
  [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  ( cd "$dir" && apt-get -q "${sandbox[@]}" download "$@" ) >&2 ||
    die "'apt-get download $*' failed: no network, or stale package lists (run 'apt-get update' as root, then retry)"
}

# extract DEB DIR FILE: dpkg-deb -x DEB into DIR, check FILE is there.
extract() {
  dpkg-deb -x "$1" "$2" || die "cannot extract $1 (a broken download? delete it and retry)"
  [ -s "$2/$3" ] || die "$1 has no $3"
}

# le_at FILE OFFSET BYTES: unsigned little-endian number in FILE.
le_at() { od -An -tu"$3" -j "$2" -N "$3" "$1" | tr -d ' '; }

# make_vmlinux BZIMAGE OUT: the compressed kernel inside a bzImage, unpacked
# (boot protocol: setup_sects at 0x1f1, payload_offset/_length at 0x248).
# Returns 1 (quietly) when that is not possible or the ELF has no PVH entry.
make_vmlinux() {
  local setup off len magic
  command -v readelf >/dev/null 2>&1 || return 1
  [ "$(head -c 518 "$1" | tail -c 4)" = HdrS ] || return 1
  setup=$(le_at "$1" $((0x1f1)) 1); [ "$setup" = 0 ] && setup=4
  off=$(( (setup + 1) * 512 + $(le_at "$1" $((0x248)) 4) ))
  len=$(le_at "$1" $((0x24c)) 4)
  magic=$(tail -c +$((off + 1)) "$1" | head -c 4 | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    fd377a58) set -- "$1" "$2" xz -dc --single-stream ;;
    1f8b08*) set -- "$1" "$2" gzip -dc ;;
    28b52ffd) set -- "$1" "$2" zstd -dc ;;
    *) return 1 ;;
  esac
  command -v "$3" >/dev/null 2>&1 || return 1
  tail -c +$((off + 1)) "$1" | head -c "$len" | "${@:3}" >"$2" 2>/dev/null
  # The PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY = 0x12) lets QEMU boot it.
  readelf -n "$2" 2>/dev/null | grep -q 'Xen.*(0x00000012)\|PHYS32_ENTRY'
}

main() {
  case "${1:-}" in
    -h|--help) usage; exit 0 ;;
  esac
  if [ $# -ne 1 ] || [ -z "$1" ]; then die "usage: fetch-kernel.sh CACHE_DIR (see --help)"; fi
  local cache=$1
  [ -s "$cache/vmlinuz" ] && [ -s "$cache/busybox" ] && [ -s "$cache/kvm/kvm-amd.ko" ] && exit 0
  need_tools
  local kernel pkg
  kernel=$(resolve_kernel) || exit 1
  mkdir -p "$cache" || die "cannot create $cache"
  cache=$(cd "$cache" && pwd)
  pkg=${kernel%% *}
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX") || die "cannot create a temporary folder in $cache"
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM HUP
  mkdir "$tmp/deb" "$tmp/k" "$tmp/b"
  echo "fetch-kernel: downloading $kernel and busybox-static into $cache" >&2
  download "$tmp/deb" "$pkg" busybox-static
  extract "$tmp/deb/${pkg}_"*.deb "$tmp/k" "boot/vmlinuz-${pkg#linux-image-}"
  extract "$tmp/deb/busybox-static_"*.deb "$tmp/b" bin/busybox
  echo "$kernel" >"$tmp/kernel-version"
  local m
  mkdir "$tmp/kvm"
  for m in $kvm_modules; do
    [ -s "$tmp/k/lib/modules/${pkg#linux-image-}/kernel/$m" ] || die "$pkg has no module $m"
    cp "$tmp/k/lib/modules/${pkg#linux-image-}/kernel/$m" "$tmp/kvm/" || die "cannot copy $m"
  done
  rm -rf "$cache/kvm"
  mv -f "$tmp/kvm" "$cache/kvm" || die "cannot move the KVM modules into $cache"
  rm -f "$cache/vmlinux"
  if make_vmlinux "$tmp/k/boot/vmlinuz-${pkg#linux-image-}" "$tmp/vmlinux"; then
    mv -f "$tmp/vmlinux" "$cache/vmlinux" || die "cannot move vmlinux into $cache"
  else
    echo "fetch-kernel: cannot unpack a PVH vmlinux (needs readelf, xz); QEMU will boot vmlinuz, about 3 s slower" >&2
  fi
  # vmlinuz last: its presence (with busybox) means the cache is complete.
  if ! { mv -f "$tmp/kernel-version" "$cache/kernel-version" &&
         mv -f "$tmp/b/bin/busybox" "$cache/busybox" &&
         mv -f "$tmp/k/boot/vmlinuz-${pkg#linux-image-}" "$cache/vmlinuz"; }; then
    die "cannot move the extracted files into $cache"
  fi
  echo "fetch-kernel: $cache/vmlinuz ($kernel) and $cache/busybox ready" >&2
}

main "$@"
