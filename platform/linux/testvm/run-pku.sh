#!/bin/bash
# FILE: platform/linux/testvm/run-pku.sh
# DESCRIPTION:
#   Runs a Linux program that needs protection keys (Intel MPK) wherever
#   this host is: natively when pkey_alloc works here and the kernel has
#   what the hosted runtime needs (native-ok.sh),
#   else in a throw-away Debian VM under QEMU TCG `-cpu max` (run-in-vm.sh),
#   first fetching the kernel into the cache (fetch-kernel.sh, under a
#   flock so that parallel ctest runs download it once).  In the VM case,
#   COMMAND itself is added as a --file when it is a path to a file (made
#   absolute: the guest runs it from /).  Prints one line saying which way
#   it ran, then the program's output; exits with the program's status
#   (1 when the VM could not give one).
#   Natively, the program keeps this environment plus the --env variables;
#   in the VM it gets only the --env variables.
# USAGE:
#   platform/linux/testvm/run-pku.sh [--cache DIR] [--file PATH]...
#       [--env NAME=VALUE]... [--timeout S] [--mem SIZE] -- COMMAND [ARGS...]
#   --cache DIR   kernel cache (default ${FLEXOS_TESTVM_CACHE:-$PWD/testvm-cache});
#                 keep it in the build directory
#   --file, --env, --timeout, --mem: passed to run-in-vm.sh (see its --help)
# License: MIT
set -u

here=$(cd "$(dirname "$0")" && pwd)
cache=${FLEXOS_TESTVM_CACHE:-$PWD/testvm-cache}
vm_opts=() envs=()

usage() { sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run-pku: $*" >&2; exit 1; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -h|--help) usage; exit 0 ;;
      --cache|--file|--env|--timeout|--mem)
        [ $# -ge 2 ] || die "$1 needs a value (see --help)" ;;&
      --cache) cache=$2; shift 2 ;;
      --env) envs+=("$2"); vm_opts+=("$1" "$2"); shift 2 ;;
      --file|--timeout|--mem) vm_opts+=("$1" "$2"); shift 2 ;;
      --) shift; break ;;
      *) die "unknown option '$1'; put the command after -- (see --help)" ;;
    esac
  done
  [ $# -gt 0 ] || die "no command; usage: run-pku.sh [options] -- COMMAND [ARGS...]"
  cmd=("$@")
}

# Native when pkey_alloc works and the kernel has what the hosted runtime
# needs (native-ok.sh: the host probe, syscall user dispatch, FSGSBASE).
host_has_pku() {
  native_why=$("$here/native-ok.sh")
}

run_native() {
  echo "run-pku: native (host has pku)"
  exec env -- "${envs[@]}" "${cmd[@]}"
}

fetch_kernel() {
  command -v flock >/dev/null 2>&1 || die "flock (util-linux) is missing"
  mkdir -p "$cache" || die "cannot create the cache folder $cache"
  cache=$(cd "$cache" && pwd)
  flock "$cache/.fetch.lock" "$here/fetch-kernel.sh" "$cache" ||
    die "no kernel for the VM in $cache (see the fetch-kernel message above)"
}

run_vm() {
  local prog=${cmd[0]} kernel
  fetch_kernel
  case "$prog" in
    */*)
      [ -f "$prog" ] || die "$prog does not exist"
      prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
      cmd[0]=$prog
      vm_opts+=(--file "$prog") ;;
  esac
  kernel=$(cat "$cache/kernel-version" 2>/dev/null) || kernel=unknown
  echo "run-pku: QEMU TCG -cpu max, kernel $kernel (natively: $native_why)"
  exec "$here/run-in-vm.sh" --cache "$cache" "${vm_opts[@]}" -- "${cmd[@]}"
}

main() {
  parse_args "$@"
  if host_has_pku; then run_native; else run_vm; fi
}

main "$@"
