/*
 * FILE: tools/flexos/util.c
 * DESCRIPTION:
 *   Arena, growable arrays, file reading and error printing for the flexos
 *   command (see util.h).
 * USAGE:
 *   linked into bin/flexos and the parser fuzz target
 * License: MIT (see LICENSE)
 */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct chunk {
  struct chunk *next;
  max_align_t data[];
};

void *xmalloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p)
    die("out of memory (%zu bytes)", size);
  return p;
}

void *xrealloc(void *p, size_t size) {
  p = realloc(p, size ? size : 1);
  if (!p)
    die("out of memory (%zu bytes)", size);
  return p;
}

/* One chunk per allocation keeps the arena trivial; the tool allocates a
 * few thousand small objects at most, so the header overhead is noise. */
void *arena_alloc(struct arena *a, size_t size) {
  struct chunk *c = xmalloc(sizeof *c + size);
  c->next = a->head;
  a->head = c;
  memset(c->data, 0, size);
  return c->data;
}

char *arena_strndup(struct arena *a, const char *s, size_t n) {
  char *d = arena_alloc(a, n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

char *arena_strdup(struct arena *a, const char *s) {
  return arena_strndup(a, s, strlen(s));
}

void arena_free(struct arena *a) {
  while (a->head) {
    struct chunk *c = a->head;
    a->head = c->next;
    free(c);
  }
}

void *arena_push(struct arena *a, void *arrp, size_t *n, size_t *cap,
                 size_t esz) {
  char **arr = arrp;
  if (*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 4;
    char *fresh = arena_alloc(a, ncap * esz);
    if (*n)
      memcpy(fresh, *arr, *n * esz);
    *arr = fresh;   /* the old array stays in the arena until arena_free */
    *cap = ncap;
  }
  return *arr + (*n)++ * esz;
}

char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0)
      break;
    if (cap - n - 1 == 0)
      buf = xrealloc(buf, cap *= 2);
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

/* One line on stderr: "flexos: " and the message. */
static void vwarn(const char *fmt, va_list ap) {
  fputs("flexos: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void warnx_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vwarn(fmt, ap);
  va_end(ap);
}

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vwarn(fmt, ap);
  va_end(ap);
  exit(2);
}

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int spawn_reading(char *const argv[], const char *env_name,
                  const char *env_value, const char *hint, int *out) {
  int fd[2];
  if (pipe(fd) != 0)
    die("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0)
    die("fork: %s", strerror(errno));
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    if (env_name)
      setenv(env_name, env_value, 1);
    execvp(argv[0], argv);
    fprintf(stderr, "flexos: cannot run %s: %s%s%s\n", argv[0], strerror(errno),
            hint ? "; " : "", hint ? hint : "");
    _exit(127);
  }
  close(fd[1]);
  *out = fd[0];
  return (int)pid;
}

int wait_exit(int pid) {
  int st;
  while (waitpid((pid_t)pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
