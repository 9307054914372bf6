/*
 * FILE: libs/sched/sched.h
 * DESCRIPTION:
 *   The scheduler library `sched` (libs/sched/sched.c): cooperative
 *   threads whose policy state (threads, wake tokens, deadlines, the run
 *   queue) lives in sched's own compartment.  Callers call it plainly,
 *   sched_yield(); the build makes each call from another compartment a
 *   gate (passes/AutoGates.cpp), and sched's calls of the runtime's
 *   mechanism (flexos_ctx_*, runtime/gate-entries.txt) too.  Threads are
 *   named by their runtime id (flexos_thread_id()); a thread the runtime
 *   made (main, flexos_thread_create) becomes known to sched at its first
 *   call.  Deadlines are ticks of flexos_ticks() (100 Hz), 0 = none.
 *
 *   Thread-start rule: a gate cannot call a function pointer in another
 *   compartment without a registered entry, so a new thread starts in its
 *   creator's compartment, in
 *   sched_start_here_, a copy of which this header puts into every
 *   library that spawns; it runs fn(arg) and then ends the thread with
 *   sched_exit (a gate into sched).  Use sched_spawn(fn, arg), which passes the creator's
 *   compartment and its copy of the trampoline (docs/sched.md).
 * USAGE:
 *   #include <sched.h>
 *   uint64_t id = sched_spawn(worker, arg);
 *   sched_join(id);
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_SCHED_H
#define FLEXOS_SCHED_H

#include <flexos.h>
#include <flexos/runtime.h>
#include <stdint.h>

/* ---- library sched: gated when called from another compartment ------- */

/* A new ready thread running start(fn, arg) in `compartment`; returns its
 * id, or 0 for a compartment the image does not have or when threads or
 * memory run out.  Use sched_spawn.  start, fn and arg are opaque to sched
 * (it never calls or dereferences them, the runtime does, in the new
 * thread), hence integers: under vm-ept a pointer argument must point to
 * shared memory, and these point to the creator's code and data. */
uint64_t sched_thread_add(int compartment, uintptr_t start, uintptr_t fn,
                          uintptr_t arg);
/* Let the next ready thread run; the caller stays ready. */
void sched_yield(void);
/* Block until sched_wakeup(caller) gives a token (one given earlier is
 * consumed at once) or, deadline != 0, until flexos_ticks() >= deadline.
 * Returns 0 when woken, -1 at the deadline.  Callers re-check their
 * condition: a token may be older than what they wait for. */
int sched_wait(uint64_t deadline);
/* Block for `ticks` ticks; wake-ups only leave their token. */
void sched_sleep(uint64_t ticks);
/* Give thread `id` a token and make it ready if it waits in sched_wait.
 * Returns 0, or -1 for an id sched does not know or that has ended. */
int sched_wakeup(uint64_t id);
/* The caller's id (the same as flexos_thread_id(), which needs no gate). */
uint64_t sched_self(void);
/* Wait until thread `id` (made by sched_thread_add) has ended, then
 * forget it.  Returns 0, or -1 for an unknown id, the caller itself, or
 * a thread someone else already joins. */
int sched_join(uint64_t id);
/* End the calling thread (one of sched_thread_add's); never returns. */
void sched_exit(void);

/* ---- compiled into the caller's library --------------------------------- */

/* The first code of a spawned thread: runs in the creator's compartment
 * (its copy of this function), so fn needs no gate. */
static void __attribute__((unused)) sched_start_here_(void *fn, void *arg) {
  ((void (*)(void *))fn)(arg);
  sched_exit();
  flexos_panic("sched: thread %lu resumed after sched_exit",
               flexos_thread_id());
}

/* Start fn(arg) in a new thread in the calling library's compartment.
 * Returns the thread's id (for sched_join, sched_wakeup), 0 when out of
 * threads or memory. */
static inline uint64_t sched_spawn(void (*fn)(void *), void *arg) {
  return sched_thread_add(flexos_current_compartment(),
                          (uintptr_t)sched_start_here_, (uintptr_t)fn,
                          (uintptr_t)arg);
}

#endif /* FLEXOS_SCHED_H */
