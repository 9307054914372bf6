/*
 * FILE: platform/linux/heap.c
 * DESCRIPTION:
 *   Heaps of a hosted flexos program: malloc, free, calloc, realloc and
 *   the aligned variants, replaced for the whole (static) program.  Each
 *   call is served from the arena of the compartment whose code runs
 *   (from PKRU), so a library's allocations carry its own protection key;
 *   flexos_malloc_shared serves the shared arena (key 15).  The default
 *   compartment's arena, like the rest of its memory, has key 0.
 *
 *   An arena is one reservation of HOSTED_ARENA_BYTES (address space
 *   only until touched) that starts with its header: a lock, a bump
 *   pointer and one free list per power-of-two size class.  Every block
 *   is a power of two of at least 32 bytes and starts with a 16-byte
 *   header (magic, class, distance to the block start), so free() and
 *   realloc() know the size, and an aligned block can sit inside a
 *   larger one.  The arena's code runs with the caller's PKRU: a
 *   compartment can only ever touch its own arena's header and blocks.
 *   Freeing another compartment's block is refused with a report; a
 *   shared block (key 15) may be freed or resized through free() and
 *   realloc() by anyone, as through flexos_free_shared, so that code whose
 *   allocation site the build moved to the shared heap (passes/
 *   ShareSites.cpp) needs no other change.  In record mode
 *   (record.c) every allocation is logged with its call site.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "linux.h"

#define NCLASS 40
#define MIN_CLASS 5 /* 32 bytes: 16 of header, 16 of data */
#define HEADER 16u
#define MAGIC 0xf1e05a11u

struct arena {
  volatile int lock;
  uint32_t index;
  uintptr_t bump, end;
  void *free[NCLASS];
};

struct header {
  uint32_t magic;
  uint32_t cls;  /* block size = 1 << cls */
  uint64_t back; /* user pointer - block start */
};

/* Arena bounds, written before main (and by the first malloc, for the
 * default arena), read-only for every compartment afterwards. */
static struct {
  uintptr_t base, end;
} arenas[FLEXOS_MAX_COMPARTMENTS + 1];

static struct arena *arena_create(uint32_t index, int key) {
  struct arena *a = hosted_map(HOSTED_ARENA_BYTES, -1, 0);
  if (!a)
    return 0;
  /* The header is written while the pages still have key 0; only then do
   * they get the arena's key, to which this thread may have no access. */
  a->index = index;
  a->bump = ((uintptr_t)a + sizeof *a + 4095) & ~(uintptr_t)4095;
  a->end = (uintptr_t)a + HOSTED_ARENA_BYTES;
  if (key > 0 && hosted_key(a, HOSTED_ARENA_BYTES, key) != 0)
    return 0; /* from here on, only the arena's owner touches *a */
  arenas[index].base = (uintptr_t)a;
  arenas[index].end = (uintptr_t)a + HOSTED_ARENA_BYTES;
  return a;
}

static void lock(struct arena *a) {
  while (__atomic_exchange_n(&a->lock, 1, __ATOMIC_ACQUIRE))
    __builtin_ia32_pause();
}
static void unlock(struct arena *a) { __atomic_store_n(&a->lock, 0, __ATOMIC_RELEASE); }

static struct arena *arena_of_caller(void) {
  int c = hosted_current();
  if (!arenas[c].base) {
    /* Only the default arena is created lazily: the first malloc comes
     * from libc's start-up code, before hosted_start, on one thread. */
    if (c != (int)flexos_image_config.default_index || !arena_create((uint32_t)c, 0))
      return 0;
  }
  return (struct arena *)arenas[c].base;
}

static uint32_t class_of(size_t total) {
  uint32_t c = MIN_CLASS;
  while (c < NCLASS && ((size_t)1 << c) < total)
    c++;
  return c;
}

/* A block of 1 << cls bytes, or NULL. */
static void *block_get(struct arena *a, uint32_t cls) {
  lock(a);
  void *b = a->free[cls];
  if (b) {
    a->free[cls] = *(void **)((char *)b + HEADER);
  } else {
    size_t size = (size_t)1 << cls;
    uintptr_t mask = (size < 4096 ? size : 4096) - 1; /* natural, at most a page */
    uintptr_t start = (a->bump + mask) & ~mask;
    if (start + size > a->end || start + size < start) {
      unlock(a);
      return 0;
    }
    a->bump = start + size;
    b = (void *)start;
  }
  unlock(a);
  return b;
}

static void *alloc(struct arena *a, size_t size, size_t align) {
  if (!a || size > ((size_t)1 << (NCLASS - 2))) {
    errno = ENOMEM;
    return 0;
  }
  size_t total = size + HEADER + (align > HEADER ? align : 0);
  uint32_t cls = class_of(total);
  char *b = block_get(a, cls);
  if (!b) {
    errno = ENOMEM;
    return 0;
  }
  uintptr_t user = (uintptr_t)b + HEADER;
  if (align > HEADER)
    user = ((uintptr_t)b + HEADER + align - 1) & ~(uintptr_t)(align - 1);
  struct header *h = (struct header *)(user - HEADER);
  h->magic = MAGIC;
  h->cls = cls;
  h->back = user - (uintptr_t)b;
  return (void *)user;
}

int hosted_heap_owner(uintptr_t addr) {
  uintptr_t lo, hi;
  return hosted_heap_region(addr, &lo, &hi);
}

int hosted_heap_region(uintptr_t addr, uintptr_t *lo, uintptr_t *hi) {
  for (int i = 0; i <= FLEXOS_MAX_COMPARTMENTS; i++)
    if (addr >= arenas[i].base && addr < arenas[i].end) {
      *lo = arenas[i].base;
      *hi = arenas[i].end;
      return i;
    }
  return -1;
}

/* The header of user pointer p, after checking that the caller may free
 * it: it lies in the caller's own arena and looks like a block. */
static struct header *header_of(void *p, const char *what, struct arena **out) {
  struct arena *a = arena_of_caller();
  uintptr_t u = (uintptr_t)p;
  int owner = hosted_heap_owner(u);
  int caller = hosted_current();
  if (owner < 0)
    hosted_die("%s(%p) in compartment %s: not a heap block of this program", what, p,
               flexos_compartment_name(caller));
  if (owner != caller)
    hosted_die("%s(%p) in compartment %s: the block belongs to %s; only its owner may free it",
               what, p, flexos_compartment_name(caller),
               owner == HOSTED_SHARED_ARENA ? "the shared heap (flexos_free_shared)"
                                            : flexos_compartment_name(owner));
  struct header *h = (struct header *)(u - HEADER);
  if (u % 16 || h->magic != MAGIC || h->cls < MIN_CLASS || h->cls >= NCLASS)
    hosted_die("%s(%p) in compartment %s: not the start of a live block (double free or corruption)",
               what, p, flexos_compartment_name(caller));
  *out = a;
  return h;
}

static void release(struct arena *a, struct header *h) {
  char *b = (char *)h + HEADER - h->back;
  uint32_t cls = h->cls;
  h->magic = 0;
  lock(a);
  *(void **)(b + HEADER) = a->free[cls];
  a->free[cls] = b;
  unlock(a);
}

static size_t usable(const struct header *h) {
  return ((size_t)1 << h->cls) - h->back;
}

static int is_shared(const void *p) {
  uintptr_t u = (uintptr_t)p;
  return u >= arenas[HOSTED_SHARED_ARENA].base && u < arenas[HOSTED_SHARED_ARENA].end;
}

/* Record mode: the block and the call that asked for it (the public
 * entry's return address; its frame for two more callers). */
#define RECORD(p)                                                              \
  do {                                                                         \
    if (hosted_record_on && (p))                                               \
      hosted_record_alloc((p), usable((struct header *)((uintptr_t)(p) - HEADER)), \
                          __builtin_return_address(0), __builtin_frame_address(0)); \
  } while (0)

void *malloc(size_t size) {
  void *p = alloc(arena_of_caller(), size, 0);
  RECORD(p);
  return p;
}

void free(void *p) {
  if (!p)
    return;
  if (is_shared(p)) {
    flexos_free_shared(p);
    return;
  }
  struct arena *a;
  struct header *h = header_of(p, "free", &a);
  release(a, h);
}

static void *zeroed(struct arena *a, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return 0;
  }
  void *p = alloc(a, total, 0);
  if (p)
    memset(p, 0, total);
  return p;
}

void *calloc(size_t n, size_t size) {
  void *p = zeroed(arena_of_caller(), n, size);
  RECORD(p);
  return p;
}

/* p's block, moved to arena `to` (or kept when it fits and to is its own). */
static void *resize(struct arena *own, struct header *h, void *p, struct arena *to, size_t size) {
  if (to == own && size <= usable(h) && h->back == HEADER)
    return p;
  void *q = alloc(to, size, 0);
  if (!q)
    return 0;
  size_t old = usable(h);
  memcpy(q, p, old < size ? old : size);
  release(own, h);
  return q;
}

static struct header *shared_header(void *p, const char *what);

void *realloc(void *p, size_t size) {
  void *q;
  if (!p) {
    q = alloc(arena_of_caller(), size, 0);
  } else if (is_shared(p)) {
    struct arena *s = (struct arena *)arenas[HOSTED_SHARED_ARENA].base;
    q = resize(s, shared_header(p, "realloc"), p, s, size);
  } else {
    struct arena *a;
    struct header *h = header_of(p, "realloc", &a);
    q = resize(a, h, p, a, size);
  }
  RECORD(q);
  return q;
}

static int valid_alignment(size_t align) {
  return align && !(align & (align - 1)) && align <= (1u << 20);
}

static void *aligned(size_t align, size_t size) {
  if (!valid_alignment(align)) {
    errno = EINVAL;
    return 0;
  }
  return alloc(arena_of_caller(), size, align);
}
void *aligned_alloc(size_t align, size_t size) {
  void *p = aligned(align, size);
  RECORD(p);
  return p;
}
void *memalign(size_t align, size_t size) {
  void *p = aligned(align, size);
  RECORD(p);
  return p;
}
void *valloc(size_t size) {
  void *p = aligned(4096, size);
  RECORD(p);
  return p;
}
void *pvalloc(size_t size) {
  void *p = aligned(4096, (size + 4095) & ~(size_t)4095);
  RECORD(p);
  return p;
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (!valid_alignment(align) || align % sizeof(void *))
    return EINVAL;
  void *p = alloc(arena_of_caller(), size, align);
  if (!p)
    return ENOMEM;
  RECORD(p);
  *out = p;
  return 0;
}

size_t malloc_usable_size(void *p) {
  if (!p)
    return 0;
  if (is_shared(p))
    return usable(shared_header(p, "malloc_usable_size"));
  struct arena *a;
  return usable(header_of(p, "malloc_usable_size", &a));
}

/* ---- the shared heap (key 15) ------------------------------------------ */

static struct arena *shared_arena(void) {
  return (struct arena *)arenas[HOSTED_SHARED_ARENA].base;
}

void *flexos_malloc_shared(size_t size) { return alloc(shared_arena(), size, 0); }

void *flexos_calloc_shared(size_t n, size_t size) { return zeroed(shared_arena(), n, size); }

static struct header *shared_header(void *p, const char *what) {
  uintptr_t u = (uintptr_t)p;
  if (!is_shared(p))
    hosted_die("%s(%p) in compartment %s: not a shared heap block", what, p,
               flexos_compartment_name(hosted_current()));
  struct header *h = (struct header *)(u - HEADER);
  if (u % 16 || h->magic != MAGIC || h->cls < MIN_CLASS || h->cls >= NCLASS)
    hosted_die("%s(%p): not the start of a live block", what, p);
  return h;
}

void flexos_free_shared(void *p) {
  if (!p)
    return;
  release(shared_arena(), shared_header(p, "flexos_free_shared"));
}

/* A shared block of `size` bytes with p's contents: p may be a shared
 * block or one of the caller's own (which is then freed). */
void *flexos_realloc_shared(void *p, size_t size) {
  if (!p)
    return flexos_malloc_shared(size);
  if (is_shared(p))
    return resize(shared_arena(), shared_header(p, "flexos_realloc_shared"), p,
                  shared_arena(), size);
  struct arena *a;
  struct header *h = header_of(p, "flexos_realloc_shared", &a);
  return resize(a, h, p, shared_arena(), size);
}

/* Before main: the shared arena and one arena per non-default
 * compartment, each keyed; the default arena (made by libc's first
 * malloc) gets the default compartment's key, as its data does. */
int hosted_heap_init(void) {
  if (!arenas[hosted.def].base && !arena_create(hosted.def, 0))
    return -1;
  if (hosted.pku && hosted_key((void *)arenas[hosted.def].base, HOSTED_ARENA_BYTES,
                               FLEXOS_KEY_OF((int)hosted.def)) != 0)
    return -1;
  if (!arena_create(HOSTED_SHARED_ARENA, hosted.pku ? FLEXOS_SHARED_KEY : 0))
    return -1;
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (i != hosted.def && !arena_create(i, hosted.pku ? FLEXOS_KEY_OF((int)i) : 0))
      return -1;
  return 0;
}
