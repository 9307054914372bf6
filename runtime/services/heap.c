/*
 * FILE: runtime/services/heap.c
 * DESCRIPTION:
 *   Heaps: one fixed region per compartment (1 MiB unless the image asks
 *   for more: flexos_add_image HEAP_KB, SHARED_HEAP_KB), keyed with the
 *   compartment's key, and one shared region (key 15).  Each region holds
 *   its own allocator state at its start, so malloc() running in a
 *   compartment touches only that compartment's pages; the table of regions
 *   is common memory (key 0), written at boot and read-only afterwards.
 *   The regions are carved at boot (heap_init.c).  The allocator is K&R's: an address-ordered circular free list of
 *   16-byte-unit blocks, first fit, coalescing on free.  free() and
 *   realloc() take shared blocks too (allocation sites the build moved to
 *   the shared heap: passes/ShareSites.cpp).  In record mode each block
 *   of a compartment's heap is logged with the return address of the
 *   malloc/calloc/realloc call that asked for it (runtime/services/record.c).
 * License: MIT (see LICENSE)
 */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "heap.h"
#include "record.h"
#include "mechanism.h"

/* Every pointer and size read from a heap's own state is checked against
 * the region's bounds from the read-only table: the shared heap's state is
 * writable by every compartment, and a forged free list must never hand
 * out (or write) memory outside the region. Returns p or panics. */
static union header *checked(const struct heap_region *r, union header *p) {
  uintptr_t a = (uintptr_t)p;
  /* The anchor is outside the blocks' range and always has size 0: a
   * forged size would let heap_alloc split it and hand out (and write a
   * header into) memory far beyond the region. */
  if (p == &r->heap->base) {
    if (p->s.units != 0)
      flexos_panic("heap: corrupted allocator state (anchor %p)", (void *)p);
    return p;
  }
  if (a < r->start || a >= r->end || (a - r->start) % sizeof(union header) ||
      p->s.units == 0 || p->s.units > (r->end - a) / sizeof(union header))
    flexos_panic("heap: corrupted allocator state (%p)", (void *)p);
  return p;
}

static void *heap_alloc(const struct heap_region *r, size_t size) {
  struct heap *h = r->heap;
  if (size == 0 || size > r->end - r->start)
    return 0;
  size_t units = (size + sizeof(union header) - 1) / sizeof(union header) + 1;
  size_t budget = (r->end - r->start) / sizeof(union header) + 2;
  union header *prev = checked(r, h->freep), *p;
  for (p = checked(r, prev->s.next);; prev = p, p = checked(r, p->s.next)) {
    if (p->s.units >= units) {
      if (p->s.units == units) {
        prev->s.next = p->s.next;
      } else {
        p->s.units -= units; /* hand out the tail */
        p += p->s.units;
        p->s.units = units;
      }
      h->freep = prev;
      return p + 1;
    }
    if (p == h->freep || --budget == 0)
      return 0; /* wrapped around (or a forged cycle): nothing fits */
  }
}

static int heap_owns(const struct heap_region *r, const void *ptr) {
  return (uintptr_t)ptr > r->start && (uintptr_t)ptr < r->end;
}

static void heap_release(const struct heap_region *r, void *ptr) {
  struct heap *h = r->heap;
  union header *bp = checked(r, (union header *)ptr - 1), *p;
  size_t budget = (r->end - r->start) / sizeof(union header) + 2;
  for (p = checked(r, h->freep); !(bp > p && bp < p->s.next);
       p = checked(r, p->s.next)) {
    if (p >= p->s.next && (bp > p || bp < p->s.next))
      break; /* freed block at either end of the arena */
    if (--budget == 0)
      flexos_panic("heap: corrupted allocator state (free list cycle)");
  }
  union header *next = checked(r, p->s.next);
  if (bp + bp->s.units == next) {
    bp->s.units += next->s.units;
    bp->s.next = next->s.next;
  } else {
    bp->s.next = next;
  }
  if (p + p->s.units == bp) {
    p->s.units += bp->s.units;
    p->s.next = bp->s.next;
  } else {
    p->s.next = bp;
  }
  h->freep = p;
}

static const struct heap_region *caller_heap(void) {
  return &heap_regions[flexos_current_compartment()];
}

/* A block p of the caller's heap for the call returning to ra; in record
 * mode (runtime/services/record.c) the allocation log remembers it. */
static void *logged(void *p, size_t size, void *ra) {
  if (p)
    record_alloc(p, size, ra);
  return p;
}

static void *caller_alloc(size_t size, void *ra) {
  return logged(heap_alloc(caller_heap(), size), size, ra);
}

void *malloc(size_t size) {
  return caller_alloc(size, __builtin_return_address(0));
}

void *calloc(size_t n, size_t size) {
  if (size && n > (size_t)-1 / size)
    return 0;
  void *p = caller_alloc(n * size, __builtin_return_address(0));
  if (p)
    memset(p, 0, n * size);
  return p;
}

/* A pointer from another compartment's heap is a bug in the caller (and
 * its metadata is out of reach anyway): report whose it is. */
static void heap_check_owner(const struct heap_region *r, void *ptr,
                             const char *fn) {
  if (heap_owns(r, ptr))
    return;
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    if (heap_owns(&heap_regions[i], ptr))
      flexos_panic("%s: %p is in %s's heap, caller is %s", fn, ptr,
                   flexos_compartment_name((int)i),
                   flexos_compartment_name(flexos_current_compartment()));
  flexos_panic("%s: %p is not a heap pointer", fn, ptr);
}

void free(void *ptr) {
  if (!ptr)
    return;
  if (heap_owns(&heap_shared_region, ptr)) {
    heap_release(&heap_shared_region, ptr);
    return;
  }
  const struct heap_region *r = caller_heap();
  heap_check_owner(r, ptr, "free");
  heap_release(r, ptr);
}

/* ptr (a block of region from) in region to, resized. */
static void *heap_resize(const struct heap_region *from,
                         const struct heap_region *to, void *ptr, size_t size) {
  size_t old = (checked(from, (union header *)ptr - 1)->s.units - 1) *
               sizeof(union header);
  if (from == to && size <= old)
    return ptr;
  void *n = heap_alloc(to, size);
  if (n) {
    memcpy(n, ptr, old < size ? old : size);
    heap_release(from, ptr);
  }
  return n;
}

void *realloc(void *ptr, size_t size) {
  void *ra = __builtin_return_address(0);
  if (!ptr)
    return caller_alloc(size, ra);
  if (heap_owns(&heap_shared_region, ptr))
    return heap_resize(&heap_shared_region, &heap_shared_region, ptr, size);
  const struct heap_region *r = caller_heap();
  heap_check_owner(r, ptr, "realloc");
  return logged(heap_resize(r, r, ptr, size), size, ra);
}

/* A block of `size` bytes at a multiple of `align` (a power of two): a
 * block `align` bytes larger, whose head up to the aligned address goes
 * back to the free list as a block of its own (both keep K&R headers, so
 * free() takes the aligned pointer). */
static void *heap_alloc_aligned(const struct heap_region *r, size_t align,
                                size_t size) {
  if (align <= sizeof(union header))
    return heap_alloc(r, size);
  if (size > (size_t)-1 - align)
    return 0;
  char *p = heap_alloc(r, size + align);
  if (!p)
    return 0;
  char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
  if (a == p)
    return p;
  union header *head = (union header *)p - 1, *tail = (union header *)a - 1;
  size_t head_units = (size_t)(a - p) / sizeof(union header);
  tail->s.units = head->s.units - head_units;
  head->s.units = head_units;
  heap_release(r, p);
  return a;
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1)))
    return 22; /* EINVAL */
  void *p = logged(heap_alloc_aligned(caller_heap(), align, size), size,
                   __builtin_return_address(0));
  if (!p)
    return 12; /* ENOMEM */
  *out = p;
  return 0;
}

void *aligned_alloc(size_t align, size_t size) {
  if (!align || (align & (align - 1)))
    return 0;
  return logged(heap_alloc_aligned(caller_heap(), align, size), size,
                __builtin_return_address(0));
}

void *memalign(size_t align, size_t size) {
  if (!align || (align & (align - 1)))
    return 0;
  return logged(heap_alloc_aligned(caller_heap(), align, size), size,
                __builtin_return_address(0));
}

void *flexos_malloc_shared(size_t size) {
  return heap_alloc(&heap_shared_region, size);
}

void *flexos_calloc_shared(size_t n, size_t size) {
  if (size && n > (size_t)-1 / size)
    return 0;
  void *p = flexos_malloc_shared(n * size);
  if (p)
    memset(p, 0, n * size);
  return p;
}

/* A shared block with ptr's contents; ptr may be the caller's own. */
void *flexos_realloc_shared(void *ptr, size_t size) {
  if (!ptr)
    return flexos_malloc_shared(size);
  if (heap_owns(&heap_shared_region, ptr))
    return heap_resize(&heap_shared_region, &heap_shared_region, ptr, size);
  const struct heap_region *r = caller_heap();
  heap_check_owner(r, ptr, "flexos_realloc_shared");
  return heap_resize(r, &heap_shared_region, ptr, size);
}

void flexos_free_shared(void *ptr) {
  if (!ptr)
    return;
  if (!heap_owns(&heap_shared_region, ptr))
    flexos_panic("flexos_free_shared: %p is not in the shared heap", ptr);
  heap_release(&heap_shared_region, ptr);
}

/* musl calls the allocator by these names too (atexit, locale and
 * time-zone code): the same functions. */
void *__libc_malloc(size_t size) __attribute__((alias("malloc")));
void *__libc_calloc(size_t n, size_t size) __attribute__((alias("calloc")));
void *__libc_realloc(void *ptr, size_t size) __attribute__((alias("realloc")));
void __libc_free(void *ptr) __attribute__((alias("free")));
