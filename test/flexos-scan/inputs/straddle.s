/*
 * FILE: test/flexos-scan/inputs/straddle.s
 * DESCRIPTION:
 *   A WRPKRU split over two sections: .text.sa ends with 0f 01 and
 *   .text.sb starts with ef.  In the object each section is harmless;
 *   once straddle.lds places them back to back in the linked program the
 *   three bytes are contiguous executable memory and must be reported.
 * USAGE:
 *   clang-19 -fuse-ld=lld -nostdlib -static -Wl,-T,straddle.lds \
 *     straddle.s -o straddle && flexos-scan straddle   # exit 1
 * License: MIT (see LICENSE)
 */
  .section .text.sa, "ax", @progbits
  .globl _start
  .type _start, @function
_start:
  movl $60, %eax
  xorl %edi, %edi
  syscall
  .byte 0x0f, 0x01
  .size _start, . - _start

  .section .text.sb, "ax", @progbits
  .globl tail
  .type tail, @function
tail:
  .byte 0xef
  ret
  .size tail, . - tail
