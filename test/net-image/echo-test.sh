#!/bin/bash
# FILE: test/net-image/echo-test.sh
# DESCRIPTION:
#   ctest driver of the net-echo images: picks a free host port, boots the
#   image with tools/run-image.sh and a QEMU user-network port forward
#   (127.0.0.1:PORT -> guest port 7, virtio-net-pci), runs echo-client.py
#   against it, and passes only if the client passes AND the image then
#   exits cleanly on its own (exit code 0, "net-echo: ... bye", no fault or
#   panic).  Exits 77 (skip) without python3, or for --accel kvm without
#   /dev/kvm.  With --idle-check S it first lets the image sit idle for S
#   seconds and fails if QEMU used more than a quarter of a host core
#   meanwhile: a guest that spins instead of halting when no thread can
#   run uses all of one.  With --vmm MONITOR the image is a vm-ept one:
#   it boots under tools/flexos-vmm (KVM, the monitor's network device)
#   instead of QEMU, and the idle check measures the monitor; with
#   --ring0-twin IMAGE0 as well, IMAGE0 (the image built with RING0)
#   boots instead where the host's KVM cannot run ring 3
#   (tools/kvm-image.sh).
# USAGE:
#   test/net-image/echo-test.sh [--accel tcg|kvm] [--cpu MODEL] [--timeout S]
#       [--idle-check S] [--port HOSTPORT] [--vmm MONITOR [--ring0-twin IMAGE0]]
#       image.elf
#   (without --port, or when QEMU cannot bind it, a free port is picked)
# License: MIT (see LICENSE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
run_image=$here/../../tools/run-image.sh
accel=tcg cpu="" timeout_s=55 idle_s="" port="" vmm="" twin=""
case "${1:-}" in
  -h|--help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
while [ $# -gt 1 ]; do
  case "$1" in
    --accel) accel=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --idle-check) idle_s=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --vmm) vmm=$2; accel=kvm; shift 2 ;;
    --ring0-twin) twin=$2; shift 2 ;;
    *) echo "echo-test: unknown option $1" >&2; exit 1 ;;
  esac
done
image=${1:?usage: echo-test.sh [--cpu MODEL] [--timeout S] image.elf}
[ -f "$image" ] || { echo "echo-test: no image $image" >&2; exit 1; }
if [ -n "$vmm" ] && [ -n "$twin" ]; then
  image=$("$here/../../tools/kvm-image.sh" "$image" "$twin") || exit 1
fi
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
if [ "$accel" = kvm ] && [ -z "$cpu" ] &&
   [ "$("$here/../../tools/host-info.sh" --get kvm-cpu)" = none ]; then
  echo "SKIP: $("$here/../../tools/host-info.sh" --get kvm-reason)"
  exit 77
fi

log=$(mktemp)
trap 'rm -f "$log"; [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null' EXIT

# boot: starts the image in the background (qpid) forwarding $port or, if
# unset, a free host port; returns 1 (and unsets port) if QEMU could not
# bind it (say, someone took it between our probe and QEMU's bind), so
# that the caller tries another.
boot() {
  # A port the kernel just handed out is free; QEMU binds it right after.
  [ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') ||
    { echo "echo-test: cannot find a free port" >&2; exit 1; }
  echo "echo-test: host 127.0.0.1:$port -> guest port 7"
  local taken="Could not set up host forwarding"
  if [ -n "$vmm" ]; then
    "$vmm" --net "$port:7" --timeout "$timeout_s" "$image" >"$log" 2>&1 &
    taken="cannot listen on 127.0.0.1"
  else
    "$run_image" --accel "$accel" ${cpu:+--cpu "$cpu"} --timeout "$timeout_s" --net "$port:7" \
      --expect "net-echo: listening on port 7" --expect "connections, [0-9]+ bytes echoed; bye" \
      --reject "FAULT|panic|failed" "$image" >"$log" 2>&1 &
  fi
  qpid=$!
  for _ in $(seq 50); do # QEMU and the monitor report a taken port at once
    grep -q "net-echo: app" "$log" && return 0
    if grep -q "$taken" "$log"; then
      wait "$qpid"; qpid=""
      echo "echo-test: port $port is taken"
      port=""
      return 1
    fi
    sleep 0.1
  done
  return 0 # slow start: echo-client.py waits for it
}
boot || boot || boot || { cat "$log"; echo "FAIL: no free host port"; exit 1; }

# idle_check: fails (returns 1) if QEMU, forwarding our port, used more
# than 25% of a host core (user + system clock ticks) over idle_s seconds.
idle_check() {
  local qemu t0 t1 pct
  if [ -n "$vmm" ]; then
    qemu=$qpid
  else
    qemu=$(pgrep -f "^qemu-system-x86_64 .*hostfwd=tcp:127.0.0.1:$port-:7" | head -n 1)
  fi
  [ -n "$qemu" ] || { echo "FAIL: cannot find the QEMU process for port $port"; return 1; }
  t0=$(awk '{print $14 + $15}' "/proc/$qemu/stat")
  sleep "$idle_s"
  t1=$(awk '{print $14 + $15}' "/proc/$qemu/stat")
  pct=$(( (t1 - t0) * 100 / ($(getconf CLK_TCK) * idle_s) ))
  echo "echo-test: the idle guest used ${pct}% of a host core over ${idle_s} s"
  [ "$pct" -le 25 ] || { echo "FAIL: the idle guest does not halt"; return 1; }
}

client=0
python3 "$here/echo-client.py" --wait-only --port "$port" --log "$log" \
  --timeout "$timeout_s" || client=1
if [ $client -eq 0 ] && [ -n "$idle_s" ]; then
  idle_check || client=1
fi
if [ $client -eq 0 ]; then
  python3 "$here/echo-client.py" --port "$port" --log "$log" --timeout "$timeout_s" || client=1
fi
[ $client -eq 0 ] || kill "$qpid" 2>/dev/null
wait "$qpid"
image_status=$?
qpid=""
cat "$log"
# run-image.sh checks QEMU's output itself; the monitor's we check here.
if [ -n "$vmm" ] && [ $image_status -eq 0 ] &&
   { ! grep -Eq "connections, [0-9]+ bytes echoed; bye" "$log" ||
     grep -Eq "FAULT|panic|failed" "$log"; }; then
  image_status=1
fi
if [ $client -ne 0 ]; then
  echo "FAIL: echo client failed"
  exit 1
fi
if [ $image_status -ne 0 ]; then
  echo "FAIL: the image did not exit cleanly after quit"
  exit 1
fi
via=virtio-net; [ -n "$vmm" ] && via="the vm-ept monitor device"
echo "PASS: net-echo over $via ($(basename "$image"))"
