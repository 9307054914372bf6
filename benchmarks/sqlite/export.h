/*
 * FILE: benchmarks/sqlite/export.h
 * DESCRIPTION:
 *   Copy-out helpers that run in SQLite's compartment (export.c): SQLite's
 *   text results live in its own memory, which the application can neither
 *   read (protection keys) nor get a pointer to (a gate that returns a
 *   pointer into the callee's memory stops the program), so SQLite's side
 *   copies them into a buffer the application passes, in shared memory.
 * License: MIT (see LICENSE)
 */
#ifndef SQLITE_BENCH_EXPORT_H
#define SQLITE_BENCH_EXPORT_H

#include "sqlite3.h"

/* Copies column `col` of the current row of `st` as text, NUL-terminated
 * and truncated to cap-1 bytes, into dst.  Returns the full length of the
 * text in bytes, or -1 for NULL or a bad argument. */
int sqlite_copy_text(sqlite3_stmt *st, int col, char *dst, int cap);

/* Copies sqlite3_errmsg(db) into dst (NUL-terminated, truncated).
 * Returns its full length. */
int sqlite_copy_errmsg(sqlite3 *db, char *dst, int cap);

#endif
