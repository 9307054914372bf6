/*
 * FILE: benchmarks/gate-latency/image/near.c
 * DESCRIPTION: gate targets of the benchmark in library `near`, which
 *   lives in the driver's own compartment: the gate is a plain call.
 * License: MIT (see LICENSE)
 */
long near_fn0(void) {
  __asm__ volatile("");
  return 1;
}

long near_fn6(long a, long b, long c, long d, long e, long f) {
  __asm__ volatile("");
  return a + b + c + d + e + f;
}
