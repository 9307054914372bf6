/*
 * FILE: benchmarks/gate-latency/image/far.c
 * DESCRIPTION: gate targets of the benchmark in library `far`, which
 *   lives in another compartment: reached through an MPK gate.
 * License: MIT (see LICENSE)
 */
long far_fn0(void) {
  __asm__ volatile("");
  return 1;
}

long far_fn6(long a, long b, long c, long d, long e, long f) {
  __asm__ volatile("");
  return a + b + c + d + e + f;
}
