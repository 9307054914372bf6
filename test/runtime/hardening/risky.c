/*
 * FILE: test/runtime/hardening/risky.c
 * DESCRIPTION: Library "risky": the bugs that hardening must catch.
 * License: MIT (see LICENSE)
 */
#include <limits.h>

/* Writes n bytes past a 16-byte buffer (n is not known at compile time),
 * through a plain pointer, as a memcpy would: UBSan's bounds check sees
 * only array indexing, so this is the stack protector's to catch. */
__attribute__((noinline)) long risky_smash(long n) {
  char buf[16];
  volatile char *p = buf;
  for (long i = 0; i < 16 + n; i++)
    p[i] = (char)i;
  return p[3];
}

/* Signed overflow: undefined behaviour that UBSan traps on. */
__attribute__((noinline)) long risky_add(long a) {
  volatile int x = INT_MAX;
  int y = x + (int)a;
  return y;
}
