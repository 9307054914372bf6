#!/bin/sh
# FILE: test/record-image/record-share.sh
# DESCRIPTION:
#   ctest record-image/record-share: boots IMAGE with `flexos.record` on
#   the command line (tools/run-image.sh, TCG -cpu max), requires the
#   record-mode banner, the program's own output and status 0, and the
#   report between its markers on the console; then runs `flexos share`
#   on the whole console log with --program IMAGE and requires exactly
#   the shares of EXPECTED (comments dropped, file paths reduced to their
#   last component) and no unplaced access.  Leaves run.log, share.log
#   and shares in OUTDIR.
# USAGE:
#   sh record-share.sh RUN-IMAGE IMAGE FLEXOS EXPECTED OUTDIR
# License: MIT (see LICENSE)
set -u
[ $# -eq 5 ] || { echo "usage: $0 RUN-IMAGE IMAGE FLEXOS EXPECTED OUTDIR" >&2; exit 2; }
runimage=$1 image=$2 flexos=$3 expected=$4 out=$5
mkdir -p "$out" || exit 1
rm -f "$out/run.log" "$out/share.log" "$out/shares"
fail() { echo "FAIL: $*"; exit 1; }

"$runimage" --timeout 120 --append flexos.record \
  --expect '^flexos: RECORD MODE \(flexos.record\)' \
  --expect '^record-image: argc=1 limit=26 filled=26 total=31 text=abcdefghijklmnopqrstuvwxyz ok$' \
  --expect '^flexos-record: flexos-record 1$' --expect '^flexos-record-end$' \
  --reject 'FAULT|panic' "$image" >"$out/run.log" 2>&1
status=$?
cat "$out/run.log"
[ "$status" -eq 0 ] || fail "the image did not run to the end in record mode (run-image: $status)"

echo "--- flexos share"
"$flexos" share "$out/run.log" --program "$image" -o "$out/shares" >"$out/share.log" 2>&1
status=$?
cat "$out/share.log"
[ "$status" -eq 0 ] || fail "flexos share exited $status"
grep -q '; 0 accesses could not be placed$' "$out/share.log" || fail "some accesses could not be placed"
norm() { grep -v '^#' "$1" | sed -E 's#^(alloc [^ ]+ )(.*/)?([^/]+)$#\1\3#' | sort; }
norm "$out/shares" >"$out/shares.norm"
norm "$expected" >"$out/expected.norm"
if ! diff -u "$out/expected.norm" "$out/shares.norm"; then
  fail "flexos share proposed other shares than $expected"
fi
echo "PASS: exactly the shares of $expected"
