/*
 * FILE: runtime/core/thread_switch.S
 * DESCRIPTION:
 *   thread_switch(uint64_t *save_rsp, uint64_t new_rsp): cooperative
 *   context switch.  Saves the callee-saved registers on the current stack,
 *   stores rsp, loads the new one and pops the other thread's registers.
 *   PKRU is not touched: switches happen in the default compartment, and a
 *   new thread enters its PKRU through flexos_isr_exit (runtime/core/thread.c).
 * License: MIT (see LICENSE)
 */
  .text
  .global thread_switch
  .type thread_switch, @function
thread_switch:
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
  ret
  .size thread_switch, . - thread_switch
