/*
 * FILE: benchmarks/gate-latency/hosted/gates.S
 * DESCRIPTION:
 *   Assembly for the hosted gate-latency benchmark:
 *   - three instances of the real intel-pku gate (gates/pku_gate.inc),
 *     app (compartment 0) -> net (compartment 1), for bench_fn0 (0 args),
 *     bench_fn6 (6 integer args) and bench_probe (2 return registers);
 *   - bench_switch_pair: the two PKRU switches of a gate and nothing else;
 *   - bench_shared_local: the shared-locals sequence of docs/abi.md
 *     ("Shared locals") against the thread's flexos_shared_stack (%gs);
 *   - bench_probe_read: a one-byte load the fault check resumes from.
 *   PKRU values and compartment indices come from the generated pkru.inc.
 * USAGE:
 *   clang-19 -c -I include -I gates -I <build>/benchmarks/gate-latency/hosted gates.S
 * License: MIT (see LICENSE)
 */
#include <flexos/abi.h>

  .include "pkru.inc"
  .include "pku_gate.inc"

/* The shared local of bench_shared_local: 24 bytes, 16-byte aligned (a
 * frame whose size is not a multiple of its alignment, so the rounding
 * step does real work). */
  .set SL_FRAME_SIZE, 24
  .set SL_FRAME_ALIGN, 16

  FLEXOS_PKU_GATE __flexos_pku_gate.0.1.bench_fn0, bench_fn0, BENCH_APP, BENCH_NET, BENCH_PKRU_APP, BENCH_PKRU_NET, 0, 0, 0, 1, 0
  FLEXOS_PKU_GATE __flexos_pku_gate.0.1.bench_fn6, bench_fn6, BENCH_APP, BENCH_NET, BENCH_PKRU_APP, BENCH_PKRU_NET, 6, 0, 0, 1, 0
  FLEXOS_PKU_GATE __flexos_pku_gate.0.1.bench_probe, bench_probe, BENCH_APP, BENCH_NET, BENCH_PKRU_APP, BENCH_PKRU_NET, 0, 0, 0, 2, 0

/* void bench_switch_pair(void): only the two domain switches of a gate
 * (app -> net -> app, each WRPKRU plus the ERIM check), no stack switch
 * and no scrubbing: the part of a gate's cost that is WRPKRU.  Lives in
 * a gate section like every other WRPKRU. */
  .pushsection .text.flexos_gates.bench_switch_pair, "ax", @progbits
  .globl bench_switch_pair
  .type bench_switch_pair, @function
  .p2align 4
bench_switch_pair:
  FLEXOS_PKU_SWITCH BENCH_PKRU_NET
  FLEXOS_PKU_SWITCH BENCH_PKRU_APP
  ret
  .size bench_switch_pair, . - bench_switch_pair
  .popsection

  .text
/* long bench_shared_local(long v): allocate the frame, store v in it,
 * read it back, restore the shared stack top, return v + 1. */
  .globl bench_shared_local
  .type bench_shared_local, @function
  .p2align 4
bench_shared_local:
  movq %gs:FLEXOS_TCB_SHARED_STACK, %r8       /* base  = gs:0x08 */
  movq FLEXOS_SHARED_STACK_TOP(%r8), %r9      /* saved = base->top */
  leaq -SL_FRAME_SIZE(%r9), %r10              /* new = (saved - size) */
  andq $-SL_FRAME_ALIGN, %r10                 /*       & -align */
  cmpq %gs:FLEXOS_TCB_SHARED_STACK_LIMIT, %r10 /* new < trusted limit? */
  jb 1f
  cmpq %gs:FLEXOS_TCB_SHARED_STACK_BASE, %r9  /* saved > trusted base? */
  ja 1f
  movq %r10, FLEXOS_SHARED_STACK_TOP(%r8)     /* base->top = new */
  movq %rdi, (%r10)
  movq (%r10), %rax
  addq $1, %rax
  movq %r9, FLEXOS_SHARED_STACK_TOP(%r8)      /* return: base->top = saved */
  ret
1:
  call __flexos_shared_stack_overflow
  ud2
  .size bench_shared_local, . - bench_shared_local

/* long bench_probe_read(const void *p) */
  .globl bench_probe_read
  .type bench_probe_read, @function
  .p2align 4
bench_probe_read:
  movzbl (%rdi), %eax
  ret
  .size bench_probe_read, . - bench_probe_read

  .globl bench_probe_read_fault
  .type bench_probe_read_fault, @function
bench_probe_read_fault:
  movq $-1, %rax
  ret
  .size bench_probe_read_fault, . - bench_probe_read_fault

  .section .note.GNU-stack, "", @progbits
