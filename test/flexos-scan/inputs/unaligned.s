/*
 * FILE: test/flexos-scan/inputs/unaligned.s
 * DESCRIPTION:
 *   A WRPKRU hidden in an immediate: `mov $0xef010f00, %eax` encodes as
 *   b8 00 0f 01 ef, so a jump to byte 2 of `hidden` executes WRPKRU.
 *   flexos-scan must report it at vaddr 0x2 although no instruction
 *   starts there.
 * USAGE:
 *   clang-19 -c unaligned.s -o unaligned.o && flexos-scan unaligned.o
 * License: MIT (see LICENSE)
 */
  .text
  .globl hidden
  .type hidden, @function
hidden:
  movl $0xef010f00, %eax
  ret
  .size hidden, . - hidden
