/*
 * FILE: platform/linux/thread_entry.S
 * DESCRIPTION:
 *   __flexos_thread_enter_first: called by an MPK gate out of the default
 *   compartment when the callee's gate slot is still empty, i.e. on the
 *   thread's first entry into a compartment.  It creates the thread's
 *   compartment stacks and TLS copies (hosted_thread_enter_first in
 *   thread.c) and returns with every register the gate is carrying intact:
 *   the integer and stack arguments (rdi, rsi, r8-r11; rbx, rbp and
 *   r12-r15 are preserved by the C call) and the SSE arguments xmm0-7.
 *   It runs in the default compartment, before the gate's WRPKRU; a
 *   compartment that calls it only makes stacks for this thread.
 * License: MIT (see LICENSE)
 */
  .text
  .globl __flexos_thread_enter_first
  .type __flexos_thread_enter_first, @function
  .p2align 4
__flexos_thread_enter_first:
  pushq %rdi
  pushq %rsi
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  subq $136, %rsp            /* xmm0-7, and 16-byte alignment at the call */
  movdqu %xmm0, 0(%rsp)
  movdqu %xmm1, 16(%rsp)
  movdqu %xmm2, 32(%rsp)
  movdqu %xmm3, 48(%rsp)
  movdqu %xmm4, 64(%rsp)
  movdqu %xmm5, 80(%rsp)
  movdqu %xmm6, 96(%rsp)
  movdqu %xmm7, 112(%rsp)
  call hosted_thread_enter_first
  movdqu 0(%rsp), %xmm0
  movdqu 16(%rsp), %xmm1
  movdqu 32(%rsp), %xmm2
  movdqu 48(%rsp), %xmm3
  movdqu 64(%rsp), %xmm4
  movdqu 80(%rsp), %xmm5
  movdqu 96(%rsp), %xmm6
  movdqu 112(%rsp), %xmm7
  addq $136, %rsp
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rsi
  popq %rdi
  ret
  .size __flexos_thread_enter_first, . - __flexos_thread_enter_first
  .section .note.GNU-stack, "", @progbits
