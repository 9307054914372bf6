/*
 * FILE: runtime/services/untrusted.c
 * DESCRIPTION:
 *   Checks on values from untrusted compartments (docs/untrusted-values.md):
 *   is a range shared memory (mechanism->is_shared decides), and the
 *   reports when a check fails.
 *   Everything here runs in the caller's compartment and reads only
 *   common memory.
 * License: MIT (see LICENSE)
 */
#include <stdarg.h>
#include <stdio.h>

#include "kernel.h"
#include "mechanism.h"

#ifdef FLEXOS_RING3
/* Ring-3 images: this is compartment code, which reads neither the core's
 * mechanism table nor its console; the shared-page bitmap is common
 * memory (runtime/core/shared_pages.c), the console a service. */
int __flexos_is_shared(const void *p, size_t len) {
  if (flexos_pku_on)
    return paging_is_shared((uintptr_t)p, len);
  if (!flexos_space.shared[0][1]) /* one address space, no keys */
    return 1;
  uintptr_t a = (uintptr_t)p, last = a + (len ? len : 1) - 1;
  if (last < a)
    return 0;
  for (int i = 0; i < 2; i++)
    if (a >= flexos_space.shared[i][0] && last < flexos_space.shared[i][1])
      return 1;
  return 0;
}

static void report(const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (n > 0)
    flexos_console_write(text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}
#else
int __flexos_is_shared(const void *p, size_t len) {
  return mechanism->is_shared((uintptr_t)p, len);
}

static void report(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  console_vprintf(fmt, ap);
  va_end(ap);
}
#endif

static __attribute__((noreturn)) void stop(void) {
  flexos_exit(FLEXOS_EXIT_UNTRUSTED);
}

void __flexos_check_gate_result(const void *p, const char *gate) {
  if (!p || __flexos_is_shared(p, 1))
    return;
  report("flexos: UNTRUSTED: gate %s returned pointer %p, which is not in "
         "memory shared with the caller (compartment %s); stopped before "
         "the caller could use it\n",
         gate, p, flexos_compartment_name(flexos_current_compartment()));
  stop();
}

void __flexos_untrusted_fault(const char *check, const char *file, int line,
                              unsigned long value, unsigned long bound) {
  report("flexos: UNTRUSTED: %s failed at %s:%d in compartment %s: value "
         "0x%lx, bound 0x%lx\n",
         check, file, line,
         flexos_compartment_name(flexos_current_compartment()), value, bound);
  stop();
}

/* An image keeps every compartment's code in one text section, so a code
 * address says nothing about its compartment. */
int __flexos_code_compartment(const void *pc) {
  (void)pc;
  return -1;
}
