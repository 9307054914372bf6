#!/bin/sh
# FILE: tools/require-kvm.sh
# DESCRIPTION:
#   Runs COMMAND if /dev/kvm is usable; otherwise says why and exits 77,
#   which ctest tests of vm-ept images count as a skip (SKIP_RETURN_CODE).
# USAGE: tools/require-kvm.sh COMMAND [ARGS...]
# License: MIT
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible; the vm-ept monitor needs KVM"
  exit 77
fi
exec "$@"
