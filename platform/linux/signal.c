/*
 * FILE: platform/linux/signal.c
 * DESCRIPTION:
 *   Signal handlers of a hosted flexos program always run in the default
 *   compartment, with its rights and with system calls allowed, whatever
 *   compartment the signal interrupted; the interrupted code resumes with
 *   its own rights and its own syscall_block.
 *
 *   sigaction() and signal() are wrapped (the link passes --wrap): the
 *   kernel sees __flexos_signal_entry (signal_entry.S) for every handler,
 *   with every signal blocked while it runs and no alternate stack, so
 *   Linux writes the frame on the interrupted stack, with the interrupted
 *   rights: in memory of the compartment that was running.  Linux 6.1
 *   enters the handler with its initial PKRU (key 0 only).  The entry
 *   proves that it was entered by the kernel (it writes a key-0 token that
 *   no compartment can write), opens every key and calls
 *   hosted_signal_prepare here, which:
 *     - decides which compartment was interrupted from where the frame is
 *       (its stack, heap or data), never from what the frame says: the
 *       compartment's other threads can rewrite their own memory;
 *     - copies the frame and its XSAVE area into this thread's trusted
 *       context (key 0), and writes that compartment's PKRU into the copy;
 *     - remembers syscall_block and allows system calls for the handler.
 *   The entry then drops to the default compartment's rights and calls
 *   hosted_signal_run, which runs the application's handler with the copy
 *   (so the handler may edit the context, as usual), and resumes through
 *   rt_sigreturn on the copy at the sigreturn site (syscall.c), with
 *   syscall_block as it was.
 *   SIGSEGV, SIGBUS and SIGSYS stay with the fault reporter (fault.c), and
 *   so does the alternate signal stack (sigaltstack is wrapped too).
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "linux.h"

#define SIGNAL_STACK_BYTES (64ul << 10)
#define XSAVE_BYTES (32ul << 10)
#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#endif
#define XFEATURE_PKRU (1ull << 9)

/* The kernel's struct rt_sigframe on x86-64, at the handler's rsp. */
struct kernel_ucontext {
  uint64_t uc_flags;
  uint64_t uc_link;
  stack_t uc_stack;
  struct sigcontext uc_mcontext;
  uint64_t uc_sigmask;
};
struct kernel_sigframe {
  uint64_t pretcode;
  struct kernel_ucontext uc;
  siginfo_t info;
};
_Static_assert(sizeof(struct kernel_ucontext) == 304, "struct ucontext");
_Static_assert(sizeof(struct kernel_sigframe) == 440, "struct rt_sigframe");

struct hosted_signal_ctx {
  uint32_t armed;       /* 1 between prepare and run (HOSTED_CTX_ARMED) */
  uint32_t saved_block; /* syscall_block when the signal came */
  int sig, comp;
  uint64_t resume_fs;   /* the interrupted compartment's FS base, or 0 */
  struct kernel_sigframe copy;
  unsigned char xsave[XSAVE_BYTES] __attribute__((aligned(64)));
};
_Static_assert(offsetof(struct hosted_signal_ctx, armed) == HOSTED_CTX_ARMED, "ctx");
_Static_assert(offsetof(struct hosted_signal_ctx, saved_block) == HOSTED_CTX_SAVED_BLOCK, "ctx");
_Static_assert(offsetof(struct hosted_signal_ctx, resume_fs) == HOSTED_CTX_RESUME_FS, "ctx");


void __flexos_signal_entry(int sig, siginfo_t *si, void *uc);
int __real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* The application's own actions, as it asked for them. */
static struct sigaction app_action[NSIG];
static unsigned char app_known[NSIG];
static pthread_mutex_t action_lock = PTHREAD_MUTEX_INITIALIZER;

static int reserved(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGSYS ||
         (sig == SIGTRAP && hosted_record_on); /* record mode steps with it */
}

int __wrap_sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  if (!hosted.pku || sig < 1 || sig >= NSIG)
    return __real_sigaction(sig, act, old);
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before); /* a handler reads app_action */
  pthread_mutex_lock(&action_lock);
  int rc = 0;
  if (!app_known[sig] && __real_sigaction(sig, 0, &app_action[sig]) == 0)
    app_known[sig] = 1;
  struct sigaction prev = app_action[sig];
  if (act && !reserved(sig)) {
    struct sigaction k = *act;
    if (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN) {
      k.sa_sigaction = (void (*)(int, siginfo_t *, void *))__flexos_signal_entry;
      k.sa_flags = SA_SIGINFO | (act->sa_flags & (SA_RESTART | SA_RESETHAND | SA_NOCLDSTOP |
                                                  SA_NOCLDWAIT));
      /* Every signal blocked, but for the fault reporter's: Linux kills a
       * process silently when a fault's signal is blocked, and a fault in
       * the entry or the handler deserves its report. */
      sigfillset(&k.sa_mask);
      sigdelset(&k.sa_mask, SIGSEGV);
      sigdelset(&k.sa_mask, SIGBUS);
      sigdelset(&k.sa_mask, SIGSYS);
    }
    rc = __real_sigaction(sig, &k, 0);
  }
  if (act && rc == 0)
    app_action[sig] = *act; /* reserved ones are recorded, not installed */
  pthread_mutex_unlock(&action_lock);
  pthread_sigmask(SIG_SETMASK, &before, 0);
  if (rc == 0 && old)
    *old = prev;
  return rc;
}

/* sigaltstack belongs to the fault reporter: its per-thread key-15 stack
 * is where Linux writes a compartment's fault frame.  The application's
 * own alternate stack is recorded and given back, not installed (its
 * handlers run on the runtime's signal stack anyway). */
static __thread stack_t app_altstack = {.ss_flags = SS_DISABLE};
int __real_sigaltstack(const stack_t *ss, stack_t *old);

int __wrap_sigaltstack(const stack_t *ss, stack_t *old) {
  if (!hosted.pku)
    return __real_sigaltstack(ss, old);
  if (ss && !(ss->ss_flags & SS_DISABLE) && ss->ss_size < (size_t)MINSIGSTKSZ) {
    errno = ENOMEM;
    return -1;
  }
  if (old)
    *old = app_altstack;
  if (ss)
    app_altstack = *ss;
  return 0;
}

sighandler_t __wrap_signal(int sig, sighandler_t handler) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = SA_RESTART; /* glibc's signal(): BSD semantics */
  sigemptyset(&sa.sa_mask);
  if (__wrap_sigaction(sig, &sa, &old) != 0)
    return SIG_ERR;
  return old.sa_handler;
}

int hosted_signal_thread_init(struct hosted_tcb *t) {
  if (!hosted.pku)
    return 0;
  char *stack = hosted_map(SIGNAL_STACK_BYTES, -1, 1);
  if (!stack)
    return -1;
  struct hosted_signal_ctx *c = mmap(0, sizeof *c, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (c == MAP_FAILED) {
    munmap(stack - 4096, SIGNAL_STACK_BYTES + 4096);
    return -1;
  }
  t->signal_stack = (uint64_t)(stack + SIGNAL_STACK_BYTES);
  t->signal_ctx = (uint64_t)c;
  return 0;
}

void hosted_signal_thread_fini(struct hosted_tcb *t) {
  if (t->signal_stack)
    munmap((char *)t->signal_stack - SIGNAL_STACK_BYTES - 4096, SIGNAL_STACK_BYTES + 4096);
  if (t->signal_ctx)
    munmap((void *)t->signal_ctx, sizeof(struct hosted_signal_ctx));
  t->signal_stack = t->signal_ctx = 0;
}

/* Whose memory holds addr, and the bounds of that region: a compartment
 * index; -1 for memory that every compartment may write (shared section,
 * heap and stacks), where no frame of ours may be; the default compartment
 * for everything else (key 0: only its rights could have written there). */
static int region_owner(uintptr_t addr, uintptr_t *lo, uintptr_t *hi) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  extern char __flexos_shared_start[], __flexos_shared_end[];
  if (addr >= (uintptr_t)__flexos_shared_start && addr < (uintptr_t)__flexos_shared_end)
    return -1;
  for (uint32_t i = 0; i < cfg->ncompartments; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    if (i != hosted.def && addr >= c->rw_start && addr < c->rw_end) {
      *lo = c->rw_start;
      *hi = c->rw_end;
      return (int)i;
    }
  }
  int owner = hosted_heap_region(addr, lo, hi);
  if (owner < 0)
    owner = hosted_stack_region(addr, lo, hi);
  if (owner == HOSTED_SHARED_ARENA)
    return -1;
  if (owner >= 0 && (uint32_t)owner != hosted.def)
    return owner;
  *lo = 0;
  *hi = UINTPTR_MAX;
  return (int)hosted.def;
}

static void refuse(int sig, const char *why) {
  hosted_die("signal %d (%s): %s", sig, strsignal(sig), why);
}

static uint32_t pkru_offset(void) {
  static uint32_t off;
  if (!off) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(0xd, 9, &a, &b, &c, &d) || !b)
      hosted_die("CPUID leaf 0xd gives no PKRU component: no protection keys?");
    off = b;
  }
  return off;
}

/* The copy resumes the interrupted compartment with its own rights. */
static void force_rights(struct hosted_signal_ctx *c) {
  unsigned char *x = c->xsave;
  uint64_t v;
  c->copy.uc.uc_mcontext.fpstate = (struct _fpstate *)x;
  memcpy(&v, x + 472, 8); /* sw_reserved.xfeatures */
  v |= XFEATURE_PKRU;
  memcpy(x + 472, &v, 8);
  memcpy(&v, x + 512, 8); /* XSTATE_BV: else XRSTOR loads PKRU's init value, 0 */
  v |= XFEATURE_PKRU;
  memcpy(x + 512, &v, 8);
  memcpy(x + pkru_offset(), &hosted.pkru[c->comp], 4);
  c->copy.uc.uc_mcontext.cs = 0x33; /* 64-bit user code and data: the */
  c->copy.uc.uc_mcontext.__pad0 = 0x2b; /* (ss) frame's could say otherwise */
  void *sp;
  size_t size;
  hosted_fault_altstack(&sp, &size); /* rt_sigreturn restores uc_stack too */
  c->copy.uc.uc_stack.ss_sp = sp;
  c->copy.uc.uc_stack.ss_size = size;
  c->copy.uc.uc_stack.ss_flags = 0;
}

/* PKRU 0, on the thread's signal stack, every signal blocked. */
void hosted_signal_prepare(int sig, siginfo_t *si, void *uc, uintptr_t frame) {
  struct hosted_tcb *t = &hosted_tls_tcb;
  struct hosted_signal_ctx *c = (struct hosted_signal_ctx *)t->signal_ctx;
  uint32_t block = (uint32_t)(t->tcb.syscall_block & 0xff);
  t->tcb.syscall_block = FLEXOS_SYSCALL_ALLOW; /* for the handler */
  if ((uintptr_t)uc != frame + 8 || (uintptr_t)si != frame + 8 + sizeof(struct kernel_ucontext))
    refuse(sig, "the signal frame is not where Linux puts it");
  uintptr_t lo, hi;
  int comp = region_owner(frame, &lo, &hi);
  if (comp < 0)
    refuse(sig, "it interrupted code running with its stack in shared memory");
  if (block == FLEXOS_SYSCALL_ALLOW && (uint32_t)comp != hosted.def)
    refuse(sig, "the frame lies in a compartment's memory, but system calls were allowed");
  if (frame + sizeof c->copy > hi)
    refuse(sig, "the frame crosses the end of the interrupted compartment's memory");
  memcpy(&c->copy, (const void *)frame, sizeof c->copy);
  /* The XSAVE area: just above the frame, 64-byte aligned, in the same
   * region, with both magic numbers. */
  uintptr_t fp = (uintptr_t)c->copy.uc.uc_mcontext.fpstate;
  if (fp % 64 || fp < frame + sizeof c->copy || fp > frame + sizeof c->copy + 64 ||
      fp + 512 + 64 > hi)
    refuse(sig, "the frame has no XSAVE area of its own (XSAVE is required)");
  uint32_t magic1, ext, xsize, magic2;
  memcpy(&magic1, (const void *)(fp + 464), 4);
  memcpy(&ext, (const void *)(fp + 468), 4);
  memcpy(&xsize, (const void *)(fp + 480), 4);
  if (magic1 != FP_XSTATE_MAGIC1 || ext != xsize + 4 || ext > XSAVE_BYTES ||
      xsize < pkru_offset() + 4 || fp + ext > hi)
    refuse(sig, "the frame's XSAVE area is not the kernel's");
  memcpy(c->xsave, (const void *)fp, ext);
  memcpy(&magic2, c->xsave + xsize, 4);
  if (magic2 != FP_XSTATE_MAGIC2)
    refuse(sig, "the frame's XSAVE area is not the kernel's");
  c->sig = sig;
  c->comp = comp;
  c->saved_block = block;
  c->resume_fs = t->tcb.fs_base[comp];
  force_rights(c);
  c->armed = 1;
}

/* The default compartment's rights, on the signal stack: the handler. */
struct kernel_ucontext *hosted_signal_run(struct hosted_signal_ctx *c) {
  int sig = c->sig;
  struct sigaction a = app_action[sig];
  if (a.sa_handler == SIG_DFL) {
    /* changed to the default after the signal came: let the kernel act
     * on it once the context is back */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    __real_sigaction(sig, &dfl, 0);
    raise(sig);
  } else if (a.sa_handler != SIG_IGN) {
    if (a.sa_flags & SA_RESETHAND)
      app_action[sig].sa_handler = SIG_DFL;
    if (a.sa_flags & SA_SIGINFO)
      a.sa_sigaction(sig, &c->copy.info, &c->copy.uc);
    else
      a.sa_handler(sig);
  }
  force_rights(c); /* whatever the handler did to the context */
  return &c->copy.uc;
}
