/*
 * FILE: tools/port/scan.h
 * DESCRIPTION:
 *   Internal interface of the libclang half of flexos-port: scan.c walks
 *   translation units, sig.c reads exported signatures, compdb.c turns a
 *   compile_commands.json entry into libclang arguments.
 * USAGE:
 *   #include "scan.h" (after port.h)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_PORT_SCAN_H
#define FLEXOS_PORT_SCAN_H

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>

#define FILECACHE 64

/* Printed paths of the files of one translation unit. */
struct filecache {
  CXFile file[FILECACHE];
  const char *path[FILECACHE];
  size_t n;
};

/* scan.c */
struct loc make_loc(struct filecache *fc, CXSourceLocation l);
int in_system_header(CXCursor decl);
char *cursor_usr(CXCursor c);
char *cursor_name(CXCursor c);

/* sig.c: adds the signature findings of an exported function of the
 * ported library; returns why no gate fits it ("; "-separated) or NULL. */
const char *scan_signature(struct facts *fx, CXCursor fn, const struct def *d,
                           struct filecache *fc);

/* compdb.c */
CXCompilationDatabase compdb_open(const char *dir);
char **compile_args(CXCompilationDatabase db, const struct flags *fl,
                    const char *file, int *nargs, int *errors);

#endif
