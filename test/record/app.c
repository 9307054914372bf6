/*
 * FILE: test/record/app.c
 * DESCRIPTION:
 *   The application of the record-mode test (compartment main).  Its
 *   library (lib.c, compartment iso) needs exactly three things shared,
 *   none of them annotated: lib's global lib_limit, which main reads;
 *   main's global app_total, which lib writes; and the buffer that
 *   make_buffer allocates, which lib fills.  Built plain it faults at the
 *   first of them; under FLEXOS_RECORD it records all three and runs to
 *   the end; built with the shares file (expected.shares) it runs
 *   isolated without a fault.  Line numbers matter: expected.shares
 *   names the malloc call below by line.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int lib_limit;             /* lib's */
int app_total;                    /* written by lib */
int lib_fill(char *buf, int n);   /* in lib */
void lib_add(int v);

static char *make_buffer(int n) {
  char *b = malloc(n + 1); /* the allocation site that lib fills */
  return b;
}

int main(void) {
  char *buf = make_buffer(32);
  int limit = lib_limit;
  int filled = flexos_check_index(flexos_gate(lib, lib_fill, buf, limit), 33);
  flexos_gate(lib, lib_add, filled);
  flexos_gate(lib, lib_add, 5);
  buf[filled] = 0;
  int ok = limit == 26 && filled == 26 && app_total == 31 &&
           !strcmp(buf, "abcdefghijklmnopqrstuvwxyz");
  printf("record: limit=%d filled=%d total=%d text=%s %s\n", limit, filled, app_total, buf,
         ok ? "ok" : "WRONG");
  free(buf);
  return ok ? 0 : 1;
}
