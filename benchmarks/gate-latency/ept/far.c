/*
 * FILE: benchmarks/gate-latency/ept/far.c
 * DESCRIPTION: library "far": the gate targets of the vm-ept benchmark.
 * License: MIT (see LICENSE)
 */
long far_fn0(void) { return 1; }

long far_fn6(long a, long b, long c, long d, long e, long f) {
  return (a & 1) + b + c + d + e + f;
}
