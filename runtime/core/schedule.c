/*
 * FILE: runtime/core/schedule.c
 * DESCRIPTION:
 *   Cooperative scheduling of the runtime's threads (runtime/core/thread.h).
 *   The scheduler is round robin; the boot context is thread 0 and idles:
 *   when no other thread is ready it asks the mechanism to wait (halt
 *   until the next interrupt, or ask a monitor for the next deadline or
 *   event).  Threads block in flexos_thread_join or park
 *   (flexos_thread_park/unpark: a wake-up token per thread, an optional
 *   deadline in ticks), which lock-free primitives such as lwIP's
 *   semaphores build on.  These calls come from the default compartment
 *   (flexos_irq_wait's from a driver's, through gates).
 * License: MIT (see LICENSE)
 */
#include "mechanism.h"
#include "thread.h"
#include "x86.h"

volatile int thread_nwoken;

void thread_ready_by_event(struct flexos_thread *t) {
  t->state = READY;
  if (!t->woken) {
    t->woken = 1;
    __atomic_add_fetch(&thread_nwoken, 1, __ATOMIC_RELAXED);
  }
}

void thread_clear_woken(struct flexos_thread *t) {
  if (t->woken) {
    t->woken = 0;
    __atomic_sub_fetch(&thread_nwoken, 1, __ATOMIC_RELAXED);
  }
}

/* Can an interrupt or a deadline make t ready? */
static int wakeable(const struct flexos_thread *t) {
  return t->state == PARKED || (t->state == SUSPENDED && t->deadline);
}

/* Parked and suspended threads whose deadline has passed become ready. */
void thread_wake_expired(void) {
  uint64_t now = flexos_ticks();
  for (int i = 1; i < MAX_THREADS; i++)
    if ((thread_table[i].state == PARKED || thread_table[i].state == SUSPENDED) &&
        thread_table[i].deadline && now >= thread_table[i].deadline)
      thread_ready_by_event(&thread_table[i]);
}

/* Round robin from the thread after the running one; 0 if none is ready. */
struct flexos_thread *thread_pick_next(void) {
  mechanism->take_events();
  thread_wake_expired();
  long cur = thread_current - thread_table;
  for (long k = 1; k <= MAX_THREADS; k++) {
    struct flexos_thread *t = &thread_table[(cur + k) % MAX_THREADS];
    if (t->state == READY && t != thread_current)
      return t;
  }
  return 0;
}

void thread_switch_to(struct flexos_thread *next) {
  struct flexos_thread *prev = thread_current;
  thread_clear_woken(next);
  thread_current = next;
  wrmsr(GS_BASE_MSR, (uint64_t)next->tcb);
#ifdef FLEXOS_RING3
  service_kstack_top = next->kstack_top;
  service_current_tcb = (uint64_t)next->tcb;
#endif
  thread_switch(&prev->rsp, next->rsp);
}

void flexos_thread_yield(void) {
  struct flexos_thread *next = thread_pick_next();
  if (next)
    thread_switch_to(next);
}

/* Block until t has finished, then free its stacks and slot. */
void flexos_thread_join(struct flexos_thread *t) {
  if (t == thread_current || t->joiner)
    flexos_panic("thread_join: thread %lu cannot be joined", t->id);
  while (t->state != DONE) {
    t->joiner = thread_current;
    thread_current->state = BLOCKED;
    struct flexos_thread *next = thread_pick_next();
    if (!next)
      flexos_panic("thread_join: deadlock");
    thread_switch_to(next);
  }
  thread_stacks_free(t);
  t->state = FREE;
}

/* Wait for a token (flexos_thread_unpark) or, with deadline != 0, until
 * flexos_ticks() reaches it.  A token given before the park is consumed
 * at once.  Returns 0 when unparked, -1 at the deadline.  Wake-ups may be
 * spurious for the caller's condition: callers re-check it. */
int flexos_thread_park(uint64_t deadline) {
  struct flexos_thread *t = thread_current;
  if (t == &thread_table[0])
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
      thread_clear_woken(t); /* an IRQ's unpark just now: nothing to hurry */
      return 0;
    }
    if (deadline && flexos_ticks() >= deadline) {
      t->state = READY;
      return -1;
    }
    thread_switch_to(thread_pick_next()); /* thread 0 is always ready: never 0 */
  }
}

/* Give thread `id` a token; wake it if it is parked.  Safe from IRQ
 * handlers (interrupts are off there; threads never preempt each other).
 * Unknown or finished ids are ignored: a wake-up may race an exit. */
void flexos_thread_unpark(uint64_t id) {
  for (int i = 1; i < MAX_THREADS; i++) {
    struct flexos_thread *t = &thread_table[i];
    if (t->id != id || t->state == FREE || t->state == DONE)
      continue;
    t->token = 1;
    if (t->state == PARKED)
      thread_ready_by_event(t);
    return;
  }
}

/* Is any thread parked (so that an interrupt or a deadline may wake it)? */
static int any_parked(void) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (wakeable(&thread_table[i]))
      return 1;
  return 0;
}

/* The earliest deadline of a thread that waits for one; 0 = none. */
static uint64_t next_deadline(void) {
  uint64_t first = 0;
  for (int i = 1; i < MAX_THREADS; i++)
    if (wakeable(&thread_table[i]) && thread_table[i].deadline &&
        (!first || thread_table[i].deadline < first))
      first = thread_table[i].deadline;
  return first;
}

/* Nothing to run: wait for whatever can make a thread ready.  The
 * mechanism's idle_enter/idle_wait pair loses no wake-up in between (with
 * interrupts: checked with them off, then `sti; hlt` in sti's shadow;
 * without: a monitor raises events only while the guest is stopped). */
static void idle_halt(void) {
  mechanism->idle_enter();
  thread_wake_expired();
  for (int i = 1; i < MAX_THREADS; i++)
    if (thread_table[i].state == READY) {
      mechanism->idle_leave();
      return;
    }
  mechanism->idle_wait(next_deadline());
}

#ifndef FLEXOS_RING3 /* ring 3: runtime/user/thread_start.c */
struct main_args {
  int (*fn)(int, char **);
  int argc;
  char **argv;
};

static void main_thread(void *p) {
  struct main_args *a = p;
  flexos_exit(a->fn(a->argc, a->argv));
}
#endif

/* Run main(argc, argv) in a thread of its own; its return is the exit
 * code.  The boot context idles meanwhile: it halts while every thread
 * is parked, and panics when only joins are left (nothing can wake them).
 * After its first switch it runs with the default PKRU and IF set, as
 * every thread does, so interrupts may land in its hlt. */
void thread_run_main(int (*main_fn)(int, char **), int argc, char **argv) {
#ifdef FLEXOS_RING3
  if (!thread_start_user_main(main_fn, argc, argv))
    flexos_panic("thread_run_main: cannot create the main thread");
#else
  static struct main_args args;
  args = (struct main_args){main_fn, argc, argv};
  if (!flexos_thread_create(main_thread, &args))
    flexos_panic("thread_run_main: cannot create the main thread");
#endif
  for (;;) {
    struct flexos_thread *next = thread_pick_next();
    if (next)
      thread_switch_to(next);
    else if (any_parked())
      idle_halt();
    else
      flexos_panic("scheduler: every thread is blocked");
  }
}
