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
 *   compartment; "app-read ADDR" reads an address from it.  The tick hook (an upcall from the core): "tick-leak"
 *   has it look at its registers while the library holds a secret in its
 *   own; "tick-stack-lib" hands the core the library's memory as the
 *   hook's stack.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flexos/runtime.h>
#include <flexos/service.h>

#include "lib.h"

/* Written by app_tick_probe (probe.S): every register it was given, ORed. */
uint64_t app_probe_regs[14];
volatile uint64_t app_probe_calls;
void app_tick_probe(uint64_t tick);
static const char *const probe_names[14] = {
    "rax", "rbx", "rcx", "rdx", "rbp", "r8", "r9", "r10",
    "r11", "r12", "r13", "r14", "r15", "xmm5"};

/* The library holds a secret in its registers while ticks interrupt it;
 * the hook must see none of it, and the library must get all of it back. */
static int tick_leak(void) {
  flexos_set_tick_hook(app_tick_probe);
  int lost = lib_hold_secret(0x5ec7e75ec7e75ec7ull, 5);
  flexos_set_tick_hook(0);
  int leaked = 0;
  for (int i = 0; i < 14; i++)
    if (app_probe_regs[i]) {
      printf("ring3: FAIL the hook was handed %s = 0x%lx\n", probe_names[i],
             (unsigned long)app_probe_regs[i]);
      leaked++;
    }
  printf("ring3: tick hook ran %lu time(s), %d register(s) not clear, the "
         "library's registers %s\n", (unsigned long)app_probe_calls, leaked,
         lost ? "LOST" : "intact");
  if (app_probe_calls < 3 || leaked || lost)
    return 1;
  printf("ring3: tick-leak ok\n");
  return 0;
}

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
  if (argc > 2 && !strcmp(argv[1], "app-read")) {
    /* the default compartment reads memory it was never given (free RAM,
     * where freed kernel stacks go) */
    unsigned long v = *(volatile unsigned long *)strtoul(argv[2], 0, 0);
    printf("ring3: app read 0x%lx\n", v);
    return 1;
  }
  if (argc > 1 && !strcmp(argv[1], "tick-leak"))
    return tick_leak();
  if (argc > 1 && !strcmp(argv[1], "tick-stack-lib")) {
    /* the hook's stack in the library's memory: the core would have the
     * hook write there with the default compartment's rights */
    uint64_t rax = FLEXOS_SVC_TICK_HOOK;
    register uint64_t rdi __asm__("rdi") = (uint64_t)app_tick_probe;
    register uint64_t rsi __asm__("rsi") = (uint64_t)app_tick_probe;
    register uint64_t rdx __asm__("rdx") = lib_secret_address();
    register uint64_t r10 __asm__("r10") = 4096;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10)
                     :
                     : "rcx", "r8", "r9", "r11", "memory");
    printf("ring3: tick-stack-lib was not stopped\n");
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
