/*
 * FILE: test/flexos-scan/inputs/trusted.s
 * DESCRIPTION:
 *   WRPKRU in a section that is not a gate section by name
 *   (.text.trusted): rejected by default, accepted with
 *   --allow-section .text.trusted.
 * USAGE:
 *   clang-19 -c trusted.s -o trusted.o
 *   flexos-scan --allow-section .text.trusted trusted.o   # exit 0
 * License: MIT (see LICENSE)
 */
  .section .text.trusted, "ax", @progbits
  .globl set_pkru
  .type set_pkru, @function
set_pkru:
  movl %edi, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  ret
  .size set_pkru, . - set_pkru
