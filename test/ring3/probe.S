/*
 * FILE: test/ring3/probe.S
 * DESCRIPTION:
 *   app_tick_probe(tick): a tick hook of the default compartment that
 *   ORs, from its first instruction, every register the upcall gave it
 *   (rax rbx rcx rdx rbp r8-r15, then xmm5) into app_probe_regs and
 *   counts its calls in app_probe_calls (both in app.c): after any number
 *   of calls, all zero means no upcall handed it a register's content.
 *   Nothing else: a C hook would have changed them before it could look.
 * License: MIT (see LICENSE)
 */
  .text
  .global app_tick_probe
  .type app_tick_probe, @function
app_tick_probe:
  orq %rax, app_probe_regs+0(%rip)
  orq %rbx, app_probe_regs+8(%rip)
  orq %rcx, app_probe_regs+16(%rip)
  orq %rdx, app_probe_regs+24(%rip)
  orq %rbp, app_probe_regs+32(%rip)
  orq %r8, app_probe_regs+40(%rip)
  orq %r9, app_probe_regs+48(%rip)
  orq %r10, app_probe_regs+56(%rip)
  orq %r11, app_probe_regs+64(%rip)
  orq %r12, app_probe_regs+72(%rip)
  orq %r13, app_probe_regs+80(%rip)
  orq %r14, app_probe_regs+88(%rip)
  orq %r15, app_probe_regs+96(%rip)
  movq %xmm5, %rax
  orq %rax, app_probe_regs+104(%rip)
  lock incq app_probe_calls(%rip)
  ret
  .size app_tick_probe, . - app_tick_probe
