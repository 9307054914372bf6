/*
 * FILE: test/flexos-scan/inputs/xrstor.s
 * DESCRIPTION:
 *   XRSTOR, XRSTOR64 and XRSTORS memory forms, each of which can load
 *   PKRU from memory: three reports expected (0f ae 2f twice, 0f c7 1f).
 * USAGE:
 *   clang-19 -c xrstor.s -o xrstor.o && flexos-scan xrstor.o   # exit 1
 * License: MIT (see LICENSE)
 */
  .text
  .globl restore
  .type restore, @function
restore:
  xrstor (%rdi)
  xrstor64 (%rdi)
  xrstors (%rdi)
  ret
  .size restore, . - restore
