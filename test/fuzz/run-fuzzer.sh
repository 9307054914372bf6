#!/bin/sh
# FILE: test/fuzz/run-fuzzer.sh
# DESCRIPTION:
#   Runs one libFuzzer target for a bounded time (ctest label fuzz): a fresh
#   corpus in WORK grows from the seeds kept in the tree (never written to).
#   A crash prints the input and the one-line command that replays it.
#   FLEXOS_FUZZ_SECONDS overrides the time (e.g. 600 for a local run).
# USAGE: run-fuzzer.sh FUZZER SECONDS WORK SEED_DIR [more libFuzzer flags]
# License: MIT (see LICENSE)
set -u
fuzzer=$1 seconds=${FLEXOS_FUZZ_SECONDS:-$2} work=$3 seeds=$4
shift 4
if [ ! -x "$fuzzer" ]; then
  echo "SKIP: $fuzzer not built (needs clang with libFuzzer)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work/corpus" "$work/crashes"
echo "fuzz: $(basename "$fuzzer") for ${seconds} s from $(ls "$seeds" | wc -l) seeds"
"$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/crashes/" "$@" "$work/corpus" "$seeds" > "$work/log" 2>&1
rc=$?
grep -E "^stat::number_of_executed_units|^Done [0-9]+ runs|cov: [0-9]+" "$work/log" | tail -3
if [ $rc -ne 0 ]; then
  tail -40 "$work/log"
  for c in "$work"/crashes/*; do
    [ -e "$c" ] || continue
    echo "FAIL: input $c (base64 below)"
    base64 -w0 "$c"; echo
    echo "reproduce: $fuzzer $c"
  done
  exit 1
fi
echo "fuzz: no crash"
