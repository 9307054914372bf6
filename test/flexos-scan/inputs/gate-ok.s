/*
 * FILE: test/flexos-scan/inputs/gate-ok.s
 * DESCRIPTION:
 *   The one legal place for WRPKRU: a .text.flexos_gates.* section, as
 *   emitted for every FLEXOS_PKU_GATE instance (gates/pku_gate.inc).
 *   flexos-scan must accept the object and count one allowed encoding.
 * USAGE:
 *   clang-19 -c gate-ok.s -o gate-ok.o && flexos-scan gate-ok.o   # exit 0
 * License: MIT (see LICENSE)
 */
  .section .text.flexos_gates.x, "ax", @progbits
  .globl gate_x
  .type gate_x, @function
gate_x:
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  ret
  .size gate_x, . - gate_x

  .text
  .globl plain
  .type plain, @function
plain:
  ret
  .size plain, . - plain
