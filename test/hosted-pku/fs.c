/*
 * FILE: test/hosted-pku/fs.c
 * DESCRIPTION: library fs of the hosted three-compartment test (three.h):
 *   after its first bug, a hostile library reads and writes whatever
 *   address it is given, with its own protection key only.
 * License: MIT (see LICENSE)
 */
#include <stdlib.h>
#include <string.h>

#include "spin.h"
#include "three.h"

long fs_secret = 0x5ec2e7;
static long *heap_block;

long fs_global_addr(void) { return (long)&fs_secret; }

long fs_heap_addr(void) {
  if (!heap_block) {
    heap_block = malloc(64);
    if (heap_block)
      *heap_block = 42;
  }
  return (long)heap_block;
}

long fs_stack_addr(void) {
  volatile long local = 7;
  long addr = (long)&local;
  __asm__("" : "+r"(addr)); /* the thread's fs stack stays mapped (and keyed) */
  return addr;
}

long fs_peek(long addr) { return *(volatile long *)addr; }
long fs_poke(long addr) {
  *(volatile long *)addr = 0xbad;
  return 0;
}
long fs_call(long fn) { return ((long (*)(void))fn)(); }
long fs_work(long i) { return i * 3 + fs_secret % 7; }
long fs_free(long addr) {
  free((void *)addr);
  return 0;
}

long fs_bump(void) { return ++fs_secret; }

long fs_spin(long *seen, long want, long keys) { return spin_until_seen(seen, want, keys); }
