/*
 * test/untrusted/hostile.c: a library that lies.  It hands back pointers
 * into memory its caller never shared and lengths larger than any buffer;
 * the gate's result check and the caller's flexos_check_* must stop both.
 */
#include <flexos.h>
#include <stddef.h>

#include "untrusted.h"

char hostile_shared[64] __flexos_share = "shared by hostile";
static char hostile_private[64] = "hostile's own";

char *hostile_pointer(int answer, uintptr_t hint) {
  switch (answer) {
  case ANSWER_SHARED:
    return hostile_shared;
  case ANSWER_CALLER:
    return (char *)hint;
  case ANSWER_OWN:
    return hostile_private;
  case ANSWER_STRADDLE:
    return hostile_shared + sizeof hostile_shared - 1;
  default:
    return NULL;
  }
}

long hostile_length(void) { return 1000; }

/* Both read hostile's private data: run with app's rights, they fault. */
long hostile_entry(long x) { return x + hostile_private[0]; }
long hostile_other(long x) { return x - hostile_private[0]; }

callback_fn hostile_callback(int answer, uintptr_t hint) {
  switch (answer) {
  case CALLBACK_GATED:
    return hostile_entry;
  case CALLBACK_UNGATED:
    return hostile_other;
  default:
    return (callback_fn)hint;
  }
}
