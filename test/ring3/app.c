/*
 * FILE: test/ring3/app.c
 * DESCRIPTION:
 *   The application of the ring-3 test (default compartment).  Without
 *   arguments it checks that compartment code runs in ring 3 and that the
 *   services work from there: console output, threads (create, yield,
 *   join), a park that times out, park/unpark, heaps in both
 *   compartments; then prints "ring3: all ok".  "ATTACK [ADDR]" has
 *   the library attack the core (lib.c); "app-pointer" passes the core a
 *   pointer into the library's memory, which the application may not
 *   read; "app-wrmsr" runs a privileged instruction in the default
 *   compartment.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flexos/runtime.h>

#include "lib.h"

static unsigned ring(void) {
  uint16_t cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  return cs & 3;
}

static int counts[2];
static volatile int unparked;
static volatile uint64_t sleeper_id;

static void worker(void *arg) {
  int *n = arg;
  for (int i = 0; i < 5; i++) {
    (*n)++;
    flexos_thread_yield();
  }
}

static void sleeper(void *arg) {
  (void)arg;
  sleeper_id = flexos_thread_id();
  flexos_thread_park(0);
  unparked = 1;
}

static int check_threads(void) {
  struct flexos_thread *a = flexos_thread_create(worker, &counts[0]);
  struct flexos_thread *b = flexos_thread_create(worker, &counts[1]);
  if (!a || !b)
    return 1;
  flexos_thread_join(a);
  flexos_thread_join(b);
  if (counts[0] != 5 || counts[1] != 5)
    return 1;
  uint64_t before = flexos_ticks();
  if (flexos_thread_park(before + 2) != -1 || flexos_ticks() < before + 2)
    return 1;
  struct flexos_thread *s = flexos_thread_create(sleeper, 0);
  if (!s)
    return 1;
  while (!sleeper_id)
    flexos_thread_yield(); /* until the sleeper has parked */
  flexos_thread_unpark(sleeper_id);
  flexos_thread_join(s);
  return !unparked;
}

int main(int argc, char **argv) {
  printf("ring3: main runs in ring %u, the library in ring %u\n", ring(), lib_ring());
  if (argc > 1 && !strcmp(argv[1], "app-pointer")) {
    printf("ring3: passing the core a pointer into the library\n");
    flexos_console_write((const char *)lib_secret_address(), 16);
    printf("ring3: the core wrote it\n");
    return 1;
  }
  if (argc > 1 && !strcmp(argv[1], "app-wrmsr")) {
    /* the default compartment is no more privileged than the others */
    __asm__ volatile("wrmsr" : : "c"(0xc0000080u), "a"(0u), "d"(0u));
    printf("ring3: app-wrmsr was not stopped\n");
    return 1;
  }
  if (argc > 1)
    return lib_attack(argv[1], argc > 2 ? strtoul(argv[2], 0, 0) : 0);
  int failed = 0;
  if (ring() != 3 || lib_ring() != 3) {
    printf("ring3: FAIL not in ring 3\n");
    failed++;
  }
  if (check_threads()) {
    printf("ring3: FAIL threads\n");
    failed++;
  }
  char *p = malloc(100);
  if (!p || lib_heap_check()) {
    printf("ring3: FAIL heaps\n");
    failed++;
  }
  free(p);
  printf("ring3: %s, %d failure(s)\n", failed ? "FAILED" : "all ok", failed);
  return failed;
}
