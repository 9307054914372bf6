/*
 * FILE: test/record-image/copy_app.c
 * DESCRIPTION:
 *   Record mode, two keys in one instruction (test record-image/two-keys):
 *   lb (compartment cb) copies app_src (main's) into a_dst (ca's) with
 *   memcpy, whose `rep movsq` needs both keys on every 8-byte word.
 *   Booted with flexos.record, each word's read and write is recorded (8
 *   each) and the copy completes.  main then checks it through a gate into la, so that
 *   only cb's accesses are recorded.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <stdio.h>
#include <string.h>

char app_src[64] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!";
void lb_copy(void);                         /* in lb */
int la_sum(void);                           /* in la */

int main(void) {
  int want = 0;
  for (int i = 0; i < 64; i++)
    want += app_src[i];
  flexos_gate(lb, lb_copy);
  int got;
  flexos_gate_r(la, got, la_sum);
  printf("record-copy: %s\n", got == want ? "ok" : "WRONG");
  return got == want ? 0 : 1;
}
