/*
 * FILE: runtime/page_alloc.c
 * DESCRIPTION:
 *   Physical page allocator over the RAM after the image: one bit per
 *   page, first fit for contiguous runs.  page_alloc(n, key) maps the run
 *   as user pages carrying `key`, so a compartment's heap or stack is only
 *   reachable in that compartment's domain; page_free() hands the pages
 *   back to the default compartment.  Called from the default compartment
 *   only (the bitmap is its memory).
 * License: MIT (see LICENSE)
 */
#include <string.h>

#include "kernel.h"

#define MAX_PAGES (256ul << 20) / PAGE_SIZE

static uint64_t used[MAX_PAGES / 64];
static uintptr_t base;
static size_t npages_total;
static size_t npages_free;

static int is_used(size_t i) { return (used[i / 64] >> (i % 64)) & 1; }
static void set_used(size_t i, int v) {
  if (v)
    used[i / 64] |= 1ull << (i % 64);
  else
    used[i / 64] &= ~(1ull << (i % 64));
}

void page_alloc_init(uintptr_t start, uintptr_t end) {
  base = PAGE_ROUND_UP(start);
  npages_total = end > base ? (end - base) / PAGE_SIZE : 0;
  if (npages_total > MAX_PAGES)
    npages_total = MAX_PAGES;
  npages_free = npages_total;
}

/* First run of n free pages, or -1. */
static long find_run(size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < npages_total; i++) {
    run = is_used(i) ? 0 : run + 1;
    if (run == n)
      return (long)(i + 1 - n);
  }
  return -1;
}

/* Returns n zeroed pages keyed with `key`, or 0 when RAM is exhausted. */
void *page_alloc(size_t n, int key) {
  long first = find_run(n);
  if (first < 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    set_used((size_t)first + i, 1);
  npages_free -= n;
  uintptr_t va = base + (uintptr_t)first * PAGE_SIZE;
  /* Zero while the pages still carry the default key: keyed pages may be
   * unreachable from the default compartment afterwards. */
  paging_map(va, n, pku_default_key(), 1);
  memset((void *)va, 0, n * PAGE_SIZE);
  paging_map(va, n, key, 1);
  return (void *)va;
}

void page_free(void *p, size_t n) {
  uintptr_t va = (uintptr_t)p;
  if (va < base || (va - base) % PAGE_SIZE)
    flexos_panic("page_free: bad page %p", p);
  paging_map(va, n, pku_default_key(), 1);
  for (size_t i = 0; i < n; i++)
    set_used((va - base) / PAGE_SIZE + i, 0);
  npages_free += n;
}

/* Free pages left (tests use it to see stacks come back). */
size_t flexos_pages_free(void) { return npages_free; }
