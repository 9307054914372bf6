/*
 * FILE: test/runtime/three/probe.S
 * DESCRIPTION:
 *   scrub_probe (library net): a gate target that records every register
 *   as it arrives (none carries an argument, so the MPK gate must have
 *   zeroed them all) into scrub_seen[] in shared memory, then returns with
 *   junk in every caller-saved register except rax, which the gate must
 *   zero on the way back (app's scrub_caller checks).
 * License: MIT (see LICENSE)
 */
  .section .data.flexos_shared, "aw", @progbits
  .p2align 4
  .global scrub_seen
scrub_seen:
  .skip 8 * (15 + 16)

  .section .text.flexos.net, "ax", @progbits
  .global scrub_probe
  .type scrub_probe, @function
scrub_probe:
  movq %rax, scrub_seen + 0(%rip)
  movq %rbx, scrub_seen + 8(%rip)
  movq %rcx, scrub_seen + 16(%rip)
  movq %rdx, scrub_seen + 24(%rip)
  movq %rsi, scrub_seen + 32(%rip)
  movq %rdi, scrub_seen + 40(%rip)
  movq %rbp, scrub_seen + 48(%rip)
  movq %r8, scrub_seen + 56(%rip)
  movq %r9, scrub_seen + 64(%rip)
  movq %r10, scrub_seen + 72(%rip)
  movq %r11, scrub_seen + 80(%rip)
  movq %r12, scrub_seen + 88(%rip)
  movq %r13, scrub_seen + 96(%rip)
  movq %r14, scrub_seen + 104(%rip)
  movq %r15, scrub_seen + 112(%rip)
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  movq %xmm\n, scrub_seen + 120 + 8 * \n(%rip)
  .endr
  movabsq $0x5c2b5c2b5c2b5c2b, %rcx
  movq %rcx, %rdx
  movq %rcx, %rsi
  movq %rcx, %rdi
  movq %rcx, %r8
  movq %rcx, %r9
  movq %rcx, %r10
  movq %rcx, %r11
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  movq %rcx, %xmm\n
  .endr
  movl $0x5a5a, %eax
  ret
  .size scrub_probe, . - scrub_probe

  /* long net_set_df(void): returns with the direction flag set, as a
   * careless or hostile callee could. The gate must clear it. */
  .section .text.flexos.net, "ax", @progbits
  .global net_set_df
  .type net_set_df, @function
net_set_df:
  std
  movl $1, %eax
  ret
  .size net_set_df, . - net_set_df
