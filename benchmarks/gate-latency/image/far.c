/*
 * FILE: benchmarks/gate-latency/image/far.c
 * DESCRIPTION: gate targets of the benchmark in library `far`, which
 *   lives in another compartment: reached through an MPK gate.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>

char far_shared[64] __flexos_share;

/* A data pointer back: under intel-pku the caller's gate checks that it
 * is shared (docs/untrusted-values.md). */
char *far_ptr(void) {
  __asm__ volatile("");
  return far_shared;
}

long far_fn0(void) {
  __asm__ volatile("");
  return 1;
}

long far_fn6(long a, long b, long c, long d, long e, long f) {
  __asm__ volatile("");
  return a + b + c + d + e + f;
}
