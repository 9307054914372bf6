/*
 * FILE: platform/linux/untrusted.c
 * DESCRIPTION:
 *   Checks on values from untrusted compartments in a hosted program
 *   (docs/untrusted-values.md).  Shared memory is the shared section, the
 *   shared heap's arena and every thread's shared stack; without
 *   protection keys nothing is isolated and everything counts as shared.
 *   These run with the caller's rights and read only the platform's own
 *   bookkeeping, which every compartment may read.  A failed check ends
 *   the process with FLEXOS_EXIT_UNTRUSTED and a report.
 * License: MIT (see LICENSE)
 */
#include "linux.h"

extern char __flexos_shared_start[], __flexos_shared_end[];

/* The shared region holding addr: 1 and its bounds, or 0. */
static int shared_region(uintptr_t addr, uintptr_t *lo, uintptr_t *hi) {
  if (addr >= (uintptr_t)__flexos_shared_start && addr < (uintptr_t)__flexos_shared_end) {
    *lo = (uintptr_t)__flexos_shared_start;
    *hi = (uintptr_t)__flexos_shared_end;
    return 1;
  }
  return hosted_heap_region(addr, lo, hi) == HOSTED_SHARED_ARENA ||
         hosted_stack_region(addr, lo, hi) == HOSTED_SHARED_ARENA;
}

int __flexos_is_shared(const void *p, size_t len) {
  uintptr_t a = (uintptr_t)p, lo, hi;
  if (!hosted.pku)
    return 1;
  if (a + len < a || !shared_region(a, &lo, &hi))
    return 0;
  return len <= hi - a; /* one region holds all of [p, p+len) */
}

void __flexos_check_gate_result(const void *p, const char *gate) {
  if (!p || __flexos_is_shared(p, 1))
    return;
  int c = hosted_current();
  hosted_die_status(FLEXOS_EXIT_UNTRUSTED,
                    "UNTRUSTED: gate %s returned pointer %p, which is not in memory "
                    "shared with the caller (compartment %s); stopped before the "
                    "caller could use it",
                    gate, p, c >= 0 ? flexos_compartment_name(c) : "?");
}

void __flexos_untrusted_fault(const char *check, const char *file, int line,
                              unsigned long value, unsigned long bound) {
  int c = hosted_current();
  hosted_die_status(FLEXOS_EXIT_UNTRUSTED,
                    "UNTRUSTED: %s failed at %s:%d in compartment %s: value 0x%lx, "
                    "bound 0x%lx",
                    check, file, line, c >= 0 ? flexos_compartment_name(c) : "?",
                    value, bound);
}

/* Code of compartment i lies in its own text section (the generated
 * linker script); libc and the platform are in neither. */
int __flexos_code_compartment(const void *pc) {
  uintptr_t a = (uintptr_t)pc;
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (a >= flexos_hosted_text[i][0] && a < flexos_hosted_text[i][1])
      return (int)i;
  return -1;
}
