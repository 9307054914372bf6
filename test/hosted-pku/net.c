/*
 * FILE: test/hosted-pku/net.c
 * DESCRIPTION: library net of the hosted three-compartment test (three.h):
 *   after its first bug, a hostile library reads and writes whatever
 *   address it is given, with its own protection key only.
 * License: MIT (see LICENSE)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <flexos.h>
#include <flexos/abi.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"
#include "three.h"

long net_secret = 0x5ec2e7;
static long *heap_block;

long net_global_addr(void) { return (long)&net_secret; }

long net_heap_addr(void) {
  if (!heap_block) {
    heap_block = malloc(64);
    if (heap_block)
      *heap_block = 42;
  }
  return (long)heap_block;
}

long net_stack_addr(void) {
  volatile long local = 7;
  long addr = (long)&local;
  __asm__("" : "+r"(addr)); /* the thread's net stack stays mapped (and keyed) */
  return addr;
}

long net_peek(long addr) { return *(volatile long *)addr; }
long net_poke(long addr) {
  *(volatile long *)addr = 0xbad;
  return 0;
}
long net_call(long fn) { return ((long (*)(void))fn)(); }
/* What no compiler emits but hostile code may: a call the checks of
 * indirect calls never see.  The keys still stop it. */
long net_call_raw(long fn) {
  long r;
  __asm__ volatile("call *%1"
                   : "=a"(r)
                   : "r"(fn)
                   : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                     "memory", "cc");
  return r;
}
long net_call3(long fn, long a, long b, long c) {
  return ((long (*)(long, long, long))fn)(a, b, c);
}
long net_work(long i) { return i * 3 + net_secret % 7; }

/* The libc functions that touch only their arguments (docs/hosted.md)
 * run inside a compartment: formatting, strings, sorting, conversions,
 * character classes, the compartment's own heap. */
static int by_value(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

long net_libc_pure(void) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%d-%s-%.2f", 42, "net", 1.5);
  int v[5] = {5, 3, 9, 1, 7};
  qsort(v, 5, sizeof v[0], by_value);
  char *copy = strdup(buf);
  long ok = n == 11 && strlen(buf) == 11 && memcmp(buf, "42-net-1.50", 11) == 0 &&
            v[0] == 1 && v[4] == 9 && isdigit((unsigned char)buf[0]) && !isdigit('n') &&
            strtoul("ff", 0, 16) == 255 && copy && strcmp(copy, buf) == 0;
  free(copy);
  return ok;
}

/* errno (written by libc's strtol) and a thread-local of net's own. */
static __thread long net_calls_here;
long net_tls(void) {
  errno = 0;
  long v = strtol("99999999999999999999999", 0, 10);
  if (v != LONG_MAX || errno != ERANGE)
    return -1;
  return ++net_calls_here;
}
long net_free(long addr) {
  free((void *)addr);
  return 0;
}

long net_sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

long net_fill(char *shared, long n) {
  memset(shared, 'n', (size_t)n);
  return n;
}

long net_spin(long *seen, long want, long keys) { return spin_until_seen(seen, want, keys); }

/* ---- escapes: each must end in a report (test/hosted-pku/CMakeLists.txt) */

/* A system call made by net's own code. */
long net_syscall(long nr, long a, long b, long c, long d, long e) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return ret;
}

/* The 32-bit system call ABI. */
long net_int80(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return ret;
}

/* Through libc, as a careless library would. */
long net_libc_write(void) { return write(1, "net writes\n", 11); }
long net_open_proc_mem(void) { return open("/proc/self/mem", O_RDWR); }

/* A forged signal frame: every key open (PKRU 0 in an XSAVE area). */
static unsigned long forged[1024] __attribute__((aligned(64)));

static unsigned long *forged_frame(void) {
  memset(forged, 0, sizeof forged);
  unsigned long *uc = forged + 1;         /* struct ucontext, after pretcode */
  unsigned char *fp = (unsigned char *)(forged + 512);
  uc[5 + 16] = (unsigned long)net_work;   /* uc_mcontext.rip */
  uc[5 + 15] = (unsigned long)(forged + 400); /* uc_mcontext.rsp */
  uc[5 + 18] = 0x2b000000000033ul;        /* cs, ss */
  uc[5 + 23] = (unsigned long)fp;         /* uc_mcontext.fpstate */
  *(unsigned *)(fp + 464) = 0x46505853u;  /* magic1 */
  *(unsigned *)(fp + 468) = 2700;         /* extended size */
  *(unsigned long *)(fp + 472) = 0x2ff;   /* xfeatures incl. PKRU */
  *(unsigned *)(fp + 480) = 2696;         /* xstate size */
  *(unsigned long *)(fp + 512) = 0x200;   /* XSTATE_BV: PKRU */
  *(unsigned *)(fp + 2696) = 0x46505845u; /* magic2 */
  return forged + 1;
}

long net_sigreturn_raw(void) {
  unsigned long *sp = forged_frame();
  __asm__ volatile("movq %0, %%rsp\n\tmovl $15, %%eax\n\tsyscall" : : "r"(sp) : "memory");
  return 0;
}

long net_sigreturn_site(long site) {
  unsigned long *sp = forged_frame();
  __asm__ volatile("movq %0, %%rsp\n\tmovl $15, %%eax\n\tmovq $0x5ec2e7, %%rdi\n\tjmp *%1"
                   : : "S"(sp), "d"(site) : "memory");
  return 0;
}

/* A jump into the middle of runtime code, with eax chosen (the value a
 * WRPKRU there would load) and ecx = edx = 0. */
long net_jump(long target, long eax) {
  __asm__ volatile("xorl %%ecx, %%ecx\n\txorl %%edx, %%edx\n\tjmp *%1"
                   : : "a"(eax), "S"(target) : "rcx", "rdx", "memory");
  return 0;
}

/* ---- for the gate fuzzer (app.c gate-fuzz) ------------------------------ */

/* Every register that carries no argument must arrive zero: returns the
 * OR of rbx, rbp, r10-r15 and xmm0-15 (this callee takes no SSE argument). */
__attribute__((naked)) long net_leak(long a, long b, long c, long d, long e, long f) {
  __asm__("movq %rbx, %rax\n\t"
          "orq %rbp, %rax\n\t"
          "orq %r10, %rax\n\t"
          "orq %r11, %rax\n\t"
          "orq %r12, %rax\n\t"
          "orq %r13, %rax\n\t"
          "orq %r14, %rax\n\t"
          "orq %r15, %rax\n\t"
          "por %xmm1, %xmm0\n\t"
          "por %xmm2, %xmm0\n\t"
          "por %xmm3, %xmm0\n\t"
          "por %xmm4, %xmm0\n\t"
          "por %xmm5, %xmm0\n\t"
          "por %xmm6, %xmm0\n\t"
          "por %xmm7, %xmm0\n\t"
          "por %xmm8, %xmm0\n\t"
          "por %xmm9, %xmm0\n\t"
          "por %xmm10, %xmm0\n\t"
          "por %xmm11, %xmm0\n\t"
          "por %xmm12, %xmm0\n\t"
          "por %xmm13, %xmm0\n\t"
          "por %xmm14, %xmm0\n\t"
          "por %xmm15, %xmm0\n\t"
          "movq %xmm0, %rcx\n\t"
          "orq %rcx, %rax\n\t"
          "pshufd $0x4e, %xmm0, %xmm0\n\t"
          "movq %xmm0, %rcx\n\t"
          "orq %rcx, %rax\n\t"
          "ret");
}

/* Arguments arrive intact and net runs with net's rights (keys: under
 * protection keys). */
long net_mix(long a, long b, long c, long d, long e, long keys) {
  if (keys && rdpkru() != FLEXOS_PKRU(1, 0))
    return -1;
  return (a ^ (b << 1) ^ (c << 2) ^ (d << 3) ^ (e << 4)) & 0x7fffffffffffffff;
}

/* A gate from one non-default compartment into another and back. */
long net_relay(long x, long keys) {
  long r = flexos_gate(fs, fs_work, x);
  if (keys && rdpkru() != FLEXOS_PKRU(1, 0))
    return -1;
  return r;
}

/* Runs with its stack pointer in memory it cannot write (the address
 * given), waiting for a signal that Linux then cannot deliver. */
long net_bad_stack(long addr) {
  __asm__ volatile("movq %0, %%rsp\n1:\n\tpause\n\tjmp 1b" : : "r"(addr) : "memory");
  return 0;
}
