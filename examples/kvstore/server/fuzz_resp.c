/*
 * FILE: examples/kvstore/server/fuzz_resp.c
 * DESCRIPTION:
 *   libFuzzer target for the kvstore's RESP engine and commands (library
 *   "app" with "store" behind its gates). Each input is a client's byte
 *   stream; the first byte picks a chunk size. The stream is played twice
 *   from an empty store: once in chunks, as a network would deliver it,
 *   once in a single piece. Both runs drain replies only when the engine
 *   asks (output high-water mark), like a real loop. The target aborts if
 *   the two reply streams differ (the incremental parser depends on how
 *   input is split) or if a reply stream is not well-formed RESP;
 *   AddressSanitizer and LeakSanitizer catch memory errors and leaks.
 *   Built with small limits (see CMakeLists.txt) so that short inputs
 *   reach them. The target brings its own flexos_malloc_shared(): when
 *   the first byte's top bit is set, the shared heap holds only 256 to
 *   2048 live bytes, so allocation failures reach every path that can
 *   meet them (then the two runs may differ, and replies may stop
 *   mid-way, so only memory safety and the heap's balance are checked).
 * USAGE:
 *   kvstore-fuzz -max_total_time=20 -max_len=8192 NEW_CORPUS fuzz-corpus/
 * License: MIT
 */
#include "store.h"
#include "resp.h"

#include <flexos.h>
#include <flexos/runtime.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t budget, live; /* shared heap: limit and bytes in use  */
static int failed;          /* an allocation failed during this input */

void *flexos_malloc_shared(size_t size) {
  if (size > budget - live) {
    failed = 1;
    return NULL;
  }
  /* The block's size goes in front, aligned like malloc's blocks. */
  char *p = malloc(sizeof(max_align_t) + size);
  if (!p)
    abort();
  *(size_t *)p = size;
  live += size;
  return p + sizeof(max_align_t);
}

void flexos_free_shared(void *ptr) {
  if (!ptr)
    return;
  char *p = (char *)ptr - sizeof(max_align_t);
  live -= *(size_t *)p;
  free(p);
}

/* A clock that stands still (2023-11-14T22:13:20Z), so that both replays
 * of an input make the same expiry decisions. */
long long kv_clock_ms(void) { return 1700000000000LL; }

struct bytes {
  char *p;
  size_t len, cap;
};

static void append(struct bytes *b, const char *p, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p)
      abort();
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

/* Moves every pending reply into *out (which may run held-back commands,
 * whose replies are moved too). */
static int drain(struct kv_conn *c, void *arg) {
  struct bytes *out = arg;
  size_t n;
  const char *p;
  while ((p = kv_conn_output(c, &n)), n > 0) {
    append(out, p, n);
    kv_conn_sent(c, n);
  }
  return 0;
}

/* Plays data[0..n) into a fresh connection, chunk bytes at a time (0: as
 * much as the engine takes), collecting the replies. */
static void play(const uint8_t *data, size_t n, size_t chunk,
                 struct bytes *out) {
  kv_conn_next_id(1); /* CLIENT ID, HELLO: the same in both replays */
  struct kv_conn *c = kv_conn_new();
  if (!c)
    abort();
  /* Refused input ends the replay as the end of data does. */
  resp_feed_chunked(c, (const char *)data, n, chunk, drain, out);
  drain(c, out);
  kv_conn_free(c);
  store_flush(1);
}

/* Length of the line at p[0..n) up to CRLF, or -1 if none or if it holds
 * a bare CR or LF. */
static long line_len(const char *p, size_t n) {
  for (size_t i = 0; i + 1 < n; i++) {
    if (p[i] == '\r' && p[i + 1] == '\n')
      return (long)i;
    if (p[i] == '\r' || p[i] == '\n')
      return -1;
  }
  return -1;
}

/* Checks one reply at p; returns its length, or -1 if malformed. */
static long check_reply(const char *p, size_t n) {
  long len = n ? line_len(p + 1, n - 1) : -1;
  if (len < 0)
    return -1;
  long at = len + 3;
  long v = strtol(p + 1, NULL, 10);
  switch (p[0]) {
  case '+':
  case '-':
  case ':':
    return at;
  case '_': /* RESP3 null */
    return len == 0 ? at : -1;
  case '%': /* RESP3 map: v pairs */
  case '~': /* RESP3 set */
    if (v < 0 || v > (long)n)
      return -1;
    for (long i = 0; i < (p[0] == '%' ? 2 * v : v); i++) {
      long r = check_reply(p + at, n - (size_t)at);
      if (r < 0)
        return -1;
      at += r;
    }
    return at;
  case '=': /* RESP3 verbatim string: "txt:" and the text */
    if (v < 4)
      return -1;
    /* fall through */
  case '$':
    if (v < 0)
      return v == -1 ? at : -1;
    if (v > (long)n)
      return -1;
    if ((size_t)(at + v + 2) > n || memcmp(p + at + v, "\r\n", 2) != 0)
      return -1;
    return at + v + 2;
  case '*':
    for (long i = 0; i < v; i++) {
      long r = check_reply(p + at, n - (size_t)at);
      if (r < 0)
        return -1;
      at += r;
    }
    return v >= -1 ? at : -1;
  default:
    return -1;
  }
}

static void check_stream(const struct bytes *b) {
  for (size_t at = 0; at < b->len;) {
    long r = check_reply(b->p + at, b->len - at);
    if (r < 0) {
      fprintf(stderr, "malformed reply at byte %zu: %.*s\n", at,
              (int)(b->len - at > 80 ? 80 : b->len - at), b->p + at);
      abort();
    }
    at += (size_t)r;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  size_t chunk = data[0] % 32 + 1;
  struct bytes split = {0}, whole = {0};
  budget = data[0] & 0x80 ? (size_t)256 << ((data[0] >> 5) & 3) : SIZE_MAX;
  failed = 0;
  play(data + 1, size - 1, chunk, &split);
  play(data + 1, size - 1, 0, &whole);
  if (live != 0) {
    fprintf(stderr, "%zu bytes of shared heap not freed\n", live);
    abort();
  }
  if (failed) { /* out of memory: checked for safety only */
    free(split.p);
    free(whole.p);
    return 0;
  }
  check_stream(&split);
  if (split.len != whole.len ||
      (split.len && memcmp(split.p, whole.p, split.len) != 0)) {
    fprintf(stderr, "replies differ: chunks of %zu: %zu bytes, whole: %zu "
                    "bytes\n", chunk, split.len, whole.len);
    abort();
  }
  free(split.p);
  free(whole.p);
  return 0;
}
