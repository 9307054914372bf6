/*
 * FILE: test/flexos-scan/inputs/pku-gate.s
 * DESCRIPTION:
 *   Two real instances of the intel-pku gate macro (gates/pku_gate.inc),
 *   each with two WRPKRUs: flexos-scan must accept the object (the
 *   instances sit in .text.flexos_gates.*) and count 4 encodings.
 * USAGE:
 *   clang-19 -c -I gates pku-gate.s -o pku-gate.o && flexos-scan pku-gate.o
 * License: MIT (see LICENSE)
 */
  .include "pku_gate.inc"

  .text
  .globl callee
  .type callee, @function
callee:
  leaq (%rdi, %rsi), %rax
  ret
  .size callee, . - callee

  FLEXOS_PKU_GATE gate_0_1_callee, callee, 0, 1, 0x55555550, 0x55555543, 2, 0, 0, 1, 0
  FLEXOS_PKU_GATE gate_1_0_callee, callee, 1, 0, 0x55555543, 0x55555550, 6, 0, 6, 1, 0
