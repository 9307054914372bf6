/*
 * FILE: test/flexos-scan/inputs/fsgsbase.s
 * DESCRIPTION:
 *   FS/GS base writes outside the gates, which a hosted program's TCB (GS)
 *   and TLS (FS) depend on: WRGSBASE with REX.W, WRFSBASE without REX,
 *   WRGSBASE behind an extra segment prefix, and one hidden in an
 *   immediate.  The reads (RDFSBASE, RDGSBASE) and a lone 0f ae d8 with
 *   no f3 before it are harmless.  flexos-scan must report four.
 * License: MIT (see LICENSE)
 */
  .text
  .globl bases
  .type bases, @function
bases:
  wrgsbase %rax              /* f3 48 0f ae d8 */
  wrfsbase %edi              /* f3 0f ae d7 */
  .byte 0xf3, 0x2e, 0x0f, 0xae, 0xd9   /* f3 cs 0f ae d9 */
  movabsq $0xd9ae0ff300000000, %rax    /* ... f3 0f ae d9 in the immediate */
  rdfsbase %rax
  rdgsbase %rcx
  .byte 0x90, 0x0f, 0xae, 0xd8         /* no f3: not an instruction */
  ret
  .size bases, . - bases
