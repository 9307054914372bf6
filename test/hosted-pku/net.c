/*
 * FILE: test/hosted-pku/net.c
 * DESCRIPTION: library net of the hosted three-compartment test (three.h):
 *   after its first bug, a hostile library reads and writes whatever
 *   address it is given, with its own protection key only.
 * License: MIT (see LICENSE)
 */
#include <stdlib.h>
#include <string.h>

#include "three.h"

long net_secret = 0x5ec2e7;
static long *heap_block;

long net_global_addr(void) { return (long)&net_secret; }

long net_heap_addr(void) {
  if (!heap_block) {
    heap_block = malloc(64);
    if (heap_block)
      *heap_block = 42;
  }
  return (long)heap_block;
}

long net_stack_addr(void) {
  volatile long local = 7;
  long addr = (long)&local;
  __asm__("" : "+r"(addr)); /* the thread's net stack stays mapped (and keyed) */
  return addr;
}

long net_peek(long addr) { return *(volatile long *)addr; }
long net_poke(long addr) {
  *(volatile long *)addr = 0xbad;
  return 0;
}
long net_call(long fn) { return ((long (*)(void))fn)(); }
long net_work(long i) { return i * 3 + net_secret % 7; }
long net_free(long addr) {
  free((void *)addr);
  return 0;
}

long net_sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

long net_fill(char *shared, long n) {
  memset(shared, 'n', (size_t)n);
  return n;
}
