#!/usr/bin/env bash
# FILE: tools/test-all.sh
# DESCRIPTION:
#   Quick start, command 2: installs missing packages, builds everything and
#   runs every test with ctest (labels: lit, hosted, image, kvm, pku).
#   Tests that need hardware this machine lacks (for example /dev/kvm)
#   report themselves as skipped, with the reason.
# USAGE: tools/test-all.sh [ctest arguments, e.g. -L lit]
# License: MIT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
"$root/tools/build.sh" "$root/build"
cd "$root/build"
echo "test-all: this machine (tools/host-info.sh, docs/hosts.md):"
"$root/tools/host-info.sh" --cache "$root/build/host-info.txt" | sed 's/^/  /'
ctest --output-on-failure -j"$(nproc)" "$@"
