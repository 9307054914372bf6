/*
 * FILE: test/stray-bytes/app.c
 * DESCRIPTION:
 *   An intel-pku image whose code holds forbidden encodings inside other
 *   instructions, none of them a real WRPKRU/XRSTOR (issue 19):
 *     (i)   immediates: 0x0528ae0f (0f ae 28: XRSTOR) and
 *           0x1234ef010f5678 (0f 01 ef: WRPKRU), here in C;
 *     (ii)  a RIP-relative displacement whose rel32 is 0x0028ae0f in the
 *           first link (layout.S, stray_disp);
 *     (iii) a call whose rel32 is 0x0028ae0f in the first link
 *           (layout.S, stray_call over a 2.6 MB gap).
 *   The build must rewrite or relink them away and the image still work:
 *   prints "stray-bytes: ok" and exits 0, or names the failed check.
 * License: MIT (see LICENSE)
 */
#include <stdint.h>
#include <stdio.h>

uintptr_t stray_disp(void); /* returns (uintptr_t)stray_anchor + 0x28ae06 */
void stray_anchor(void);
int stray_call(void);       /* returns stray_callee(), 42 */

static volatile unsigned seed = 3;
static volatile unsigned sink32;    /* keeps the sums from being folded */
static volatile unsigned long sink64;

#define CHECK(c)                                                           \
  do {                                                                     \
    if (!(c)) {                                                            \
      printf("stray-bytes: FAILED %s (line %d)\n", #c, __LINE__);          \
      return 1;                                                            \
    }                                                                      \
  } while (0)

int main(void) {
  sink32 = seed + 0x0528ae0fu;                      /* (i) */
  sink64 = seed ^ 0x1234ef010f5678ul;
  CHECK(sink32 == 0x0528ae12u);
  CHECK(sink64 == 0x1234ef010f567bul);
  CHECK(stray_disp() - 0x28ae06 == (uintptr_t)stray_anchor); /* (ii) */
  CHECK(stray_call() == 42);                                  /* (iii) */
  printf("stray-bytes: ok\n");
  return 0;
}
