/*
 * FILE: runtime/core/page_alloc.c
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

/* A contiguous range of pages and its allocation bitmap.  One address
 * space for all compartments has one pool; an address space per
 * compartment has two: its private pool and its slice of the shared pool,
 * which serves key-15 (shared) allocations (page_alloc_init_shared). */
struct pool {
  uint64_t used[MAX_PAGES / 64];
  uintptr_t base;
  size_t npages_total;
  size_t npages_free;
  /* Pages from `untouched` on were never handed out; with
   * `untouched_are_zero` (a monitor's fresh memory) they need
   * no zeroing, which spares a nested-KVM guest seconds at boot. */
  size_t untouched;
  int untouched_are_zero;
};

static struct pool main_pool, shared_pool;

static int is_used(struct pool *p, size_t i) {
  return (p->used[i / 64] >> (i % 64)) & 1;
}
static void set_used(struct pool *p, size_t i, int v) {
  if (v)
    p->used[i / 64] |= 1ull << (i % 64);
  else
    p->used[i / 64] &= ~(1ull << (i % 64));
}

static void pool_init(struct pool *p, uintptr_t start, uintptr_t end) {
  p->base = PAGE_ROUND_UP(start);
  p->npages_total = end > p->base ? (end - p->base) / PAGE_SIZE : 0;
  if (p->npages_total > MAX_PAGES)
    p->npages_total = MAX_PAGES;
  p->npages_free = p->npages_total;
}

void page_alloc_init(uintptr_t start, uintptr_t end) {
  pool_init(&main_pool, start, end);
}

void page_alloc_init_shared(uintptr_t start, uintptr_t end) {
  pool_init(&shared_pool, start, end);
}

/* The pools' memory is zero (a monitor's fresh anonymous memory). */
void page_alloc_pools_are_zero(void) {
  main_pool.untouched_are_zero = 1;
  shared_pool.untouched_are_zero = 1;
}

/* Shared pages come from the shared pool when there is one. */
static struct pool *pool_for_key(int key) {
  if (key == FLEXOS_SHARED_KEY && shared_pool.npages_total)
    return &shared_pool;
  return &main_pool;
}

static struct pool *pool_of(uintptr_t va) {
  struct pool *pools[] = {&main_pool, &shared_pool};
  for (int i = 0; i < 2; i++)
    if (va >= pools[i]->base &&
        va < pools[i]->base + pools[i]->npages_total * PAGE_SIZE)
      return pools[i];
  return 0;
}

/* First run of n free pages, or -1. */
static long find_run(struct pool *p, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < p->npages_total; i++) {
    run = is_used(p, i) ? 0 : run + 1;
    if (run == n)
      return (long)(i + 1 - n);
  }
  return -1;
}

/* Returns n zeroed pages keyed with `key`, or 0 when RAM is exhausted. */
void *page_alloc(size_t n, int key) { return page_alloc_from(n, key, key); }

/* The same, but taken from the pool that serves `pool_key` (shared pages
 * come from the shared pool when there is one): for callers that fill pages
 * before giving them their final key. */
void *page_alloc_from(size_t n, int pool_key, int key) {
  struct pool *p = pool_for_key(pool_key);
  long first = find_run(p, n);
  if (first < 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    set_used(p, (size_t)first + i, 1);
  p->npages_free -= n;
  uintptr_t va = p->base + (uintptr_t)first * PAGE_SIZE;
  size_t dirty = n;
  if (p->untouched_are_zero)
    dirty = p->untouched <= (size_t)first ? 0
            : p->untouched - (size_t)first < n ? p->untouched - (size_t)first
                                                : n;
  if (p->untouched < (size_t)first + n)
    p->untouched = (size_t)first + n;
  /* Zero while the pages are the runtime's (paging_scratch_key): keyed
   * pages may be unreachable from the running code afterwards. */
  paging_map(va, n, paging_scratch_key(), 1);
  memset((void *)va, 0, dirty * PAGE_SIZE);
  paging_map(va, n, key, 1);
  return (void *)va;
}

void page_free(void *ptr, size_t n) {
  uintptr_t va = (uintptr_t)ptr;
  struct pool *p = pool_of(va);
  if (!p || (va - p->base) % PAGE_SIZE ||
      n > p->npages_total - (va - p->base) / PAGE_SIZE)
    flexos_panic("page_free: bad pages %p (+%lu)", ptr, (unsigned long)n);
  paging_map(va, n, paging_scratch_key(), 1); /* the runtime's again */
  for (size_t i = 0; i < n; i++)
    set_used(p, (va - p->base) / PAGE_SIZE + i, 0);
  p->npages_free += n;
}

/* Free pages left (tests use it to see stacks come back). */
size_t flexos_pages_free(void) {
  return main_pool.npages_free + shared_pool.npages_free;
}
