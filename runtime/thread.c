/*
 * FILE: runtime/thread.c
 * DESCRIPTION:
 *   Cooperative threads.  At creation every thread gets, for each
 *   compartment, a private stack (keyed with that compartment's key, a
 *   guard page below) whose top 16 bytes hold the thread's
 *   struct flexos_gate_slot for that compartment; a shared stack (key 15)
 *   topped by its struct flexos_shared_stack; an RPC slot on the shared
 *   heap; and a TCB in common memory (key 0), which GS.base points at while
 *   the thread runs.  Threads start in the default compartment on its
 *   stack, entering the default PKRU through the interrupt gate's exit
 *   path.  The scheduler is round robin; the boot context is thread 0 and
 *   idles: when no other thread is ready it halts the CPU until the next
 *   interrupt.  Threads block in flexos_thread_join or park
 *   (flexos_thread_park/unpark: a wake-up token per thread, an optional
 *   deadline in ticks), which lock-free primitives such as lwIP's
 *   semaphores build on.  The thread calls come from the default
 *   compartment; the ctx_* primitives below from sched's (through gates
 *   into library `runtime`) and flexos_irq_wait from a driver's.
 *
 *   Under vm-ept each VM runs this file for its own compartment: threads
 *   get stacks only for compartments of this VM, and the VMs other than
 *   the default one serve gate calls on FIBER contexts (ept.c), one per
 *   nesting level of a calling thread.
 *
 *   Mechanism for a scheduler library (libs/sched, docs/sched.md), which
 *   keeps its policy state in its own compartment and reaches these
 *   through gates: flexos_ctx_create starts a thread directly in a given
 *   compartment; flexos_ctx_switch/block/resume/exit run the thread the
 *   scheduler names.  Such threads are runtime threads too: the round
 *   robin below runs them when they are READY and the scheduler did not
 *   name one, and the idle halt covers them.
 * License: MIT (see LICENSE)
 */
#include <string.h>

#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

#define MAX_THREADS 160 /* a server with 128 clients, lwIP, main */
#define STACK_PAGES 4 /* 16 KiB per compartment stack */
#define GS_BASE_MSR 0xc0000101

/* Set once GS.base points at a TCB (thread_init), before any compartment
 * runs; read by fault reports that may come earlier. */
SECTION_COMMON static int tcbs_ready;

/* PARKED threads wait for a token (flexos_thread_unpark, also from IRQ
 * context) or their deadline; BLOCKED ones for a thread to finish.
 * SUSPENDED ones (flexos_ctx_block) wait for flexos_ctx_resume or their
 * deadline; ZOMBIE ones ended with flexos_ctx_exit and nobody joins them:
 * their stacks are freed by the next thread creation (not while they
 * still run on them). */
enum state { FREE, READY, BLOCKED, PARKED, SUSPENDED, DONE, ZOMBIE, FIBER };
/* FIBER (vm-ept, VMs other than the default one): a context that serves
 * one gate request at a time for a thread of the default VM; runtime/ept.c
 * switches among them, the round robin never picks one. */

struct flexos_thread {
  uint64_t id;
  volatile enum state state; /* IRQ handlers move PARKED to READY */
  volatile int token;        /* an unpark not yet consumed by a park */
  volatile int woken;        /* made READY by an event, has not run since */
  uint64_t deadline;         /* PARKED, SUSPENDED: tick to wake at, 0 = none */
  uint64_t rsp; /* saved while not running */
  struct flexos_tcb *tcb;
  char *stack[FLEXOS_MAX_COMPARTMENTS]; /* guard page + STACK_PAGES */
  char *shared_stack;
  void (*fn)(void *);
  void *arg;
  struct flexos_thread *joiner;
};

static struct flexos_thread threads[MAX_THREADS];
SECTION_COMMON __attribute__((aligned(64))) static struct flexos_tcb tcbs[MAX_THREADS];
/* The first frames of flexos_ctx_create threads.  Common memory: the
 * default compartment writes them, and the exit path still reads the
 * frame after it switched to the new thread's compartment's PKRU, which
 * may read key 0 but not the default compartment's stack. */
#define START_FRAME_WORDS 32
SECTION_COMMON static uint64_t start_frames[MAX_THREADS][START_FRAME_WORDS];
static struct flexos_thread *current;
static uint64_t next_id;
/* Threads whose `woken` is set: made READY by an event -- an unpark (also
 * from IRQ context), a deadline, the end of a thread they join -- rather
 * than by the scheduler library, which may be busy switching among its own
 * threads.  They run before the thread the library names. */
static volatile int nwoken;
static uint64_t expiry_tick; /* flexos_ticks() when wake_expired last ran */

static void ready_by_event(struct flexos_thread *t) {
  t->state = READY;
  if (!t->woken) {
    t->woken = 1;
    __atomic_add_fetch(&nwoken, 1, __ATOMIC_RELAXED);
  }
}

static void clear_woken(struct flexos_thread *t) {
  if (t->woken) {
    t->woken = 0;
    __atomic_sub_fetch(&nwoken, 1, __ATOMIC_RELAXED);
  }
}

void thread_switch(uint64_t *save_rsp, uint64_t new_rsp);
extern char flexos_isr_exit[]; /* gates/interrupt_entry.S */
static void ctx_entry_returned(void);

/* STACK_PAGES pages keyed `key` above an unmapped guard page; the top 16
 * bytes are the struct at the top (gate slot or shared-stack header). */
static char *stack_create(int key, uint64_t **top_struct) {
  /* Filled in while still ours: once keyed, the default compartment can
   * no longer write another compartment's stack. */
  char *base = page_alloc_from(STACK_PAGES + 1, key, pku_default_key());
  if (!base)
    return 0;
  *top_struct = (uint64_t *)(base + (STACK_PAGES + 1) * PAGE_SIZE - 16);
  (*top_struct)[0] = (uint64_t)*top_struct; /* top: 16-byte aligned */
  (*top_struct)[1] = (uint64_t)(base + PAGE_SIZE);
  /* The return address of a flexos_ctx_create entry, which starts on
   * this stack with nothing of ours above it. */
  (*top_struct)[-1] = (uint64_t)ctx_entry_returned;
  paging_map((uintptr_t)base, STACK_PAGES + 1, key, 1);
  paging_unmap((uintptr_t)base, 1);
  return base;
}

static void stacks_free(struct flexos_thread *t) {
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    if (t->stack[i])
      page_free(t->stack[i], STACK_PAGES + 1);
  if (t->shared_stack)
    page_free(t->shared_stack, STACK_PAGES + 1);
  if (t->tcb->rpc_slot)
    flexos_free_shared((void *)t->tcb->rpc_slot);
  memset(t->stack, 0, sizeof(t->stack));
  t->shared_stack = 0;
}

/* Allocates every stack and slot of t; returns -1 when memory runs out. */
static int stacks_create(struct flexos_thread *t) {
  uint64_t *top;
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++) {
    if (!mechanism->has_compartment((int)i)) /* vm-ept: another VM's */
      continue;
    if (!(t->stack[i] = stack_create(FLEXOS_KEY_OF(i), &top)))
      return -1;
    t->tcb->gate_slot[i] = (uint64_t)top;
  }
  if (!(t->shared_stack = stack_create(FLEXOS_SHARED_KEY, &top)))
    return -1;
  t->tcb->shared_stack = (uint64_t)top;
  t->tcb->shared_stack_limit = top[1]; /* trusted copies (abi.h) */
  t->tcb->shared_stack_base = top[0];
  /* vm-ept: one slot per nesting level of calls the thread serves. */
  size_t bytes = mechanism->rpc_depth * sizeof(struct flexos_rpc_slot);
  void *rpc = flexos_malloc_shared(bytes);
  if (!rpc)
    return -1;
  memset(rpc, 0, bytes);
  t->tcb->rpc_slot = (uint64_t)rpc;
  t->tcb->rpc_slot_end = (uint64_t)rpc + bytes;
  return 0;
}

static __attribute__((noreturn)) void thread_start(struct flexos_thread *t);

/* The first "return" into a thread: thread_switch pops six registers and
 * returns to flexos_isr_exit, which restores PKRU from the frame and
 * iretqs to thread_start(t) on the default compartment's stack. */
static void frame_create(struct flexos_thread *t) {
  uint64_t top = ((uint64_t *)t->tcb->gate_slot[mechanism->home_compartment()])[0];
  uint64_t *sp = (uint64_t *)top;
  *--sp = 0;                            /* fake return address */
  uint64_t entry_rsp = (uint64_t)sp;
  *--sp = 0x10;                         /* ss */
  *--sp = entry_rsp;                    /* rsp */
  *--sp = 0x202;                        /* rflags: IF */
  *--sp = 0x08;                         /* cs */
  *--sp = (uint64_t)thread_start;       /* rip */
  *--sp = 0;                            /* error */
  *--sp = 0;                            /* vector */
  for (int r = 0; r < 15; r++)          /* rax .. r15; rdi = t */
    *--sp = r == 5 ? (uint64_t)t : 0;
  *--sp = flexos_default_pkru;          /* pkru */
  *--sp = (uint64_t)flexos_isr_exit;    /* thread_switch's ret */
  for (int r = 0; r < 6; r++)
    *--sp = 0;                          /* rbx, rbp, r12..r15 */
  t->rsp = (uint64_t)sp;
}

/* Frees the stacks of threads that ended with flexos_ctx_exit (never the
 * running one: it may be such a thread on its way out), then takes a free
 * slot. */
static struct flexos_thread *slot_alloc(void) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (threads[i].state == ZOMBIE && &threads[i] != current) {
      stacks_free(&threads[i]);
      threads[i].state = FREE;
    }
  for (int i = 1; i < MAX_THREADS; i++)
    if (threads[i].state == FREE)
      return &threads[i];
  return 0;
}

/* A slot with its TCB and every stack; 0 when threads or memory run out. */
static struct flexos_thread *thread_alloc(void) {
  struct flexos_thread *t = slot_alloc();
  if (!t)
    return 0;
  t->tcb = &tcbs[t - threads];
  memset(t->tcb, 0, sizeof(*t->tcb));
  t->tcb->self = (uint64_t)t->tcb;
  t->tcb->thread_id = t->id = ++next_id;
  if (stacks_create(t) < 0) {
    stacks_free(t);
    return 0;
  }
  t->joiner = 0;
  t->token = 0;
  t->deadline = 0;
  clear_woken(t);
  return t;
}

/* A thread that starts as fn(arg) in state `state`; 0 when threads or
 * memory run out. */
static struct flexos_thread *thread_start_as(void (*fn)(void *), void *arg,
                                             enum state state) {
  struct flexos_thread *t = thread_alloc();
  if (!t)
    return 0;
  t->fn = fn;
  t->arg = arg;
  frame_create(t);
  t->state = state;
  return t;
}

/* Returns the new thread, or 0 when threads or memory run out. */
struct flexos_thread *flexos_thread_create(void (*fn)(void *), void *arg) {
  return thread_start_as(fn, arg, READY);
}

/* Can an interrupt or a deadline make t ready? */
static int wakeable(const struct flexos_thread *t) {
  return t->state == PARKED || (t->state == SUSPENDED && t->deadline);
}

/* Parked and suspended threads whose deadline has passed become ready. */
static void wake_expired(void) {
  uint64_t now = flexos_ticks();
  for (int i = 1; i < MAX_THREADS; i++)
    if ((threads[i].state == PARKED || threads[i].state == SUSPENDED) &&
        threads[i].deadline && now >= threads[i].deadline)
      ready_by_event(&threads[i]);
}

/* Round robin from the thread after `current`; 0 if none is ready. */
static struct flexos_thread *pick_next(void) {
  mechanism->take_events();
  wake_expired();
  long cur = current - threads;
  for (long k = 1; k <= MAX_THREADS; k++) {
    struct flexos_thread *t = &threads[(cur + k) % MAX_THREADS];
    if (t->state == READY && t != current)
      return t;
  }
  return 0;
}

static void switch_to(struct flexos_thread *next) {
  struct flexos_thread *prev = current;
  clear_woken(next);
  current = next;
  wrmsr(GS_BASE_MSR, (uint64_t)next->tcb);
  thread_switch(&prev->rsp, next->rsp);
}

void flexos_thread_yield(void) {
  struct flexos_thread *next = pick_next();
  if (next)
    switch_to(next);
}

/* Block until t has finished, then free its stacks and slot. */
void flexos_thread_join(struct flexos_thread *t) {
  if (t == current || t->joiner)
    flexos_panic("thread_join: thread %lu cannot be joined", t->id);
  while (t->state != DONE) {
    t->joiner = current;
    current->state = BLOCKED;
    struct flexos_thread *next = pick_next();
    if (!next)
      flexos_panic("thread_join: deadlock");
    switch_to(next);
  }
  stacks_free(t);
  t->state = FREE;
}

/* Wait for a token (flexos_thread_unpark) or, with deadline != 0, until
 * flexos_ticks() reaches it.  A token given before the park is consumed
 * at once.  Returns 0 when unparked, -1 at the deadline.  Wake-ups may be
 * spurious for the caller's condition: callers re-check it. */
int flexos_thread_park(uint64_t deadline) {
  struct flexos_thread *t = current;
  if (t == &threads[0])
    flexos_panic("thread_park: the idle context cannot park");
  for (;;) {
    t->deadline = deadline;
    /* PARKED before the token test: an IRQ's unpark in between sees a
     * parked thread, makes it READY and leaves the token for the test. */
    t->state = PARKED;
    __asm__ volatile("" ::: "memory");
    if (t->token) {
      t->token = 0;
      t->state = READY;
      clear_woken(t); /* an IRQ's unpark just now: nothing to hurry */
      return 0;
    }
    if (deadline && flexos_ticks() >= deadline) {
      t->state = READY;
      return -1;
    }
    switch_to(pick_next()); /* thread 0 is always ready: never 0 */
  }
}

/* Give thread `id` a token; wake it if it is parked.  Safe from IRQ
 * handlers (interrupts are off there; threads never preempt each other).
 * Unknown or finished ids are ignored: a wake-up may race an exit. */
void flexos_thread_unpark(uint64_t id) {
  for (int i = 1; i < MAX_THREADS; i++) {
    struct flexos_thread *t = &threads[i];
    if (t->id != id || t->state == FREE || t->state == DONE)
      continue;
    t->token = 1;
    if (t->state == PARKED)
      ready_by_event(t);
    return;
  }
}

/* Is any thread parked (so that an interrupt or a deadline may wake it)? */
static int any_parked(void) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (wakeable(&threads[i]))
      return 1;
  return 0;
}

/* The earliest deadline of a thread that waits for one; 0 = none. */
static uint64_t next_deadline(void) {
  uint64_t first = 0;
  for (int i = 1; i < MAX_THREADS; i++)
    if (wakeable(&threads[i]) && threads[i].deadline &&
        (!first || threads[i].deadline < first))
      first = threads[i].deadline;
  return first;
}

/* Nothing to run: halt until an interrupt.  The check runs with
 * interrupts off and `sti; hlt` cannot be split by one (sti's shadow),
 * so a wake-up between the check and the hlt is never lost.  A vm-ept VM
 * has no interrupts: it asks the monitor to wait for the next deadline
 * or device event instead (which cannot be lost either: the monitor only
 * raises events while this VM is stopped). */
static void idle_halt(void) {
  mechanism->idle_enter();
  wake_expired();
  for (int i = 1; i < MAX_THREADS; i++)
    if (threads[i].state == READY) {
      mechanism->idle_leave();
      return;
    }
  mechanism->idle_wait(next_deadline());
}

static void thread_start(struct flexos_thread *t) {
  t->fn(t->arg);
  t->state = DONE;
  if (t->joiner)
    ready_by_event(t->joiner);
  struct flexos_thread *next = pick_next();
  if (!next)
    flexos_panic("thread_exit: no thread left to run");
  switch_to(next);
  flexos_panic("thread_exit: dead thread resumed");
}

/* ---- mechanism for a scheduler library (libs/sched) -------------------- */

/* The thread with this id, if it exists and has not ended. */
static struct flexos_thread *thread_by_id(uint64_t id) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (threads[i].id == id && threads[i].state != FREE &&
        threads[i].state != DONE && threads[i].state != ZOMBIE)
      return &threads[i];
  return 0;
}

/* A thread an event made ready (round robin from current), once per tick
 * also checking deadlines; 0 if none. */
static struct flexos_thread *event_woken(void) {
  mechanism->take_events();
  uint64_t now = flexos_ticks();
  if (now != expiry_tick) {
    expiry_tick = now;
    wake_expired();
  }
  if (!nwoken)
    return 0;
  long cur = current - threads;
  for (long k = 1; k < MAX_THREADS; k++) {
    struct flexos_thread *t = &threads[(cur + k) % MAX_THREADS];
    if (t->woken && t->state == READY)
      return t;
  }
  return 0;
}

/* Who runs when the scheduler names `id`: a thread an event woke (*rc =
 * 1), else `id` if it may run (*rc = 0), else the round robin's choice
 * (*rc = -1; thread 0, the idle context, is always ready). */
static struct flexos_thread *named_or_next(uint64_t id, int *rc) {
  struct flexos_thread *t = event_woken();
  *rc = 1;
  if (t)
    return t;
  t = thread_by_id(id);
  *rc = 0;
  if (t && t != current && t->state == READY)
    return t;
  *rc = -1;
  t = pick_next();
  return t ? t : &threads[0];
}

/* Runs with the thread's own compartment's PKRU when an entry returns
 * (ctx threads end with flexos_ctx_exit instead): it can only report. */
static void ctx_entry_returned(void) {
  flexos_panic("thread %lu: its entry returned (threads of "
               "flexos_ctx_create end with flexos_ctx_exit)",
               flexos_thread_id());
}

/* Like frame_create, but the frame lives in common memory and "returns"
 * to entry(a, b) with `compartment`'s PKRU on that compartment's stack
 * of the thread, whose top return address is ctx_entry_returned. */
static void ctx_frame_create(struct flexos_thread *t, int compartment,
                             void (*entry)(void *, void *), void *a,
                             void *b) {
  /* The gate slot's address is the stack's top; its contents are the
   * compartment's, which we may not read. */
  uint64_t top = t->tcb->gate_slot[compartment];
  uint64_t *sp = &start_frames[t - threads][START_FRAME_WORDS];
  *--sp = 0x10;                         /* ss */
  *--sp = top - 8;                      /* rsp: at ctx_entry_returned */
  *--sp = 0x202;                        /* rflags: IF */
  *--sp = 0x08;                         /* cs */
  *--sp = (uint64_t)entry;              /* rip */
  *--sp = 0;                            /* error */
  *--sp = 0;                            /* vector */
  for (int r = 0; r < 15; r++)          /* rax .. r15; rsi = b, rdi = a */
    *--sp = r == 5 ? (uint64_t)a : r == 4 ? (uint64_t)b : 0;
  *--sp = mechanism->thread_pkru(compartment);
  *--sp = (uint64_t)flexos_isr_exit;    /* thread_switch's ret */
  for (int r = 0; r < 6; r++)
    *--sp = 0;                          /* rbx, rbp, r12..r15 */
  t->rsp = (uint64_t)sp;
}

/* vm-ept: a thread that starts in another VM's compartment runs, in this
 * VM, a call into that VM that never returns (runtime/ept.c serves it on
 * a fiber of its own there).  What to call, per thread slot. */
struct remote_start {
  int compartment;
  void (*entry)(void *, void *);
  void *a, *b;
};
static struct remote_start remote_starts[MAX_THREADS];

static void remote_entry(void *start, void *unused) {
  (void)unused;
  struct remote_start *r = start;
  mechanism->start_remote(r->compartment, r->entry, r->a, r->b);
  flexos_panic("thread %lu: its start in compartment %s was refused or "
               "returned", flexos_thread_id(),
               flexos_compartment_name(r->compartment));
}

/* A new READY thread that starts as entry(a, b) in `compartment` (its
 * PKRU, its stack); returns its id, or 0 when threads or memory run out.
 * The entry must not return: it ends with flexos_ctx_exit.  The runtime
 * cannot tell which compartment asked, so it trusts the caller's
 * `compartment` (docs/sched.md).  Under vm-ept a compartment of another
 * VM is reached through remote_entry. */
uint64_t flexos_ctx_create(int compartment, void (*entry)(void *, void *),
                           void *a, void *b) {
  if (compartment < 0 ||
      compartment >= (int)flexos_image_config.ncompartments)
    flexos_panic("ctx_create: no compartment %d", compartment);
  struct flexos_thread *t = thread_alloc();
  if (!t)
    return 0;
  t->fn = 0;
  t->arg = 0;
  if (mechanism->has_compartment(compartment)) {
    ctx_frame_create(t, compartment, entry, a, b);
  } else {
    struct remote_start *r = &remote_starts[t - threads];
    *r = (struct remote_start){compartment, entry, a, b};
    ctx_frame_create(t, mechanism->home_compartment(), remote_entry, r, 0);
  }
  t->state = READY;
  return t->id;
}

/* Directed yield: run thread `next` now, the caller stays ready.  A
 * thread that an event woke (an interrupt, a deadline) runs first, so a
 * scheduler that keeps switching among its own threads cannot starve
 * them.  Returns 0 when `next` was run, 1 when such a thread was (`next`
 * is still ready), -1 when `next` cannot run (unknown, not ready) and the
 * round robin chose. */
int flexos_ctx_switch(uint64_t next) {
  int rc;
  struct flexos_thread *t = named_or_next(next, &rc);
  if (t != current)
    switch_to(t);
  return rc;
}

/* The caller sleeps until flexos_ctx_resume(its id) or, with alarm != 0,
 * until flexos_ticks() reaches alarm; meanwhile `next` runs as with
 * flexos_ctx_switch, whose result it returns once the caller runs again
 * (for whichever reason: the scheduler keeps the reasons). */
int flexos_ctx_block(uint64_t next, uint64_t alarm) {
  int rc;
  if (current == &threads[0])
    flexos_panic("ctx_block: the idle context cannot block");
  current->deadline = alarm;
  current->state = SUSPENDED;
  switch_to(named_or_next(next, &rc));
  return rc;
}

/* A thread blocked in flexos_ctx_block becomes ready; any other id is
 * ignored (a wake-up may race the end of a wait). */
void flexos_ctx_resume(uint64_t id) {
  struct flexos_thread *t = thread_by_id(id);
  if (t && t->state == SUSPENDED)
    t->state = READY;
}

/* Ends the calling thread (one of flexos_ctx_create) and runs `next` if
 * it is ready, else the round robin's choice.  Its stacks are freed by a
 * later thread creation. */
void flexos_ctx_exit(uint64_t next) {
  struct flexos_thread *t = current;
  if (t == &threads[0] || t->fn)
    flexos_panic("ctx_exit: thread %lu was not made by flexos_ctx_create",
                 t->id);
  int rc;
  t->state = ZOMBIE;
  switch_to(named_or_next(next, &rc));
  flexos_panic("ctx_exit: ended thread %lu resumed", t->id);
}

/* Does thread `id` exist and not yet end?  (A scheduler forgets the
 * threads it did not create once they are gone.) */
int flexos_thread_alive(uint64_t id) { return thread_by_id(id) != 0; }

/* Plugin-compiled code calls this when flexos_share locals do not fit;
 * it runs in any compartment, so it only prints and exits. */
void __flexos_shared_stack_overflow(void) {
  flexos_panic("shared stack overflow in thread %lu", flexos_thread_id());
}

uint64_t flexos_thread_id(void) {
  uint64_t id;
  if (!tcbs_ready) /* GS.base is 0 until thread_init: no thread yet */
    return 0;
  __asm__ volatile("movq %%gs:%c1, %0" : "=r"(id) : "i"(FLEXOS_TCB_THREAD_ID));
  return id;
}

/* ---- vm-ept fibers (runtime/ept.c) ------------------------------------- */

/* A new FIBER context that starts as fn(arg) in this VM's compartment;
 * 0 when threads or memory run out. */
struct flexos_thread *thread_fiber_create(void (*fn)(void *), void *arg) {
  return thread_start_as(fn, arg, FIBER);
}

/* The running context becomes a fiber (the main thread of a VM that
 * serves): the round robin no longer picks it. */
struct flexos_thread *thread_fiber_self(void) {
  current->state = FIBER;
  return current;
}

void thread_fiber_switch(struct flexos_thread *to) {
  if (to->state != FIBER)
    flexos_panic("vm-ept: switch to thread %lu, which is not a fiber", to->id);
  switch_to(to);
}

/* While a fiber serves a thread of another VM it carries that thread's
 * id (flexos_thread_id()), so that wake-ups it asks for name the thread. */
void thread_fiber_set_id(uint64_t id) { current->tcb->thread_id = id; }

/* The boot context becomes thread 0 (no compartment stacks: it only runs
 * runtime code). */
void thread_init(void) {
  current = &threads[0];
  current->state = READY;
  current->tcb = &tcbs[0];
  tcbs[0].self = (uint64_t)&tcbs[0];
  wrmsr(GS_BASE_MSR, (uint64_t)&tcbs[0]);
  tcbs_ready = 1;
}

struct main_args {
  int (*fn)(int, char **);
  int argc;
  char **argv;
};

static void main_thread(void *p) {
  struct main_args *a = p;
  flexos_exit(a->fn(a->argc, a->argv));
}

/* Run main(argc, argv) in a thread of its own; its return is the exit
 * code.  The boot context idles meanwhile: it halts while every thread
 * is parked, and panics when only joins are left (nothing can wake them).
 * After its first switch it runs with the default PKRU and IF set, as
 * every thread does, so interrupts may land in its hlt. */
void thread_run_main(int (*main_fn)(int, char **), int argc, char **argv) {
  static struct main_args args;
  args = (struct main_args){main_fn, argc, argv};
  if (!flexos_thread_create(main_thread, &args))
    flexos_panic("thread_run_main: cannot create the main thread");
  for (;;) {
    struct flexos_thread *next = pick_next();
    if (next)
      switch_to(next);
    else if (any_parked())
      idle_halt();
    else
      flexos_panic("scheduler: every thread is blocked");
  }
}
