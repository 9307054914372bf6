/*
 * FILE: platform/linux/syscall.c
 * DESCRIPTION:
 *   System calls of a hosted flexos program: only the default compartment
 *   (the application and libc) may make them.
 *
 *   Syscall user dispatch (Linux 5.11+) is on in every thread, with the
 *   TCB's syscall_block byte as its selector.  The MPK gates set that byte
 *   to "block" just before they leave the default compartment and to
 *   "allow" just after they enter it, and only the default compartment's
 *   rights can write it (TCB in key 0).  So a thread running any other
 *   compartment gets SIGSYS for every system call, whichever instruction
 *   makes it: its own `syscall`, a jump to one inside libc, `int $0x80`.
 *   A filter on the instruction pointer alone could not do that: every
 *   allowed `syscall` instruction would be a gadget.
 *
 *   One place is exempt from dispatch: the sigreturn site, a `syscall`
 *   that the signal entry (signal_entry.S) uses to resume an interrupted
 *   compartment with system calls already blocked again.  The seccomp
 *   filter, installed before any compartment runs and inherited by every
 *   thread, lets that site make rt_sigreturn only, and only with a 64-bit
 *   secret in rdi that lives in a page only the default compartment can
 *   read: a compartment that jumps there with a forged frame is refused.
 *   The filter also refuses to turn dispatch off, other system call ABIs
 *   (int $0x80, x32), and it cannot be loosened (seccomp only adds).
 *   The site is a fresh page at a random address, so that a program that
 *   re-executes itself (and inherits the filter) has a site of its own.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif

uintptr_t hosted_sigreturn_site;
uint64_t *hosted_sigreturn_secret;

/* Syscall user dispatch for this thread; its own TCB byte decides. */
int hosted_syscalls_thread(void) {
  if (!hosted.pku)
    return 0;
  return prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, hosted_sigreturn_site, 4,
               &hosted_tls_tcb.tcb.syscall_block);
}

/* fork() from the default compartment: the child's one thread needs
 * dispatch again (Linux does not carry it into a child). */
static void fork_child(void) {
  if (hosted_syscalls_thread() != 0)
    hosted_die("cannot block system calls in the child of fork: %s", strerror(errno));
}

static uint64_t random64(void) {
  uint64_t r = 0;
  while (r == 0)
    if (getrandom(&r, sizeof r, 0) != sizeof r)
      hosted_die("getrandom failed: %s", strerror(errno));
  return r;
}

/* One page, read + execute, at a random address: syscall; ud2. */
static int site_create(void) {
  static const unsigned char code[] = {0x0f, 0x05, 0x0f, 0x0b};
  for (int tries = 0; tries < 64; tries++) {
    uintptr_t want = (0x100000000000ul + random64() % 0x600000000000ul) & ~(uintptr_t)4095;
    void *p = mmap((void *)want, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
      continue;
    if (p != (void *)want) { /* a kernel without MAP_FIXED_NOREPLACE */
      munmap(p, 4096);
      continue;
    }
    memcpy(p, code, sizeof code);
    if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0)
      return -1;
    hosted_sigreturn_site = (uintptr_t)p;
    return 0;
  }
  errno = ENOMEM;
  return -1;
}

#define LD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (field))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JSET(k, t, f) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (IP_LO + 4)

static int filter_install(void) {
  uint64_t ip = hosted_sigreturn_site + 2; /* the kernel sees the next instruction */
  uint64_t secret = *hosted_sigreturn_secret;
  struct sock_filter prog[] = {
      /*  0 */ LD(offsetof(struct seccomp_data, arch)),
      /*  1 */ JEQ(AUDIT_ARCH_X86_64, 1, 0),
      /*  2 */ RET(SECCOMP_RET_TRAP), /* int $0x80 and other ABIs */
      /*  3 */ LD(offsetof(struct seccomp_data, nr)),
      /*  4 */ JSET(0x40000000, 0, 1), /* x32 */
      /*  5 */ RET(SECCOMP_RET_TRAP),
      /*  6 */ JEQ(__NR_prctl, 0, 5),
      /*  7 */ LD(ARG_LO(0)),
      /*  8 */ JEQ(PR_SET_SYSCALL_USER_DISPATCH, 0, 3),
      /*  9 */ LD(ARG_LO(1)),
      /* 10 */ JEQ(PR_SYS_DISPATCH_ON, 1, 0),
      /* 11 */ RET(SECCOMP_RET_ERRNO | EPERM), /* dispatch stays on */
      /* 12 */ LD(IP_LO),
      /* 13 */ JEQ((uint32_t)ip, 0, 10),
      /* 14 */ LD(IP_HI),
      /* 15 */ JEQ((uint32_t)(ip >> 32), 0, 8),
      /* 16 */ LD(offsetof(struct seccomp_data, nr)),
      /* 17 */ JEQ(__NR_rt_sigreturn, 0, 4),
      /* 18 */ LD(ARG_LO(0)),
      /* 19 */ JEQ((uint32_t)secret, 0, 2),
      /* 20 */ LD(ARG_HI(0)),
      /* 21 */ JEQ((uint32_t)(secret >> 32), 1, 0),
      /* 22 */ RET(SECCOMP_RET_TRAP), /* the site, without the secret */
      /* 23 */ RET(SECCOMP_RET_ALLOW), /* the site, with it */
      /* 24 */ RET(SECCOMP_RET_ALLOW), /* everything else: dispatch decides */
  };
  struct sock_fprog fprog = {.len = sizeof prog / sizeof prog[0], .filter = prog};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
}

int hosted_syscalls_init(void) {
  hosted_sigreturn_secret = hosted_map(4096, FLEXOS_KEY_OF((int)hosted.def), 0);
  if (!hosted_sigreturn_secret)
    return -1;
  *hosted_sigreturn_secret = random64();
  if (site_create() != 0 || filter_install() != 0)
    return -1;
  if (pthread_atfork(0, 0, fork_child) != 0)
    return -1;
  return 0;
}

/* Names for the reports: the calls a hostile compartment would try. */
const char *hosted_syscall_name(long nr) {
  switch (nr) {
  case __NR_read: return "read";
  case __NR_write: return "write";
  case __NR_open: return "open";
  case __NR_openat: return "openat";
  case __NR_close: return "close";
  case __NR_mmap: return "mmap";
  case __NR_mprotect: return "mprotect";
  case __NR_munmap: return "munmap";
  case __NR_mremap: return "mremap";
  case __NR_madvise: return "madvise";
  case __NR_pkey_mprotect: return "pkey_mprotect";
  case __NR_pkey_alloc: return "pkey_alloc";
  case __NR_pkey_free: return "pkey_free";
  case __NR_rt_sigaction: return "rt_sigaction";
  case __NR_rt_sigprocmask: return "rt_sigprocmask";
  case __NR_rt_sigreturn: return "rt_sigreturn";
  case __NR_sigaltstack: return "sigaltstack";
  case __NR_process_vm_readv: return "process_vm_readv";
  case __NR_process_vm_writev: return "process_vm_writev";
  case __NR_ptrace: return "ptrace";
  case __NR_prctl: return "prctl";
  case __NR_arch_prctl: return "arch_prctl";
  case __NR_seccomp: return "seccomp";
  case __NR_clone: return "clone";
  case __NR_clone3: return "clone3";
  case __NR_fork: return "fork";
  case __NR_execve: return "execve";
  case __NR_exit: return "exit";
  case __NR_exit_group: return "exit_group";
  case __NR_kill: return "kill";
  case __NR_tgkill: return "tgkill";
  case __NR_getpid: return "getpid";
  case __NR_getppid: return "getppid";
  case __NR_socket: return "socket";
  case __NR_connect: return "connect";
  case __NR_sendto: return "sendto";
  case __NR_recvfrom: return "recvfrom";
  case __NR_futex: return "futex";
  case __NR_io_uring_setup: return "io_uring_setup";
  case __NR_userfaultfd: return "userfaultfd";
  default: return "?";
  }
}
