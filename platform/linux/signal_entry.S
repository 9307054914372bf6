/*
 * FILE: platform/linux/signal_entry.S
 * DESCRIPTION:
 *   The one handler the kernel knows for the application's signals
 *   (signal.c wraps sigaction).  Linux enters it with PKRU at its initial
 *   value (key 0 readable and writable, every other key closed), every
 *   signal blocked, rsp at the frame on the interrupted stack.
 *
 *   Each WRPKRU here is a gadget a compartment could jump to, so each is
 *   followed by a check that a jump cannot pass:
 *     1. the first instruction writes a token in the TCB (key 0).
 *        Only the kernel's entry (initial PKRU) or the default compartment
 *        can write key 0, so after opening every key the token proves the
 *        entry: a jump to the WRPKRU finds no token and ends the process;
 *        a jump to the token store faults.
 *     2. after hosted_signal_prepare, the drop to the default compartment's
 *        rights is checked against hosted_default_pkru (key 0, read-only
 *        for compartments), and then the context must be armed, which only
 *        prepare does and which the first use disarms.
 *     3. the resume: rt_sigreturn on the trusted copy, from the sigreturn
 *        site (syscall.c), with the secret that only the default
 *        compartment can read in rdi, and syscall_block as the signal
 *        found it.  Loading the secret faults outside the default
 *        compartment's rights.
 *   Everything after a WRPKRU takes its stack from the TCB, never from a
 *   register.  The TCB is reached through %gs: FS may hold a compartment's
 *   copy of the TLS (thread.c); the C code runs on glibc's own TLS, and
 *   the interrupted compartment gets its FS base back before the resume.
 *   A thread that the runtime did not set up has no GS base: a signal
 *   handled there faults at the first instruction and ends the process.  All of it lives in a gate section, the one place the scan
 *   (tools/flexos-scan) allows WRPKRU.
 * License: MIT (see LICENSE)
 */
#include "linux.h"

#define TCB(field) %gs:(field)

  .pushsection .text.flexos_gates.hosted_signal_entry, "ax", @progbits
  .globl __flexos_signal_entry
  .type __flexos_signal_entry, @function
  .p2align 4
__flexos_signal_entry:
  movl $1, TCB(HOSTED_TCB_SIGNAL_TOKEN)   /* faults unless key 0 is writable */
  movl %edi, %r8d                        /* signal, siginfo, ucontext: */
  movq %rsi, %r9                         /* wrpkru needs eax, ecx, edx */
  movq %rdx, %r10
  xorl %eax, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru                                 /* every key */
  testl %eax, %eax
  jnz .Lforged
  cmpl $1, TCB(HOSTED_TCB_SIGNAL_TOKEN)
  jne .Lforged
  movl $0, TCB(HOSTED_TCB_SIGNAL_TOKEN)
  movq TCB(HOSTED_TCB_FS_DEFAULT), %rax  /* glibc's TLS, for the C below */
  testq %rax, %rax
  jz 1f
  wrfsbase %rax
1:
  movq %rsp, %rcx                        /* the kernel's frame */
  movq TCB(HOSTED_TCB_SIGNAL_STACK), %rsp
  testq %rsp, %rsp
  jz .Lno_thread
  movl %r8d, %edi
  movq %r9, %rsi
  movq %r10, %rdx
  call hosted_signal_prepare
  /* down to the default compartment's rights */
  movl hosted_default_pkru(%rip), %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  cmpl hosted_default_pkru(%rip), %eax
  jne .Lforged
  movq TCB(HOSTED_TCB_SIGNAL_CTX), %rdi
  cmpl $1, HOSTED_CTX_ARMED(%rdi)
  jne .Lforged
  movl $0, HOSTED_CTX_ARMED(%rdi)
  movq TCB(HOSTED_TCB_SIGNAL_STACK), %rsp
  call hosted_signal_run                 /* returns &copy.uc */
  movq TCB(HOSTED_TCB_SIGNAL_CTX), %rdi
  movzbl HOSTED_CTX_SAVED_BLOCK(%rdi), %r8d
  movq HOSTED_CTX_RESUME_FS(%rdi), %rcx  /* the interrupted TLS */
  testq %rcx, %rcx
  jz 2f
  wrfsbase %rcx
2:
  movq hosted_sigreturn_secret(%rip), %rdi
  movq (%rdi), %rdi                      /* faults without the default's rights */
  movq hosted_sigreturn_site(%rip), %rdx
  movq %rax, %rsp
  movb %r8b, TCB(HOSTED_TCB_SYSCALL_BLOCK)
  movl $15, %eax                         /* rt_sigreturn */
  jmp *%rdx
.Lforged:
  /* the report's copy goes to the trusted stack: the stack we came with
   * may belong to a compartment whose memory these rights cannot write */
  movq TCB(HOSTED_TCB_SIGNAL_STACK), %rax
  testq %rax, %rax
  cmovnzq %rax, %rsp
  leaq forged_msg(%rip), %rdi
  movl $(forged_end - forged_msg), %esi
  movl $FLEXOS_EXIT_FAULT, %edx
  jmp __flexos_die_entry
.Lno_thread:
  movq %rcx, %rsp
  leaq no_thread_msg(%rip), %rdi
  movl $(no_thread_end - no_thread_msg), %esi
  movl $FLEXOS_EXIT_FAULT, %edx
  jmp __flexos_die_entry
  .size __flexos_signal_entry, . - __flexos_signal_entry
  .popsection

  .section .rodata
forged_msg:
  .ascii "flexos: the signal entry was reached without a signal (a jump into the runtime's signal path)\n"
forged_end:
no_thread_msg:
  .ascii "flexos: a signal handler ran on a thread the flexos runtime did not set up (create threads with pthread_create)\n"
no_thread_end:
  .section .note.GNU-stack, "", @progbits
