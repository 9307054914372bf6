/*
 * FILE: benchmarks/gate-latency/hosted/bench.h
 * DESCRIPTION:
 *   Declarations shared by the hosted gate-latency benchmark's C files and
 *   the symbols defined in gates.S (gate instances, shared-local function,
 *   fault probe).
 * USAGE:
 *   #include "bench.h"
 * License: MIT (see LICENSE)
 */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

struct bench_probe {
  uint64_t pkru; /* PKRU while the callee ran */
  uint64_t rsp;  /* callee stack pointer */
};

/* library net (callees.c) */
long bench_fn0(void);
long bench_fn6(long a, long b, long c, long d, long e, long f);
struct bench_probe bench_probe(void);

/* MPK gate instances app -> net (gates.S, FLEXOS_PKU_GATE) */
long bench_gate_fn0(void) __asm__("__flexos_pku_gate.0.1.bench_fn0");
long bench_gate_fn6(long a, long b, long c, long d, long e, long f)
    __asm__("__flexos_pku_gate.0.1.bench_fn6");
struct bench_probe bench_gate_probe(void)
    __asm__("__flexos_pku_gate.0.1.bench_probe");

/* app -> net -> app PKRU switches only, no call into net (gates.S) */
void bench_switch_pair(void);

/* one flexos_share local carved from the shared stack (gates.S) */
long bench_shared_local(long v);

/* reads one byte at p; when that faults, the SIGSEGV handler resumes at
 * bench_probe_read_fault, which returns -1 (gates.S) */
long bench_probe_read(const void *p);
extern const char bench_probe_read_fault[];

void __flexos_shared_stack_overflow(void);
#endif
