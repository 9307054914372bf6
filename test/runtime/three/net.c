/*
 * FILE: test/runtime/three/net.c
 * DESCRIPTION: library `net` (compartment net): gate targets with 0..10
 *   arguments, callbacks into app and fs, its own heap, and the victim
 *   data of the isolation tests (a private global, a heap object and a
 *   stack variable).
 * License: MIT (see LICENSE)
 */
#include <flexos/runtime.h>
#include <stdlib.h>
#include <string.h>

#include "three.h"

int net_secret = 0x5ec2e7; /* private: .data.flexos.net */
static long net_calls;     /* private: .bss.flexos.net */

long net_const(void) { return 42 + 0 * net_calls++; }

long net_sum6(long a, long b, long c, long d, long e, long f) {
  net_calls++;
  return SUM_WEIGHTED(a, b, c, d, e, f);
}

long net_sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
  return SUM_WEIGHTED(a, b, c, d, e, f, g, h);
}

long net_sum10(long a, long b, long c, long d, long e, long f, long g, long h,
               long i, long j) {
  return SUM_WEIGHTED(a, b, c, d, e, f, g, h, i, j);
}

/* net -> app -> back: a nested gate into the caller's compartment. */
long net_callback(long x) { return flexos_gate(app, app_triple, x) + 1; }

/* A gate back into app must hand it a 16-byte aligned stack. */
long net_callback_rsp(void) { return flexos_gate(app, app_rsp_mod16); }

long net_via_fs(long x) {
  return flexos_gate(fs, fs_sum10, x, 2, 3, 4, 5, 6, 7, 8, 9, 10);
}

long net_whoami(void) { return flexos_current_compartment(); }

/* Writes into a buffer the caller shared with us. */
long net_fill(char *buf, long n) {
  const char msg[] = "hello from net";
  long len = (long)sizeof(msg) < n ? (long)sizeof(msg) : n;
  memcpy(buf, msg, len);
  return len;
}

/* malloc in net's own heap, used and freed here. */
long net_heap_roundtrip(long n) {
  long *v = malloc(n * sizeof(long));
  if (!v)
    return -1;
  long s = 0;
  for (long i = 0; i < n; i++)
    v[i] = i;
  v = realloc(v, 2 * n * sizeof(long));
  for (long i = 0; i < n; i++)
    s += v[i];
  free(v);
  return s;
}

/* Spins in net until the timer has ticked `n` times: the IRQs land while
 * net's PKRU is live, so the interrupt gate must switch to the runtime's
 * domain and back.  Returns the compartment we are in afterwards. */
long net_wait_ticks(long n) {
  uint64_t t0 = flexos_ticks();
  for (volatile long i = 0; flexos_ticks() < t0 + n && i < 1000000000L; i++)
    ;
  return flexos_ticks() >= t0 + n ? flexos_current_compartment() : -1;
}

long net_bump(void) { return ++shared_counter; }

/* Cross-thread interleaving: app yields while this gate is live. */
long net_yielding(long x) {
  long before = ++net_calls;
  long r = flexos_gate(app, app_yield_then, x);
  return r + (net_calls > before ? 1000 : 0);
}

void net_publish_heap(void) {
  shared_victim_heap = malloc(sizeof(int));
  *shared_victim_heap = 77;
}

/* A live stack variable of net, handed to fs (which must not reach it). */
long net_stack_victim(long kind) {
  volatile int local = 99;
  shared_victim_stack = (int *)&local;
  long r = flexos_gate(fs, fs_attack, kind);
  return r + local;
}

/* Gates from interrupt context. net_on_tick runs from the timer hook,
 * through a gate taken on the interrupt stack, possibly while
 * net_guarded_wait is live in net below it: it scribbles over a stack
 * buffer so that, were its frame placed on top of the interrupted one,
 * the canary below would show it. */
static long net_irq_calls; /* private: .bss.flexos.net */

long net_on_tick(long tick) {
  volatile char scratch[512];
  for (int i = 0; i < 512; i++)
    scratch[i] = (char)(0xee ^ tick);
  return ++net_irq_calls + 0 * scratch[tick & 511];
}

long net_guarded_wait(long n) {
  volatile long canary[64];
  for (int i = 0; i < 64; i++)
    canary[i] = 0x1111L * i;
  long before = net_irq_calls;
  /* A live vector register too: the handlers' gates scrub xmm0-15, so the
   * interrupt gate must save and restore them. */
  long in_xmm = 0x0123456789abcdefL, out_xmm;
  __asm__ volatile("movq %0, %%xmm5" : : "r"(in_xmm) : "xmm5");
  uint64_t t0 = flexos_ticks();
  for (volatile long i = 0; flexos_ticks() < t0 + n && i < 1000000000L; i++)
    ;
  __asm__ volatile("movq %%xmm5, %0" : "=r"(out_xmm));
  for (int i = 0; i < 64; i++)
    if (canary[i] != 0x1111L * i)
      return -1;
  if (out_xmm != in_xmm)
    return -2;
  return net_irq_calls - before;
}
