/*
 * FILE: test/flexos-scan/inputs/lookalikes.s
 * DESCRIPTION:
 *   Encodings next to the forbidden ones that must NOT be reported:
 *   LFENCE (0f ae e8, register form of /5), XSAVE (0f ae /4), FXRSTOR
 *   (0f ae /1), RDRAND (0f c7 /6 register form), RDPKRU (0f 01 ee) and
 *   CMPXCHG16B (0f c7 /1).  flexos-scan must exit 0.
 * USAGE:
 *   clang-19 -c lookalikes.s -o lookalikes.o && flexos-scan lookalikes.o
 * License: MIT (see LICENSE)
 */
  .text
  .globl lookalikes
  .type lookalikes, @function
lookalikes:
  lfence
  xsave (%rdi)
  fxrstor (%rdi)
  rdrand %eax
  rdpkru
  cmpxchg16b (%rdi)
  ret
  .size lookalikes, . - lookalikes
