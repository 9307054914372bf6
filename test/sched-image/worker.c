/*
 * FILE: test/sched-image/worker.c
 * DESCRIPTION:
 *   Library `worker` of sched-image: spawns threads from its own
 *   compartment, which must start there (sched's thread-start rule):
 *   each writes this library's private table, which faults with keys if
 *   the thread runs anywhere else, and notes the compartment it saw.
 * USAGE:
 *   n_ok = flexos_gate(worker, worker_run, 4);
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <sched.h>
#include <stdint.h>

#include "sched_image.h"

#define MAX_WORKERS 8

static int seen[MAX_WORKERS]; /* compartment + 1 each thread ran in */

static void worker_body(void *arg) {
  int i = (int)(intptr_t)arg;
  seen[i] = flexos_current_compartment() + 1;
  flexos_gate(sched, sched_yield);
}

/* Spawns n threads here, joins them, and returns how many ran in this
 * library's compartment (-1 for a spawn or join that failed). */
int worker_run(int n) {
  uint64_t ids[MAX_WORKERS];
  if (n < 1 || n > MAX_WORKERS)
    return -1;
  for (int i = 0; i < n; i++)
    if (!(ids[i] = sched_spawn(worker_body, (void *)(intptr_t)i)))
      return -1;
  for (int i = 0; i < n; i++)
    if (flexos_gate(sched, sched_join, ids[i]) < 0)
      return -1;
  int here = flexos_current_compartment() + 1, ok = 0;
  for (int i = 0; i < n; i++)
    ok += seen[i] == here;
  return ok;
}
