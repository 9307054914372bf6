#!/bin/bash
# FILE: benchmarks/kvstore/image-server.sh
# DESCRIPTION:
#   Makes a kvstore kernel image look like the hosted server to scripts
#   that start "SERVER --port N" (examples/kvstore/server/tests/net-test.sh
#   and run.sh): boots IMAGE under QEMU TCG (-cpu max, so protection keys
#   work) with host port N forwarded to the guest's 6379, and prints
#   "kvstore: listening on port N" once the image listens. --port 0 picks
#   a free port. SIGTERM or SIGINT stop QEMU and exit 0; the image's own
#   exit (a crash, a fault report) ends this script with status 1.
#   With --vmm MONITOR first, IMAGE is a vm-ept image and boots under
#   tools/flexos-vmm (KVM, the monitor's network device) instead.
#   FLEXOS_NET_FAULTS, when set, injects frame faults (dropped,
#   duplicated, reordered, delayed, corrupted; tools/vmm/netfault.h): the
#   monitor's --net-faults, or under QEMU tools/vmm/netproxy.c
#   (FLEXOS_NETPROXY: its path) in place of QEMU's user networking; then
#   FLEXOS_NET_PCAP=FILE also records every frame there.
#   With --ring0-twin IMAGE0 after --vmm, IMAGE0 (built with RING0) boots
#   instead where the host's KVM cannot run ring 3 (tools/kvm-image.sh).
# USAGE: image-server.sh [--vmm MONITOR [--ring0-twin IMAGE0]] IMAGE.elf --port N
# License: MIT (see LICENSE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
run_image=$here/../../tools/run-image.sh
vmm="" twin=""
usage="usage: image-server.sh [--vmm MONITOR [--ring0-twin IMAGE0]] IMAGE.elf --port N"
if [ "${1:-}" = --vmm ]; then
  vmm=${2:?$usage}
  shift 2
  if [ "${1:-}" = --ring0-twin ]; then
    twin=${2:?$usage}
    shift 2
  fi
fi
image=${1:?$usage}
shift
if [ -n "$twin" ]; then
  image=$("$here/../../tools/kvm-image.sh" "$image" "$twin") || exit 1
fi
port=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    *) echo "image-server: option $1 is not supported for images" >&2; exit 2 ;;
  esac
done
[ -f "$image" ] || { echo "image-server: no image $image" >&2; exit 1; }
if [ -n "${FLEXOS_NET_FAULTS:-}" ] && [ -z "$vmm" ] &&
   [ ! -x "${FLEXOS_NETPROXY:-}" ]; then
  echo "image-server: FLEXOS_NET_FAULTS under QEMU needs FLEXOS_NETPROXY=path/to/flexos-netproxy" >&2
  exit 2
fi
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
log=$(mktemp)
qpid="" ppid_="" tpid=""
# run-image.sh runs QEMU under timeout(1), which makes a process group of
# its own: stop the whole session (setsid below makes one), not just the
# script, or QEMU lives on.
stop() {
  [ -n "$qpid" ] && pkill -TERM -s "$qpid" 2>/dev/null
  [ -n "$ppid_" ] && kill -TERM "$ppid_" 2>/dev/null
  [ -n "$tpid" ] && kill "$tpid" 2>/dev/null
  rm -f "$log"
}
trap 'stop; exit 0' TERM INT
trap 'stop' EXIT
for attempt in 1 2 3; do
  p=$port
  [ "$p" = 0 ] && p=$(free_port)
  if [ -n "$vmm" ]; then
    faults=()
    [ -n "${FLEXOS_NET_FAULTS:-}" ] && faults=(--net-faults "$FLEXOS_NET_FAULTS" --stats)
    setsid "$vmm" --net "$p:6379" "${faults[@]}" --timeout 3000 "$image" >"$log" 2>&1 &
  elif [ -n "${FLEXOS_NET_FAULTS:-}" ]; then
    # QEMU's frames go through the proxy, which forwards the port.
    u1=$(free_port) u2=$(free_port)
    : >"$log"
    "$FLEXOS_NETPROXY" --listen "$u1" --guest "$u2" --net "$p:6379" \
      --net-faults "$FLEXOS_NET_FAULTS" ${FLEXOS_NET_PCAP:+--pcap "$FLEXOS_NET_PCAP"} \
      --stats >>"$log" 2>&1 &
    ppid_=$!
    until grep -q "^flexos-netproxy: frames on udp" "$log"; do
      kill -0 "$ppid_" 2>/dev/null && { sleep 0.1; continue; }
      ppid_=""
      grep -q "cannot listen on 127.0.0.1" "$log" && [ "$port" = 0 ] && continue 2
      cat "$log" >&2
      echo "image-server: flexos-netproxy did not start" >&2
      exit 1
    done
    setsid "$run_image" --accel tcg --cpu max --mem 512M --timeout 3000 \
      --net-udp "$u1:$u2" --reject "FAULT|panic" "$image" >>"$log" 2>&1 &
  else
    setsid "$run_image" --accel tcg --cpu max --mem 512M --timeout 3000 --net "$p:6379" \
      --reject "FAULT|panic" "$image" >"$log" 2>&1 &
  fi
  qpid=$!
  # Whoever started us may SIGKILL us (net-test.sh does on failure), and
  # then no trap runs: a watchdog stops QEMU's session once we are gone.
  (while kill -0 $$ 2>/dev/null; do sleep 1; done; pkill -TERM -s "$qpid"
   [ -n "$ppid_" ] && kill -TERM "$ppid_") 2>/dev/null &
  while kill -0 "$qpid" 2>/dev/null; do
    if grep -q "^kvstore: listening on port 6379" "$log"; then
      cat "$log" >&2
      echo "kvstore: listening on port $p"
      # Relay what the image prints from now on to stderr.
      tail -n +"$(($(wc -l <"$log") + 1))" -f "$log" >&2 &
      tpid=$!
      wait "$qpid"
      echo "image-server: the image stopped" >&2
      exit 1
    fi
    sleep 0.1
  done
  if grep -Eq "Could not set up host forwarding|cannot listen on 127.0.0.1" "$log" &&
     [ "$port" = 0 ]; then
    continue # someone took the port between the check and QEMU's bind
  fi
  cat "$log" >&2
  echo "image-server: the image did not start listening" >&2
  exit 1
done
exit 1
