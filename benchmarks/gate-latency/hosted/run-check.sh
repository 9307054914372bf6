#!/bin/sh
# FILE: benchmarks/gate-latency/hosted/run-check.sh
# DESCRIPTION:
#   ctest driver: runs a program, passes its exit status 77 (skip) through,
#   fails on any other non-zero status, and otherwise requires every given
#   extended regex to match some line of its output.  With
#   --expect-status N the program must exit N instead (77 is then not a
#   skip), and the regexes are checked as well.
# USAGE:
#   sh run-check.sh [--expect-status N] 'ERE'... -- build/bin/gate-latency-hosted --no-pku
# License: MIT (see LICENSE)

set -u
n=0
expect=""
if [ "${1:-}" = "--expect-status" ]; then
  expect=$2
  shift 2
fi
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  n=$((n + 1))
  eval "re_$n=\$1"
  shift
done
if [ $# -lt 2 ]; then
  echo "usage: $0 ERE... -- PROGRAM [ARGS...]" >&2
  exit 2
fi
shift
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ -n "$expect" ]; then
  if [ "$status" -ne "$expect" ]; then
    echo "FAIL: $1 exited $status, expected $expect"
    exit 1
  fi
elif [ "$status" -eq 77 ]; then
  echo "SKIP: $1 exited 77"
  exit 77
elif [ "$status" -ne 0 ]; then
  echo "FAIL: $1 exited $status"
  exit 1
fi
i=1
while [ "$i" -le "$n" ]; do
  eval "re=\$re_$i"
  if ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
    echo "FAIL: no output line matches /$re/"
    exit 1
  fi
  i=$((i + 1))
done
echo "PASS"
