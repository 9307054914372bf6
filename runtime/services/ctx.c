/*
 * FILE: runtime/services/ctx.c
 * DESCRIPTION:
 *   Mechanism for a scheduler library (libs/sched, docs/sched.md), which
 *   keeps its policy state in its own compartment and reaches these
 *   through gates into library `runtime`: flexos_ctx_create starts a
 *   thread directly in a given compartment; flexos_ctx_switch/block/
 *   resume/exit run the thread the scheduler names.  Such threads are
 *   runtime threads too (runtime/core/thread.h): the round robin runs them when
 *   they are READY and the scheduler did not name one, and the idle wait
 *   covers them.
 * License: MIT (see LICENSE)
 */
#include "mechanism.h"
#include "thread.h"

#ifndef FLEXOS_RING3 /* ring 3: on the thread's kernel stack */
/* The first frames of flexos_ctx_create threads.  Common memory: the
 * default compartment writes them, and the exit path still reads the
 * frame after it switched to the new thread's compartment's PKRU, which
 * may read key 0 but not the default compartment's stack. */
#define START_FRAME_WORDS 32
SECTION_COMMON static uint64_t start_frames[MAX_THREADS][START_FRAME_WORDS];
#endif
static uint64_t expiry_tick; /* flexos_ticks() when event_woken last checked */

/* A thread an event made ready (round robin from the running thread), once per tick
 * also checking deadlines; 0 if none. */
static struct flexos_thread *event_woken(void) {
  mechanism->take_events();
  uint64_t now = flexos_ticks();
  if (now != expiry_tick) {
    expiry_tick = now;
    thread_wake_expired();
  }
  if (!thread_nwoken)
    return 0;
  long cur = thread_current - thread_table;
  for (long k = 1; k < MAX_THREADS; k++) {
    struct flexos_thread *t = &thread_table[(cur + k) % MAX_THREADS];
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
  if (t && t != thread_current && t->state == READY)
    return t;
  *rc = -1;
  t = thread_pick_next();
  return t ? t : &thread_table[0];
}

/* Runs with the thread's own compartment's PKRU when an entry returns
 * (ctx threads end with flexos_ctx_exit instead): it can only report. */
void ctx_entry_returned(void) {
  flexos_panic("thread %lu: its entry returned (thread_table of "
               "flexos_ctx_create end with flexos_ctx_exit)",
               flexos_thread_id());
}

/* Like frame_create, but the frame lives in common memory and "returns"
 * to entry(a, b) with `compartment`'s PKRU on that compartment's stack
 * of the thread, whose top return address is ctx_entry_returned. */
static void ctx_frame_create(struct flexos_thread *t, int compartment,
                             void (*entry)(void *, void *), void *a,
                             void *b) {
#ifdef FLEXOS_RING3 /* on the thread's kernel stack, into ring 3 */
  thread_frame_user(t, compartment, (char *)entry, (uint64_t)a, (uint64_t)b, 0);
#else
  /* The gate slot's address is the stack's top; its contents are the
   * compartment's, which we may not read. */
  uint64_t top = t->tcb->gate_slot[compartment];
  t->rsp = thread_first_frame(&start_frames[t - thread_table][START_FRAME_WORDS],
                              0x08, 0x10, top - 8 /* at ctx_entry_returned */,
                              (uint64_t)entry, (uint64_t)a, (uint64_t)b, 0,
                              mechanism->thread_pkru(compartment));
#endif
}

/* A thread that starts in a compartment of another address space runs,
 * here, a call into that compartment that never returns (the mechanism
 * serves it on a fiber of its own there): mechanism->remote_entry, with
 * what to call, per thread slot.  Common memory: the home compartment's
 * code reads it (in ring 3 too). */
SECTION_COMMON static struct remote_start remote_starts[MAX_THREADS];

/* A new READY thread that starts as entry(a, b) in `compartment` (its
 * PKRU, its stack); returns its id, or 0 when threads or memory run out.
 * The entry must not return: it ends with flexos_ctx_exit.  The runtime
 * cannot tell which compartment asked, so it trusts the caller's
 * `compartment` (docs/sched.md).  A compartment of another address space
 * is reached through mechanism->remote_entry. */
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
    struct remote_start *r = &remote_starts[t - thread_table];
    *r = (struct remote_start){compartment, entry, a, b};
    ctx_frame_create(t, mechanism->home_compartment(), mechanism->remote_entry, r, 0);
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
  if (t != thread_current)
    thread_switch_to(t);
  return rc;
}

/* The caller sleeps until flexos_ctx_resume(its id) or, with alarm != 0,
 * until flexos_ticks() reaches alarm; meanwhile `next` runs as with
 * flexos_ctx_switch, whose result it returns once the caller runs again
 * (for whichever reason: the scheduler keeps the reasons). */
int flexos_ctx_block(uint64_t next, uint64_t alarm) {
  int rc;
  if (thread_current == &thread_table[0])
    flexos_panic("ctx_block: the idle context cannot block");
  thread_current->deadline = alarm;
  thread_current->state = SUSPENDED;
  thread_switch_to(named_or_next(next, &rc));
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
  struct flexos_thread *t = thread_current;
  if (t == &thread_table[0] || t->fn)
    flexos_panic("ctx_exit: thread %lu was not made by flexos_ctx_create",
                 t->id);
  int rc;
  t->state = ZOMBIE;
  thread_switch_to(named_or_next(next, &rc));
  flexos_panic("ctx_exit: ended thread %lu resumed", t->id);
}

/* Does thread `id` exist and not yet end?  (A scheduler forgets the
 * threads it did not create once they are gone.) */
int flexos_thread_alive(uint64_t id) { return thread_by_id(id) != 0; }

