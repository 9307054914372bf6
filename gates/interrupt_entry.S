/*
 * FILE: gates/interrupt_entry.S
 * DESCRIPTION:
 *   The interrupt-entry gate.  An interrupt or exception can arrive while
 *   any compartment runs; the runtime's handlers belong to the default
 *   compartment.  So every vector enters here (on an IST stack, a supervisor
 *   page that PKRU does not govern), saves the interrupted PKRU in the
 *   trap frame, switches to the default compartment's PKRU with the ERIM
 *   check (cmp after wrpkru, retry on mismatch), calls flexos_trap() and on
 *   the way out restores the interrupted PKRU with the same check before
 *   iretq.  Handlers may take gates themselves (FlexOS skipped gates on
 *   the interrupt stack): the interrupted compartment's gate slot is moved
 *   below its live frames for the duration, and both that slot and the
 *   default compartment's are put back before returning.  Under `none`
 *   and vm-ept (flexos_pku_on == 0, chosen at boot and kept in a
 *   read-only page) RDPKRU/WRPKRU are skipped: they would #UD, and a VM
 *   is its compartment's alone.
 *   Frame layout: struct trapframe in runtime/core/kernel.h; every offset used
 *   here comes from include/flexos/abi.h, whose values that header and
 *   kernel.h assert against the C structs.
 * License: MIT (see LICENSE)
 */
#include <flexos/abi.h>

/* gate_slot[k - 1] of the TCB, indexed by 2k (bit of key k's AD in PKRU,
 * from bsf) scaled by 4: FLEXOS_TCB_GATE_SLOT + 8 * (k - 1). */
#define GATE_SLOT_BY_2K (FLEXOS_TCB_GATE_SLOT - 8)
  .macro ISR vec
  .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
  .else
    pushq $0 /* no error code from the CPU: keep the frame uniform */
  .endif
  pushq $\vec
  jmp flexos_isr_common
  .p2align 4
  .endm

  .section .text.flexos_gates.interrupt, "ax", @progbits
  .p2align 4
flexos_isr_entries:
  .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,FLEXOS_VEC_NULL_INTERRUPT
  ISR \vec
  .endr

flexos_isr_common:
  pushq %rax
  pushq %rbx
  pushq %rcx
  pushq %rdx
  pushq %rsi
  pushq %rdi
  pushq %rbp
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  /* r12/r13: the interrupted compartment's gate slot and its old value;
   * r14/r15: the same for the default compartment. Callee-saved, so they
   * live across flexos_trap; 0 in r12/r14 means nothing to restore. */
  xorl %r12d, %r12d
  xorl %r14d, %r14d
  cmpb $0, flexos_pku_on(%rip)
  je 2f
  xorl %ecx, %ecx
  rdpkru
  pushq %rax
  /* Still in the interrupted domain, whose memory the slot is: point the
   * slot below the live frames (the interrupted rsp in the frame), so that a
   * gate taken by a handler into this compartment starts beneath them
   * instead of on top of them. Only when rsp really is on this
   * compartment's stack: inside a gate, between WRPKRU and the stack
   * switch, it is not, and the slot is still right. */
  movl %eax, %edx
  notl %edx
  andl $0x3ffffffc, %edx        /* own key: AD and WD clear; skip keys 0, 15 */
  bsfl %edx, %edx               /* 2k for key k = compartment k-1 */
  jz 1f
#ifdef FLEXOS_RING3
  /* Ring 3 may have reloaded GS (a null selector clears its base): the
   * core takes the TCB from its own copy, never from GS. */
  movq service_current_tcb(%rip), %rcx
  movq GATE_SLOT_BY_2K(%rcx,%rdx,4), %rcx  /* gate_slot[k-1] */
#else
  movq %gs:GATE_SLOT_BY_2K(,%rdx,4), %rcx  /* gate_slot[k-1] */
#endif
  testq %rcx, %rcx
  jz 1f
  movq FLEXOS_TRAPFRAME_RSP(%rsp), %rdx
  cmpq %rcx, %rdx               /* the slot sits at the stack's top */
  jae 1f
  cmpq FLEXOS_GATE_SLOT_STACK_LIMIT(%rcx), %rdx
  jb 1f
  movq %rcx, %r12
  movq FLEXOS_GATE_SLOT_STACK_TOP(%rcx), %r13
  andq $-16, %rdx
  movq %rdx, FLEXOS_GATE_SLOT_STACK_TOP(%rcx)
1:  /* into the runtime's domain */
  movl flexos_default_pkru(%rip), %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  cmpl flexos_default_pkru(%rip), %eax
  jne 1b
  /* A handler's gate out of the default compartment saves its stack in
   * the default slot; remember the value the interrupted code relies on. */
  notl %eax
  andl $0x3ffffffc, %eax
  bsfl %eax, %eax
  jz 3f
#ifdef FLEXOS_RING3
  movq service_current_tcb(%rip), %r14
  movq GATE_SLOT_BY_2K(%r14,%rax,4), %r14
#else
  movq %gs:GATE_SLOT_BY_2K(,%rax,4), %r14
#endif
  testq %r14, %r14
  jz 3f
  movq FLEXOS_GATE_SLOT_STACK_TOP(%r14), %r15
  jmp 3f
2:
  pushq $0
3:
  /* The frame is FLEXOS_TRAPFRAME_SIZE bytes: realign for the C handler, and (with keys)
   * keep the interrupted code's SSE state, which a handler's gate scrubs
   * and the code it reaches may use. rbx is saved in the frame and
   * callee-saved in flexos_trap. */
  movq %rsp, %rdi
  movq %rsp, %rbx
  andq $-64, %rsp
  cmpb $0, flexos_pku_on(%rip)
  je 8f
  subq $512, %rsp
  fxsave64 (%rsp)
8:
  cld
  call flexos_trap
  cmpb $0, flexos_pku_on(%rip)
  je 9f
  fxrstor64 (%rsp)
9:
  movq %rbx, %rsp
#ifdef FLEXOS_RING3
  /* A tick becomes an upcall (runtime/core/tick_upcall.c): the slots stay
   * as they are while the hook runs, to be put back when it returns, and
   * the hook gets clean SSE registers. */
  cmpb $0, tick_upcall_pending(%rip)
  je 7f
  movb $0, tick_upcall_pending(%rip)
  movq %r12, tick_upcall_slot(%rip)
  movq %r13, tick_upcall_slot_top(%rip)
  movq %r14, tick_upcall_default_slot(%rip)
  movq %r15, tick_upcall_default_top(%rip)
  xorl %r12d, %r12d
  xorl %r14d, %r14d
  fxrstor64 tick_upcall_clean_fx(%rip)
7:
#endif
  testq %r14, %r14
  jz 6f
  movq %r15, FLEXOS_GATE_SLOT_STACK_TOP(%r14)
6:
  cmpb $0, flexos_pku_on(%rip)
  je 5f
4:  /* back to the interrupted domain (flexos_trap vetted the value) */
  movl FLEXOS_TRAPFRAME_PKRU(%rsp), %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  cmpl FLEXOS_TRAPFRAME_PKRU(%rsp), %eax
  jne 4b
  testq %r12, %r12
  jz 5f
  movq %r13, FLEXOS_GATE_SLOT_STACK_TOP(%r12)
  jmp 5f

  /* The first entry of every thread (runtime/core/thread.c): a new thread
   * starts by "returning" from a frame that holds its PKRU. */
  .global flexos_isr_exit
flexos_isr_exit:
  xorl %r12d, %r12d  /* no slot to put back */
  jmp 6b
5:
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rbp
  popq %rdi
  popq %rsi
  popq %rdx
  popq %rcx
  popq %rbx
  popq %rax
  addq $16, %rsp
  iretq

#ifdef FLEXOS_RING3
  /* The end of a tick upcall (runtime/core/tick_upcall.c), from the
   * service entry with interrupts off and the default compartment's rights:
   * flexos_upcall_resume(frame, fx) puts the SSE state and the default
   * slot back, then returns through the exit above with the frame's PKRU,
   * putting the interrupted compartment's slot back under it. */
  .global flexos_upcall_resume
flexos_upcall_resume:
  fxrstor64 (%rsi)
  movq tick_upcall_slot(%rip), %r12
  movq tick_upcall_slot_top(%rip), %r13
  movq tick_upcall_default_slot(%rip), %r14
  movq tick_upcall_default_top(%rip), %r15
  movq %rdi, %rsp
  jmp 7b
#endif

  /* Entry addresses for runtime/core/idt.c, vectors 0..47 and then the
   * null interrupt; each entry is 16-byte aligned. */
  .section .rodata.flexos_isr_table, "a", @progbits
  .p2align 3
  .global flexos_isr_table
flexos_isr_table:
  .set vec, 0
  .rept 49
  .quad flexos_isr_entries + 16 * vec
  .set vec, vec + 1
  .endr
