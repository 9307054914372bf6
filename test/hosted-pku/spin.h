/*
 * FILE: test/hosted-pku/spin.h
 * DESCRIPTION: code that net and fs both run, each compiled into its own
 *   compartment (so each library gets its own copy): reading PKRU, and a
 *   computation that signals keep interrupting (the signals test).
 * License: MIT (see LICENSE)
 */
#ifndef HOSTED_SPIN_H
#define HOSTED_SPIN_H

static unsigned rdpkru(void) {
  unsigned eax, edx;
  __asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
  return eax;
}

/* Computes until *seen (shared memory, counted by the application's signal
 * handler) reaches want, checking (keys: under protection keys) that its
 * own PKRU never changes: > 0 on success, -1 when it did, -2 when the
 * signals never came. */
static long spin_until_seen(long *seen, long want, long keys) {
  unsigned pkru = keys ? rdpkru() : 0;
  unsigned long x = 1;
  for (long i = 1; i < (1l << 31); i++) {
    x = x * 6364136223846793005ul + 1442695040888963407ul;
    if (i % 65536 == 0) {
      if (keys && rdpkru() != pkru)
        return -1;
      if (*(volatile long *)seen >= want)
        return 1 + (long)(x & 1);
    }
  }
  return -2;
}
#endif
