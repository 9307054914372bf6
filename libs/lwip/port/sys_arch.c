/*
 * FILE: libs/lwip/port/sys_arch.c
 * DESCRIPTION:
 *   lwIP's OS port (NO_SYS=0), compiled into library `lwip` and so into
 *   lwIP's compartment: semaphores, mailboxes and threads over library
 *   `sched` (libs/sched, any compartment).  A thread that must wait puts
 *   a waiter record (on its own stack) on the object's wait queue and
 *   waits (sched_wait); the thread that signals takes the first waiter
 *   off and wakes it (sched_wakeup).  Threads are sched_spawn'ed, so they
 *   start in lwIP's compartment and run lwIP's thread function directly.
 *   Threads never preempt each other and no lwIP code runs in interrupt
 *   context, so nothing here needs a lock: between two blocking points a
 *   thread runs alone.  Also: errno, sys_now, the random numbers and the
 *   assertion hook of arch/cc.h.
 * USAGE:
 *   Part of FLEXOS_LWIP_SOURCES (libs/lwip/lwip.cmake).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <flexos_lwip.h>
#include <sched.h>
#include <stdlib.h>

#include "lwip/err.h"
#include "lwip/errno.h"
#include "lwip/sys.h"

#define TICK_MS 10 /* the runtime's timer runs at 100 Hz */

/* The socket API's error code.  Shared: the application reads it after a
 * failed lwip_* call, from its own compartment. */
int errno __flexos_share;

/* ---- wait queues -------------------------------------------------------- */

struct waiter {
  struct waiter *next;
  uint64_t thread; /* thread id (sched's and the runtime's) */
  int woken;       /* set by the waker once it took us off the queue */
};

struct waitq {
  struct waiter *head, *tail;
};

static void waitq_remove(struct waitq *q, struct waiter *w) {
  struct waiter **pp = &q->head, *prev = 0;
  for (; *pp && *pp != w; prev = *pp, pp = &(*pp)->next)
    ;
  if (!*pp)
    return;
  *pp = w->next;
  if (q->tail == w)
    q->tail = prev;
}

/* Wakes the longest waiter, if any. */
static void waitq_wake_one(struct waitq *q) {
  struct waiter *w = q->head;
  if (!w)
    return;
  q->head = w->next;
  if (!q->head)
    q->tail = 0;
  w->woken = 1;
  sched_wakeup(w->thread);
}

/* Sleeps until waitq_wake_one picks us or the deadline tick passes
 * (0 = none).  Returns 0 when woken, -1 at the deadline. */
static int waitq_sleep(struct waitq *q, uint64_t deadline) {
  struct waiter w = {0, flexos_thread_id(), 0};
  if (q->tail)
    q->tail->next = &w;
  else
    q->head = &w;
  q->tail = &w;
  while (!w.woken)
    if (sched_wait(deadline) < 0 && !w.woken) {
      waitq_remove(q, &w);
      return -1;
    }
  return 0;
}

/* lwIP timeouts are milliseconds, 0 meaning forever.  Round up, plus one
 * tick: the current tick is already partly over. */
static uint64_t deadline_of(u32_t timeout_ms) {
  if (timeout_ms == 0)
    return 0;
  return flexos_ticks() + (timeout_ms + TICK_MS - 1) / TICK_MS + 1;
}

/* Milliseconds since `start` (a tick), kept below SYS_ARCH_TIMEOUT. */
static u32_t waited_ms(uint64_t start) {
  uint64_t ms = (flexos_ticks() - start) * TICK_MS;
  return ms >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : (u32_t)ms;
}

/* ---- semaphores (and, through LWIP_COMPAT_MUTEX, mutexes) -------------- */

struct sys_sem {
  unsigned count;
  struct waitq waiters;
};

err_t sys_sem_new(sys_sem_t *sem, u8_t count) {
  struct sys_sem *s = calloc(1, sizeof(*s));
  *sem = s;
  if (!s)
    return ERR_MEM;
  s->count = count;
  return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem) {
  (*sem)->count++;
  waitq_wake_one(&(*sem)->waiters);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout) {
  struct sys_sem *s = *sem;
  uint64_t start = flexos_ticks(), deadline = deadline_of(timeout);
  while (s->count == 0)
    if (waitq_sleep(&s->waiters, deadline) < 0)
      return SYS_ARCH_TIMEOUT;
  s->count--;
  return waited_ms(start);
}

void sys_sem_free(sys_sem_t *sem) {
  if ((*sem)->waiters.head)
    flexos_lwip_assert("sys_sem_free: threads still wait on it", __FILE__,
                       __LINE__);
  free(*sem);
  *sem = 0;
}

/* ---- mailboxes: a ring of `size` pointers ------------------------------- */

struct sys_mbox {
  int size, head, count;
  struct waitq readers, writers;
  void *msgs[];
};

err_t sys_mbox_new(sys_mbox_t *mbox, int size) {
  struct sys_mbox *m = 0;
  if (size > 0)
    m = calloc(1, sizeof(*m) + (size_t)size * sizeof(void *));
  *mbox = m;
  if (!m)
    return ERR_MEM;
  m->size = size;
  return ERR_OK;
}

static void mbox_push(struct sys_mbox *m, void *msg) {
  m->msgs[(m->head + m->count) % m->size] = msg;
  m->count++;
  waitq_wake_one(&m->readers);
}

static void *mbox_pop(struct sys_mbox *m) {
  void *msg = m->msgs[m->head];
  m->head = (m->head + 1) % m->size;
  m->count--;
  waitq_wake_one(&m->writers);
  return msg;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg) {
  struct sys_mbox *m = *mbox;
  while (m->count == m->size)
    waitq_sleep(&m->writers, 0);
  mbox_push(m, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg) {
  struct sys_mbox *m = *mbox;
  if (m->count == m->size)
    return ERR_MEM;
  mbox_push(m, msg);
  return ERR_OK;
}

/* No lwIP code runs in interrupt context here: the same as trypost. */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg) {
  return sys_mbox_trypost(mbox, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout) {
  struct sys_mbox *m = *mbox;
  uint64_t start = flexos_ticks(), deadline = deadline_of(timeout);
  while (m->count == 0)
    if (waitq_sleep(&m->readers, deadline) < 0)
      return SYS_ARCH_TIMEOUT;
  void *v = mbox_pop(m);
  if (msg)
    *msg = v;
  return waited_ms(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg) {
  struct sys_mbox *m = *mbox;
  if (m->count == 0)
    return SYS_MBOX_EMPTY;
  void *v = mbox_pop(m);
  if (msg)
    *msg = v;
  return 0;
}

void sys_mbox_free(sys_mbox_t *mbox) {
  struct sys_mbox *m = *mbox;
  if (m->readers.head || m->writers.head)
    flexos_lwip_assert("sys_mbox_free: threads still wait on it", __FILE__,
                       __LINE__);
  free(m);
  *mbox = 0;
}

/* ---- threads ------------------------------------------------------------- */

/* The thread starts in this compartment (sched's thread-start rule), so
 * it calls lwIP's thread function directly. */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
                            int stacksize, int prio) {
  uint64_t id = sched_spawn(fn, arg);
  if (!id)
    flexos_panic("lwip: sys_thread_new(%s): no thread left", name);
  return id;
}

/* ---- the rest of the port -------------------------------------------------- */

void sys_init(void) {}

u32_t sys_now(void) { return (u32_t)(flexos_ticks() * TICK_MS); }

/* xorshift64, seeded from the TSC on first use: TCP's initial sequence
 * numbers and local ports, not cryptography. */
unsigned int flexos_lwip_rand(void) {
  static uint64_t state;
  if (!state)
    state = rdtsc() | 1;
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (unsigned int)(state >> 32);
}

void flexos_lwip_assert(const char *msg, const char *file, int line) {
  flexos_panic("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
}
