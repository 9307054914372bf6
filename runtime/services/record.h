/*
 * FILE: runtime/services/record.h
 * DESCRIPTION:
 *   The allocation log of record mode (docs/porting-record.md), shared by
 *   the trap side (record.c, in the core) and the heaps that fill it
 *   (record_alloc.c, in whatever compartment calls malloc).  The log is
 *   shared memory (key 15): every compartment's malloc writes it.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RECORD_H
#define FLEXOS_RECORD_H
#include <stddef.h>
#include <stdint.h>

#define RECORD_LOG_ENTRIES 32768 /* allocations remembered */

struct record_alloc_rec {
  uintptr_t user, size; /* size 0: not written yet */
  uintptr_t ra;         /* return address of the allocating call */
};
struct record_alloc_log {
  uint64_t next, pad;
  struct record_alloc_rec rec[RECORD_LOG_ENTRIES];
};

/* Set at boot in record mode (common read-only memory), else 0. */
extern struct record_alloc_log *flexos_record_alloc_log;

/* From malloc, calloc and realloc (heap.c), in the caller's compartment:
 * p holds `size` bytes, asked for by the call returning to ra. */
void record_alloc(void *p, size_t size, void *ra);
#endif
