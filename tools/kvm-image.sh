#!/bin/sh
# FILE: tools/kvm-image.sh
# DESCRIPTION:
#   Prints which of two builds of one image a run on this host's KVM
#   boots: RING3_IMAGE (compartments in ring 3, the default), or, where
#   the host's KVM is kvm_pvm, RING0_IMAGE (its twin built with RING0),
#   saying so on stderr.  kvm_pvm runs no guest's ring 3: a PVM guest
#   enters its kernel through PVM's own paravirtual entry, which flexos
#   does not speak (docs/runtime.md, "Under KVM").  Used by the host-KVM
#   network tests of vm-ept images, which cannot run nested.
# USAGE: tools/kvm-image.sh RING3_IMAGE RING0_IMAGE
# License: MIT (see LICENSE)
if [ $# -ne 2 ]; then
  echo "usage: kvm-image.sh RING3_IMAGE RING0_IMAGE" >&2
  exit 2
fi
if [ -d /sys/module/kvm_pvm ]; then
  echo "kvm-image: the host's KVM is kvm_pvm, which runs no guest's ring 3:" \
       "booting the RING0 twin $(basename "$2")" >&2
  echo "$2"
else
  echo "$1"
fi
