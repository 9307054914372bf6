/*
 * FILE: benchmarks/sqlite/host.c
 * DESCRIPTION:
 *   Library `app` (the default compartment): the kernel services that
 *   SQLite's VFS (memvfs.c, SQLite's compartment) asks for through a gate,
 *   since only the default compartment may make system calls (host.h).
 *   Arguments come from SQLite's compartment and are clamped here.
 * License: MIT (see LICENSE)
 */
#include <time.h>

#include "host.h"

static unsigned long calls; /* app's own memory: SQLite cannot write it */

long long sqlite_host_time_ms(void) {
  struct timespec ts;
  calls++;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
    return 0;
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sqlite_host_sleep_us(int us) {
  calls++;
  if (us < 0)
    us = 0;
  if (us > 10 * 1000 * 1000)
    us = 10 * 1000 * 1000;
  struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
  nanosleep(&ts, NULL);
  return us;
}

unsigned long sqlite_host_calls(void) { return calls; }
