/*
 * FILE: libs/sched/sched.c
 * DESCRIPTION:
 *   Library `sched`: the scheduling policy, in whatever compartment the
 *   configuration gives it.  Its state -- which threads it knows, their
 *   states, wake tokens and deadlines, and the run queue's order -- is
 *   ordinary globals here, so with intel-pku only sched can read or write
 *   it.  The runtime keeps the mechanism (stacks, TCBs, the context
 *   switch, the idle halt, interrupts) and sched drives it through gates:
 *   flexos_ctx_create, flexos_ctx_switch (directed yield),
 *   flexos_ctx_block / flexos_ctx_resume (sleep until resumed or an alarm
 *   tick), flexos_ctx_exit.  When sched has nobody ready it names no
 *   thread and the runtime's round robin runs one of its own (a thread
 *   woken by an interrupt, main joining with flexos_thread_join) or halts.
 *   Threads never preempt one another and interrupt handlers never call
 *   sched, so between two gates into the runtime sched runs alone: no
 *   locks.  docs/sched.md has the API, the gate counts and the rules.
 * USAGE:
 *   Listed in an image as ${FLEXOS_SCHED_LIBRARIES} (libs/sched/sched.cmake);
 *   callers include <sched.h> and call sched_yield() (a gate where sched
 *   is in another compartment).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <sched.h>

#define MAX_THREADS 160 /* the runtime's limit too (runtime/core/thread.c) */

/* RUNNING: on the CPU, or blocked in the runtime (flexos_irq_wait,
 * flexos_thread_join), which sched does not see.  READY: on the run
 * queue.  WAITING (sched_wait), SLEEPING (sched_sleep), JOINING
 * (sched_join): blocked in flexos_ctx_block.  DONE: ended, not joined. */
enum state { FREE, RUNNING, READY, WAITING, SLEEPING, JOINING, DONE };

struct sthread {
  uint64_t id;     /* runtime thread id */
  enum state state;
  int token;       /* a sched_wakeup not yet consumed by sched_wait */
  int created;     /* made by sched_thread_add: joinable, exits via sched */
  uint64_t joiner; /* id of the thread in sched_join on this one, 0 = none */
  int queued;           /* on the run queue */
  struct sthread *next; /* run queue link */
};

static struct sthread threads[MAX_THREADS];

/* FIFO run queue of READY threads.  Exported (not static) under a fixed
 * name so that test/sched-image can show that another compartment
 * cannot read it. */
struct sched_run_queue {
  struct sthread *head, *tail;
  uint64_t switches; /* directed switches made, for tests and benchmarks */
} sched_run_queue;

static void rq_push(struct sthread *t) {
  t->next = 0;
  t->queued = 1;
  if (sched_run_queue.tail)
    sched_run_queue.tail->next = t;
  else
    sched_run_queue.head = t;
  sched_run_queue.tail = t;
}

static struct sthread *rq_pop(void) {
  struct sthread *t = sched_run_queue.head;
  if (!t)
    return 0;
  if (!(sched_run_queue.head = t->next))
    sched_run_queue.tail = 0;
  t->queued = 0;
  return t;
}

/* A thread the runtime ran without our choice (its round robin) may
 * still be queued: take it off. */
static void rq_remove(struct sthread *t) {
  struct sthread **pp = &sched_run_queue.head, *prev = 0;
  if (!t->queued)
    return;
  for (; *pp && *pp != t; prev = *pp, pp = &(*pp)->next)
    ;
  if (!*pp)
    return;
  *pp = t->next;
  if (sched_run_queue.tail == t)
    sched_run_queue.tail = prev;
  t->queued = 0;
}

/* The thread to name next stays queued until it runs: back inside sched
 * it takes itself off (rq_remove(me) after every switch).  So when the
 * runtime first runs a thread an interrupt or a deadline woke (rc 1), the
 * named thread keeps its place instead of being lost off the queue.  rc -1: it could not run at
 * all (blocked in the runtime, or ended): it leaves the queue. */
static void named_done(struct sthread *next, int rc) {
  if (next && rc == -1)
    rq_remove(next);
}

static struct sthread *find(uint64_t id) {
  for (int i = 0; i < MAX_THREADS; i++)
    if (threads[i].state != FREE && threads[i].id == id)
      return &threads[i];
  return 0;
}

/* A free record; when none is left, forgets threads the runtime made
 * that have ended since (sched never sees them go). */
static struct sthread *record_alloc(uint64_t id) {
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < MAX_THREADS; i++)
      if (threads[i].state == FREE) {
        threads[i] = (struct sthread){.id = id, .state = RUNNING};
        return &threads[i];
      }
    for (int i = 0; i < MAX_THREADS; i++)
      if (!threads[i].created && threads[i].state == RUNNING &&
          !flexos_thread_alive(threads[i].id)) {
        rq_remove(&threads[i]);
        threads[i].state = FREE;
      }
  }
  return 0;
}

/* The caller's record, made at its first call if the runtime made it.
 * The caller runs, so it is not ready: a new thread the runtime's round
 * robin started before sched named it is still queued; take it off. */
static struct sthread *self(void) {
  uint64_t id = flexos_thread_id();
  struct sthread *t = find(id);
  if (!t && !(t = record_alloc(id)))
    flexos_panic("sched: more than %d threads", MAX_THREADS);
  if (t->queued) {
    rq_remove(t);
    t->state = RUNNING;
  }
  return t;
}

/* The caller, already marked WAITING/SLEEPING/JOINING, sleeps in the
 * runtime until resumed or tick `alarm`; the head of the run queue runs
 * meanwhile.  Back on the CPU, it is RUNNING again. */
static void block(struct sthread *me, uint64_t alarm) {
  struct sthread *next = sched_run_queue.head;
  if (next)
    sched_run_queue.switches++;
  int rc = flexos_ctx_block(next ? next->id : 0, alarm);
  rq_remove(me);
  me->state = RUNNING;
  named_done(next, rc);
}

/* From a blocked state to the run queue; the runtime may run it too. */
static void make_ready(struct sthread *t) {
  t->state = READY;
  rq_push(t);
  flexos_ctx_resume(t->id);
}

uint64_t sched_thread_add(int compartment, uintptr_t start, uintptr_t fn,
                          uintptr_t arg) {
  if (compartment < 0 ||
      compartment >= (int)flexos_image_config.ncompartments)
    return 0; /* the runtime would panic: a caller's mistake is no crash */
  /* Code of the caller's choosing must not start with sched's own keys
   * (docs/sched.md, Trust: the rest of this hole needs caller identity). */
  int own = flexos_current_compartment();
  if (compartment == own && own != (int)flexos_image_config.default_index)
    return 0;
  self(); /* the creator has a record before its child can join it */
  /* The record first: a full table is the caller's error, not a panic
   * after the runtime made a thread nobody tracks. */
  struct sthread *t = record_alloc(0);
  if (!t)
    return 0;
  uint64_t id = flexos_ctx_create(compartment,
                                  (void (*)(void *, void *))start, (void *)fn,
                                  (void *)arg);
  if (!id) {
    t->state = FREE;
    return 0;
  }
  t->id = id;
  t->created = 1;
  t->state = READY;
  rq_push(t);
  return id;
}

void sched_yield(void) {
  struct sthread *me = self(), *next = sched_run_queue.head;
  if (!next) { /* nobody of ours: let the runtime's own threads run */
    flexos_thread_yield();
    return;
  }
  me->state = READY;
  rq_push(me);
  sched_run_queue.switches++;
  int rc = flexos_ctx_switch(next->id);
  rq_remove(me);
  me->state = RUNNING;
  named_done(next, rc);
}

int sched_wait(uint64_t deadline) {
  struct sthread *me = self();
  for (;;) {
    if (me->token) {
      me->token = 0;
      return 0;
    }
    if (deadline && flexos_ticks() >= deadline)
      return -1;
    me->state = WAITING;
    block(me, deadline);
  }
}

void sched_sleep(uint64_t ticks) {
  struct sthread *me = self();
  uint64_t now = flexos_ticks();
  uint64_t until = ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks;
  while (flexos_ticks() < until) {
    me->state = SLEEPING;
    block(me, until);
  }
}

int sched_wakeup(uint64_t id) {
  struct sthread *t = find(id);
  if (!t || t->state == DONE)
    return -1;
  t->token = 1;
  if (t->state == WAITING)
    make_ready(t);
  return 0;
}

uint64_t sched_self(void) { return self()->id; }

int sched_join(uint64_t id) {
  struct sthread *me = self(), *t = find(id);
  if (!t || !t->created || t == me || t->joiner)
    return -1;
  t->joiner = me->id;
  while (t->state != DONE) {
    me->state = JOINING;
    block(me, 0);
  }
  rq_remove(t); /* a free record must not stay linked */
  t->state = FREE;
  return 0;
}

void sched_exit(void) {
  struct sthread *me = self();
  if (!me->created)
    flexos_panic("sched_exit: thread %lu was not made by sched", me->id);
  me->state = DONE;
  struct sthread *j = me->joiner ? find(me->joiner) : 0;
  if (j && j->state == JOINING)
    make_ready(j);
  /* Popped, not peeked: nobody comes back here to see whether it could
   * run, and one that is blocked in the runtime must not stay queued.
   * (If an event-woken thread runs first, the runtime's round robin still
   * has this one as ready.) */
  struct sthread *next = rq_pop();
  flexos_ctx_exit(next ? next->id : 0);
  flexos_panic("sched_exit: thread %lu resumed", me->id);
}
