#!/bin/bash
# FILE: tools/kvm-ring3.sh
# DESCRIPTION:
#   Runs a ring-3 image under KVM (tools/run-image.sh and its arguments),
#   except under kvm_pvm, which delivers neither SYSCALL nor INT n from a
#   guest's ring 3 to its ring 0: there it skips (exit 77) with the reason.
# USAGE: kvm-ring3.sh RUN_IMAGE ARGS...
# License: MIT (see LICENSE)
if [ -d /sys/module/kvm_pvm ]; then
  echo "SKIP: KVM here is kvm_pvm, which does not deliver SYSCALL (nor INT n)" \
       "from a guest's ring 3; ring-3 images are tested under TCG (docs/runtime.md)"
  exit 77
fi
exec "$@"
