/*
 * FILE: runtime/core/thread.c
 * DESCRIPTION:
 *   Creating threads.  Every thread gets, for each compartment in this
 *   address space, a private stack (keyed with that compartment's key, a
 *   guard page below) whose top 16 bytes hold the thread's
 *   struct flexos_gate_slot for that compartment; a shared stack (key 15)
 *   topped by its struct flexos_shared_stack; RPC slots on shared pages
 *   of their own (as many as the mechanism nests calls); and a TCB in common
 *   memory (key 0), which GS.base points at while the thread runs.
 *   Threads start in the home compartment on its stack, entering its PKRU
 *   through the interrupt gate's exit path.  The boot context is thread 0.
 *
 *   Fibers are threads the round robin never picks: a mechanism whose
 *   compartments live in other address spaces serves gate calls on them,
 *   one per nesting level of a calling thread, and switches among them
 *   itself.  Scheduling is in schedule.c, the scheduler library's
 *   primitives in ctx.c (runtime/core/thread.h).
 * License: MIT (see LICENSE)
 */
#include <string.h>

#include <flexos/service.h>

#include "mechanism.h"
#include "thread.h"
#include "x86.h"

#define STACK_PAGES 4 /* 16 KiB per compartment stack */
#define KSTACK_PAGES 4 /* ring-3 images: 16 KiB of kernel stack per thread */
#define RPC_PAGES(bytes) (((bytes) + PAGE_SIZE - 1) / PAGE_SIZE)

/* Set once GS.base points at a TCB (thread_init), before any compartment
 * runs; read by fault reports that may come earlier. */
SECTION_COMMON static int tcbs_ready;

struct flexos_thread thread_table[MAX_THREADS];
SECTION_COMMON __attribute__((aligned(64))) static struct flexos_tcb tcbs[MAX_THREADS];
struct flexos_thread *thread_current;
static uint64_t next_id;

#ifdef FLEXOS_RING3
extern char __flexos_user_ctx_returned[]; /* runtime/user/thread_start.c */
#endif

/* STACK_PAGES pages keyed `key` above an unmapped guard page; the top 16
 * bytes are the struct at the top (gate slot or shared-stack header). */
static char *stack_create(int key, uint64_t **top_struct) {
  /* Filled in while still ours: once keyed, the default compartment can
   * no longer write another compartment's stack. */
  char *base = page_alloc_from(STACK_PAGES + 1, key, paging_scratch_key());
  if (!base)
    return 0;
  *top_struct = (uint64_t *)(base + (STACK_PAGES + 1) * PAGE_SIZE - 16);
  (*top_struct)[0] = (uint64_t)*top_struct; /* top: 16-byte aligned */
  (*top_struct)[1] = (uint64_t)(base + PAGE_SIZE);
  /* The return address of a flexos_ctx_create entry, which starts on
   * this stack with nothing of ours above it (in ring 3: user code). */
#ifdef FLEXOS_RING3
  (*top_struct)[-1] = (uint64_t)__flexos_user_ctx_returned;
#else
  (*top_struct)[-1] = (uint64_t)ctx_entry_returned;
#endif
  paging_map((uintptr_t)base, STACK_PAGES + 1, key, 1);
  paging_unmap((uintptr_t)base, 1);
  return base;
}

void thread_stacks_free(struct flexos_thread *t) {
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    if (t->stack[i])
      page_free(t->stack[i], STACK_PAGES + 1);
  if (t->shared_stack)
    page_free(t->shared_stack, STACK_PAGES + 1);
  if (t->rpc_slots)
    page_free(t->rpc_slots, RPC_PAGES(mechanism->rpc_depth *
                                      sizeof(struct flexos_rpc_slot)));
  if (t->kstack)
    page_free(t->kstack, KSTACK_PAGES + 1);
  memset(t->stack, 0, sizeof(t->stack));
  t->shared_stack = 0;
  t->kstack = 0;
  t->rpc_slots = 0;
}

/* The compartment whose stack (of any thread, guard page included) holds
 * addr, or -1 (record mode's classification, runtime/services/record.c). */
int thread_stack_owner(uintptr_t addr) {
  for (int i = 0; i < MAX_THREADS; i++)
    for (uint32_t c = 0; c < flexos_image_config.ncompartments; c++) {
      uintptr_t base = (uintptr_t)thread_table[i].stack[c];
      if (base && addr >= base && addr - base < (STACK_PAGES + 1) * PAGE_SIZE)
        return (int)c;
    }
  return -1;
}

/* Allocates every stack and slot of t; returns -1 when memory runs out. */
static int stacks_create(struct flexos_thread *t) {
  uint64_t *top;
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++) {
    if (!mechanism->has_compartment((int)i)) /* another address space's */
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
#ifdef FLEXOS_RING3
  /* The kernel stack: supervisor pages above an unmapped guard page. */
  if (!(t->kstack = page_alloc_from(KSTACK_PAGES + 1, FLEXOS_KEY_OF(0),
                                    PAGING_SUPERVISOR)))
    return -1;
  paging_unmap((uintptr_t)t->kstack, 1);
  t->kstack_top = (uint64_t)t->kstack + (KSTACK_PAGES + 1) * PAGE_SIZE;
#endif
  /* vm-ept: one RPC slot per nesting level of calls the thread may serve,
   * on shared pages of their own (the monitor reads them). */
  if (!mechanism->rpc_depth)
    return 0;
  size_t bytes = mechanism->rpc_depth * sizeof(struct flexos_rpc_slot);
  if (!(t->rpc_slots = page_alloc(RPC_PAGES(bytes), FLEXOS_SHARED_KEY)))
    return -1;
  t->tcb->rpc_slot = (uint64_t)t->rpc_slots;
  t->tcb->rpc_slot_end = (uint64_t)t->rpc_slots + bytes;
  return 0;
}

static __attribute__((noreturn)) void thread_start(struct flexos_thread *t);

/* The first "return" into a thread, pushed below sp: the six registers
 * thread_switch pops, its return into flexos_isr_exit, and the interrupt
 * frame that path restores (PKRU first) and iretqs from, landing at
 * entry(a, b, c) with segments cs/ss on stack `rsp`.  Returns the
 * thread's saved rsp. */
uint64_t thread_first_frame(uint64_t *sp, uint64_t cs, uint64_t ss, uint64_t rsp,
                            uint64_t entry, uint64_t a, uint64_t b, uint64_t c,
                            uint64_t pkru) {
  *--sp = ss;
  *--sp = rsp;
  *--sp = 0x202;                        /* rflags: IF */
  *--sp = cs;
  *--sp = entry;                        /* rip */
  *--sp = 0;                            /* error */
  *--sp = 0;                            /* vector */
  for (int r = 0; r < 15; r++)          /* rax .. r15: rdx, rsi, rdi */
    *--sp = r == 3 ? c : r == 4 ? b : r == 5 ? a : 0;
  *--sp = pkru;
  *--sp = (uint64_t)flexos_isr_exit;    /* thread_switch's ret */
  for (int r = 0; r < 6; r++)
    *--sp = 0;                          /* rbx, rbp, r12..r15 */
  return (uint64_t)sp;
}

/* Ring 0: thread_start(t) on the home compartment's stack. */
static void frame_create(struct flexos_thread *t) {
  int home = mechanism->home_compartment();
  uint64_t *sp = (uint64_t *)((uint64_t *)t->tcb->gate_slot[home])[0];
  *--sp = 0;                            /* fake return address */
  t->rsp = thread_first_frame(sp, 0x08, 0x10, (uint64_t)sp,
                              (uint64_t)thread_start, (uint64_t)t, 0, 0,
                              mechanism->thread_pkru(home));
}

#ifdef FLEXOS_RING3
/* Ring-3 images: the first frame goes on the thread's kernel stack and
 * iretqs to entry(a, b, c) in ring 3, on `compartment`'s stack, with its
 * PKRU (a user-side start: runtime/user/thread_start.c). */
extern char __flexos_user_thread_start[], __flexos_user_main_start[];
void thread_frame_user(struct flexos_thread *t, int compartment, char *entry,
                       uint64_t a, uint64_t b, uint64_t c) {
  /* The gate slot's address is the stack's top (stack_create); its
   * contents are the compartment's, which the caller may not read. */
  uint64_t top = t->tcb->gate_slot[compartment];
  t->rsp = thread_first_frame((uint64_t *)t->kstack_top, FLEXOS_USER_CS,
                              FLEXOS_USER_DS, top - 8 /* as after a call */,
                              (uint64_t)entry, a, b, c,
                              mechanism->thread_pkru(compartment));
}

/* The thread calls fn(arg), then the thread_exit service. */
struct flexos_thread *thread_start_user(void (*fn)(void *), void *arg,
                                        int compartment) {
  struct flexos_thread *t = thread_alloc();
  if (!t)
    return 0;
  thread_frame_user(t, compartment, __flexos_user_thread_start, (uint64_t)fn,
                    (uint64_t)arg, 0);
  t->state = READY;
  return t;
}

/* The thread calls main(argc, argv) and exits with its value. */
struct flexos_thread *thread_start_user_main(int (*main_fn)(int, char **),
                                             int argc, char **argv) {
  struct flexos_thread *t = thread_alloc();
  if (!t)
    return 0;
  thread_frame_user(t, mechanism->home_compartment(), __flexos_user_main_start,
                    (uint64_t)main_fn, (uint64_t)argc, (uint64_t)argv);
  t->state = READY;
  return t;
}
#endif

/* Frees the stacks of threads that ended with flexos_ctx_exit (never the
 * running one: it may be such a thread on its way out), then takes a free
 * slot. */
static struct flexos_thread *slot_alloc(void) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (thread_table[i].state == ZOMBIE && &thread_table[i] != thread_current) {
      thread_stacks_free(&thread_table[i]);
      thread_table[i].state = FREE;
    }
  for (int i = 1; i < MAX_THREADS; i++)
    if (thread_table[i].state == FREE)
      return &thread_table[i];
  return 0;
}

/* A slot with its TCB and every stack; 0 when threads or memory run out. */
struct flexos_thread *thread_alloc(void) {
  struct flexos_thread *t = slot_alloc();
  if (!t)
    return 0;
  t->tcb = &tcbs[t - thread_table];
  memset(t->tcb, 0, sizeof(*t->tcb));
  t->tcb->self = (uint64_t)t->tcb;
  t->tcb->thread_id = t->id = ++next_id;
  if (stacks_create(t) < 0) {
    thread_stacks_free(t);
    return 0;
  }
  t->joiner = 0;
  t->token = 0;
  t->deadline = 0;
  thread_clear_woken(t);
  return t;
}

/* A thread that starts as fn(arg) in state `state`; 0 when threads or
 * memory run out. */
struct flexos_thread *thread_start_as(void (*fn)(void *), void *arg,
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

static void thread_start(struct flexos_thread *t) {
  t->fn(t->arg);
  thread_finish();
}

/* The running thread's function has returned. */
void thread_finish(void) {
  struct flexos_thread *t = thread_current;
  t->state = DONE;
  if (t->joiner)
    thread_ready_by_event(t->joiner);
  struct flexos_thread *next = thread_pick_next();
  if (!next)
    flexos_panic("thread_exit: no thread left to run");
  thread_switch_to(next);
  flexos_panic("thread_exit: dead thread resumed");
}

/* The thread with this id, if it exists and has not ended. */
struct flexos_thread *thread_by_id(uint64_t id) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (thread_table[i].id == id && thread_table[i].state != FREE &&
        thread_table[i].state != DONE && thread_table[i].state != ZOMBIE)
      return &thread_table[i];
  return 0;
}

/* Plugin-compiled code calls this when flexos_share locals do not fit;
 * it runs in any compartment, so it only prints and exits. */
void __flexos_shared_stack_overflow(void) {
  flexos_panic("shared stack overflow in thread %lu", flexos_thread_id());
}

uint64_t flexos_thread_id(void) {
  uint64_t id;
  if (!tcbs_ready) /* GS.base is 0 until thread_init: no thread yet */
    return 0;
#ifdef FLEXOS_RING3 /* the core's copy: ring 3 may have reloaded GS */
  return ((struct flexos_tcb *)service_current_tcb)->thread_id;
#endif
  __asm__ volatile("movq %%gs:%c1, %0" : "=r"(id) : "i"(FLEXOS_TCB_THREAD_ID));
  return id;
}

/* A new FIBER context that starts as fn(arg) in the home compartment;
 * 0 when threads or memory run out. */
struct flexos_thread *thread_fiber_create(void (*fn)(void *), void *arg) {
#ifdef FLEXOS_RING3 /* compartment code: it starts in ring 3 */
  struct flexos_thread *t = thread_start_user(fn, arg, mechanism->home_compartment());
  if (t)
    t->state = FIBER;
  return t;
#else
  return thread_start_as(fn, arg, FIBER);
#endif
}

/* The running context becomes a fiber (the boot thread of an address
 * space that serves): the round robin no longer picks it. */
struct flexos_thread *thread_fiber_self(void) {
  thread_current->state = FIBER;
  return thread_current;
}

void thread_fiber_switch(struct flexos_thread *to) {
  if (to->state != FIBER)
    flexos_panic("fiber: switch to thread %lu, which is not a fiber", to->id);
  thread_switch_to(to);
}


/* Until thread_init, GS.base points at a TCB of zeros (self 0: no
 * thread yet), so that code reading the TCB at boot (the libc's thread
 * pointer, runtime/libc/musl/src/flexos/thread.c) reads no null page. */
SECTION_COMMON __attribute__((aligned(64))) static struct flexos_tcb boot_tcb;
void thread_boot_gs(void) { wrmsr(GS_BASE_MSR, (uint64_t)&boot_tcb); }

/* The boot context becomes thread 0 (no compartment stacks: it only runs
 * runtime code). */
void thread_init(void) {
  thread_current = &thread_table[0];
  thread_current->state = READY;
  thread_current->tcb = &tcbs[0];
  tcbs[0].self = (uint64_t)&tcbs[0];
  wrmsr(GS_BASE_MSR, (uint64_t)&tcbs[0]);
#ifdef FLEXOS_RING3
  service_current_tcb = (uint64_t)&tcbs[0];
#endif
  tcbs_ready = 1;
}

