/*
 * FILE: gates/service_entry.S
 * DESCRIPTION:
 *   The service entry of ring-3 images (include/flexos/service.h): the
 *   SYSCALL target (MSR LSTAR, runtime/core/service.c).  SYSCALL leaves
 *   the caller's rip in rcx and rflags in r11, clears IF, and does not
 *   touch rsp; so this first moves to the running thread's kernel stack
 *   (a supervisor page), keeps the caller's rsp, rip, rflags, rbp and PKRU
 *   there (struct service_frame), out of every compartment's reach, and calls
 *   service_dispatch(rdi, rsi, rdx, r10, number, frame) with the caller's
 *   PKRU live (thread starts, which write common memory, with the default
 *   compartment's rights added; its pointer checks always use the
 *   caller's own PKRU from the frame).  The dispatcher may
 *   switch threads; whenever this thread comes back, the PKRU it called
 *   with is written back if it is not the live one any more (ERIM's check: compare after WRPKRU, retry on a
 *   mismatch), the caller-saved registers are cleared so that no core
 *   address leaks, and SYSRET returns to ring 3 with IF set and IOPL 0
 *   whatever r11 held.  It lives in the gate range (tools/flexos-scan:
 *   WRPKRU nowhere else) but on a supervisor page: ring 3 cannot jump in.
 * License: MIT (see LICENSE)
 */
#include <flexos/service.h>

  .section .text.flexos_gates.kernel, "ax", @progbits
  .global flexos_service_entry
  .type flexos_service_entry, @function
  .p2align 4
flexos_service_entry:
  movq %rsp, service_user_rsp(%rip)
  movq service_kstack_top(%rip), %rsp
  pushq $0                     /* keeps the frame 16-byte aligned */
  pushq service_user_rsp(%rip)
  pushq %r11
  pushq %rcx
  pushq %rbp
  movq %rax, %r8               /* the service number */
  cmpb $0, flexos_pku_on(%rip)
  je 1f
  movq %rdx, %r9               /* rdpkru clobbers rdx: keep argument 3 */
  xorl %ecx, %ecx
  rdpkru
  pushq %rax
  /* The services that start a thread write common memory (its TCB, its
   * first frame) for any caller: they run with the caller's rights and
   * the default compartment's together; every other one with the
   * caller's alone, which spares the WRPKRUs.  Checks use the caller's
   * own PKRU, kept in the frame. */
  cmpq $FLEXOS_SVC_THREAD_CREATE, %r8
  je 7f
  cmpq $FLEXOS_SVC_CTX_CREATE, %r8
  jne 3f
7:
  andl flexos_default_pkru(%rip), %eax
  cmpl (%rsp), %eax
  je 3f
  movl %eax, %r11d             /* (rflags is saved: r11 is free) */
6:
  movl %r11d, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  cmpl %r11d, %eax
  jne 6b
3:
  movq %r9, %rdx
  jmp 2f
1:
  pushq $0
2:
  /* service_dispatch(a0, a1, a2, a3, number, frame) */
  movq %r10, %rcx
  movq %rsp, %r9
  call service_dispatch
  movq %rax, %rsi              /* the result */
  popq %rdi                    /* the caller's PKRU */
  cmpb $0, flexos_pku_on(%rip)
  je 5f
  xorl %ecx, %ecx              /* unchanged unless threads switched: */
  rdpkru                       /* then no WRPKRU */
  cmpl %edi, %eax
  je 5f
4:
  movl %edi, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  cmpl %edi, %eax
  jne 4b
5:
  cli                          /* IF may be on after a thread switch */
  movq %rsi, %rax
  popq %rbp
  popq %rcx                    /* rip */
  popq %r11                    /* rflags: IF on, IOPL 0, no TF */
  orq $0x200, %r11
  andq $~0x3100, %r11
  xorl %edi, %edi
  xorl %esi, %esi
  xorl %edx, %edx
  xorl %r8d, %r8d
  xorl %r9d, %r9d
  xorl %r10d, %r10d
  popq %rsp
  sysretq
  .size flexos_service_entry, . - flexos_service_entry
