/*
 * FILE: tools/flexos/util.h
 * DESCRIPTION:
 *   Small helpers shared by the parts of the flexos command: an arena that
 *   owns every string and array of one model (freed in one call, so error
 *   paths that longjmp out of the parser leak nothing), a growable array,
 *   whole-file reading and program-level error printing.
 * USAGE:
 *   #include "util.h"   (tools/flexos only)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_TOOL_UTIL_H
#define FLEXOS_TOOL_UTIL_H

#include <stddef.h>

/* Chunks of memory released together by arena_free. */
struct arena {
  struct chunk *head;
};

void *arena_alloc(struct arena *a, size_t size);   /* zeroed; exits on OOM */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

/* Appends one element of size esz to *arr (length *n, capacity *cap),
 * growing it inside the arena; returns the new element, zeroed. */
void *arena_push(struct arena *a, void *arr, size_t *n, size_t *cap,
                 size_t esz);
#define PUSH(a, arr, n, cap) \
  ((__typeof__(arr))arena_push((a), &(arr), &(n), &(cap), sizeof *(arr)))

/* Reads a whole file; returns a malloc'ed NUL-terminated buffer (length in
 * *len) or NULL with errno set. */
char *read_file(const char *path, size_t *len);

/* Prints "flexos: " plus the message to stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like warnx_, then exits with status 2 (bad input or host failure). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* malloc/realloc that exit on failure: the tool cannot go on without
 * memory, and every caller would print the same message. */
void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);

/* Monotonic seconds. */
double now_s(void);

/* Starts argv[0] (searched in PATH) with its stdout on a pipe, and with
 * env_name=env_value set when env_name is not NULL; *out is the pipe's
 * read end.  When the program cannot run, the child says so (with hint,
 * if any) and exits 127.  Returns the child's pid. */
int spawn_reading(char *const argv[], const char *env_name,
                  const char *env_value, const char *hint, int *out);
/* Waits for pid: its exit status, or -1 when it did not exit. */
int wait_exit(int pid);

#endif
