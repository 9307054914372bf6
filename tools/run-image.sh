#!/bin/bash
# FILE: tools/run-image.sh
# DESCRIPTION:
#   Boots a flexos kernel image in QEMU (PVH, -kernel image.elf) with the
#   serial console on stdout and isa-debug-exit, then checks the output and
#   the guest's exit code.  QEMU exits with (code << 1) | 1 when the guest
#   writes `code` to port 0xf4; any other QEMU status (0 after a triple
#   fault with -no-reboot, or a timeout) is a failure.  Prints the time
#   from spawning QEMU to the first serial line and, with --main REGEX, to
#   the first line matching it (main's first line): "boot-time: ... ms".
#   --slow runs a much slower virtual CPU (TCG -icount shift=6), which
#   widens windows for races between boot and the first timer interrupt.
#   --icount counts instructions instead (TCG -icount shift=0): the guest's
#   clock, its TSC included, advances one nanosecond per instruction, so
#   rdtsc differences are instruction counts, the same from run to run
#   whatever else the host does (benchmarks/gate-latency/rings.sh).
#   --net HOSTPORT:GUESTPORT adds a virtio-net-pci device on QEMU user
#   networking with a TCP forward from 127.0.0.1:HOSTPORT to the guest
#   (repeat it for more forwards; the image is 10.0.2.15 there).
#   --net-udp PROXY:LOCAL instead puts the virtio-net device on QEMU's
#   socket netdev: frames as UDP datagrams to 127.0.0.1:PROXY, received on
#   127.0.0.1:LOCAL (tools/vmm/netproxy.c, which adds the user networking
#   and fault injection).
#   --accel kvm without --cpu takes the -cpu model from the host probe
#   (tools/host-info.sh: the first model under which QEMU really starts a
#   KVM guest here).
#   --accel kvm-nested runs the image under a real KVM whatever this host
#   has: QEMU with -accel kvm inside the test VM of platform/linux/testvm
#   (Debian's kernel under QEMU TCG emulating AMD SVM, with kvm-amd
#   loaded; run-in-vm.sh --kvm), the kernel fetched into
#   ${FLEXOS_TESTVM_CACHE:-$PWD/testvm-cache} on first use.  The guest's
#   ring 3 and its SYSCALL and INT n work there as on any KVM with SVM,
#   unlike under kvm_pvm.  No --net; timings there are emulation.
#   Exit status: 0 pass, 1 fail, 77 skipped (--accel kvm where QEMU cannot
#   start a KVM guest: the probe's reason is printed).
#   FLEXOS_QEMU_PRELOAD=lib.so runs QEMU with that LD_PRELOAD shim (see
#   tools/qemu-listen-backlog.c: port forwards that take 50 clients).
#   --gdb [PORT] starts QEMU stopped before the first instruction, waiting
#   for gdb on 127.0.0.1:PORT (default 1234), prints the one gdb command
#   that attaches with the image's symbols (every compartment's: one ELF),
#   and runs until QEMU ends, without the checks below (docs/runtime.md).
# USAGE:
#   tools/run-image.sh [--accel tcg|kvm|kvm-nested] [--cpu MODEL] [--slow|--icount] [--mem SIZE]
#       [--net HOSTPORT:GUESTPORT]... [--net-udp PROXY:LOCAL]
#       [--exit CODE] [--timeout S]
#       [--append CMDLINE] [--main REGEX] [--expect REGEX]...
#       [--reject REGEX]... [--gdb [PORT]] image.elf
# License: MIT (see LICENSE)
set -u
case "${1:-}" in
  -h|--help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
mem=128M icount="" accel=tcg cpu_model="" main_re="" exit_want=0 timeout_s=60 append="" expects=() rejects=() fwds=""
launcher=()
gdb_port="" net_udp=""
while [ $# -gt 1 ]; do
  case "$1" in
    --gdb)
      if [[ "$2" =~ ^[0-9]+$ ]] && [ $# -gt 2 ]; then gdb_port=$2; shift 2
      else gdb_port=1234; shift; fi ;;
    --accel) accel=$2; shift 2 ;;
    --cpu) cpu_model=$2; shift 2 ;;
    --slow) icount="-icount shift=6"; shift ;;
    --icount) icount="-icount shift=0"; shift ;;
    --mem) mem=$2; shift 2 ;;
    --net)
      [[ "$2" =~ ^[0-9]+:[0-9]+$ ]] ||
        { echo "run-image: --net wants HOSTPORT:GUESTPORT, not '$2'" >&2; exit 1; }
      fwds+=",hostfwd=tcp:127.0.0.1:${2%%:*}-:${2##*:}"; shift 2 ;;
    --net-udp)
      [[ "$2" =~ ^[0-9]+:[0-9]+$ ]] ||
        { echo "run-image: --net-udp wants PROXYPORT:LOCALPORT, not '$2'" >&2; exit 1; }
      net_udp=$2; shift 2 ;;
    --exit) exit_want=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --main) main_re=$2; shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --reject) rejects+=("$2"); shift 2 ;;
    *) echo "run-image: unknown option $1" >&2; exit 1 ;;
  esac
done
image=${1:?usage: run-image.sh [options] image.elf}
[ -f "$image" ] || { echo "run-image: no image $image" >&2; exit 1; }

case "$accel" in
  tcg) cpu=(-accel tcg -cpu "${cpu_model:-max}") ;;
  kvm)
    [ -z "$icount" ] ||
      { echo "run-image: --slow and --icount need --accel tcg (KVM runs real instructions)" >&2; exit 1; }
    # The host probe (tools/host-info.sh) knows which -cpu model QEMU
    # accepts under KVM here (host on most Intel hosts; without
    # arch-capabilities on some AMD ones), or why no model works.
    if [ -z "$cpu_model" ]; then
      cpu_model=$("$(dirname "$0")/host-info.sh" --get kvm-cpu) ||
        { echo "run-image: the host probe failed (tools/host-info.sh)" >&2; exit 1; }
      if [ "$cpu_model" = none ]; then
        echo "SKIP: $("$(dirname "$0")/host-info.sh" --get kvm-reason)"
        exit 77
      fi
    elif [ ! -r "${FLEXOS_KVM_DEV:-/dev/kvm}" ] || [ ! -w "${FLEXOS_KVM_DEV:-/dev/kvm}" ]; then
      echo "SKIP: ${FLEXOS_KVM_DEV:-/dev/kvm} is missing or not accessible; KVM test skipped"
      exit 77
    fi
    cpu=(-accel kvm -cpu "$cpu_model") ;;
  kvm-nested)
    [ -z "$icount" ] && [ -z "$net_udp$fwds" ] && [ -z "$gdb_port" ] ||
      { echo "run-image: --accel kvm-nested takes no --slow, --icount, --net or --gdb" >&2; exit 1; }
    testvm=$(dirname "$0")/../platform/linux/testvm
    [ -x "$testvm/run-in-vm.sh" ] ||
      { echo "run-image: --accel kvm-nested needs flexos's source tree (platform/linux/testvm)" >&2; exit 1; }
    qemu=$(command -v qemu-system-x86_64) ||
      { echo "run-image: qemu-system-x86_64 is missing (apt-get install qemu-system-x86)" >&2; exit 1; }
    vm_cache=${FLEXOS_TESTVM_CACHE:-$PWD/testvm-cache}
    image=$(cd "$(dirname "$image")" && pwd)/$(basename "$image")
    firmware=()
    for d in /usr/share/qemu /usr/share/seabios; do
      [ -d "$d" ] && firmware+=(--file "$d")
    done
    # QEMU inside the VM is the command; its status is run-in-vm.sh's.
    launcher=("$testvm/run-in-vm.sh" --kvm --cache "$vm_cache" --mem 1G
              --timeout "$timeout_s" --file "$image" --file "$qemu"
              "${firmware[@]}" -- "$qemu")
    cpu=(-accel kvm -cpu host -nic none) ;;
  *) echo "run-image: --accel must be tcg, kvm or kvm-nested" >&2; exit 1 ;;
esac

net=()
if [ -n "$net_udp" ] && [ -n "$fwds" ]; then
  echo "run-image: --net and --net-udp exclude each other (the proxy forwards ports)" >&2
  exit 1
elif [ -n "$net_udp" ]; then
  net=(-netdev "socket,id=n0,udp=127.0.0.1:${net_udp%%:*},localaddr=127.0.0.1:${net_udp##*:}"
       -device virtio-net-pci,netdev=n0)
elif [ -n "$fwds" ]; then
  net=(-netdev "user,id=n0$fwds" -device virtio-net-pci,netdev=n0)
fi

# FLEXOS_QEMU_PRELOAD: a shim for QEMU only (tools/qemu-listen-backlog.c).
preload=()
if [ -n "${FLEXOS_QEMU_PRELOAD:-}" ]; then
  [ -f "$FLEXOS_QEMU_PRELOAD" ] || { echo "run-image: FLEXOS_QEMU_PRELOAD=$FLEXOS_QEMU_PRELOAD does not exist" >&2; exit 1; }
  preload=(env "LD_PRELOAD=$FLEXOS_QEMU_PRELOAD")
fi

if [ -n "$gdb_port" ]; then
  # One ELF holds every compartment's code and symbols; QEMU's gdb server
  # reads guest memory through the guest's page tables, so breakpoints by
  # function name work in any compartment (hbreak before paging is on).
  echo "run-image: waiting for gdb on 127.0.0.1:$gdb_port; attach with:"
  echo "  gdb -ex 'target remote 127.0.0.1:$gdb_port' $image"
  exec timeout "$timeout_s" ${preload[@]+"${preload[@]}"} qemu-system-x86_64 "${cpu[@]}" \
    -m "$mem" -display none -no-reboot -serial stdio -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 "${net[@]+"${net[@]}"}" \
    -S -gdb "tcp:127.0.0.1:$gdb_port" -kernel "$image" ${append:+-append "$append"}
fi

[ ${#launcher[@]} -gt 0 ] || launcher=(qemu-system-x86_64)
log=$(mktemp)
status_file=$(mktemp)
trap 'rm -f "$log" "$status_file"' EXIT
start=$(date +%s%N)
first="" main_at=""
while IFS= read -r line || [ -n "$line" ]; do  # a last line may lack its newline
  [ -z "$first" ] && first=$(date +%s%N)
  if [ -n "$main_re" ] && [ -z "$main_at" ] && [[ "$line" =~ $main_re ]]; then
    main_at=$(date +%s%N)
  fi
  printf '%s\n' "${line%$'\r'}" | tee -a "$log"
done < <(timeout "$timeout_s" ${preload[@]+"${preload[@]}"} "${launcher[@]}" "${cpu[@]}" -m "$mem" \
           -display none -no-reboot -serial stdio -monitor none \
           -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
           ${icount} "${net[@]+"${net[@]}"}" \
           -kernel "$image" ${append:+-append "$append"} 2>&1; \
         echo $? > "$status_file")
# QEMU's status comes through a file of its own, so that a last serial
# line without a newline cannot swallow it.
status=$(cat "$status_file")
echo "run-image: qemu-status $status"
if [ "$accel" = kvm-nested ]; then
  # The test VM's own verdicts (run-in-vm.sh), not the image's.
  if grep -q '^flexos-vm: kvm=no' "$log"; then
    echo "SKIP: KVM did not start inside the test VM (no SVM emulation in this QEMU?)"
    exit 77
  fi
  if grep -q '^run-in-vm: ' "$log"; then
    echo "FAIL: the test VM failed: $(grep -m1 '^run-in-vm: ' "$log")"
    exit 1
  fi
fi
[ -n "$first" ] && echo "boot-time: $(( (first - start) / 1000000 )) ms to first serial line ($accel)"
[ -n "$main_at" ] && echo "boot-time: $(( (main_at - start) / 1000000 )) ms to main's first line ($accel)"

fail=0
if [ "$status" = 124 ]; then
  echo "FAIL: timed out after ${timeout_s}s"; fail=1
elif [ $(( status % 2 )) -eq 0 ]; then
  echo "FAIL: QEMU exited with $status without isa-debug-exit (triple fault?)"; fail=1
elif [ $(( status >> 1 )) -ne "$exit_want" ]; then
  echo "FAIL: guest exit code $(( status >> 1 )), expected $exit_want"; fail=1
fi
for re in "${expects[@]+"${expects[@]}"}"; do
  grep -Eq -- "$re" "$log" || { echo "FAIL: no output line matches: $re"; fail=1; }
done
for re in "${rejects[@]+"${rejects[@]}"}"; do
  grep -Eq -- "$re" "$log" && { echo "FAIL: output matches rejected: $re"; fail=1; }
done
[ $fail -eq 0 ] && echo "PASS: $(basename "$image") ($accel)"
exit $fail
