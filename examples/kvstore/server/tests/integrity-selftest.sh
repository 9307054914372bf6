#!/bin/bash
# FILE: examples/kvstore/server/tests/integrity-selftest.sh
# DESCRIPTION:
#   Shows that integrity.py catches what it is for: against
#   faulty_server.py applying some INCRs and RPUSHes twice it must fail
#   naming a counter whose replies repeat, and against one that swaps two
#   GET replies it must fail naming a GET that got another key's value.
# USAGE: integrity-selftest.sh
# License: MIT
set -u
dir=$(cd "$(dirname "$0")" && pwd)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect_caught MODE REGEX: integrity.py against the faulty server must
# exit 1 with a FAIL line matching REGEX.
expect_caught() {
  local out port
  out=$(mktemp)
  python3 "$dir/faulty_server.py" $1 >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^kvstore: listening on port //p' "$out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "faulty_server.py $1 did not start: $(cat "$out")"
  python3 "$dir/integrity.py" "$port" --clients 3 --rounds 30 >"$out.run" 2>&1
  local rc=$?
  kill "$pid"; wait "$pid" 2>/dev/null; pid=""
  cat "$out.run"
  [ "$rc" -eq 1 ] || fail "integrity.py exited $rc against a server with $1"
  grep -Eq "$2" "$out.run" || fail "no FAIL line matching: $2"
  echo "caught: $1"
  rm -f "$out" "$out.run"
}

expect_caught "--apply-twice 7" "^FAIL: counters: key .* \(replies repeated|^FAIL: lists:"
expect_caught "--swap-replies 3" "^FAIL: readback: client [0-9]+: GET .* not its own value"
echo "SUCCESS"
