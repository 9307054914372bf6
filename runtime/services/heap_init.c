/*
 * FILE: runtime/services/heap_init.c
 * DESCRIPTION:
 *   Carving the heaps at boot (runtime/services/heap.h): one region per
 *   compartment of this address space, keyed with its key, and the shared
 *   one (key 15), each starting with its allocator state.  Runs in ring 0
 *   in every image (the core's part in ring-3 images); malloc and friends
 *   (heap.c) run in the calling compartment.
 * License: MIT (see LICENSE)
 */
#include "heap.h"
#include "kernel.h"
#include "mechanism.h"

#define HEAP_PAGES 256 /* 1 MiB, unless the image asks for more */

SECTION_ROINIT struct heap_region heap_regions[FLEXOS_MAX_COMPARTMENTS];
SECTION_ROINIT struct heap_region heap_shared_region;

/* Carve a region of `pages` pages with `key`; return its heap, or panic. */
static struct heap_region heap_create(int key, size_t pages) {
  char *mem = page_alloc(pages, key);
  if (!mem)
    flexos_panic("heap_create: out of pages for key %d", key);
  struct heap *h = (struct heap *)mem;
  union header *first = (union header *)PAGE_ROUND_UP(mem + sizeof(*h));
  h->start = (uintptr_t)first;
  h->end = (uintptr_t)mem + pages * PAGE_SIZE;
  first->s.units = (h->end - h->start) / sizeof(union header);
  first->s.next = &h->base;
  h->base.s.next = first;
  h->base.s.units = 0;
  h->freep = &h->base;
  return (struct heap_region){h, h->start, h->end};
}

/* flexos_add_image(... HEAP_KB n SHARED_HEAP_KB m); 0 means the default. */
static size_t heap_pages(uint32_t kb) {
  return kb ? PAGE_ROUND_UP((size_t)kb * 1024) / PAGE_SIZE : HEAP_PAGES;
}

/* Runs at boot in the boot context (PKRU 0: every key writable). */
void heap_init(void) {
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    if (mechanism->has_compartment((int)i)) /* this address space's only */
      heap_regions[i] = heap_create(FLEXOS_KEY_OF(i), heap_pages(flexos_image_config.heap_kb));
  heap_shared_region = heap_create(FLEXOS_SHARED_KEY,
                            heap_pages(flexos_image_config.shared_heap_kb));
}

/* The compartment whose heap holds addr, or -1 (record mode). */
int heap_owner(uintptr_t addr) {
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    if (heap_regions[i].heap && addr >= heap_regions[i].start && addr < heap_regions[i].end)
      return (int)i;
  return -1;
}

