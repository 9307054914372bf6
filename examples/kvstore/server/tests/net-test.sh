#!/bin/bash
# FILE: examples/kvstore/server/tests/net-test.sh
# DESCRIPTION:
#   Starts a kvstore server on a free port, runs the named checks against
#   it with real Redis clients, then stops it with SIGTERM and requires a
#   clean exit (status 0, and no sanitizer report when the server is the
#   ASan build: LeakSanitizer runs at that exit). The server is killed on
#   every way out of this script. Checks:
#     benchmark  redis-benchmark -t ping,set,get,incr,lpush,lpop -c 50
#                -P 1 -q, then -P 16: every test must report a nonzero
#                rate, and the INCR counter and LPUSH/LPOP list must hold
#                exactly what the commands redis-benchmark really sent
#                leave (counted by KV_COUNT_SHIM, tools/count-commands.c;
#                without it, what -n asks for)
#     cli        a redis-cli --no-raw session, compared byte for byte
#                with cli-session.expected
#     readback   KV_READBACK_N (default 20000) distinct keys written by 4 concurrent
#                redis-cli --pipe streams while redis-benchmark adds load;
#                every key must read back with its own value
#     malformed  malformed.py (protocol errors, disconnects, backpressure)
#     types      after a FLUSHALL, types.resp over TCP, compared byte for
#                byte with types.expected; then SPOP from sets of 100
#                integers and of 100 strings: one member, 10, then the
#                rest, each taken out of the set (SISMEMBER, SCARD)
#     expiry     expiry.resp, compared as types.resp is; then keys set
#                with PX 100 disappear (DBSIZE drops with nothing reading
#                them, GET nil, EXISTS 0), polling for up to 10 s
#     redispy   redispy_workload.py: a small application's commands through
#                redis-py, each reply compared with a real redis-server's
#     integrity  integrity.py: INCR counters, list appends and pipelined
#                SET/GET from several clients, each write applied exactly
#                once and each reply its own request's (KV_INTEGRITY_ARGS
#                passes options; run under flexos-vmm --net-faults)
#     maxclients the server runs with --max-clients 4; a fifth client is
#                refused with an error reply, the others are served
#   Exits 77 (skip) when a client it needs is not installed.
# USAGE:
#   net-test.sh SERVER_BINARY TESTS_DIR CHECK...
#   KV_BENCH_N=2000 net-test.sh build/bin/kvstore-asan tests cli malformed
#   (KV_BENCH_CLIENTS, KV_READBACK_N and KV_SLOW shrink the load for slow
#   platforms; see malformed.py)
# License: MIT
set -u
server=$1
dir=$2
shift 2
bench_n=${KV_BENCH_N:-20000}
bench_c=${KV_BENCH_CLIENTS:-50} # bench_n >= bench_c * 16 keeps counts exact
readback_n=${KV_READBACK_N:-20000} # a multiple of 4

fail() {
  echo "FAIL: $*"
  exit 1
}

need() {
  command -v "$1" >/dev/null ||
    { echo "SKIP: $1 is not installed (apt-get install $2)"; exit 77; }
}

for check in "$@"; do
  case $check in
    benchmark) need redis-benchmark redis-tools ;;
    cli|readback) need redis-cli redis-tools ;;
    malformed|maxclients|integrity) need python3 python3 ;;
    types|expiry) need python3 python3; need redis-cli redis-tools ;;
    redispy) need redis-server redis-server
             /usr/bin/python3 -c 'import redis' 2>/dev/null ||
               { echo "SKIP: redis-py is not installed (apt-get install python3-redis)"; exit 77; } ;;
    *) fail "unknown check '$check'" ;;
  esac
done

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

server_args=()
if [ "$*" = maxclients ]; then
  server_args=(--max-clients 4)
else
  for check in "$@"; do
    [ "$check" = maxclients ] && fail "maxclients must run alone"
  done
fi
"$server" --port 0 "${server_args[@]}" >"$tmp/server.out" 2>"$tmp/server.err" &
pid=$!
for _ in $(seq 100); do
  grep -q "listening on port" "$tmp/server.out" && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.err"; fail "server exited"; }
  sleep 0.1
done
port=$(sed -n 's/^kvstore: listening on port \([0-9]*\)$/\1/p' "$tmp/server.out")
[ -n "$port" ] || fail "server did not print 'kvstore: listening on port N'"
echo "server $server on port $port"

# run_benchmark PIPELINE: one redis-benchmark run; every test must report
# a nonzero rate.
run_benchmark() {
  local shim=()
  rm -f "$tmp/sent"
  if [ -n "${KV_COUNT_SHIM:-}" ] && [ ! -f "$KV_COUNT_SHIM" ]; then
    fail "KV_COUNT_SHIM=$KV_COUNT_SHIM does not exist; build the flexos-count-commands target"
  fi
  [ -n "${KV_COUNT_SHIM:-}" ] &&
    shim=(env FLEXOS_COUNT_COMMANDS=INCR,LPUSH,LPOP
          FLEXOS_COUNT_COMMANDS_OUT="$tmp/sent" LD_PRELOAD="$KV_COUNT_SHIM")
  "${shim[@]}" redis-benchmark -p "$port" -t ping,set,get,incr,lpush,lpop -n "$bench_n" \
    -c "$bench_c" -P "$1" -q >"$tmp/bench.raw" 2>&1 ||
    fail "redis-benchmark failed (status $?): $(tr '\r' '\n' <"$tmp/bench.raw" | grep -v 'rps=' | tail -5)"
  # -q rewrites a progress line with CR; keep the final lines.
  tr '\r' '\n' <"$tmp/bench.raw" | grep 'requests per second' >"$tmp/bench"
  echo "redis-benchmark -n $bench_n -c $bench_c -P $1 -q:"
  cat "$tmp/bench"
  for t in PING_INLINE PING_MBULK SET GET INCR LPUSH LPOP; do
    rate=$(sed -n "s/^ *$t: \([0-9.]*\) requests per second.*/\1/p" "$tmp/bench")
    [ -n "$rate" ] || fail "no result for $t"
    awk -v r="$rate" 'BEGIN { exit !(r > 0) }' || fail "$t rate is $rate"
  done
}

# cli_is WANT ARGS...: redis-cli ARGS must print exactly WANT.
cli_is() {
  local want=$1 got
  shift
  got=$(redis-cli -p "$port" "$@")
  [ "$got" = "$want" ] || fail "redis-cli $*: '$got', expected '$want'"
}

# Without -r every INCR hits the key "counter:__rand_int__" and every
# LPUSH/LPOP the list "mylist": after the 50 concurrent clients the
# counter must equal the number of INCRs, and the list must be empty.
# With -P p, redis-benchmark sends whole batches of p while fewer than n
# were sent: ceil(n/p)*p commands.
# sent NAME ASKED: how many NAME commands redis-benchmark's last run
# really sent, as the count-commands shim saw them (KV_COUNT_SHIM,
# tools/count-commands.c); ASKED without the shim.  redis-benchmark 7.0
# sends more than -n when a stall outlasts about ten seconds (its request
# counter wraps while idle clients spin), so -n alone would blame the
# server for the client's extra requests.
sent() {
  if [ -z "${KV_COUNT_SHIM:-}" ]; then
    echo "$2"
    return
  fi
  local n
  [ -s "$tmp/sent" ] ||
    fail "the command-counting shim ($KV_COUNT_SHIM) wrote no counts; build the flexos-count-commands target"
  n=$(awk -v c="$1" '$1 == c { s += $2 } END { print s + 0 }' "$tmp/sent")
  [ "$n" -gt "$2" ] &&
    echo "benchmark: redis-benchmark sent $n $1 commands for $2 asked" >&2
  echo "$n"
}

# settles_in LOW HIGH CMD...: the server's integer answer to CMD, once it
# stops changing (in-flight requests of a client that quit are still
# being applied), lies in [LOW, HIGH]; prints it.
settles_in() {
  local lo=$1 hi=$2 got prev=x
  shift 2
  for _ in $(seq 30); do
    got=$(redis-cli -p "$port" "$@")
    [ "$got" = "$prev" ] && break
    prev=$got
    sleep 1
  done
  [[ $got =~ ^[0-9]+$ ]] && [ "$got" -ge "$lo" ] && [ "$got" -le "$hi" ] ||
    fail "redis-cli $*: '$got', expected $lo..$hi"
  echo "$got"
}

# Every INCR, LPUSH and LPOP applied once.  When redis-benchmark sent
# exactly what it was asked, the counter holds exactly that and the list
# is empty; when it sent more, it quit without the replies to some, so
# the counter lies between what it asked (all acknowledged) and what it
# sent, and the list holds at most its extra pushes.
check_benchmark() {
  local v incrs pushes pops rounded=$(( (bench_n + 15) / 16 * 16 )) run asked
  local counter=0 lo hi
  cli_is OK FLUSHALL
  for run in 1 16; do
    asked=$bench_n
    [ "$run" = 16 ] && asked=$rounded
    run_benchmark "$run"
    incrs=$(sent INCR "$asked") pushes=$(sent LPUSH "$asked") pops=$(sent LPOP "$asked")
    lo=$(( counter + (incrs > asked ? bench_n : incrs) )) hi=$(( counter + incrs ))
    counter=$(settles_in "$lo" "$hi" GET counter:__rand_int__)
    if [ "$incrs" = "$asked" ] && [ "$pushes" = "$asked" ] && [ "$pops" = "$asked" ]; then
      cli_is 0 LLEN mylist
    else
      settles_in 0 $(( pushes > asked ? pushes - bench_n : 0 )) LLEN mylist >/dev/null
    fi
    if [ "$run" = 1 ]; then
      v=$(redis-cli -p "$port" GET key:__rand_int__)
      [ ${#v} -eq 3 ] || fail "GET key:__rand_int__ is '$v', not a 3-byte value"
    fi
    redis-cli -p "$port" DEL mylist >/dev/null
  done
  echo "benchmark: counter $counter after the INCRs redis-benchmark sent, each applied once"
}

check_cli() {
  redis-cli --no-raw -p "$port" <"$dir/cli-session.txt" >"$tmp/cli.out" 2>&1
  diff -u "$dir/cli-session.expected" "$tmp/cli.out" ||
    fail "redis-cli session differs from cli-session.expected"
  echo "redis-cli session: $(wc -l <"$tmp/cli.out") lines match"
}

# replay NAME: after a FLUSHALL, NAME.resp over TCP must get exactly
# NAME.expected back.
replay() {
  redis-cli -p "$port" FLUSHALL >/dev/null || fail "$1: FLUSHALL"
  python3 - "$port" "$dir/$1.resp" >"$tmp/$1.out" <<'EOF' ||
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(open(sys.argv[2], "rb").read())
while True:  # until the server closes after the final QUIT
    b = s.recv(65536)
    if not b:
        break
    sys.stdout.buffer.write(b)
EOF
    fail "$1: sending $1.resp"
  cmp "$dir/$1.expected" "$tmp/$1.out" ||
    fail "$1.resp replies differ from $1.expected; see $tmp/$1.out"
}

check_types() {
  local cli=(redis-cli -p "$port") prefix m
  replay types
  for prefix in "" m; do # an integer set, then a set of strings
    [ "$("${cli[@]}" SADD pool $(seq -f "$prefix%g" 1 100))" = 100 ] ||
      fail "types: SADD of 100 members"
    m=$("${cli[@]}" SPOP pool)
    [[ $m =~ ^$prefix[0-9]+$ ]] || fail "types: SPOP gave '$m'"
    [ "$("${cli[@]}" SISMEMBER pool "$m")" = 0 ] ||
      fail "types: SPOP left '$m' in the set"
    [ "$("${cli[@]}" SCARD pool)" = 99 ] || fail "types: SCARD after SPOP"
    [ "$("${cli[@]}" SPOP pool 10 | sort -u | wc -l)" = 10 ] ||
      fail "types: SPOP pool 10"
    [ "$("${cli[@]}" SCARD pool)" = 89 ] || fail "types: SCARD after SPOP 10"
    [ "$("${cli[@]}" SPOP pool 1000 | sort -u | wc -l)" = 89 ] ||
      fail "types: SPOP of the rest"
    [ "$("${cli[@]}" EXISTS pool)" = 0 ] || fail "types: emptied set remains"
  done
  echo "types: types.resp replies and SPOP match"
}

check_expiry() {
  local cli=(redis-cli -p "$port") i n
  replay expiry
  "${cli[@]}" FLUSHALL >/dev/null
  "${cli[@]}" SET keep v >/dev/null
  for i in $(seq 50); do echo "SET e:$i v$i PX 100"; done | "${cli[@]}" >/dev/null
  "${cli[@]}" SET later v PX 100000 >/dev/null
  n=$("${cli[@]}" PTTL later)
  [ "$n" -gt 0 ] && [ "$n" -le 100000 ] || fail "expiry: PTTL later is '$n'"
  n=$("${cli[@]}" DBSIZE)
  [ "$n" -le 52 ] || fail "expiry: DBSIZE $n after 52 SETs"
  # Nothing reads the keys: only active expiry can reclaim them (DBSIZE
  # counts keys not yet reclaimed, as in Redis). Up to 10 s.
  for i in $(seq 100); do
    n=$("${cli[@]}" DBSIZE)
    [ "$n" = 2 ] && break
    sleep 0.1
  done
  [ "$n" = 2 ] || fail "expiry: DBSIZE still $n after the keys expired"
  [ -z "$("${cli[@]}" GET e:1)" ] || fail "expiry: GET e:1 after expiry"
  [ "$("${cli[@]}" EXISTS e:1 e:25 e:50)" = 0 ] || fail "expiry: EXISTS"
  [ "$("${cli[@]}" KEYS 'e:*' | wc -w)" = 0 ] || fail "expiry: KEYS e:*"
  [ "$("${cli[@]}" TTL keep)" = -1 ] || fail "expiry: TTL keep"
  # Lazy expiry: a key read after its time is gone, reclaimed or not.
  "${cli[@]}" SET soon v PX 100 >/dev/null
  for i in $(seq 50); do
    [ -z "$("${cli[@]}" GET soon)" ] && break
    sleep 0.1
  done
  [ -z "$("${cli[@]}" GET soon)" ] || fail "expiry: GET soon after 5 s"
  [ "$("${cli[@]}" TTL soon)" = -2 ] || fail "expiry: TTL soon"
  echo "expiry: expiry.resp replies match; keys expire, lazily and actively"
}

# Key i, its value (every 97th value is 3000 bytes long).
make_pairs() {
  awk -v from="$1" -v to="$2" 'BEGIN {
    for (i = from; i < to; i++) {
      v = "value-" i "-" (i * 7919) % 1000003
      if (i % 97 == 0) { while (length(v) < 3000) v = v "+" i }
      printf "%s %s\n", "rb:" i, v
    } }'
}

check_readback() {
  local n=$readback_n pids=() per=$((readback_n / 4))
  make_pairs 0 "$n" >"$tmp/pairs"
  # Four RESP streams of n/4 SETs each, for redis-cli --pipe.
  for part in 0 1 2 3; do
    awk -v p="$part" 'NR % 4 == p {
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n",
             length($1), $1, length($2), $2 }' "$tmp/pairs" >"$tmp/set.$part"
  done
  if command -v redis-benchmark >/dev/null; then
    redis-benchmark -p "$port" -t set,get,lpush,incr -n "$bench_n" -c 20 \
      -r 100000 -q >/dev/null 2>&1 &
    pids+=($!)
  fi
  for part in 0 1 2 3; do
    redis-cli -p "$port" --pipe <"$tmp/set.$part" >"$tmp/pipe.$part" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a load client failed"; done
  for part in 0 1 2 3; do
    grep -q "errors: 0, replies: $per" "$tmp/pipe.$part" ||
      { cat "$tmp/pipe.$part"; fail "redis-cli --pipe stream $part"; }
  done
  awk '{ print "GET " $1 }' "$tmp/pairs" >"$tmp/gets"
  redis-cli -p "$port" <"$tmp/gets" >"$tmp/got" 2>&1
  awk '{ print $2 }' "$tmp/pairs" >"$tmp/want"
  cmp -s "$tmp/want" "$tmp/got" ||
    { diff "$tmp/want" "$tmp/got" | head -5;
      fail "values read back differ from those written"; }
  echo "readback: $n keys written concurrently under load, all read back"
}

for check in "$@"; do
  echo "== $check"
  case $check in
    benchmark) check_benchmark ;;
    cli) check_cli ;;
    readback) check_readback ;;
    malformed) python3 "$dir/malformed.py" "$port" || fail "malformed.py" ;;
    types) check_types ;;
    expiry) check_expiry ;;
    redispy) "$dir/redispy_workload.py" "$port" || fail "redispy_workload.py" ;;
    integrity) python3 "$dir/integrity.py" "$port" ${KV_INTEGRITY_ARGS:-} ||
                 fail "integrity.py" ;;
    maxclients) python3 "$dir/malformed.py" "$port" --max-clients 4 ||
                  fail "malformed.py --max-clients 4" ;;
  esac
done

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
cat "$tmp/server.err"
[ "$rc" -eq 0 ] || fail "server exit status $rc after SIGTERM"
if grep -Eq 'Sanitizer|runtime error' "$tmp/server.err"; then
  fail "sanitizer report from the server"
fi
# Kernel images: a received frame the network stack dropped costs a
# retransmission stall of a second or more (libs/lwip/netif/*.c say so).
if grep -q 'dropped a received frame' "$tmp/server.err"; then
  fail "the image dropped received frames"
fi
echo "SUCCESS"
