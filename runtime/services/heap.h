/*
 * FILE: runtime/services/heap.h
 * DESCRIPTION:
 *   The heaps' layout, shared by heap_init.c (boot: carving the regions,
 *   which in ring-3 images is the core's work) and heap.c (malloc and
 *   friends, which run in the calling compartment).
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_HEAP_H
#define FLEXOS_RUNTIME_HEAP_H
#include <stddef.h>
#include <stdint.h>

#include <flexos/abi.h>

union header {
  struct {
    union header *next;
    size_t units; /* block size including this header, in headers */
  } s;
  _Alignas(16) char align[16];
};

struct heap {
  union header base; /* zero-size list anchor */
  union header *freep;
  uintptr_t start, end; /* the blocks' range */
};

/* Where each heap is; the table is common memory, read-only after boot:
 * readable everywhere, the heaps themselves not. */
struct heap_region {
  struct heap *heap;
  uintptr_t start, end;
};
extern struct heap_region heap_regions[FLEXOS_MAX_COMPARTMENTS];
extern struct heap_region heap_shared_region;

#endif
