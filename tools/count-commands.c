/*
 * FILE: tools/count-commands.c
 * DESCRIPTION:
 *   An LD_PRELOAD shim that counts the Redis commands a client really
 *   sends, so that a test can compare a server's state with what arrived
 *   rather than with what the client was asked to send.  redis-benchmark
 *   7.0 sends more than -n requests when a stall outlasts about ten
 *   seconds: its idle clients spin on a writable socket, each spin adds
 *   the pipeline length to an int request counter, the counter wraps
 *   negative and every idle client sends one more pipeline (docs/network.md,
 *   "Exactly once").
 *   Counts, in what write(2), send(2) and writev(2) report as sent, each
 *   RESP array whose first bulk string is one of the names in
 *   FLEXOS_COUNT_COMMANDS (comma-separated, as sent: "INCR,LPUSH"),
 *   across writes that split a command; at exit appends "NAME COUNT"
 *   lines to the file FLEXOS_COUNT_COMMANDS_OUT.  Inline commands are not
 *   counted.
 * USAGE:
 *   FLEXOS_COUNT_COMMANDS=INCR,LPUSH FLEXOS_COUNT_COMMANDS_OUT=sent.txt \
 *     LD_PRELOAD=libflexos-count-commands.so redis-benchmark ...
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_NAMES 8
#define MAX_FDS 4096
#define TAIL 48 /* bytes kept per fd: "*N\r\n$L\r\nNAME\r\n" split by a write */

static char names[MAX_NAMES][24];
static unsigned long counts[MAX_NAMES];
static int nnames = -1; /* -1: not read yet */
static struct { unsigned char len; char data[TAIL]; } tails[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void read_names(void) {
  nnames = 0;
  const char *list = getenv("FLEXOS_COUNT_COMMANDS");
  while (list && *list && nnames < MAX_NAMES) {
    size_t n = strcspn(list, ",");
    if (n > 0 && n < sizeof(names[0])) {
      memcpy(names[nnames], list, n);
      names[nnames++][n] = 0;
    }
    list += n + (list[n] == ',');
  }
}

/* Does an array header "*<digits>\r\n" end right at s[at]? */
static int header_before(const char *s, size_t at) {
  if (at < 4 || s[at - 1] != '\n' || s[at - 2] != '\r')
    return 0;
  size_t i = at - 2, digits = 0;
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') {
    i--;
    digits++;
  }
  return digits > 0 && i > 0 && s[i - 1] == '*';
}

/* Counts the commands in tail + data; keeps the last TAIL bytes. */
static void scan(int fd, const char *data, size_t n) {
  if (fd < 0 || fd >= MAX_FDS || n == 0)
    return;
  size_t keep = tails[fd].len, total = keep + n;
  char *s = malloc(total);
  if (!s)
    return;
  memcpy(s, tails[fd].data, keep);
  memcpy(s + keep, data, n);
  for (int k = 0; k < nnames; k++) {
    char token[40];
    int tlen = snprintf(token, sizeof(token), "$%zu\r\n%s\r\n",
                        strlen(names[k]), names[k]);
    /* Only matches that end in the new bytes: older ones were counted. */
    for (size_t at = 0; at + (size_t)tlen <= total; at++)
      if (at + (size_t)tlen > keep && !memcmp(s + at, token, (size_t)tlen) &&
          header_before(s, at))
        counts[k]++;
  }
  size_t t = total < TAIL ? total : TAIL;
  memcpy(tails[fd].data, s + total - t, t);
  tails[fd].len = (unsigned char)t;
  free(s);
}

static void counted(int fd, const void *buf, ssize_t sent) {
  if (sent <= 0)
    return;
  pthread_mutex_lock(&lock);
  if (nnames < 0)
    read_names();
  scan(fd, buf, (size_t)sent);
  pthread_mutex_unlock(&lock);
}

ssize_t write(int fd, const void *buf, size_t n) {
  static ssize_t (*real)(int, const void *, size_t);
  if (!real)
    real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  ssize_t r = real(fd, buf, n);
  counted(fd, buf, r);
  return r;
}

ssize_t send(int fd, const void *buf, size_t n, int flags) {
  static ssize_t (*real)(int, const void *, size_t, int);
  if (!real)
    real = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
  ssize_t r = real(fd, buf, n, flags);
  counted(fd, buf, r);
  return r;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
  static ssize_t (*real)(int, const struct iovec *, int);
  if (!real)
    real = (ssize_t (*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
  ssize_t r = real(fd, iov, iovcnt), left = r;
  for (int i = 0; i < iovcnt && left > 0; i++) {
    ssize_t part = (ssize_t)iov[i].iov_len < left ? (ssize_t)iov[i].iov_len : left;
    counted(fd, iov[i].iov_base, part);
    left -= part;
  }
  return r;
}

/* A closed fd's number is reused: forget its tail. */
int close(int fd) {
  static int (*real)(int);
  if (!real)
    real = (int (*)(int))dlsym(RTLD_NEXT, "close");
  if (fd >= 0 && fd < MAX_FDS) {
    pthread_mutex_lock(&lock);
    tails[fd].len = 0;
    pthread_mutex_unlock(&lock);
  }
  return real(fd);
}

__attribute__((destructor)) static void report(void) {
  const char *path = getenv("FLEXOS_COUNT_COMMANDS_OUT");
  if (!path)
    return;
  if (nnames < 0)
    read_names();
  FILE *f = fopen(path, "a");
  if (!f)
    return;
  for (int k = 0; k < nnames; k++)
    fprintf(f, "%s %lu\n", names[k], counts[k]);
  fclose(f);
}
