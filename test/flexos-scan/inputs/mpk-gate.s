/*
 * FILE: test/flexos-scan/inputs/mpk-gate.s
 * DESCRIPTION:
 *   Two real instances of the intel-pku gate macro (gates/mpk_gate.inc),
 *   each with two WRPKRUs: flexos-scan must accept the object (the
 *   instances sit in .text.flexos_gates.*) and count 4 encodings.
 * USAGE:
 *   clang-19 -c -I gates mpk-gate.s -o mpk-gate.o && flexos-scan mpk-gate.o
 * License: MIT (see LICENSE)
 */
  .include "mpk_gate.inc"

  .text
  .globl callee
  .type callee, @function
callee:
  leaq (%rdi, %rsi), %rax
  ret
  .size callee, . - callee

  FLEXOS_MPK_GATE gate_0_1_callee, callee, 0, 1, 0x55555550, 0x55555543, 2, 0, 0, 1, 0
  FLEXOS_MPK_GATE gate_1_0_callee, callee, 1, 0, 0x55555543, 0x55555550, 6, 0, 6, 1, 0
