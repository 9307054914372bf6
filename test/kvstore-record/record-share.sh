#!/bin/sh
# FILE: test/kvstore-record/record-share.sh
# DESCRIPTION:
#   ctest kvstore-record/record-share: the kvstore server built with its
#   hand-placed sharing switched off (kvrec-noshare) replays recorded
#   client sessions (examples/kvstore/server/tests/NAME.resp) with
#   FLEXOS_RECORD, all in one boot of the TCG VM (natively where the host
#   has pku).  Each run must exit 0 with the record-mode banner and reply
#   exactly NAME.expected (compared in the guest: the console drops CRs).
#   `flexos share` then turns each report into shares; their union (file
#   paths reduced to their last component) must equal EXPECTED, and the
#   accesses it cannot place, as "cannot place: WHAT by COMP in FUNCTION"
#   (one line each, sorted, duplicates dropped), must equal UNPLACED.
#   Leaves run.log, report.NAME, shares.NAME, share.NAME.log, shares
#   (the union) and unplaced in OUTDIR.
# USAGE:
#   sh record-share.sh RUN-PKU CACHE PROGRAM FLEXOS SESSIONS-DIR EXPECTED
#      UNPLACED OUTDIR NAME...
# License: MIT (see LICENSE)
set -u
[ $# -ge 9 ] || { echo "usage: $0 RUN-PKU CACHE PROGRAM FLEXOS SESSIONS-DIR EXPECTED UNPLACED OUTDIR NAME..." >&2; exit 2; }
runpku=$1 cache=$2 prog=$3 flexos=$4 sessions=$5 expected=$6 unplaced=$7 out=$8
shift 8
mkdir -p "$out" || exit 1
rm -f "$out"/run.log "$out"/report.* "$out"/shares* "$out"/share.*.log "$out"/unplaced*
fail() { echo "FAIL: $*"; exit 1; }

files=""
for n in "$@"; do
  for f in "$sessions/$n.resp" "$sessions/$n.expected"; do
    [ -f "$f" ] || fail "$f does not exist"
    files="$files --file $f"
  done
done

# In the guest: each session in record mode, its replies compared there,
# its report printed between markers.
# shellcheck disable=SC2016 # expanded by the guest's shell
guest='prog=$1 dir=$2; shift 2
for n in "$@"; do
  f=/tmp/rec.$n
  FLEXOS_RECORD=$f "$prog" --stdio <"$dir/$n.resp" >/tmp/out.$n 2>/tmp/err.$n
  echo "session $n: status $?"
  grep -q "^flexos: RECORD MODE (FLEXOS_RECORD=" /tmp/err.$n && echo "session $n: banner"
  grep -v "^flexos: " /tmp/err.$n
  if cmp /tmp/out.$n "$dir/$n.expected" >/dev/null; then echo "session $n: replies match"
  else echo "session $n: replies differ ($(wc -c </tmp/out.$n) bytes)"; fi
  echo "--- report $n"; cat "$f"; echo "--- end $n"
done'
# shellcheck disable=SC2086 # $files: --file PATH words, no spaces in paths
"$runpku" --cache "$cache" --timeout 600 $files --file "$prog" -- /bin/sh -c "$guest" \
  sh "$prog" "$sessions" "$@" >"$out/run.log" 2>&1
cat "$out/run.log"

for n in "$@"; do
  grep -q "^session $n: status 0\$" "$out/run.log" || fail "session $n did not exit 0"
  grep -q "^session $n: banner\$" "$out/run.log" || fail "session $n: no record-mode banner"
  grep -q "^session $n: replies match\$" "$out/run.log" ||
    fail "session $n: the replies differ from $n.expected"
  sed -n "/^--- report $n\$/,/^--- end $n\$/p" "$out/run.log" | sed '1d;$d' |
    grep -v '^\[' >"$out/report.$n"
  grep -q '^flexos-record 1$' "$out/report.$n" || fail "session $n: no report written"
  "$flexos" share "$out/report.$n" -o "$out/shares.$n" >"$out/share.$n.log" 2>&1 ||
    { cat "$out/share.$n.log"; fail "flexos share $n exited $?"; }
  echo "--- flexos share ($n)"
  cat "$out/share.$n.log"
done

norm() { grep -hv '^#' "$@" | sed -E 's#^(alloc [^ ]+ )(.*/)?([^/]+)$#\1\3#' | sort -u; }
# "cannot place: stack of main written by db, 5 faults, first at
# store_incrby+0x2d2 (...): why" -> "cannot place: stack of main written
# by db in store_incrby"
unplaced_of() {
  for n in "$@"; do cat "$out/share.$n.log"; done |
    sed -n -E 's/^cannot place: ([^,]+), .*first at ([^+ ]+)[+ ].*$/cannot place: \1 in \2/p' |
    sort -u
}
for n in "$@"; do cat "$out/shares.$n"; done >"$out/shares.all"
norm "$out/shares.all" >"$out/shares"
norm "$expected" >"$out/expected.norm"
unplaced_of "$@" >"$out/unplaced"
grep -v '^#' "$unplaced" | sort -u >"$out/unplaced.expected"
echo "--- proposed shares (all sessions)"
cat "$out/shares"
echo "--- accesses the build cannot place (all sessions)"
cat "$out/unplaced"
status=0
diff -u "$out/expected.norm" "$out/shares" || { echo "FAIL: other shares than $expected"; status=1; }
diff -u "$out/unplaced.expected" "$out/unplaced" ||
  { echo "FAIL: other unplaceable accesses than $unplaced"; status=1; }
[ $status -eq 0 ] && echo "PASS: the shares of $expected; unplaceable: those of $unplaced"
exit $status
