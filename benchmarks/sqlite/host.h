/*
 * FILE: benchmarks/sqlite/host.h
 * DESCRIPTION:
 *   The few services SQLite's compartment needs from the kernel, which a
 *   non-default compartment may not ask for itself (docs/hosted.md, "What
 *   compartment code may call"): the time and a sleep.  host.c defines
 *   them in library `app` (the default compartment); memvfs.c calls them
 *   plainly and the build turns each call into a gate when SQLite is
 *   isolated.  Only integers cross.
 * License: MIT (see LICENSE)
 */
#ifndef SQLITE_BENCH_HOST_H
#define SQLITE_BENCH_HOST_H

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
long long sqlite_host_time_ms(void);

/* Sleeps about `us` microseconds (clamped to 0..10 s); returns the
 * microseconds asked for, as SQLite's xSleep does. */
int sqlite_host_sleep_us(int us);

/* How many times SQLite's compartment called the two above (the
 * sqlite -> app gate crossings). */
unsigned long sqlite_host_calls(void);

#endif
