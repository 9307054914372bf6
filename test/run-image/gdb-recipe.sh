#!/bin/bash
# FILE: test/run-image/gdb-recipe.sh
# DESCRIPTION:
#   The debugging recipe of docs/runtime.md, end to end: tools/run-image.sh
#   --gdb starts an image stopped; gdb attaches with the command it prints,
#   stops at a function of an isolated compartment by name and reads that
#   compartment's private global.  No deadline: it waits for QEMU's port as
#   long as QEMU runs (run-image's own --timeout bounds QEMU).
# USAGE: gdb-recipe.sh RUN_IMAGE IMAGE FUNCTION VARIABLE VALUE WORK_DIR
# License: MIT (see LICENSE)
set -u
run_image=$1 image=$2 fn=$3 var=$4 value=$5 work=$6
command -v gdb > /dev/null || { echo "SKIP: gdb is not installed (tools/install-deps.sh)"; exit 77; }
mkdir -p "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$run_image" --timeout 300 --gdb "$port" "$image" > "$work/qemu.log" 2>&1 &
qemu=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null; do
  kill -0 "$qemu" 2> /dev/null || { echo "FAIL: QEMU ended before listening:"; cat "$work/qemu.log"; exit 1; }
  sleep 0.2
done
attach=$(sed -n "s/^  gdb -ex '\(target remote [^']*\)'.*/\1/p" "$work/qemu.log")
[ -n "$attach" ] || { echo "FAIL: run-image printed no gdb command:"; cat "$work/qemu.log"; exit 1; }
echo "run-image said: gdb -ex '$attach' $image"
gdb -batch -nx -ex 'set confirm off' -ex "$attach" -ex "break $fn" -ex continue \
    -ex "print $var" -ex kill "$image" > "$work/gdb.log" 2>&1
wait "$qemu" 2> /dev/null
cat "$work/gdb.log"
grep -q "Breakpoint 1, .*$fn" "$work/gdb.log" || { echo "FAIL: gdb did not stop at $fn"; exit 1; }
grep -q "^\$1 = $value\$" "$work/gdb.log" || { echo "FAIL: $var did not read $value"; exit 1; }
echo "PASS: stopped at $fn, $var = $value"
