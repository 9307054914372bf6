/*
 * FILE: examples/kvstore/server/image/engine_image.c
 * DESCRIPTION:
 *   The kvstore engine inside a kernel image (library "app"; "store" in
 *   its own compartment under pku.yaml, so every store call is an MPK
 *   gate and every key and value crosses in the shared heap). There is no
 *   network here: main() plays the recorded client session of the hosted
 *   tests (tests/session.resp, embedded at build time) through the same
 *   kv_conn interface a network loop uses, whole and in chunks of 1, 7
 *   and 4096 bytes, draining replies only when the engine asks, and
 *   compares the replies byte for byte with tests/session.expected.
 *   Prints "kvstore-engine: ok" and returns 0, or names the first
 *   differing byte and returns 1.
 * USAGE:
 *   tools/run-image.sh --accel tcg --cpu max build/.../kvstore-engine-pku.elf
 * License: MIT
 */
#include "resp.h"
#include "store.h"

#include <flexos.h>
#include <flexos/runtime.h>
#include <stdio.h>
#include <string.h>

extern const unsigned char session[], expected[];
extern const unsigned long session_len, expected_len;

/* Compares the next n reply bytes with expected[*at...]. Returns 0 or -1
 * (after saying where they differ). */
static int check(const char *p, size_t n, size_t *at) {
  for (size_t i = 0; i < n; i++, (*at)++)
    if (*at >= expected_len || p[i] != (char)expected[*at]) {
      printf("kvstore-engine: reply byte %lu differs\n", (unsigned long)*at);
      return -1;
    }
  return 0;
}

/* Checks and sends every pending reply (resp_feed_chunked's drain; arg:
 * the size_t count of reply bytes checked so far). */
static int drain(struct kv_conn *c, void *arg) {
  size_t *at = arg;
  size_t n;
  const char *p;
  while ((p = kv_conn_output(c, &n)), n > 0) {
    if (check(p, n, at) < 0)
      return -1;
    kv_conn_sent(c, n);
  }
  return 0;
}

/* Plays the session chunk bytes at a time (0: as much as fits). */
static int play(size_t chunk) {
  struct kv_conn *c = kv_conn_new();
  size_t at = 0;
  int rc = c ? 0 : -1;
  if (rc == 0)
    rc = resp_feed_chunked(c, (const char *)session, session_len, chunk,
                           drain, &at);
  if (rc > 0)
    rc = 0; /* input refused: what was taken is checked as a whole */
  if (rc == 0)
    rc = drain(c, &at);
  if (rc == 0 && at != expected_len) {
    printf("kvstore-engine: %lu reply bytes, expected %lu\n",
           (unsigned long)at, expected_len);
    rc = -1;
  }
  kv_conn_free(c);
  store_flush(1);
  return rc;
}

int main(int argc, char **argv) {
  static const size_t chunks[] = {0, 1, 7, 4096};
  printf("kvstore-engine: app in compartment %s, protection keys %s\n",
         flexos_compartment_name(flexos_current_compartment()),
         flexos_pku_active() ? "on" : "off");
  store_init(0x5eedul);
  for (int i = 0; i < 4; i++) {
    if (play(chunks[i]) < 0) {
      printf("kvstore-engine: FAILED with chunks of %lu\n",
             (unsigned long)chunks[i]);
      return 1;
    }
    printf("kvstore-engine: %lu bytes of replies match (chunks of %lu)\n",
           expected_len, (unsigned long)chunks[i]);
  }
  printf("kvstore-engine: ok\n");
  return 0;
}
