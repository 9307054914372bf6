/*
 * FILE: benchmarks/gate-latency/hosted/callees.c
 * DESCRIPTION:
 *   The measured functions of library `net` (compartment 1).  A separate
 *   translation unit so that no call to them can be inlined.  They touch
 *   only registers and their own stack, which in the MPK rows is the net
 *   compartment's stack (protection key 2).
 * USAGE:
 *   built into gate-latency-hosted; see gate-latency-hosted.c
 * License: MIT (see LICENSE)
 */
#include <stdint.h>

#include "bench.h"

long bench_fn0(void) { return 1; }

long bench_fn6(long a, long b, long c, long d, long e, long f) {
  return a + b + c + d + e + f;
}

/* Reports the PKRU value and stack pointer the callee runs with. */
struct bench_probe bench_probe(void) {
  struct bench_probe p;
  uint32_t eax, edx;
  __asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
  p.pkru = eax;
  __asm__ volatile("movq %%rsp, %0" : "=r"(p.rsp));
  return p;
}
