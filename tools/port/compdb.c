/*
 * FILE: tools/port/compdb.c
 * DESCRIPTION:
 *   The compile flags of one source for libclang: its command from a
 *   compile_commands.json (-p DIR) without the compiler, the output and
 *   dependency-file options, the source itself and any -fplugin* /
 *   -fpass-plugin* argument (flexos-port reads sources; it does not run
 *   the flexos plugin), run in the command's directory; then the flags
 *   given after --.
 * USAGE:
 *   db = compdb_open(dir); args = compile_args(db, &flags, file, &n, &errs)
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

CXCompilationDatabase compdb_open(const char *dir) {
  CXCompilationDatabase_Error err;
  CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(dir, &err);
  if (err != CXCompilationDatabase_NoError || !db) {
    warn_("-p %s: no readable compile_commands.json there (configure with "
          "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON, or give flags after --)", dir);
    return NULL;
  }
  return db;
}

/* Options that take the next argument as their value and are dropped. */
static int drops_next(const char *a) {
  static const char *const with_value[] = {"-o", "-MF", "-MT", "-MQ", "-MJ",
                                           NULL};
  for (int i = 0; with_value[i]; i++)
    if (!strcmp(a, with_value[i]))
      return 1;
  return 0;
}

/* Options dropped on their own. */
static int drops(const char *a) {
  static const char *const alone[] = {"-c", "-S", "-E", "-M", "-MM", "-MD",
                                      "-MMD", "-MP", "-MG", "--", NULL};
  for (int i = 0; alone[i]; i++)
    if (!strcmp(a, alone[i]))
      return 1;
  return !strncmp(a, "-fplugin", 8) || !strncmp(a, "-fpass-plugin", 13) ||
         (!strncmp(a, "-o", 2) && a[2]);
}

/* The source file of the command, in any spelling. */
static int is_source(const char *a, const char *dir, const char *file) {
  if (!strcmp(a, file))
    return 1;
  char *joined = a[0] == '/' ? xstrdup(a) : xasprintf("%s/%s", dir, a);
  char *abs = absolute_path(joined);
  int same = !strcmp(abs, file);
  free(abs);
  free(joined);
  return same;
}

/* Appends the useful arguments of the first command for FILE. */
static int from_db(CXCompilationDatabase db, const char *file, char **out,
                   int n) {
  CXCompileCommands cmds = clang_CompilationDatabase_getCompileCommands(db, file);
  if (!cmds || clang_CompileCommands_getSize(cmds) == 0) {
    if (cmds)
      clang_CompileCommands_dispose(cmds);
    return -1;
  }
  CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, 0);
  CXString d = clang_CompileCommand_getDirectory(cmd);
  char *dir = xstrdup(clang_getCString(d));
  clang_disposeString(d);
  out[n++] = "-working-directory";
  out[n++] = dir;
  unsigned nargs = clang_CompileCommand_getNumArgs(cmd);
  for (unsigned i = 1; i < nargs; i++) {
    CXString s = clang_CompileCommand_getArg(cmd, i);
    const char *a = clang_getCString(s);
    if (drops_next(a))
      i++;
    else if (!drops(a) && !is_source(a, dir, file))
      out[n++] = xstrdup(a);
    clang_disposeString(s);
  }
  clang_CompileCommands_dispose(cmds);
  return n;
}

char **compile_args(CXCompilationDatabase db, const struct flags *fl,
                    const char *file, int *nargs, int *errors) {
  unsigned dbn = 0;
  if (db) {
    CXCompileCommands cmds = clang_CompilationDatabase_getCompileCommands(db, file);
    if (cmds && clang_CompileCommands_getSize(cmds))
      dbn = clang_CompileCommand_getNumArgs(clang_CompileCommands_getCommand(cmds, 0));
    if (cmds)
      clang_CompileCommands_dispose(cmds);
  }
  char **out = xmalloc((dbn + 2 + (size_t)fl->nextra + 1) * sizeof *out);
  int n = 0;
  if (db && (n = from_db(db, file, out, 0)) < 0) {
    warn_("%s: not in %s/compile_commands.json; parsed with the flags after "
          "-- only", display_path(file), fl->compdb_dir);
    ++*errors;
    n = 0;
  }
  for (int i = 0; i < fl->nextra; i++)
    out[n++] = fl->extra[i];
  out[n] = NULL;
  *nargs = n;
  return out;
}
