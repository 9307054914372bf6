/*
 * FILE: runtime/services/record_alloc.c
 * DESCRIPTION:
 *   The heaps' half of record mode (docs/porting-record.md): each
 *   allocation goes into the shared allocation log, so that a logged
 *   fault on a heap block can name the call that allocated it.  Runs in
 *   the allocating compartment (in ring 3 in ring-3 images); the log's
 *   address is set by the core at boot (record.c), in common memory that
 *   is read-only after boot.
 * License: MIT (see LICENSE)
 */
#include "record.h"

void record_alloc(void *p, size_t size, void *ra) {
  struct record_alloc_log *l = flexos_record_alloc_log;
  if (!l || !p)
    return;
  uint64_t i = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
  if (i >= RECORD_LOG_ENTRIES)
    return;
  l->rec[i].user = (uintptr_t)p;
  l->rec[i].ra = (uintptr_t)ra;
  __atomic_store_n(&l->rec[i].size, size ? size : 1, __ATOMIC_RELEASE);
}
