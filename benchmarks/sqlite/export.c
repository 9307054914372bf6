/*
 * FILE: benchmarks/sqlite/export.c
 * DESCRIPTION:
 *   Library `sqlite` (SQLite's compartment): copies SQLite's text results
 *   (a column, the last error message) into a buffer the application
 *   passes in shared memory (export.h).  The pointers SQLite returns stay
 *   in this compartment.
 * License: MIT (see LICENSE)
 */
#include <string.h>

#include "export.h"

static int copy_out(const char *s, int len, char *dst, int cap) {
  if (!dst || cap <= 0)
    return -1;
  int n = len < cap - 1 ? len : cap - 1;
  if (n > 0)
    memcpy(dst, s, (size_t)n);
  dst[n] = 0;
  return len;
}

int sqlite_copy_text(sqlite3_stmt *st, int col, char *dst, int cap) {
  const unsigned char *s = sqlite3_column_text(st, col);
  if (!s) {
    if (dst && cap > 0)
      dst[0] = 0;
    return -1;
  }
  return copy_out((const char *)s, sqlite3_column_bytes(st, col), dst, cap);
}

int sqlite_copy_errmsg(sqlite3 *db, char *dst, int cap) {
  const char *s = sqlite3_errmsg(db);
  return copy_out(s, (int)strlen(s), dst, cap);
}
