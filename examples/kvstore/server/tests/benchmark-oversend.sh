#!/bin/bash
# FILE: examples/kvstore/server/tests/benchmark-oversend.sh
# DESCRIPTION:
#   The "4,704 INCRs where 4,000 were sent" of round 1, reproduced without
#   any network: faulty_server.py (correct, but it holds back the replies
#   of the first client of the pipelined INCR run) makes redis-benchmark
#   7.0 send more INCRs than -n asks (its int request counter wraps while
#   the other clients spin on writable sockets).  net-test.sh's benchmark
#   check must pass all the same, because it compares the server with
#   what redis-benchmark really sent (tools/count-commands.c), and it must
#   say how many that was.  Fails if redis-benchmark did not over-send
#   (then this test shows nothing) or if the check blames the server.
# USAGE: benchmark-oversend.sh COUNT_SHIM
# License: MIT
set -u
dir=$(cd "$(dirname "$0")" && pwd)
shim=${1:?usage: benchmark-oversend.sh path/to/libflexos-count-commands.so}
n=2000
rounded=$(( (n + 15) / 16 * 16 ))
server=$(mktemp)
out=$(mktemp)
trap 'rm -f "$server" "$out"' EXIT
# The P1 run sends n INCRs; the first INCR after them starts the stall,
# which lasts until more INCRs came than the P16 run should send.
cat >"$server" <<SERVER
#!/bin/sh
exec python3 "$dir/faulty_server.py" --stall-after-incrs $n \
  --stall-until-incrs $(( n + rounded + 1 )) "\$@"
SERVER
chmod +x "$server"
KV_BENCH_N=$n KV_COUNT_SHIM=$shim "$dir/net-test.sh" "$server" "$dir" benchmark \
  >"$out" 2>&1
rc=$?
grep -v 'rps=' "$out" | tail -25
[ "$rc" -eq 0 ] || { echo "FAIL: the benchmark check failed against a correct server"; exit 1; }
grep -Eq "redis-benchmark sent [0-9]+ INCR commands for $rounded asked" "$out" ||
  { echo "FAIL: redis-benchmark sent no extra INCRs: the stall did not reproduce the over-send"; exit 1; }
echo "SUCCESS: redis-benchmark over-sent; the check counted what it sent"
