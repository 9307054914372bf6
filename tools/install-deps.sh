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
          libclang-rt-19-dev graphviz redis-tools libslirp-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
