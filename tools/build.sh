#!/usr/bin/env bash
# FILE: tools/build.sh
# DESCRIPTION:
#   Configures (once) and builds flexos in BUILD_DIR (default: build) with
#   clang-19 and Ninja. Shared by tools/demo.sh and tools/test-all.sh.
# USAGE: tools/build.sh [BUILD_DIR]
# License: MIT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
fi
cmake --build "$build"
