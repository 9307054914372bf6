#!/bin/bash
# FILE: benchmarks/kvstore/memory-per-key.sh
# DESCRIPTION:
#   Memory per key of the hosted kvstore against redis-server, measured
#   side by side in one run: each server starts empty, gets N string keys
#   (SET key:<i> value:<i>, through redis-cli --pipe), and the growth of
#   its resident set (VmRSS from /proc) divided by N is its bytes per key.
#   Then N hashes of 4 fields and N sets of 4 members, each on a flushed
#   server.  Prints one row per kind with both figures and the ratio
#   kvstore / redis-server (the issue's bound: within 10 %).
# USAGE:
#   benchmarks/kvstore/memory-per-key.sh BUILD_DIR [--keys N]
#   (BUILD_DIR/bin/kvstore is the plugin build; needs redis-server and
#   redis-cli)
# License: MIT (see LICENSE)
set -u
usage() { sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; }
build="" keys=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --keys) [ $# -ge 2 ] || { echo "memory-per-key: --keys needs a number" >&2; exit 2; }
            keys=$2; shift 2 ;;
    -*) echo "memory-per-key: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
[ -n "$build" ] || { usage >&2; exit 2; }
[[ $keys =~ ^[1-9][0-9]*$ ]] || { echo "memory-per-key: --keys wants a positive integer, not '$keys'" >&2; exit 2; }
kvstore=$build/bin/kvstore
[ -x "$kvstore" ] || { echo "memory-per-key: $kvstore not found; build the kvstore target first" >&2; exit 2; }
for tool in redis-server redis-cli; do
  command -v $tool >/dev/null || { echo "memory-per-key: $tool is missing (apt-get install redis-server redis-tools)" >&2; exit 2; }
done

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# start_server NAME: sets port and pid of a fresh, empty server
start_server() {
  port=$(free_port)
  if [ "$1" = kvstore ]; then
    "$kvstore" --port "$port" >"$tmp/kvstore.log" 2>&1 &
  else
    redis-server --port "$port" --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
  fi
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "memory-per-key: $1 did not start" >&2
  exit 1
}

# commands KIND: N commands of one kind, in redis-cli --pipe's inline form
commands() {
  case "$1" in
    string) awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i++) printf "SET key:%d value:%d\r\n", i, i }' ;;
    hash) awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i++) printf "HSET hash:%d a %d b %d c %d d %d\r\n", i, i, i, i, i }' ;;
    set) awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i++) printf "SADD set:%d a%d b%d c%d d%d\r\n", i, i, i, i, i }' ;;
  esac
}

# bytes_per_key SERVER KIND: prints the RSS growth per key.  Runs in a
# command substitution (its own shell): it stops its server itself.
bytes_per_key() {
  start_server "$1"
  trap 'kill "$pid" 2>/dev/null' EXIT
  redis-cli -p "$port" flushall >/dev/null
  local before after
  before=$(rss_kb "$pid")
  commands "$2" | redis-cli -p "$port" --pipe >"$tmp/pipe.log" 2>&1 ||
    { echo "memory-per-key: loading $2 keys into $1 failed: $(tail -2 "$tmp/pipe.log")" >&2; exit 1; }
  local n
  n=$(redis-cli -p "$port" dbsize)
  [ "$n" = "$keys" ] || { echo "memory-per-key: $1 holds $n keys after loading $keys" >&2; exit 1; }
  after=$(rss_kb "$pid")
  echo $(( (after - before) * 1024 / keys ))
}

echo "memory per key, $keys keys per kind; CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf "%-22s %14s %14s %8s\n" kind "kvstore B/key" "redis B/key" ratio
for kind in string hash set; do
  echo "  loading $kind keys into kvstore and redis-server ..." >&2
  kv=$(bytes_per_key kvstore "$kind") || exit 1
  rd=$(bytes_per_key redis "$kind") || exit 1
  ratio=$(awk -v a="$kv" -v b="$rd" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  label=$kind
  [ "$kind" = string ] || label="$kind (4 fields)"
  printf "%-22s %14s %14s %8s\n" "$label" "$kv" "$rd" "$ratio"
done
