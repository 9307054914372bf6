#!/bin/bash
# FILE: test/net-image/echo-nested.sh
# DESCRIPTION:
#   The net-echo test of a vm-ept image with the monitor nested in the
#   test VM of platform/linux/testvm (run-in-vm.sh --kvm: kvm-amd in QEMU
#   TCG), where a host-side client cannot reach it: the client is
#   busybox nc inside the same VM.  Boots the image under flexos-vmm with
#   the monitor's network device (port 7007 -> guest port 7), sends a
#   short line and a 2,893-byte one and checks each echo byte for byte, then
#   "quit\n"; passes only if both echoes match and the image ends with
#   status 0 and "net-echo: ... bye".  Exit status: 0 pass, 1 fail, 77
#   KVM did not start in the test VM.
# USAGE: test/net-image/echo-nested.sh VMM IMAGE CACHE
# License: MIT (see LICENSE)
set -u
case "${1:-}" in
  -h|--help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -eq 3 ] || { echo "usage: echo-nested.sh VMM IMAGE CACHE (see --help)" >&2; exit 2; }
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
vmm=$(abs "$1") image=$(abs "$2") cache=$3
testvm=$(cd "$(dirname "$0")/../../platform/linux/testvm" && pwd)
# Inside the VM (busybox sh): the monitor in the background, nc as the client.
script='
ifconfig lo 127.0.0.1 up
"$0" --net 7007:7 --timeout 600 "$1" >/tmp/vmm.log 2>&1 &
pid=$!
n=0
until grep -q "net-echo: listening" /tmp/vmm.log; do
  n=$((n + 1))
  if [ $n -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
    cat /tmp/vmm.log; echo "echo-nested: FAIL: the image never listened"; exit 1
  fi
  sleep 1
done
check() {
  got=$(printf "%s\n" "$1" | timeout 120 nc -w 5 127.0.0.1 7007)
  if [ "$got" = "$1" ]; then echo "echo-nested: ok: $2, ${#1} bytes"
  else echo "echo-nested: FAIL: $2: sent ${#1} bytes, got ${#got} back"; fail=1; fi
}
fail=0
check "hello from inside the test VM" "one line"
check "$(seq 1 1000 | tr -d "\n")" "a long line"
printf "quit\n" | timeout 60 nc -w 2 127.0.0.1 7007 >/dev/null
wait $pid
status=$?
cat /tmp/vmm.log
echo "echo-nested: monitor status $status"
[ $status -eq 0 ] && [ $fail -eq 0 ]
'
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$testvm/run-in-vm.sh" --kvm --cache "$cache" --mem 1G --timeout 900 \
  --file "$vmm" --file "$image" -- sh -c "$script" "$vmm" "$image" >"$out" 2>&1
status=$?
cat "$out"
grep -q '^flexos-vm: kvm=no' "$out" && { echo "SKIP: KVM did not start inside the test VM"; exit 77; }
grep -q '^run-in-vm: ' "$out" && { echo "FAIL: the test VM failed"; exit 1; }
[ $status -eq 0 ] || { echo "FAIL: status $status"; exit 1; }
grep -q "net-echo: [0-9]* connections, [0-9]* bytes echoed; bye" "$out" ||
  { echo "FAIL: no bye from the image"; exit 1; }
if grep -Eq "FAULT|panic" "$out"; then echo "FAIL: a fault or panic"; exit 1; fi
echo "echo-nested: pass"
