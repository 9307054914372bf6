#!/bin/sh
# FILE: test/record/record-share.sh
# DESCRIPTION:
#   ctest record/record-share: runs PROGRAM with FLEXOS_RECORD (natively
#   with pku, else in the TCG VM through run-pku.sh, which prints the
#   report back), checks the banner, the program's own output and status,
#   then runs `flexos share` on the report and requires exactly the shares
#   of EXPECTED (comments dropped, file paths reduced to their last
#   component) and no unplaced access.  Leaves run.log, report.txt and
#   shares in OUTDIR.
# USAGE:
#   sh record-share.sh RUN-PKU CACHE PROGRAM FLEXOS EXPECTED OUTDIR
# License: MIT (see LICENSE)
set -u
[ $# -eq 6 ] || { echo "usage: $0 RUN-PKU CACHE PROGRAM FLEXOS EXPECTED OUTDIR" >&2; exit 2; }
runpku=$1 cache=$2 prog=$3 flexos=$4 expected=$5 out=$6
mkdir -p "$out" || exit 1
rm -f "$out/run.log" "$out/report.txt" "$out/shares"
fail() { echo "FAIL: $*"; exit 1; }

# The report file lives where the program runs (the VM's /tmp); cat
# brings it back between markers.
"$runpku" --cache "$cache" --file "$prog" -- /bin/sh -c \
  'f=/tmp/flexos-record.$$; FLEXOS_RECORD=$f "$0"; echo "record-status: $?"; echo "--- report"; cat "$f"; echo "--- end"; rm -f "$f"' \
  "$prog" >"$out/run.log" 2>&1
cat "$out/run.log"
grep -q '^flexos: RECORD MODE (FLEXOS_RECORD=' "$out/run.log" || fail "no record-mode banner"
grep -q '^record: limit=26 filled=26 total=31 text=abcdefghijklmnopqrstuvwxyz ok$' "$out/run.log" ||
  fail "the program did not run to the end with the right output"
grep -q '^record-status: 0$' "$out/run.log" || fail "the program did not exit 0"
sed -n '/^--- report$/,/^--- end$/p' "$out/run.log" | sed '1d;$d' | grep -v '^\[' >"$out/report.txt"
grep -q '^flexos-record 1$' "$out/report.txt" || fail "no report written"

echo "--- flexos share"
"$flexos" share "$out/report.txt" -o "$out/shares" >"$out/share.log" 2>&1
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
