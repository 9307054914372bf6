#!/bin/bash
# FILE: test/runtime/matches-native.sh
# DESCRIPTION:
#   Runs a hosted Linux build of a program and the kernel image built from
#   the same sources, and checks that the image prints exactly the
#   program's lines (image banner, runner and timing lines removed) and
#   both succeed: the runtime's libc and gates behave like the host's.
# USAGE:
#   matches-native.sh NATIVE_PROGRAM tools/run-image.sh [run-image options] image.elf
# License: MIT (see LICENSE)
set -u
native=$1 run=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$native" > "$dir/native" || { echo "FAIL: native program failed"; exit 1; }
"$run" "$@" > "$dir/raw"
rc=$?
cat "$dir/raw"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: image run failed"; exit 1; }
grep -Ev '^(flexos:|boot-time:|run-image:|PASS:)' "$dir/raw" > "$dir/image"
if ! diff -u "$dir/native" "$dir/image"; then
  echo "FAIL: image output differs from $native"
  exit 1
fi
echo "PASS: $(wc -l < "$dir/image") lines identical to the native build"
