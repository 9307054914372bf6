/*
 * FILE: test/record-image/lib.c
 * DESCRIPTION:
 *   The isolated library of the image record-mode test (compartment iso):
 *   it owns lib_limit (read by the application), writes the application's
 *   app_total and fills a buffer the application allocated from its heap.
 *   Nothing is annotated: the shares come from a record run (app.c).
 * License: MIT (see LICENSE)
 */
extern int app_total; /* the application's */

int lib_limit = 26;

int lib_fill(char *buf, int n) {
  for (int i = 0; i < n; i++)
    ((volatile char *)buf)[i] = (char)('a' + i % 26);
  return n;
}

void lib_add(int v) { app_total += v; }
