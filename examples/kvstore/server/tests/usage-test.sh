#!/bin/bash
# FILE: examples/kvstore/server/tests/usage-test.sh
# DESCRIPTION:
#   The server's command line: --help succeeds, every bad option or value
#   fails with exit status 2 and a message naming it, and a port already
#   in use or a bad address fails with status 1 and the reason.
# USAGE: usage-test.sh path/to/kvstore
# License: MIT
set -u
kv=$1
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0

# expect STATUS PATTERN ARGS...: runs kv ARGS, wants STATUS and PATTERN in
# its output.
expect() {
  local want=$1 pattern=$2
  shift 2
  timeout 10 "$kv" "$@" >"$tmp/out" 2>&1 </dev/null
  local rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -q -- "$pattern" "$tmp/out"; then
    echo "FAIL: kvstore $*: status $rc (want $want), output:"
    cat "$tmp/out"
    failures=$((failures + 1))
  else
    echo "ok: kvstore $* -> $rc, $(head -1 "$tmp/out")"
  fi
}

expect 0 "usage: kvstore" --help
expect 2 "unknown option '--bogus'" --bogus
expect 2 "--port needs a value" --port
expect 2 "--port: '70000' is not a number in 0..65535" --port 70000
expect 2 "--port: '12x' is not a number" --port 12x
expect 2 "--max-clients: '0' is not a number" --max-clients 0
expect 2 "--chunk: '-1' is not a number" --stdio --chunk -1
expect 1 "--bind: '1.2.3' is not an IPv4 address" --bind 1.2.3 --port 0

"$kv" --port 0 >"$tmp/first" 2>&1 &
pid=$!
for _ in $(seq 50); do
  grep -q "listening" "$tmp/first" && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on port //p' "$tmp/first")
expect 1 "listen on 127.0.0.1:$port: Address already in use" --port "$port"
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
[ "$failures" -eq 0 ] && echo SUCCESS
exit $((failures > 0))
