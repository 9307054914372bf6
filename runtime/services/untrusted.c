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
#include "kernel.h"
#include "mechanism.h"

#ifdef FLEXOS_RING3
/* Ring-3 images: this is compartment code, which reads neither the core's
 * mechanism table nor its console (console_printf is the service's,
 * runtime/user/service.c); the shared-page bitmap is common memory
 * (runtime/core/shared_pages.c), the shared ranges too (flexos_space). */
int __flexos_is_shared(const void *p, size_t len) {
  if (flexos_pku_on)
    return paging_is_shared((uintptr_t)p, len);
  if (!flexos_space.shared[0][1]) /* one address space, no keys */
    return 1;
  return flexos_space_is_shared((uintptr_t)p, len);
}

#else
int __flexos_is_shared(const void *p, size_t len) {
  return mechanism->is_shared((uintptr_t)p, len);
}
#endif

static __attribute__((noreturn)) void stop(void) {
  flexos_exit(FLEXOS_EXIT_UNTRUSTED);
}

void __flexos_check_gate_result(const void *p, const char *gate) {
  if (!p || __flexos_is_shared(p, 1))
    return;
  console_printf("flexos: UNTRUSTED: gate %s returned pointer %p, which is not in "
         "memory shared with the caller (compartment %s); stopped before "
         "the caller could use it\n",
         gate, p, flexos_compartment_name(flexos_current_compartment()));
  stop();
}

void __flexos_untrusted_fault(const char *check, const char *file, int line,
                              unsigned long value, unsigned long bound) {
  console_printf("flexos: UNTRUSTED: %s failed at %s:%d in compartment %s: value "
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
