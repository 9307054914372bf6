/*
 * FILE: platform/linux/fault.c
 * DESCRIPTION:
 *   Fault reports of a hosted flexos program.  Every thread has an
 *   alternate signal stack with key 15 (the kernel writes the signal
 *   frame with the interrupted code's PKRU, and every compartment may
 *   write key 15); SIGSEGV and SIGBUS enter __flexos_fault_entry
 *   (fault_entry.S), which opens every key and calls
 *   hosted_fault_report here.  The report names the compartment that
 *   faulted (from the PKRU saved in the signal frame, else from the code
 *   it ran), the address and what it belongs to (a compartment's global,
 *   heap or stack, the shared memory), the instruction and its symbol;
 *   then the process exits with status 3 (FLEXOS_EXIT_FAULT), as a
 *   faulting image does.  Faults that are not protection-key faults are
 *   reported the same way and then end the process by the signal itself.
 *   Nothing here allocates: the heap answers by PKRU, and PKRU is 0 now.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>
#include <cpuid.h>

#include "linux.h"

#define ALT_STACK_BYTES (64ul << 10)
#define SEGV_PKUERR_CODE 4 /* si_code of a protection-key fault */

int hosted_fault_busy;
char hosted_fault_stack[65536] __attribute__((aligned(16)));
static __thread char *alt_stack;

void __flexos_fault_entry(int sig, siginfo_t *si, void *uc);
int __real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int __real_sigaltstack(const stack_t *ss, stack_t *old);

int hosted_fault_init(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))__flexos_fault_entry;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&sa.sa_mask);
  if (__real_sigaction(SIGSEGV, &sa, 0) != 0 || __real_sigaction(SIGBUS, &sa, 0) != 0 ||
      __real_sigaction(SIGSYS, &sa, 0) != 0)
    return -1;
  return 0;
}

void hosted_fault_altstack(void **sp, size_t *size) {
  *sp = alt_stack;
  *size = alt_stack ? ALT_STACK_BYTES : 0;
}

int hosted_fault_thread_init(void) {
  alt_stack = hosted_map(ALT_STACK_BYTES, hosted.pku ? FLEXOS_SHARED_KEY : -1, 1);
  if (!alt_stack)
    return -1;
  stack_t ss = {.ss_sp = alt_stack, .ss_size = ALT_STACK_BYTES, .ss_flags = 0};
  return __real_sigaltstack(&ss, 0);
}

void hosted_fault_thread_fini(void) {
  stack_t ss = {.ss_flags = SS_DISABLE};
  __real_sigaltstack(&ss, 0);
  if (alt_stack)
    munmap(alt_stack - 4096, ALT_STACK_BYTES + 4096);
  alt_stack = 0;
}

/* ---- symbols of this executable ----------------------------------------- */

const char *hosted_symbol(uintptr_t addr, uintptr_t *off) {
  static const char *image;
  static size_t image_size;
  if (!image) {
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
      return 0;
    if (fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(Elf64_Ehdr)) {
      void *p = mmap(0, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        image = p;
        image_size = (size_t)st.st_size;
      }
    }
    close(fd);
    if (!image)
      return 0;
  }
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_shoff == 0 ||
      eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > image_size)
    return 0;
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);
  const char *best = 0;
  uintptr_t best_value = 0;
  for (unsigned s = 0; s < eh->e_shnum; s++) {
    if (sh[s].sh_type != SHT_SYMTAB || sh[s].sh_link >= eh->e_shnum)
      continue;
    const Elf64_Shdr *str = &sh[sh[s].sh_link];
    if (sh[s].sh_offset + sh[s].sh_size > image_size || str->sh_offset + str->sh_size > image_size)
      return 0;
    const Elf64_Sym *sym = (const Elf64_Sym *)(image + sh[s].sh_offset);
    size_t n = sh[s].sh_size / sizeof *sym;
    for (size_t i = 0; i < n; i++) {
      int type = ELF64_ST_TYPE(sym[i].st_info);
      if ((type != STT_FUNC && type != STT_OBJECT) || sym[i].st_name >= str->sh_size)
        continue;
      uintptr_t v = sym[i].st_value;
      if (!v || addr < v || (sym[i].st_size && addr >= v + sym[i].st_size))
        continue;
      if (!sym[i].st_size && addr - v > 4096)
        continue;
      if (!best || v > best_value) {
        best = image + str->sh_offset + sym[i].st_name;
        best_value = v;
      }
    }
  }
  if (best)
    *off = addr - best_value;
  return best;
}

/* ---- the report ---------------------------------------------------------- */

void hosted_say(const char *fmt, ...) {
  char line[600];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 1)
    n = (int)sizeof line - 1;
  if (n > 0)
    (void)!write(2, line, (size_t)n);
}

/* PKRU as the kernel saved it in the signal frame's XSAVE area, or -1. */
static int64_t saved_pkru(const ucontext_t *uc) {
  const unsigned char *fx = (const unsigned char *)uc->uc_mcontext.fpregs;
  if (!fx)
    return -1;
  uint32_t magic;
  memcpy(&magic, fx + 464, 4); /* struct _fpx_sw_bytes */
  if (magic != 0x46505853u)    /* FP_XSTATE_MAGIC1: an XSAVE layout */
    return -1;
  uint64_t xstate_bv;
  memcpy(&xstate_bv, fx + 512, 8);
  if (!(xstate_bv & (1ull << 9)))
    return 0; /* PKRU in its init state */
  unsigned a, b, c, d;
  if (!__get_cpuid_count(0xd, 9, &a, &b, &c, &d) || !b)
    return -1;
  uint32_t pkru;
  memcpy(&pkru, fx + b, 4);
  return pkru;
}

static int compartment_of_pkru(uint32_t pkru) {
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (hosted.pkru[i] == pkru)
      return (int)i;
  /* The default thread's PKRU comes from pkey_alloc, not from a gate: the
   * same rights, other bits for unused keys. */
  int c = (int)hosted.def;
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (i != hosted.def && !(pkru & FLEXOS_PKRU_AD(FLEXOS_KEY_OF((int)i))))
      c = (int)i;
  return c;
}


/* What addr belongs to, in words, into buf. */
static void describe(uintptr_t addr, char *buf, size_t size) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  uintptr_t off = 0;
  const char *sym = hosted_symbol(addr, &off);
  extern char __flexos_shared_start[], __flexos_shared_end[];
  for (uint32_t i = 0; i < cfg->ncompartments; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    if ((addr >= c->ro_start && addr < c->ro_end) || (addr >= c->rw_start && addr < c->rw_end)) {
      snprintf(buf, size, "global `%s'+0x%lx of compartment %s", sym ? sym : "?",
               (unsigned long)off, c->name);
      return;
    }
  }
  if (addr >= (uintptr_t)__flexos_shared_start && addr < (uintptr_t)__flexos_shared_end) {
    snprintf(buf, size, "shared global `%s'+0x%lx", sym ? sym : "?", (unsigned long)off);
    return;
  }
  int heap = hosted_heap_owner(addr);
  if (heap >= 0) {
    snprintf(buf, size, "the heap of %s%s", heap == HOSTED_SHARED_ARENA ? "" : "compartment ",
             flexos_compartment_name(heap));
    return;
  }
  uint64_t tid = 0;
  int stack = hosted_stack_owner(addr, &tid);
  if (stack >= 0) {
    snprintf(buf, size, "the %s stack of thread %lu", flexos_compartment_name(stack),
             (unsigned long)tid);
    return;
  }
  if (sym)
    snprintf(buf, size, "`%s'+0x%lx (key 0: the default compartment and libc)", sym,
             (unsigned long)off);
  else
    snprintf(buf, size, "memory of the default compartment (key 0)");
}

/* SIGSYS: syscall user dispatch (a compartment's system call) or the
 * seccomp filter (syscall.c). */
static __attribute__((noreturn)) void syscall_report(siginfo_t *si, ucontext_t *uc) {
  int64_t pkru = saved_pkru(uc);
  uintptr_t rip = (uintptr_t)si->si_call_addr;
  int from = pkru >= 0 ? compartment_of_pkru((uint32_t)pkru) : __flexos_code_compartment((const void *)rip);
  int code = __flexos_code_compartment((const void *)rip);
  uintptr_t off = 0;
  const char *fn = hosted_symbol(rip, &off);
  const char *why;
  if (si->si_code == 2) /* SYS_USER_DISPATCH */
    why = "a compartment reaches the kernel only through a gate into the default compartment";
  else if (si->si_arch != 0xc000003eu) /* AUDIT_ARCH_X86_64 */
    why = "only the 64-bit system call ABI is allowed (this was int $0x80 or another ABI)";
  else if (si->si_syscall & 0x40000000)
    why = "the x32 system call ABI is not allowed";
  else if (rip == hosted_sigreturn_site + 2)
    why = "the runtime's sigreturn site was used without its secret: a forged signal return";
  else
    why = "refused by the seccomp filter";
  hosted_say("flexos: SYSCALL: from=%s made system call %d (%s): %s\n",
      from >= 0 ? flexos_compartment_name(from) : "?", si->si_syscall,
      hosted_syscall_name(si->si_syscall & ~0x40000000), why);
  hosted_say("flexos:   at rip %#lx <%s+0x%lx>, code of %s\n", (unsigned long)rip, fn ? fn : "?",
      (unsigned long)off, code >= 0 ? flexos_compartment_name(code) : "libc or the runtime");
  _exit(FLEXOS_EXIT_FAULT);
}

/* Linux turns a signal whose frame it cannot write into SIGSEGV
 * (SI_KERNEL): the interrupted stack is not writable with the interrupted
 * compartment's rights.  Say so when the stack belongs to someone else: a
 * compartment that moved its stack pointer, or a signal in the few
 * instructions of a gate between its WRPKRU and its stack switch. */
static void undeliverable_signal(const ucontext_t *uc, int from) {
  uintptr_t rsp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
  uint64_t tid = 0;
  int owner = hosted_stack_owner(rsp - 256, &tid);
  if (owner == from && owner >= 0)
    return;
  char what[300];
  describe(rsp - 256, what, sizeof what);
  hosted_say("flexos:   probably an undeliverable signal: compartment %s was running with its stack "
      "pointer at %#lx (%s), where Linux cannot write a signal frame with its rights; a "
      "signal arriving inside a gate's switch does this too (docs/hosted.md)\n",
      from >= 0 ? flexos_compartment_name(from) : "?", (unsigned long)rsp, what);
}

__attribute__((noreturn)) void hosted_fault_report(int sig, siginfo_t *si, ucontext_t *uc) {
  if (sig == SIGSYS)
    syscall_report(si, uc);
  uintptr_t addr = (uintptr_t)si->si_addr;
  uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  uint64_t err = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
  int pk = sig == SIGSEGV && si->si_code == SEGV_PKUERR_CODE;
  int64_t pkru = saved_pkru(uc);
  int from = pkru >= 0 ? compartment_of_pkru((uint32_t)pkru) : __flexos_code_compartment((const void *)rip);
  int code = __flexos_code_compartment((const void *)rip);
  char what[300];
  describe(addr, what, sizeof what);
  uint32_t key = 0;
  memcpy(&key, (const char *)si + 32, 4); /* si_pkey (x86-64 layout) */
  hosted_say("flexos: FAULT: %s: from=%s touched=%s\n",
      pk ? "protection-key fault" : sig == SIGBUS ? "bus error" : "segmentation fault",
      from >= 0 ? flexos_compartment_name(from) : "?", what);
  hosted_say("flexos:   %s of %#lx%s", err & 2 ? "write" : "read", (unsigned long)addr,
      pk ? "" : "");
  if (!pk)
    hosted_say(" (trap %lld, error code %#llx, si_code %d)\n",
        (long long)uc->uc_mcontext.gregs[REG_TRAPNO], (long long)err, si->si_code);
  if (!pk && sig == SIGSEGV && si->si_code == SI_KERNEL)
    undeliverable_signal(uc, from);
  if (pk)
    hosted_say(" (page key %u), PKRU %#lx\n", key, (unsigned long)(pkru < 0 ? 0 : pkru));
  uintptr_t off = 0;
  const char *fn = hosted_symbol(rip, &off);
  hosted_say("flexos:   at rip %#lx <%s+0x%lx>, code of %s:", (unsigned long)rip, fn ? fn : "?",
      (unsigned long)off, code >= 0 ? flexos_compartment_name(code) : "libc or the runtime");
  /* The bytes, when rip is in this executable's code (reading elsewhere
   * could fault again, here). */
  extern char __executable_start[], etext[];
  for (int i = 0; i < 8 && rip >= (uintptr_t)__executable_start && rip + i < (uintptr_t)etext; i++)
    hosted_say(" %02x", ((const unsigned char *)rip)[i]);
  hosted_say("\n");
  if (pk)
    _exit(FLEXOS_EXIT_FAULT);
  /* Not a key fault: end the way such a fault ends without flexos. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  __real_sigaction(sig, &dfl, 0);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  raise(sig);
  sigprocmask(SIG_UNBLOCK, &set, 0);
  _exit(128 + sig);
}
