/*
 * FILE: runtime/libc/stdlib.c
 * DESCRIPTION: abort, exit, assert failures and number parsing.  malloc
 *   and friends live in runtime/heap.c (per-compartment heaps).
 * License: MIT (see LICENSE)
 */
#include <assert.h>
#include <flexos/runtime.h>
#include <stdio.h>
#include <stdlib.h>

void abort(void) {
  printf("abort() in compartment %s\n",
         flexos_compartment_name(flexos_current_compartment()));
  flexos_exit(FLEXOS_EXIT_PANIC);
}

void exit(int code) { flexos_exit(code); }

void __assert_fail(const char *expr, const char *file, int line,
                   const char *func) {
  printf("assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
  flexos_exit(FLEXOS_EXIT_PANIC);
}

static int digit(char c, int base) {
  int d = c >= '0' && c <= '9'   ? c - '0'
          : c >= 'a' && c <= 'z' ? c - 'a' + 10
          : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                 : 99;
  return d < base ? d : -1;
}

long strtol(const char *s, char **end, int base) {
  while (*s == ' ' || *s == '\t')
    s++;
  int neg = *s == '-';
  if (*s == '-' || *s == '+')
    s++;
  if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    base = 16;
  } else if (base == 0) {
    base = *s == '0' ? 8 : 10;
  }
  long v = 0;
  for (int d; (d = digit(*s, base)) >= 0; s++)
    v = v * base + d;
  if (end)
    *end = (char *)s;
  return neg ? -v : v;
}

int atoi(const char *s) { return (int)strtol(s, 0, 10); }
