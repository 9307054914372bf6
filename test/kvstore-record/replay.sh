#!/bin/sh
# FILE: test/kvstore-record/replay.sh
# DESCRIPTION:
#   ctest kvstore-record/replay-*: PROGRAM (a kvstore server built with
#   intel-pku) replays recorded client sessions
#   (SESSIONS-DIR/NAME.resp, --stdio, no record mode), all in one boot of
#   the TCG VM (natively where the host has pku); each must exit 0 and
#   reply exactly NAME.expected (compared in the guest: the console drops
#   CRs).  For a session that does not, it prints how far it got (the
#   status, the first differing byte, the fault report).  Leaves run.log
#   in OUTDIR.
# USAGE:
#   sh replay.sh RUN-PKU CACHE PROGRAM SESSIONS-DIR OUTDIR NAME...
# License: MIT (see LICENSE)
set -u
[ $# -ge 6 ] || { echo "usage: $0 RUN-PKU CACHE PROGRAM SESSIONS-DIR OUTDIR NAME..." >&2; exit 2; }
runpku=$1 cache=$2 prog=$3 sessions=$4 out=$5
shift 5
mkdir -p "$out" || exit 1
rm -f "$out/run.log"

files=""
for n in "$@"; do
  for f in "$sessions/$n.resp" "$sessions/$n.expected"; do
    [ -f "$f" ] || { echo "FAIL: $f does not exist"; exit 1; }
    files="$files --file $f"
  done
done

# shellcheck disable=SC2016 # expanded by the guest's shell
guest='prog=$1 dir=$2; shift 2
for n in "$@"; do
  "$prog" --stdio <"$dir/$n.resp" >/tmp/out.$n 2>/tmp/err.$n
  echo "session $n: status $?"
  cat /tmp/err.$n
  if cmp /tmp/out.$n "$dir/$n.expected" >/tmp/cmp.$n 2>&1; then
    echo "session $n: replies match"
  else
    echo "session $n: replies differ: $(wc -c </tmp/out.$n) of $(wc -c <"$dir/$n.expected") bytes written; $(cat /tmp/cmp.$n)"
  fi
done'
# shellcheck disable=SC2086 # $files: --file PATH words, no spaces in paths
"$runpku" --cache "$cache" --timeout 600 $files --file "$prog" -- /bin/sh -c "$guest" \
  sh "$prog" "$sessions" "$@" >"$out/run.log" 2>&1
cat "$out/run.log"
status=0
for n in "$@"; do
  if ! grep -q "^session $n: status 0\$" "$out/run.log" ||
     ! grep -q "^session $n: replies match\$" "$out/run.log"; then
    echo "FAIL: session $n"; status=1
  fi
done
[ $status -eq 0 ] && echo "PASS: $(basename "$prog") replays $* byte for byte"
exit $status
