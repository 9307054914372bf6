/*
 * FILE: test/flexos-scan/inputs/stray.s
 * DESCRIPTION:
 *   A WRPKRU written as raw bytes into ordinary .text, one byte into the
 *   function `stray`: flexos-scan must report it at vaddr 0x1.
 * USAGE:
 *   clang-19 -c stray.s -o stray.o && flexos-scan stray.o   # exit 1
 * License: MIT (see LICENSE)
 */
  .text
  .globl stray
  .type stray, @function
stray:
  nop
  .byte 0x0f, 0x01, 0xef
  ret
  .size stray, . - stray
