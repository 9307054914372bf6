/*
 * FILE: test/runtime/three/scrub.S
 * DESCRIPTION:
 *   scrub_caller(long (*call)(void)) (library app): fills every register
 *   with junk, calls `call` (a C wrapper whose only work is the gate to
 *   net's scrub_probe) and records the registers it got back into
 *   scrub_after[]: caller-saved ones must be zero (only rax carries the
 *   result), callee-saved ones must still hold the junk.
 *   Layout of scrub_after: rcx rdx rsi rdi r8 r9 r10 r11 rbx rbp r12 r13
 *   r14 r15, then xmm0..15.
 * License: MIT (see LICENSE)
 */
#define JUNK $0x3a7c3a7c3a7c3a7c

  .section .data.flexos.app, "aw", @progbits
  .p2align 4
  .global scrub_after
scrub_after:
  .skip 8 * (14 + 16)

  /* For the gate-middle check: where the plugin's gate instance is. */
  .weak __flexos_pku_gate.app.net.net_const
  .section .rodata.flexos.app, "a", @progbits
  .p2align 3
  .global gate_app_net_const_addr
gate_app_net_const_addr:
  .quad __flexos_pku_gate.app.net.net_const

  .section .text.flexos.app, "ax", @progbits
  .global scrub_caller
  .type scrub_caller, @function
scrub_caller:
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  pushq %rdi /* keeps rsp 16-byte aligned at the call */
  movq %rdi, %rax
  movabsq JUNK, %rbx
  movq %rbx, %rbp
  movq %rbx, %r12
  movq %rbx, %r13
  movq %rbx, %r14
  movq %rbx, %r15
  movq %rbx, %rcx
  movq %rbx, %rdx
  movq %rbx, %rsi
  movq %rbx, %rdi
  movq %rbx, %r8
  movq %rbx, %r9
  movq %rbx, %r10
  movq %rbx, %r11
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  movq %rbx, %xmm\n
  .endr
  call *%rax
  movq %rcx, scrub_after + 0(%rip)
  movq %rdx, scrub_after + 8(%rip)
  movq %rsi, scrub_after + 16(%rip)
  movq %rdi, scrub_after + 24(%rip)
  movq %r8, scrub_after + 32(%rip)
  movq %r9, scrub_after + 40(%rip)
  movq %r10, scrub_after + 48(%rip)
  movq %r11, scrub_after + 56(%rip)
  movq %rbx, scrub_after + 64(%rip)
  movq %rbp, scrub_after + 72(%rip)
  movq %r12, scrub_after + 80(%rip)
  movq %r13, scrub_after + 88(%rip)
  movq %r14, scrub_after + 96(%rip)
  movq %r15, scrub_after + 104(%rip)
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  movq %xmm\n, scrub_after + 112 + 8 * \n(%rip)
  .endr
  popq %rdi
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
  ret
  .size scrub_caller, . - scrub_caller

  /* long app_rsp_mod16(void): rsp mod 16 at entry, 8 when the caller kept
   * the ABI's 16-byte alignment at its call (gates into app included). */
  .section .text.flexos.app, "ax", @progbits
  .global app_rsp_mod16
  .type app_rsp_mod16, @function
app_rsp_mod16:
  movq %rsp, %rax
  andq $15, %rax
  ret
  .size app_rsp_mod16, . - app_rsp_mod16

  /* long app_df_after(long (*call)(void)): calls `call` (a gate to a
   * callee that sets the direction flag) and returns RFLAGS.DF afterwards. */
  .global app_df_after
  .type app_df_after, @function
app_df_after:
  subq $8, %rsp
  call *%rdi
  pushfq
  popq %rax
  cld         /* C code expects DF clear, whatever the gate did */
  shrq $10, %rax
  andq $1, %rax
  addq $8, %rsp
  ret
  .size app_df_after, . - app_df_after
