/*
 * FILE: runtime/core/shared_pages.c
 * DESCRIPTION:
 *   Is a range shared memory?  Read from the bitmap paging.c keeps in
 *   common memory (__flexos_shared_page_bits: one bit per page with the
 *   shared key), so that the same function serves the core and, in
 *   ring-3 images, compartment code (runtime/services/untrusted.c), which
 *   may read common memory but not the core's page tables.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"

extern uint8_t __flexos_shared_page_bits[]; /* paging.c */

/* Is every page of [va, va+len) mapped writable with the shared key? */
int paging_is_shared(uintptr_t va, size_t len) {
  if (len == 0)
    len = 1;
  /* The whole mappable range, not mapped_end: that is the default
   * compartment's */
  if (va + len < va || va + len > FLEXOS_SHARED_PAGE_LIMIT)
    return 0;
  for (uintptr_t page = va >> 12; page <= (va + len - 1) >> 12; page++)
    if (!(__flexos_shared_page_bits[page >> 3] >> (page & 7) & 1))
      return 0;
  return 1;
}
