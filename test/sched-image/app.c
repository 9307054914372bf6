/*
 * FILE: test/sched-image/app.c
 * DESCRIPTION:
 *   sched-image's application: exercises library sched through gates --
 *   yield order, deadlines, wake-ups and their order, sleep, join, threads
 *   the runtime made mixing with sched's, threads started in another
 *   library's compartment -- prints "sched-image: ok" or FAILED lines,
 *   and measures a yield between two threads (cycles per switch) next to
 *   the runtime's own round robin.  With the argument read-run-queue it
 *   reads sched's run queue instead: with keys that faults
 *   (from=app touched=sched); without, it prints NOT STOPPED and exits 1.
 *   With wait-forever main waits with no deadline and nobody to wake it:
 *   the runtime panics "every thread is blocked"; bad-compartment and
 *   exit-main misuse the primitives (the core refuses the first, exit
 *   status 5; the second panics).
 * USAGE:
 *   tools/run-image.sh build/test/sched-image/sched-image-pku.elf
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sched_image.h"

#define BENCH_YIELDS 5000

extern struct {
  void *head, *tail;
  uint64_t switches;
} sched_run_queue; /* sched's private state: the attack's target */

static char order[32];
static int norder, failures, waiting;
static uint64_t main_id;

static void check(int ok, const char *what) {
  if (!ok) {
    printf("sched-image: FAILED: %s\n", what);
    failures++;
  }
}

static void note(char c) {
  if (norder < (int)sizeof(order) - 1)
    order[norder++] = c;
}

static void yielder(void *arg) {
  for (int i = 0; i < 3; i++) {
    note((char)(intptr_t)arg);
    flexos_gate(sched, sched_yield);
  }
}

static void test_yield_order(void) {
  norder = 0;
  uint64_t a = sched_spawn(yielder, (void *)'a');
  uint64_t b = sched_spawn(yielder, (void *)'b');
  check(a && b, "spawn");
  check(flexos_gate(sched, sched_join, a) == 0, "join a");
  check(flexos_gate(sched, sched_join, b) == 0, "join b");
  order[norder] = 0;
  printf("sched-image: thread order %s\n", order);
  check(strcmp(order, "ababab") == 0, "yield order");
}

static void waker(void *arg) {
  flexos_gate(sched, sched_sleep, 2);
  flexos_gate(sched, sched_wakeup, main_id);
}

static void test_deadlines(void) {
  uint64_t t0 = flexos_ticks();
  check(flexos_gate(sched, sched_wait, t0 + 5) == -1, "wait times out");
  check(flexos_ticks() >= t0 + 5, "wait lasted until its deadline");
  uint64_t w = sched_spawn(waker, 0);
  t0 = flexos_ticks();
  check(flexos_gate(sched, sched_wait, t0 + 500) == 0, "woken before deadline");
  check(flexos_ticks() < t0 + 500, "woken early");
  check(flexos_gate(sched, sched_join, w) == 0, "join waker");
  /* A token given before the wait is consumed at once. */
  check(flexos_gate(sched, sched_wakeup, main_id) == 0, "wake self");
  check(flexos_gate(sched, sched_wait, 0) == 0, "earlier token");
  /* A wake-up does not end a sleep; it leaves its token. */
  w = sched_spawn(waker, 0);
  t0 = flexos_ticks();
  flexos_gate(sched, sched_sleep, 6);
  check(flexos_ticks() >= t0 + 6, "sleep lasted");
  check(flexos_gate(sched, sched_wait, flexos_ticks() + 1) == 0,
        "token left by a wake-up during the sleep");
  check(flexos_gate(sched, sched_join, w) == 0, "join waker 2");
  printf("sched-image: deadlines ok\n");
}

static void sleeper(void *arg) {
  waiting++;
  while (flexos_gate(sched, sched_wait, 0) != 0)
    ;
  note((char)(intptr_t)arg);
}

/* Woken in the order 3, 1, 2: they run in that order (FIFO queue). */
static void test_wake_order(void) {
  norder = waiting = 0;
  uint64_t id[3];
  for (int i = 0; i < 3; i++)
    id[i] = sched_spawn(sleeper, (void *)(intptr_t)('1' + i));
  while (waiting < 3)
    flexos_gate(sched, sched_yield);
  static const int wake[3] = {2, 0, 1};
  for (int i = 0; i < 3; i++)
    check(flexos_gate(sched, sched_wakeup, id[wake[i]]) == 0, "wakeup");
  for (int i = 0; i < 3; i++)
    check(flexos_gate(sched, sched_join, id[i]) == 0, "join sleeper");
  order[norder] = 0;
  printf("sched-image: wakeup order %s\n", order);
  check(strcmp(order, "312") == 0, "wakeup order");
}

/* A thread of the runtime's (flexos_thread_create) waits in sched and is
 * woken by one of sched's; main joins it with the runtime's join. */
static volatile uint64_t rt_id;
static volatile int rt_woken;
static void rt_thread(void *arg) {
  rt_id = flexos_gate(sched, sched_self);
  rt_woken = flexos_gate(sched, sched_wait, flexos_ticks() + 300) == 0;
}
static void rt_waker(void *arg) {
  while (!rt_id)
    flexos_gate(sched, sched_yield);
  flexos_gate(sched, sched_wakeup, rt_id);
}

static void test_mixed(void) {
  struct flexos_thread *t = flexos_thread_create(rt_thread, 0);
  uint64_t w = sched_spawn(rt_waker, 0);
  check(t && w, "create mixed");
  flexos_thread_join(t);
  check(rt_woken, "runtime thread woken by a sched thread");
  check(flexos_gate(sched, sched_join, w) == 0, "join rt_waker");
  printf("sched-image: mixed threads ok\n");
}

static void nothing(void *arg) {}

/* Threads the runtime's round robin starts (not sched): A, first in
 * sched's queue, blocks in the runtime before it ever calls sched; T,
 * behind it, ends at once.  Neither may leave a stale entry in sched's
 * run queue (a record freed while queued, then reused, loops the queue). */
static void park_briefly(void *arg) {
  flexos_gate(runtime, flexos_thread_park, flexos_ticks() + 3);
}

static void test_started_by_runtime(void) {
  uint64_t a = sched_spawn(park_briefly, 0), t = sched_spawn(nothing, 0);
  flexos_thread_yield(); /* the round robin runs A, then T */
  check(flexos_gate(sched, sched_join, t) == 0, "join T");
  /* Nobody is ready now (A sleeps in the runtime): the queue is empty.
   * Only readable without keys. */
  if (!flexos_pku_active())
    check(sched_run_queue.head == 0, "no stale entry in the run queue");
  test_yield_order(); /* new threads, maybe in T's record: the queue works */
  check(flexos_gate(sched, sched_join, a) == 0, "join A");
  printf("sched-image: threads started by the runtime ok\n");
}

static void test_errors(void) {
  check(flexos_gate(sched, sched_wakeup, 999999) == -1, "wakeup unknown");
  check(flexos_gate(sched, sched_join, 999999) == -1, "join unknown");
  check(flexos_gate(sched, sched_join, main_id) == -1, "join self");
  check(flexos_gate(sched, sched_self) == flexos_thread_id(), "sched_self");
  check(flexos_gate(sched, sched_thread_add, 99, (uintptr_t)sched_start_here_,
                    (uintptr_t)nothing, 0) == 0, "spawn in no compartment");
  check(flexos_gate(sched, sched_thread_add, -1, (uintptr_t)sched_start_here_,
                    (uintptr_t)nothing, 0) == 0, "spawn in compartment -1");
}

/* Deadlines and interrupts are not starved by threads that keep yielding
 * to each other: the waiter wakes at its deadline, not after them. */
static volatile int dw_done;
static volatile uint64_t dw_late;
static void deadline_waiter(void *arg) {
  uint64_t deadline = flexos_ticks() + 3;
  flexos_gate(sched, sched_wait, deadline);
  dw_late = flexos_ticks() - deadline;
  dw_done = 1;
}
static void busy_yielder(void *arg) {
  uint64_t end = flexos_ticks() + 200;
  while (!dw_done && flexos_ticks() < end)
    flexos_gate(sched, sched_yield);
}

static void test_no_starvation(void) {
  dw_done = 0;
  uint64_t w = sched_spawn(deadline_waiter, 0);
  uint64_t a = sched_spawn(busy_yielder, 0), b = sched_spawn(busy_yielder, 0);
  flexos_gate(sched, sched_join, w);
  flexos_gate(sched, sched_join, a);
  flexos_gate(sched, sched_join, b);
  printf("sched-image: deadline amid yielding threads: %lu ticks late\n",
         dw_late);
  check(dw_late < 50, "a deadline fires while other threads yield");
}

static void rt_hello(void *arg) { flexos_gate(sched, sched_self); }

/* More threads over time than either table holds: ended threads' stacks
 * and sched's records must be reused, including the records of runtime
 * threads that sched never sees end. */
static void test_reuse(void) {
  /* Both counts are taken with one ended thread's stacks not yet freed. */
  flexos_gate(sched, sched_join, sched_spawn(nothing, 0));
  size_t before = flexos_pages_free();
  int ok = 1;
  for (int i = 0; i < 100 && ok; i++) {
    uint64_t id = sched_spawn(nothing, 0);
    ok = id && flexos_gate(sched, sched_join, id) == 0;
  }
  check(ok, "100 spawn+join in turn");
  for (int i = 0; i < 100 && ok; i++) {
    struct flexos_thread *t = flexos_thread_create(rt_hello, 0);
    if (!(ok = t != 0))
      break;
    flexos_thread_join(t);
  }
  check(ok, "100 runtime threads known to sched in turn");
  /* The last ended thread's stacks go with the next creation. */
  flexos_gate(sched, sched_join, sched_spawn(nothing, 0));
  size_t after = flexos_pages_free();
  printf("sched-image: 201 threads made and ended, %ld pages kept\n",
         (long)before - (long)after);
  check(before == after, "stacks of ended threads freed");
}

static void pinger(void *arg) {
  for (int i = 0; i < BENCH_YIELDS; i++)
    flexos_gate(sched, sched_yield);
}

static void rt_pinger(void *arg) {
  for (int i = 0; i < BENCH_YIELDS; i++)
    flexos_thread_yield();
}

/* Two threads yielding to each other; main waits in join meanwhile. */
static void bench(void) {
  uint64_t a = sched_spawn(pinger, 0), b = sched_spawn(pinger, 0);
  uint64_t t0 = rdtsc();
  flexos_gate(sched, sched_join, a);
  flexos_gate(sched, sched_join, b);
  uint64_t cyc = (rdtsc() - t0) / (2 * BENCH_YIELDS);
  struct flexos_thread *x = flexos_thread_create(rt_pinger, 0);
  struct flexos_thread *y = flexos_thread_create(rt_pinger, 0);
  t0 = rdtsc();
  flexos_thread_join(x);
  flexos_thread_join(y);
  uint64_t rt = (rdtsc() - t0) / (2 * BENCH_YIELDS);
  printf("sched-image: yield: %lu cycles/switch with sched "
         "(runtime round robin: %lu cycles/switch)\n", cyc, rt);
}

int main(int argc, char **argv) {
  const char *arg = argc > 1 ? argv[1] : "";
  main_id = flexos_thread_id();
  if (strcmp(arg, "read-run-queue") == 0) {
    uint64_t n = *(volatile uint64_t *)&sched_run_queue.switches;
    printf("read-run-queue: NOT STOPPED (switches=%lu)\n", n);
    return 1;
  }
  if (strcmp(arg, "bad-compartment") == 0) {
    flexos_gate(runtime, flexos_ctx_create, 99, sched_start_here_,
                (void *)nothing, 0);
    return 1;
  }
  if (strcmp(arg, "exit-main") == 0) {
    flexos_gate(sched, sched_exit);
    return 1;
  }
  if (strcmp(arg, "wait-forever") == 0) {
    flexos_gate(sched, sched_wait, 0);
    printf("wait-forever: woken\n");
    return 1;
  }
  printf("sched-image: protection keys %s, sched in compartment %s\n",
         flexos_pku_active() ? "on" : "off",
         flexos_compartment_name(flexos_image_config.ncompartments > 1 ? 1 : 0));
  test_yield_order();
  test_deadlines();
  test_wake_order();
  test_mixed();
  test_errors();
  test_started_by_runtime();
  test_no_starvation();
  test_reuse();
  int n = flexos_gate(worker, worker_run, 4);
  printf("sched-image: %d of 4 worker threads ran in the worker's compartment\n", n);
  check(n == 4, "worker threads in their creator's compartment");
  bench();
  if (failures)
    return 1;
  printf("sched-image: ok\n");
  return 0;
}
