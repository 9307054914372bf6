/*
 * FILE: runtime/core/thread.h
 * DESCRIPTION:
 *   The thread table shared by the runtime's three thread files:
 *   thread.c (creation: stacks, TCBs, first frames; fibers), schedule.c
 *   (the round robin, join, park/unpark, the idle loop) and ctx.c (the
 *   primitives a scheduler library drives).  Nothing outside these
 *   files includes it; the rest of the runtime uses kernel.h.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_THREAD_H
#define FLEXOS_RUNTIME_THREAD_H
#include <stdint.h>

#include "kernel.h"

#define MAX_THREADS FLEXOS_MAX_THREADS /* a server with 128 clients, lwIP, main */
#define GS_BASE_MSR 0xc0000101

/* PARKED thread_table wait for a token (flexos_thread_unpark, also from IRQ
 * context) or their deadline; BLOCKED ones for a thread to finish.
 * SUSPENDED ones (flexos_ctx_block) wait for flexos_ctx_resume or their
 * deadline; ZOMBIE ones ended with flexos_ctx_exit and nobody joins them:
 * their stacks are freed by the next thread creation (not while they
 * still run on them). */
enum state { FREE, READY, BLOCKED, PARKED, SUSPENDED, DONE, ZOMBIE, FIBER };
/* FIBER: a context that serves one gate request at a time for a thread
 * of another address space; the mechanism switches among them
 * (thread_fiber_switch), the round robin never picks one. */

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
  /* Ring-3 images: the thread's kernel stack (supervisor pages, a guard
   * page below), where the service entry and the first frame live. */
  char *kstack;
  char *rpc_slots; /* vm-ept: the thread's RPC slots (shared pages) */
  uint64_t kstack_top;
};

extern struct flexos_thread thread_table[MAX_THREADS];
extern struct flexos_thread *thread_current;
/* Threads whose `woken` is set: made READY by an event -- an unpark (also
 * from IRQ context), a deadline, the end of a thread they join -- rather
 * than by the scheduler library, which may be busy switching among its own
 * threads.  They run before the thread the library names (ctx.c). */
extern volatile int thread_nwoken;

/* thread.c */
struct flexos_thread *thread_alloc(void);
struct flexos_thread *thread_start_as(void (*fn)(void *), void *arg,
                                      enum state state);
void thread_stacks_free(struct flexos_thread *t);
/* Ring-3 images: a thread that starts as fn(arg) in ring 3, in
 * `compartment`, through runtime/user/thread_start.c; and the end of the
 * running one (its function returned). */
struct flexos_thread *thread_start_user(void (*fn)(void *), void *arg,
                                        int compartment);
uint64_t thread_first_frame(uint64_t *sp, uint64_t cs, uint64_t ss, uint64_t rsp,
                            uint64_t entry, uint64_t a, uint64_t b, uint64_t c,
                            uint64_t pkru);
void thread_frame_user(struct flexos_thread *t, int compartment, char *entry,
                       uint64_t a, uint64_t b, uint64_t c);
struct flexos_thread *thread_start_user_main(int (*main_fn)(int, char **),
                                             int argc, char **argv);
__attribute__((noreturn)) void thread_finish(void);
extern uint64_t service_kstack_top, service_current_tcb; /* service.c */
struct flexos_thread *thread_by_id(uint64_t id);

/* schedule.c */
void thread_ready_by_event(struct flexos_thread *t);
void thread_clear_woken(struct flexos_thread *t);
void thread_wake_expired(void);
struct flexos_thread *thread_pick_next(void);
void thread_switch_to(struct flexos_thread *next);

/* ctx.c: where a flexos_ctx_create thread "returns" to (its stack top) */
void ctx_entry_returned(void);

/* thread_switch.S, gates/interrupt_entry.S */
void thread_switch(uint64_t *save_rsp, uint64_t new_rsp);
extern char flexos_isr_exit[];

#endif
