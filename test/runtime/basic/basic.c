/*
 * FILE: test/runtime/basic/basic.c
 * DESCRIPTION:
 *   Runtime self-test image: console and printf, the kernel command line,
 *   the timer tick, the page-backed heaps (malloc/calloc/realloc/free and
 *   the shared heap), cooperative threads (create/yield/join, every thread
 *   with its own per-compartment stacks) and the libc string functions.
 *   Prints "basic: ok" and exits 0, or names the first failed check.
 * License: MIT (see LICENSE)
 */
#include <assert.h>
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                           \
  do {                                                                     \
    if (!(c)) {                                                            \
      printf("basic: FAILED %s (line %d)\n", #c, __LINE__);                \
      return 1;                                                            \
    }                                                                      \
  } while (0)

static int check_libc(void) {
  char buf[64];
  CHECK(snprintf(buf, sizeof buf, "%d|%5s|%-3u|%x|%lu", -42, "ab", 7u, 0xbeefu,
                 123456789012ul) == 31);
  CHECK(!strcmp(buf, "-42|   ab|7  |beef|123456789012"));
  CHECK(snprintf(buf, 4, "%s", "truncated") == 9 && !strcmp(buf, "tru"));
  CHECK(strlen("hello") == 5 && strncmp("abcd", "abce", 3) == 0);
  CHECK(strstr("flexos runtime", "run") != 0 && strchr("abc", 'z') == 0);
  CHECK(memcmp("abc", "abd", 3) < 0 && strtol("0x1f", 0, 0) == 31);
  memmove(buf, "0123456789", 11);
  memmove(buf + 2, buf, 5);
  CHECK(!strcmp(buf, "0101234789"));
  return 0;
}

static int check_heap(void) {
  char *a = malloc(100), *b = calloc(10, 100);
  CHECK(a && b && a != b);
  for (int i = 0; i < 1000; i++)
    CHECK(b[i] == 0);
  memset(a, 'x', 100);
  a = realloc(a, 5000);
  CHECK(a && a[99] == 'x');
  free(b);
  free(a);
  /* everything freed coalesces: a large block fits again and again */
  for (int i = 0; i < 50; i++) {
    void *big = malloc(900 * 1024);
    CHECK(big != 0);
    free(big);
  }
  CHECK(malloc(4u << 20) == 0); /* larger than the 1 MiB heap */
  int *s = flexos_malloc_shared(64 * sizeof(int));
  CHECK(s != 0);
  s[63] = 7;
  flexos_free_shared(s);
  return 0;
}

static int check_ticks(void) {
  uint64_t t0 = flexos_ticks();
  /* Parked until the deadline: the core idles (a compartment in ring 3
   * may not halt the CPU itself). */
  for (int i = 0; flexos_ticks() < t0 + 3 && i < 100; i++)
    flexos_thread_park(t0 + 3);
  CHECK(flexos_ticks() >= t0 + 3);
  printf("basic: ticks advanced %lu -> %lu\n", t0, flexos_ticks());
  return 0;
}

/* Threads append to a log; yields interleave them round robin. */
static char order[32];
static int order_len;

static void worker(void *arg) {
  char tag = (char)(uintptr_t)arg;
  for (int i = 0; i < 3; i++) {
    order[order_len++] = tag;
    flexos_thread_yield();
  }
  /* each thread has its own stack, distinct gate slots and TCB */
  uint64_t slot0;
  __asm__ volatile("movq %%gs:0x20, %0" : "=r"(slot0));
  uint64_t local = (uint64_t)&local;
  struct flexos_gate_slot *gs = (struct flexos_gate_slot *)slot0;
  assert(local < gs->stack_top && local >= gs->stack_limit);
}

static int check_threads(void) {
  struct flexos_thread *a = flexos_thread_create(worker, (void *)'a');
  struct flexos_thread *b = flexos_thread_create(worker, (void *)'b');
  CHECK(a && b);
  flexos_thread_join(a);
  flexos_thread_join(b);
  order[order_len] = 0;
  printf("basic: thread order %s\n", order);
  CHECK(!strcmp(order, "ababab"));
  /* join returns every stack page: the free count comes back exactly */
  size_t free_before = flexos_pages_free();
  for (int i = 0; i < 200; i++) {
    struct flexos_thread *t = flexos_thread_create(worker, (void *)'c');
    CHECK(t != 0);
    order_len = 0;
    CHECK(flexos_pages_free() < free_before);
    flexos_thread_join(t);
  }
  CHECK(flexos_pages_free() == free_before);
  return 0;
}

int main(int argc, char **argv) {
  printf("basic: hello from %s, compartment %s, thread %lu, argc %d\n",
         argv[0], flexos_compartment_name(flexos_current_compartment()),
         flexos_thread_id(), argc);
  for (int i = 1; i < argc; i++)
    printf("basic: argv[%d]=%s\n", i, argv[i]);
  if (check_libc() || check_heap() || check_ticks() || check_threads())
    return 1;
  printf("basic: ok\n");
  return 0;
}
