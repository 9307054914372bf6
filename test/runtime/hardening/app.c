/*
 * FILE: test/runtime/hardening/app.c
 * DESCRIPTION:
 *   Library "app": calls into "risky" through gates with argv[1]:
 *     smash     risky overflows a 16-byte stack buffer by 16 bytes: over
 *               the canary whether the frame keeps 8 bytes of alignment
 *               between them (frame pointers, as images have) or not;
 *     overflow  risky adds to INT_MAX (signed overflow).
 *   Built from hardened.yaml, the stack protector and UBSan of risky's
 *   compartment must stop both; from plain.yaml nothing does (control).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <stdio.h>
#include <string.h>

long risky_smash(long n);
long risky_add(long a);

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "smash";
  long r;
  if (!strcmp(what, "smash"))
    r = flexos_gate(risky, risky_smash, 16); /* over the canary */
  else
    r = flexos_gate(risky, risky_add, 1);
  printf("hardening: %s NOT STOPPED (%ld)\n", what, r);
  return 1;
}
