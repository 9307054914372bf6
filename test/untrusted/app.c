/*
 * test/untrusted/app.c: the caller.  One argument picks the case:
 *   shared, null   the hostile library's answer is fine: "untrusted: ok"
 *   caller, own    it returns a pointer outside shared memory: the gate
 *                  stops the program (FLEXOS_EXIT_UNTRUSTED) before use
 *   length         it returns 1000 for a 64-byte buffer: flexos_check_size
 *                  stops the program
 *   callback-gated    it returns hostile_entry, which app gates elsewhere:
 *                  the call goes through that gate (hostile's rights)
 *   callback-ungated  it returns hostile_other, never gated by app: stopped
 *   callback-caller   it returns app_grant, app's own function: stopped
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

/* What a forged callback would like app to run with app's rights. */
static long app_grant(long x) {
  printf("untrusted: app_grant ran: NOT STOPPED\n");
  return x;
}

/* The gate that registers hostile_entry as callable from app. */
long call_entry_directly(long x) { return flexos_gate(hostile, hostile_entry, x); }

static int callback(const char *what) {
  int answer = !strcmp(what, "callback-gated")     ? CALLBACK_GATED
               : !strcmp(what, "callback-ungated") ? CALLBACK_UNGATED
                                                   : CALLBACK_CALLER;
  callback_fn cb = flexos_gate(hostile, hostile_callback, answer, (uintptr_t)app_grant);
  /* Unchecked on purpose: the compiler warns here and routes the call
   * through __flexos_indirect_target. */
  long r = cb(1);
  if (answer != CALLBACK_GATED) {
    printf("untrusted: %s: NOT STOPPED (%ld)\n", what, r);
    return 1;
  }
  if (r != 1 + 'h' || call_entry_directly(1) != r)
    return 1;
  printf("untrusted: callback through the gate: %ld\nuntrusted: ok\n", r);
  return 0;
}

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
  if (!strncmp(what, "callback-", 9))
    return callback(what);
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
    printf("usage: untrusted shared|null|caller|own|length|straddle|"
           "callback-gated|callback-ungated|callback-caller\n");
    return 1;
  }
  return run(argv[argc - 1]);
}
