/*
 * FILE: test/ring3/hold.S
 * DESCRIPTION:
 *   lib_hold_secret(secret, ticks): the library keeps `secret` in every
 *   callee-saved register (rbx, rbp, r12-r15) and in xmm5 while `ticks`
 *   timer ticks pass (asking the core for the count: those registers
 *   survive a service call), so that the ticks interrupt it there; the
 *   tick hook, an upcall to the default compartment, must see none of
 *   them.  Returns 0 when all seven still hold the secret afterwards (the
 *   interrupted state came back), else 1.
 * License: MIT (see LICENSE)
 */
#include <flexos/service.h>

  .text
  .global lib_hold_secret
  .type lib_hold_secret, @function
lib_hold_secret:
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rdi, %rbx            /* a service call clears rdi and rsi */
  movq %rsi, %r15
  movl $FLEXOS_SVC_TICKS, %eax
  syscall
  addq %r15, %rax
  pushq %rax                 /* the last tick to wait for */
  subq $8, %rsp
  movq %rbx, %rbp
  movq %rbx, %r12
  movq %rbx, %r13
  movq %rbx, %r14
  movq %rbx, %r15
  movq %rbx, %xmm5
1:
  movl $FLEXOS_SVC_TICKS, %eax
  syscall
  cmpq 8(%rsp), %rax
  jb 1b
  movq %xmm5, %rax
  xorl %edx, %edx
  cmpq %rbx, %rax
  setne %dl
  cmpq %rbp, %rax
  setne %cl
  orb %cl, %dl
  cmpq %r12, %rax
  setne %cl
  orb %cl, %dl
  cmpq %r13, %rax
  setne %cl
  orb %cl, %dl
  cmpq %r14, %rax
  setne %cl
  orb %cl, %dl
  cmpq %r15, %rax
  setne %cl
  orb %cl, %dl
  movq 8(%rsp), %rcx         /* (rcx: scratch) */
  movl %edx, %eax
  addq $16, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
  ret
  .size lib_hold_secret, . - lib_hold_secret
