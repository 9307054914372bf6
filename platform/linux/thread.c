/*
 * FILE: platform/linux/thread.c
 * DESCRIPTION:
 *   Per-thread state of a hosted flexos program, as the gates expect it
 *   (docs/abi.md): a struct flexos_tcb reached through the GS base
 *   (arch_prctl; glibc uses FS only) and kept in the thread's TLS, system
 *   calls blocked outside the default compartment (syscall.c), a trusted
 *   signal stack (signal.c), one private stack per non-default
 *   compartment with that compartment's key and its gate slot at the top
 *   (so only that compartment can move its own stack pointer), the
 *   default compartment's gate slot in key-0 memory, and a shared stack
 *   (key 15) for flexos_share locals.
 *
 *   The main thread gets its state before main (start.c); threads made
 *   with pthread_create get theirs on entry (the link wraps
 *   pthread_create), and lose it when they exit (a pthread key
 *   destructor).  Compartment stacks and TLS copies come with the thread's
 *   first gate out of the default compartment (hosted_thread_enter_first);
 *   they are reserved, not committed: a page costs memory only once a gate
 *   into that compartment has touched it.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"

__thread struct hosted_tcb hosted_tls_tcb __attribute__((aligned(64)));

struct hosted_thread {
  uint64_t thread_id;
  char *tls[FLEXOS_MAX_COMPARTMENTS];    /* each compartment's TLS copy */
  struct flexos_gate_slot default_slot;  /* key 0: only default writes */
  char *stack[FLEXOS_MAX_COMPARTMENTS];  /* lowest usable address */
  char *shared_stack;
  uintptr_t own_lo, own_hi;              /* the thread's own (default) stack */
  struct hosted_thread *next;
};

static struct hosted_thread *threads; /* every live thread, for reports */
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_thread_id = 1;
static __thread struct hosted_thread *self;
static pthread_key_t exit_key;

/* STACK bytes for `key` above a guard page, with the 16-byte struct at
 * the top (gate slot or shared-stack header) pointing at itself as the
 * initial stack top, written before the pages get their key. */
static char *stack_create(size_t bytes, int key, uint64_t **top_struct) {
  char *base = hosted_map(bytes, -1, 1);
  if (!base)
    return 0;
  uint64_t *top = (uint64_t *)(base + bytes - 16);
  top[0] = (uint64_t)top;
  top[1] = (uint64_t)base;
  if (hosted_key(base, bytes, key) != 0) {
    munmap(base - 4096, bytes + 4096);
    return 0;
  }
  *top_struct = top;
  return base;
}

static void stack_free(char *base, size_t bytes) {
  if (base)
    munmap(base - 4096, bytes + 4096);
}

/* ---- a TLS of its own for each compartment ------------------------------
 * glibc reaches errno, the locale, the stack protector's canary and every
 * __thread variable through FS: the thread's static TLS block just below
 * the thread pointer and glibc's thread descriptor at it, in key-0 memory
 * that other compartments may only read.  Each compartment gets a copy of
 * both with its own key, and the gates load its FS base (WRFSBASE, when
 * Linux allows it: HWCAP2_FSGSBASE).  A compartment's errno and thread
 * locals are then its own, per thread. */
extern const uint32_t _thread_db_sizeof_pthread; /* glibc: sizeof(struct pthread) */
static size_t tls_below, tls_above;               /* bytes below and above TP */
uint32_t hosted_fsgsbase; /* Linux allows RD/WRFSBASE: the TLS copies are used */
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

/* tls_below always; tls_above only where copies can be used. */
static void tls_geometry(void) {
  const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
  size_t n = getauxval(AT_PHNUM);
  for (size_t i = 0; ph && i < n; i++)
    if (ph[i].p_type == PT_TLS) {
      size_t align = ph[i].p_align ? ph[i].p_align : 1;
      tls_below = (ph[i].p_memsz + align - 1) & ~(align - 1);
    }
  if (getauxval(AT_HWCAP2) & 2) { /* HWCAP2_FSGSBASE */
    tls_above = _thread_db_sizeof_pthread;
    hosted_fsgsbase = 1;
  }
}

static size_t round_page(size_t n) { return (n + 4095) & ~(size_t)4095; }

/* A copy of this thread's TLS and descriptor with compartment i's key;
 * returns its thread pointer (0: no copies on this system). */
static char *tls_copy(struct hosted_thread *t, uint32_t i) {
  pthread_once(&tls_once, tls_geometry);
  if (!tls_above)
    return 0;
  size_t below = round_page(tls_below), bytes = below + round_page(tls_above);
  char *base = hosted_map(bytes, -1, 1);
  if (!base)
    return (char *)-1;
  char *tp = (char *)__builtin_thread_pointer();
  char *copy = base + below;
  memcpy(copy - tls_below, tp - tls_below, tls_below + tls_above);
  ((uint64_t *)copy)[0] = (uint64_t)copy; /* tcbhead_t: tcb, dtv, self */
  ((uint64_t *)copy)[2] = (uint64_t)copy;
  if (hosted_key(base, bytes, FLEXOS_KEY_OF((int)i)) != 0) {
    munmap(base - 4096, bytes + 4096);
    return (char *)-1;
  }
  t->tls[i] = base;
  return copy;
}

static void tls_free(struct hosted_thread *t) {
  size_t bytes = round_page(tls_below) + round_page(tls_above);
  for (uint32_t i = 0; i < FLEXOS_MAX_COMPARTMENTS; i++)
    if (t->tls[i])
      munmap(t->tls[i] - 4096, bytes + 4096);
}

static void thread_free(struct hosted_thread *t) {
  hosted_signal_thread_fini(&hosted_tls_tcb);
  tls_free(t);
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    stack_free(t->stack[i], HOSTED_STACK_BYTES);
  stack_free(t->shared_stack, HOSTED_SHARED_STACK_BYTES);
  munmap(t, sizeof *t);
}

/* glibc registers an rseq area in the thread's TLS (key 0), and the
 * kernel writes it, with the live PKRU, whenever it preempts or migrates
 * the thread: inside a compartment, where key 0 is write-disabled, that
 * write fails and the kernel kills the thread (SIGSEGV, SI_KERNEL).  So
 * every thread drops its registration; glibc then asks the kernel
 * (sched_getcpu) instead. */
static int rseq_drop(void) {
  if (__rseq_size == 0)
    return 0; /* not registered (old kernel, or glibc.pthread.rseq=0) */
  struct rseq *area = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
  if ((int32_t)area->cpu_id < 0)
    return 0; /* this thread's registration failed or never happened */
  /* glibc 2.35-2.39 register 32 bytes but publish 20 in __rseq_size */
  if (syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0 &&
      syscall(SYS_rseq, area, (unsigned)sizeof *area, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0)
    return -1;
  area->cpu_id = RSEQ_CPU_ID_REGISTRATION_FAILED;
  return 0;
}

/* The thread's own stack belongs to the default compartment: its key, so
 * that other compartments can no more read it than its globals and heap.
 * The main thread's is the [stack] mapping (keyed as a whole, growth
 * included); a pthread's is what pthread_getattr_np reports, below
 * glibc's TLS and descriptor, which keep key 0. */
static int stack_key_default(struct hosted_thread *t) {
  uintptr_t lo = 0, hi = 0;
  pthread_once(&tls_once, tls_geometry);
  if (getpid() == (pid_t)syscall(SYS_gettid)) {
    FILE *maps = fopen("/proc/self/maps", "re");
    char line[512];
    while (maps && fgets(line, sizeof line, maps))
      if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
        break;
    if (maps)
      fclose(maps);
  } else {
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        /* glibc's block holds the TLS and descriptor at its top (with
         * this TCB, which the gates read in every compartment) */
        uintptr_t tls = (uintptr_t)__builtin_thread_pointer() - tls_below;
        lo = ((uintptr_t)addr + 4095) & ~(uintptr_t)4095;
        hi = ((uintptr_t)addr + size) & ~(uintptr_t)4095;
        if (tls >= lo && tls < hi)
          hi = tls & ~(uintptr_t)4095;
      }
      pthread_attr_destroy(&attr);
    }
  }
  if (lo >= hi)
    return -1;
  t->own_lo = lo;
  t->own_hi = hi;
  return pkey_mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE,
                       FLEXOS_KEY_OF((int)hosted.def));
}

/* The thread's first entry into a compartment (the gates call this from
 * the default compartment when the callee's gate slot is still empty):
 * a stack and a TLS copy in every non-default compartment, so that gates
 * between them find theirs too.  Threads that never leave the default
 * compartment never pay for them. */
void hosted_thread_enter_first(void) {
  struct hosted_thread *t = self;
  struct flexos_tcb *tcb = &hosted_tls_tcb.tcb;
  if (!t)
    hosted_die("a gate on a thread the flexos runtime did not set up "
               "(create threads with pthread_create)");
  uint64_t *top;
  for (uint32_t i = 0; i < hosted.ncomp; i++) {
    if (i == hosted.def || t->stack[i])
      continue;
    if (!(t->stack[i] = stack_create(HOSTED_STACK_BYTES, FLEXOS_KEY_OF((int)i), &top)))
      hosted_die("thread %lu: cannot create its stack in compartment %s: %s",
                 (unsigned long)t->thread_id, flexos_compartment_name((int)i), strerror(errno));
    char *tp = tls_copy(t, i);
    if (tp == (char *)-1)
      hosted_die("thread %lu: cannot copy its TLS for compartment %s: %s",
                 (unsigned long)t->thread_id, flexos_compartment_name((int)i), strerror(errno));
    if (tp)
      tcb->fs_base[i] = (uint64_t)tp;
    tcb->gate_slot[i] = (uint64_t)top; /* last: the gates test it */
  }
}

/* The gates reach the trampoline (thread_entry.S) by a weak reference, which
 * does not pull an archive member into the link: this one does. */
extern char __flexos_thread_enter_first[];
__attribute__((used)) static void *const keep_enter_first = __flexos_thread_enter_first;

int hosted_thread_setup(void) {
  if (!hosted.pku)
    return 0;
  if (rseq_drop() != 0)
    hosted_die("cannot unregister glibc's rseq area (%s): the kernel would write it "
               "inside compartments; run with GLIBC_TUNABLES=glibc.pthread.rseq=0",
               strerror(errno));
  struct hosted_thread *t = mmap(0, sizeof *t, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (t == MAP_FAILED)
    return -1;
  if (stack_key_default(t) != 0)
    hosted_die("cannot give this thread's stack the default compartment's key: %s",
               strerror(errno));
  struct flexos_tcb *tcb = &hosted_tls_tcb.tcb;
  memset(&hosted_tls_tcb, 0, sizeof hosted_tls_tcb);
  tcb->self = (uint64_t)tcb;
  tcb->thread_id = t->thread_id = __atomic_fetch_add(&next_thread_id, 1, __ATOMIC_RELAXED);
  tcb->gate_slot[hosted.def] = (uint64_t)&t->default_slot;
  /* other compartments' slots stay 0 until hosted_thread_enter_first */
  uint64_t *top;
  if (!(t->shared_stack = stack_create(HOSTED_SHARED_STACK_BYTES, FLEXOS_SHARED_KEY, &top)))
    goto fail;
  tcb->shared_stack = (uint64_t)top;
  tcb->shared_stack_limit = top[1]; /* trusted copies (abi.h) */
  tcb->shared_stack_base = top[0];
  if (hosted_fault_thread_init() != 0 || hosted_signal_thread_init(&hosted_tls_tcb) != 0)
    goto fail;
  if (syscall(SYS_arch_prctl, ARCH_SET_GS, tcb) != 0)
    goto fail;
  /* From here on, this thread's system calls obey tcb->syscall_block. */
  if (hosted_syscalls_thread() != 0)
    goto fail;
  pthread_once(&tls_once, tls_geometry);
  if (tls_above) /* compartments run on TLS copies: FS switches in gates */
    tcb->fs_base[hosted.def] = (uint64_t)__builtin_thread_pointer();
  hosted_tls_tcb.fs_default = tcb->fs_base[hosted.def];
  self = t;
  pthread_mutex_lock(&threads_lock);
  t->next = threads;
  threads = t;
  pthread_mutex_unlock(&threads_lock);
  return 0;
fail:
  thread_free(t);
  return -1;
}

void hosted_thread_teardown(void) {
  struct hosted_thread *t = self;
  if (!t)
    return;
  /* The thread is on its way out: no signal may need the signal stack or
   * the TCB's stacks from here on.  The TCB itself stays (TLS). */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, 0);
  pthread_mutex_lock(&threads_lock);
  for (struct hosted_thread **p = &threads; *p; p = &(*p)->next)
    if (*p == t) {
      *p = t->next;
      break;
    }
  pthread_mutex_unlock(&threads_lock);
  hosted_fault_thread_fini();
  syscall(SYS_arch_prctl, ARCH_SET_GS, 0ul);
  self = 0;
  thread_free(t);
}

/* The stack (of any thread) holding addr: a compartment index (the
 * default one for the thread's own stack), HOSTED_SHARED_ARENA for a
 * shared stack, or -1; its bounds and thread.  guard: the guard page below
 * a compartment or shared stack counts too (fault reports).  Called from
 * the fault reporter and the signal entry: no lock (it may be held by the
 * interrupted thread); the list only ever gains entries at its head. */
static int stack_find(uintptr_t addr, int guard, uintptr_t *lo, uintptr_t *hi,
                      uint64_t *thread_id) {
  uintptr_t below = guard ? 4096 : 0;
  for (struct hosted_thread *t = threads; t; t = t->next) {
    int owner = -1;
    for (uint32_t i = 0; i < hosted.ncomp && owner < 0; i++)
      if (t->stack[i] && addr >= (uintptr_t)t->stack[i] - below &&
          addr < (uintptr_t)t->stack[i] + HOSTED_STACK_BYTES) {
        owner = (int)i;
        *lo = (uintptr_t)t->stack[i];
        *hi = *lo + HOSTED_STACK_BYTES;
      }
    if (owner < 0 && addr >= (uintptr_t)t->shared_stack - below &&
        addr < (uintptr_t)t->shared_stack + HOSTED_SHARED_STACK_BYTES) {
      owner = HOSTED_SHARED_ARENA;
      *lo = (uintptr_t)t->shared_stack;
      *hi = *lo + HOSTED_SHARED_STACK_BYTES;
    }
    if (owner < 0 && addr >= t->own_lo && addr < t->own_hi) {
      owner = (int)hosted.def;
      *lo = t->own_lo;
      *hi = t->own_hi;
    }
    if (owner >= 0) {
      *thread_id = t->thread_id;
      return owner;
    }
  }
  return -1;
}

int hosted_stack_owner(uintptr_t addr, uint64_t *thread_id) {
  uintptr_t lo, hi;
  return stack_find(addr, 1, &lo, &hi, thread_id);
}

int hosted_stack_region(uintptr_t addr, uintptr_t *lo, uintptr_t *hi) {
  uint64_t thread_id;
  return stack_find(addr, 0, lo, hi, &thread_id);
}

uint64_t flexos_thread_id(void) { return self ? self->thread_id : 0; }

/* ---- pthread_create (linked with --wrap=pthread_create) --------------- */

struct start {
  void *(*fn)(void *);
  void *arg;
  sigset_t mask; /* the creator's: the thread unblocks signals once set up */
};

static void thread_exit(void *t) {
  (void)t;
  hosted_thread_teardown();
}

static void exit_key_create(void) {
  if (pthread_key_create(&exit_key, thread_exit) != 0)
    hosted_die("pthread_key_create failed: no thread can get compartment stacks");
}

static void *thread_entry(void *p) {
  struct start s = *(struct start *)p;
  free(p);
  if (hosted_thread_setup() != 0)
    hosted_die("cannot create a new thread's compartment stacks: %s", strerror(errno));
  if (self)
    pthread_setspecific(exit_key, self);
  pthread_sigmask(SIG_SETMASK, &s.mask, 0);
  return s.fn(s.arg);
}

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  if (hosted_current() != (int)flexos_image_config.default_index)
    hosted_die("pthread_create called from compartment %s: threads are created by "
               "the default compartment (call it through a gate)",
               flexos_compartment_name(hosted_current()));
  pthread_once(&once, exit_key_create);
  struct start *s = malloc(sizeof *s);
  if (!s)
    return EAGAIN;
  s->fn = fn;
  s->arg = arg;
  /* The new thread starts with every signal blocked: a handler needs the
   * signal stack that hosted_thread_setup gives it. */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &s->mask);
  int rc = __real_pthread_create(thread, attr, thread_entry, s);
  pthread_sigmask(SIG_SETMASK, &s->mask, 0);
  if (rc != 0)
    free(s);
  return rc;
}

/* Plugin-compiled code calls this when a function's flexos_share locals
 * do not fit the thread's shared stack (passes/SharedLocals.cpp); it may
 * run in any compartment, so it ends through hosted_die. */
void __flexos_shared_stack_overflow(void) {
  int c = hosted_current();
  hosted_die("FAULT: shared stack overflow in compartment %s: the flexos_share "
             "locals of a function do not fit the thread's %lu KiB shared stack",
             c >= 0 ? flexos_compartment_name(c) : "?", HOSTED_SHARED_STACK_BYTES >> 10);
}
