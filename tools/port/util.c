/*
 * FILE: tools/port/util.c
 * DESCRIPTION:
 *   Memory, strings, messages and paths for flexos-port: every path the
 *   report prints goes through display_path(), relative to --root, so
 *   that golden outputs hold no machine paths.
 * USAGE:
 *   linked into bin/flexos-port (see port.h)
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[PATH_MAX];
static size_t rootlen;

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fputs("flexos-port: out of memory\n", stderr);
    exit(2);
  }
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) {
    fputs("flexos-port: out of memory\n", stderr);
    exit(2);
  }
  return p;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0) {
    fputs("flexos-port: out of memory\n", stderr);
    exit(2);
  }
  va_end(ap);
  return s;
}

void warn_(const char *fmt, ...) {
  va_list ap;
  fputs("flexos-port: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* The real path of PATH, or PATH made absolute when it does not exist. */
char *absolute_path(const char *path) {
  char buf[PATH_MAX], cwd[PATH_MAX];
  if (realpath(path, buf))
    return xstrdup(buf);
  if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
    return xstrdup(path);
  return xasprintf("%s/%s", cwd, path);
}

void set_root(const char *dir) {
  char *abs = absolute_path(dir);
  snprintf(root, sizeof root, "%s", abs);
  free(abs);
  rootlen = strlen(root);
  while (rootlen > 1 && root[rootlen - 1] == '/')
    root[--rootlen] = 0;
}

/* ABS relative to the root when it lies under it, else ABS itself. */
const char *display_path(const char *abs) {
  if (rootlen && !strncmp(abs, root, rootlen) && abs[rootlen] == '/')
    return xstrdup(abs + rootlen + 1);
  if (rootlen == 1 && abs[0] == '/')
    return xstrdup(abs + 1);
  return xstrdup(abs);
}

/* The directory of this executable (for flexos-config), or NULL. */
const char *self_dir(void) {
  static char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = 0;
  char *slash = strrchr(buf, '/');
  if (!slash)
    return NULL;
  *slash = 0;
  return buf;
}
