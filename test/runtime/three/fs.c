/*
 * FILE: test/runtime/three/fs.c
 * DESCRIPTION: library `fs` (compartment fs): gate targets, gates onward
 *   into net and app, and the attacker of the isolation tests, which
 *   reads or writes net's global, heap object or stack variable.
 * License: MIT (see LICENSE)
 */
#include <flexos/runtime.h>
#include <stdint.h>
#include <stdio.h>

#include "three.h"

long fs_sum6(long a, long b, long c, long d, long e, long f) {
  return SUM_WEIGHTED(a, b, c, d, e, f);
}

long fs_sum10(long a, long b, long c, long d, long e, long f, long g, long h,
              long i, long j) {
  return SUM_WEIGHTED(a, b, c, d, e, f, g, h, i, j);
}

long fs_via_net(long x) {
  return flexos_gate(net, net_sum8, x, 2, 3, 4, 5, 6, 7, 8);
}

/* fs -> net -> app -> back: three compartments deep. */
long fs_deep(long x) { return flexos_gate(net, net_callback, x) * 2; }

/* fs -> app directly, with 6 arguments. */
long fs_to_app(long x) {
  return flexos_gate(app, app_sum6, x, x + 1, x + 2, x + 3, x + 4, x + 5);
}

long fs_whoami(void) { return flexos_current_compartment(); }

long fs_strlen(const char *s) {
  long n = 0;
  while (s[n])
    n++;
  return n;
}

long fs_bump(void) { return ++shared_counter; }

/* An exception other than a page fault, raised inside fs. */
long fs_undefined(void) {
  __asm__ volatile("ud2");
  return 0;
}

static volatile int *victim(long kind) {
  switch (kind / 2) {
  case 0: return &net_secret;
  case 1: return shared_victim_heap;
  default: return shared_victim_stack;
  }
}

/* Touch net's memory from fs; under intel-pku this never returns. */
long fs_attack(long kind) {
  static const char *const what[] = {"global", "heap object", "stack variable"};
  volatile int *p = victim(kind);
  printf("attack: fs %s net's %s at %p\n", kind % 2 ? "writes" : "reads",
         what[kind / 2], (void *)p);
  if (kind % 2)
    *p = 0x0bad;
  return *p;
}

/* From the timer hook: fs, then a nested gate back into app. */
static long fs_irq_calls; /* private: .bss.flexos.fs */

long fs_on_tick(long tick) {
  fs_irq_calls++;
  return flexos_gate(app, app_triple, tick);
}

/* ---- forged shared allocator state (both must end in a panic) -------- */
struct forged_block {
  struct forged_block *next;
  uint64_t units;
};
__flexos_share _Alignas(16) static struct forged_block forged;

/* Rewire the shared heap's free list (its state lives in shared memory)
 * so that the next block handed out would be `target`, in app. */
long fs_forge_shared_heap(long target) {
  char *p = flexos_malloc_shared(16);
  uintptr_t end = ((uintptr_t)p + 4095) & ~4095ul;
  uintptr_t region = end - 256 * 4096; /* struct heap at the region start */
  struct forged_block *base = (struct forged_block *)region;
  struct forged_block **freep = (struct forged_block **)(region + 16);
  forged.next = &forged;
  forged.units = ((uintptr_t)target - 16 - (uintptr_t)&forged) / 16 + 2;
  base->next = &forged;
  base->units = 0;
  *freep = base;
  return 0;
}

/* Point this thread's shared-stack header (shared memory) at `target`. */
long fs_forge_shared_stack(long target) {
  uint64_t header;
  __asm__ volatile("movq %%gs:8, %0" : "=r"(header));
  ((uint64_t *)header)[0] = (uint64_t)target + 64; /* top */
  ((uint64_t *)header)[1] = 0;                     /* limit */
  return 0;
}

/* Leave the free list at the heap's own anchor but give the anchor a
 * size that reaches `target`: splitting it would write a block header
 * near target and hand out target's memory. */
long fs_forge_shared_heap_anchor(long target) {
  char *p = flexos_malloc_shared(16);
  uintptr_t end = ((uintptr_t)p + 4095) & ~4095ul;
  uintptr_t region = end - 256 * 4096;
  struct forged_block *base = (struct forged_block *)region;
  struct forged_block **freep = (struct forged_block **)(region + 16);
  base->next = base;
  base->units = ((uintptr_t)target - region) / 16 + 2;
  *freep = base;
  return 0;
}
