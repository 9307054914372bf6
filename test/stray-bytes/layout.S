/*
 * FILE: test/stray-bytes/layout.S
 * DESCRIPTION:
 *   Link-time values that hold 0f ae 28 (XRSTOR [rax]) in the image's
 *   first layout, where the sections of this file lie back to back in
 *   file order at 16-byte aligned addresses:
 *     stray_disp:  lea stray_anchor+0x28ae06(%rip) at offset 0: rel32 =
 *                  16 + 0x28ae06 - 7 = 0x0028ae0f  (a displacement);
 *     stray_call:  call stray_callee at offset 12, after 32 bytes of
 *                  .text.stray_call and a 0x28ae00-byte gap: rel32 =
 *                  0x28ae20 - 17 = 0x0028ae0f       (a call offset).
 *   Neither is a real XRSTOR; tools/flexos-link-scan.sh must relink.
 * License: MIT (see LICENSE)
 */
  .section .text.stray_disp, "ax", @progbits
  .p2align 4
  .globl stray_disp
  .type stray_disp, @function
stray_disp:
  leaq stray_anchor+0x28ae06(%rip), %rax
  ret
  .fill 16 - (. - stray_disp), 1, 0xcc
  .size stray_disp, . - stray_disp

  .section .text.stray_anchor, "ax", @progbits
  .p2align 4
  .globl stray_anchor
  .type stray_anchor, @function
stray_anchor:
  ret
  .size stray_anchor, . - stray_anchor

  .section .text.stray_call, "ax", @progbits
  .p2align 4
  .globl stray_call
  .type stray_call, @function
stray_call:
  subq $8, %rsp              /* 4 bytes: keeps the stack 16-byte aligned */
  .fill 8, 1, 0x90           /* nops up to offset 12 */
  call stray_callee
  addq $8, %rsp
  ret
  .fill 32 - (. - stray_call), 1, 0xcc
  .size stray_call, . - stray_call

  .section .text.stray_gap, "ax", @progbits
  .skip 0x28ae00, 0xcc

  .section .text.stray_callee, "ax", @progbits
  .p2align 4
  .globl stray_callee
  .type stray_callee, @function
stray_callee:
  movl $42, %eax
  ret
  .size stray_callee, . - stray_callee
