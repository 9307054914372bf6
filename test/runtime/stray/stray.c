/*
 * FILE: test/runtime/stray/stray.c
 * DESCRIPTION: a deliberately bad library: it changes PKRU itself with an
 *   inline WRPKRU outside any gate.  Linking it into an image must fail
 *   the build at the flexos-scan step (test runtime-stray-wrpkru-*).
 * License: MIT (see LICENSE)
 */
#include <stdint.h>

/* Grants this compartment every key: exactly what the scan forbids. */
void open_all_keys(void) {
  __asm__ volatile("wrpkru" : : "a"(0u), "c"(0u), "d"(0u));
}

int main(void) {
  open_all_keys();
  return 0;
}
