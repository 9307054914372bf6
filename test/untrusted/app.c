/*
 * test/untrusted/app.c: the caller.  One argument picks the case:
 *   shared, null   the hostile library's answer is fine: "untrusted: ok"
 *   caller, own    it returns a pointer outside shared memory: the gate
 *                  stops the program (FLEXOS_EXIT_UNTRUSTED) before use
 *   length         it returns 1000 for a 64-byte buffer: flexos_check_size
 *                  stops the program
 *   straddle       a pointer to the last byte of its shared buffer, checked
 *                  with flexos_check_shared for 1 GiB, which runs past all
 *                  shared memory: stopped
 * Built as an image and as a Linux process from the same sources.
 */
#include <flexos.h>
#include <stdio.h>
#include <string.h>

#include "untrusted.h"

static char app_secret[64] = "app's secret";

static int run(const char *what) {
  char copy[64];
  if (!strcmp(what, "shared") || !strcmp(what, "null")) {
    int answer = what[0] == 's' ? ANSWER_SHARED : ANSWER_NULL;
    char *p = flexos_gate(hostile, hostile_pointer, answer, 0);
    printf("untrusted: %s answer accepted: %s\n", what, p ? "non-NULL" : "NULL");
    if (p && p[0] != 's')
      return 1;
    printf("untrusted: ok\n");
    return 0;
  }
  if (!strcmp(what, "caller") || !strcmp(what, "own")) {
    int answer = what[0] == 'c' ? ANSWER_CALLER : ANSWER_OWN;
    char *p = flexos_gate(hostile, hostile_pointer, answer, (uintptr_t)app_secret);
    printf("untrusted: %s: NOT STOPPED, got %p (%.4s)\n", what, (void *)p,
           p ? p : "");
    return 1;
  }
  if (!strcmp(what, "length")) {
    long n = flexos_gate(hostile, hostile_length);
    memcpy(copy, app_secret, flexos_check_size(n, sizeof copy));
    printf("untrusted: length: NOT STOPPED\n");
    return 1;
  }
  if (!strcmp(what, "straddle")) {
    char *p = flexos_gate(hostile, hostile_pointer, ANSWER_STRADDLE, 0);
    char *q = flexos_check_shared(p, 1ul << 30);
    memcpy(copy, q, 16);
    printf("untrusted: straddle: NOT STOPPED\n");
    return 1;
  }
  printf("untrusted: unknown case '%s'\n", what);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    printf("usage: untrusted shared|null|caller|own|length|straddle\n");
    return 1;
  }
  return run(argv[argc - 1]);
}
