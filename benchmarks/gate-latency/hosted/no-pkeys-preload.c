/*
 * FILE: benchmarks/gate-latency/hosted/no-pkeys-preload.c
 * DESCRIPTION:
 *   Test helper: an LD_PRELOAD library whose pkey_alloc fails with ENOSPC,
 *   as glibc's does on a CPU or kernel without protection keys, so that
 *   the skip path of gate-latency-hosted (exit 77 with an explanation) is
 *   tested on hosts that do have keys.
 * USAGE:
 *   LD_PRELOAD=build/lib/libno-pkeys-preload.so build/bin/gate-latency-hosted
 * License: MIT (see LICENSE)
 */
#include <errno.h>

int pkey_alloc(unsigned int flags, unsigned int access_rights) {
  (void)flags;
  (void)access_rights;
  errno = ENOSPC;
  return -1;
}
