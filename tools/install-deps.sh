#!/usr/bin/env bash
# FILE: tools/install-deps.sh
# DESCRIPTION:
#   Installs what flexos needs from Debian 12's archive, and only what is
#   missing, so running it again is cheap. Used by tools/demo.sh and
#   tools/test-all.sh; needs root (or sudo) only when something is missing.
# USAGE: tools/install-deps.sh
# License: MIT
set -euo pipefail

packages=(clang-19 llvm-19-dev libclang-19-dev llvm-19-tools lld-19 cmake
          ninja-build qemu-system-x86 python3 gcc libc6-dev dpkg-dev
          libclang-rt-19-dev graphviz redis-tools redis-server python3-redis
          libslirp-dev gdb tcl make bzip2 xz-utils)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
# The hosted-pku tests fetch Debian's kernel with apt-get download, which
# needs the package lists even when every package is already here.
lists_present() { compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; }
if [ ${#missing[@]} -eq 0 ] && lists_present; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]:-nothing (package lists only)}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]:-the package lists}" >&2; exit 1; }
  sudo=sudo
fi
$sudo apt-get update -q
[ ${#missing[@]} -eq 0 ] ||
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
