/*
 * FILE: platform/linux/fault_entry.S
 * DESCRIPTION:
 *   The SIGSEGV/SIGBUS handler of a hosted flexos program.  Linux enters
 *   a handler with PKRU = its init value (key 0 only), on the per-thread
 *   alternate stack (key 15, writable under every compartment's PKRU so
 *   that the kernel can write the frame).  The handler first opens every
 *   key (the report reads the faulting compartment's memory), moves to
 *   one report stack in key-0 memory and calls hosted_fault_report,
 *   which never returns: the process ends.  That is what makes this
 *   WRPKRU safe outside a gate: whoever jumps here, by a fault or on
 *   purpose, only ends the process (test hosted-pku/fault-entry-jump).  It
 *   lives in a gate section, the one place the scan (tools/flexos-scan)
 *   allows WRPKRU.  A second fault while a report runs waits for that
 *   report's exit_group, and ends the process itself if none comes.
 * License: MIT (see LICENSE)
 */
#include "linux.h"

/* Threads the runtime set up have a TCB at GS; others have neither system
 * call dispatch nor a GS base.  Where Linux allows FSGSBASE (the only case
 * in which FS may be a compartment's copy of the TLS, which that
 * compartment can rewrite) RDGSBASE tells; otherwise FS is glibc's and the
 * TCB in it tells. */
.macro ALLOW_SYSCALLS_AND_TLS
  cmpl $0, hosted_fsgsbase(%rip)
  je 7f
  rdgsbase %rax
  testq %rax, %rax
  je 8f
  jmp 6f
7:
  cmpq $0, %fs:hosted_tls_tcb@tpoff + HOSTED_TCB_SELF
  je 8f
6:
  movb $0, %gs:HOSTED_TCB_SYSCALL_BLOCK
  movq %gs:HOSTED_TCB_FS_DEFAULT, %rax
  testq %rax, %rax
  jz 8f
  wrfsbase %rax              /* glibc's own TLS for the report */
8:
.endm

  .pushsection .text.flexos_gates.hosted_fault_entry, "ax", @progbits
  .globl __flexos_fault_entry
  .type __flexos_fault_entry, @function
  .p2align 4
__flexos_fault_entry:
  movl %edi, %r8d            /* signal number, siginfo, ucontext: */
  movq %rsi, %r9             /* wrpkru needs eax, ecx and edx */
  movq %rdx, %r10
  xorl %eax, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru                     /* every key: PKRU = 0 */
  ALLOW_SYSCALLS_AND_TLS     /* the report writes and exits */
  movl $1, %eax
  xchgl %eax, hosted_fault_busy(%rip)
  testl %eax, %eax
  jnz 2f
  leaq hosted_fault_stack+65536(%rip), %rsp
  movl %r8d, %edi
  movq %r9, %rsi
  movq %r10, %rdx
  call hosted_fault_report
  ud2
  /* Taken: another thread reports (its exit_group ends us), or the report
   * itself faulted, as forged arguments from a jump here can make it do.
   * Either way, wait a while, then end the process ourselves. */
2:
  movl $(1 << 26), %ecx
3:
  pause
  decl %ecx
  jnz 3b
  movl $231, %eax            /* exit_group(FLEXOS_EXIT_FAULT) */
  movl $FLEXOS_EXIT_FAULT, %edi
  syscall
  ud2
  .size __flexos_fault_entry, . - __flexos_fault_entry

/* __flexos_record_entry: SIGSEGV and SIGTRAP in record mode only
 * (record.c installs it when FLEXOS_RECORD was set at start-up; never
 * otherwise).  Like the fault entry it opens every key and allows system
 * calls, but it returns: it keeps the interrupted syscall_block (r13, -1
 * without a TCB) and FS base (r12, 0: FS untouched), runs
 * hosted_record_fault on the alternate stack below the kernel's frame,
 * then resumes the edited frame with rt_sigreturn at the sigreturn site,
 * as the signal entry does.  Record mode gives up isolation on purpose
 * (docs/porting-record.md): a jump here is no worse than what record
 * mode already allows. */
  .globl __flexos_record_entry
  .type __flexos_record_entry, @function
  .p2align 4
__flexos_record_entry:
  movl %edi, %r8d            /* signal number, siginfo, ucontext */
  movq %rsi, %r9
  movq %rdx, %r14
  xorl %eax, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru                     /* every key: PKRU = 0 */
  xorl %r12d, %r12d
  movq $-1, %r13
  cmpl $0, hosted_fsgsbase(%rip)
  je 7f
  rdfsbase %r12              /* the interrupted FS base */
  rdgsbase %rax
  testq %rax, %rax
  je 8f
  jmp 6f
7:
  cmpq $0, %fs:hosted_tls_tcb@tpoff + HOSTED_TCB_SELF
  je 8f
6:
  movzbq %gs:HOSTED_TCB_SYSCALL_BLOCK, %r13
  movb $0, %gs:HOSTED_TCB_SYSCALL_BLOCK
  movq %gs:HOSTED_TCB_FS_DEFAULT, %rax
  testq %rax, %rax
  jz 8f
  wrfsbase %rax              /* glibc's own TLS for the C code */
8:
  andq $-16, %rsp            /* below the kernel's frame */
  movl %r8d, %edi
  movq %r9, %rsi
  movq %r14, %rdx
  call hosted_record_fault
  testq %r12, %r12
  jz 1f
  wrfsbase %r12
1:
  movq hosted_sigreturn_secret(%rip), %rdi
  movq (%rdi), %rdi
  movq hosted_sigreturn_site(%rip), %rdx
  cmpq $-1, %r13
  je 2f
  movb %r13b, %gs:HOSTED_TCB_SYSCALL_BLOCK
2:
  movq %r14, %rsp            /* the frame's ucontext: rt_sigreturn's frame */
  movl $15, %eax             /* rt_sigreturn */
  jmp *%rdx
  .size __flexos_record_entry, . - __flexos_record_entry

/* __flexos_die_entry(msg, len, status): hosted_die from any compartment.
 * The message is copied onto the current stack with the caller's rights
 * (a compartment can only print what it could read anyway), then every
 * key opens, system calls are allowed, and the copy goes to stderr before
 * exit_group(FLEXOS_EXIT_UNTRUSTED) when status says so, else
 * exit_group(FLEXOS_EXIT_FAULT): whoever jumps here, with whatever
 * registers, ends the process with a failure status, never 0. */
  .globl __flexos_die_entry
  .type __flexos_die_entry, @function
  .p2align 4
__flexos_die_entry:
  movl $FLEXOS_EXIT_FAULT, %r9d  /* the exit status, kept past WRPKRU */
  movl $FLEXOS_EXIT_UNTRUSTED, %eax
  cmpl %eax, %edx
  cmovel %eax, %r9d
  andq $-16, %rsp
  subq $512, %rsp
  cmpq $480, %rsi
  jbe 1f
  movl $480, %esi
1:
  movq %rsi, %rcx
  movq %rsi, %r8
  movq %rdi, %rsi
  movq %rsp, %rdi
  cld
  rep movsb                  /* with the caller's rights */
  xorl %eax, %eax
  xorl %ecx, %ecx
  xorl %edx, %edx
  wrpkru
  ALLOW_SYSCALLS_AND_TLS
  movl $1, %eax              /* write(2, copy, len) */
  movl $2, %edi
  movq %rsp, %rsi
  movq %r8, %rdx
  syscall
  movl $231, %eax            /* exit_group(status) */
  movl %r9d, %edi
  syscall
  ud2
  .size __flexos_die_entry, . - __flexos_die_entry
  .popsection
  .section .note.GNU-stack, "", @progbits
