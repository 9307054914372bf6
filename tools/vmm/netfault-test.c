/*
 * FILE: tools/vmm/netfault-test.c
 * DESCRIPTION:
 *   Checks of the fault injector (netfault.c) on its own: the option's
 *   errors; with every probability 0 frames pass untouched and in order;
 *   each fault kind happens about as often as asked (over 20000 frames)
 *   and does what it says (a dropped frame never arrives, a duplicate
 *   arrives twice, a reordered frame arrives after later ones, a delayed
 *   one only once its time has come and in order, a corrupted one with
 *   exactly one bit flipped past the Ethernet header); and the same seed
 *   makes the same decisions.  Prints one line per check; exits 1 on the
 *   first failure.
 * USAGE: netfault-test
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfault.h"

#define FRAMES 20000
#define LEN 64

static uint32_t got[4 * FRAMES]; /* frame numbers in arrival order */
static int ngot;
static int flipped_bits;          /* over all corrupted arrivals */

static void fail(const char *what) {
  printf("FAIL: %s\n", what);
  exit(1);
}

/* 0xa5 bytes with the frame's number at 20 and again at 40. */
static void make_frame(uint8_t *f, uint32_t n) {
  memset(f, 0xa5, LEN);
  memcpy(f + 20, &n, sizeof(n));
  memcpy(f + 40, &n, sizeof(n));
}

static void deliver(const uint8_t *data, uint32_t len, void *ctx) {
  (void)ctx;
  if (len != LEN)
    fail("a frame changed its length");
  uint32_t n1, n2;
  memcpy(&n1, data + 20, sizeof(n1));
  memcpy(&n2, data + 40, sizeof(n2));
  int bits = __builtin_popcount(n1 ^ n2); /* a bit flipped in either copy */
  for (int i = 0; i < LEN; i++) {
    if ((i >= 20 && i < 24) || (i >= 40 && i < 44))
      continue;
    if (data[i] != 0xa5 && i < 14)
      fail("corruption touched the Ethernet header");
    bits += __builtin_popcount(data[i] ^ 0xa5);
  }
  flipped_bits += bits;
  got[ngot++] = bits ? UINT32_MAX : n1; /* corrupted: number unknown */
}

/* Sends FRAMES frames 1 us apart, then lets every held frame out. */
static void run(const char *spec, struct netfault_path *p,
                struct netfault_config *cfg) {
  const char *err = netfault_parse(spec, cfg);
  if (err)
    fail(err);
  netfault_path_init(p, cfg, 1);
  ngot = flipped_bits = 0;
  uint8_t f[LEN];
  int64_t t = 0;
  for (uint32_t n = 0; n < FRAMES; n++, t += 1000) {
    make_frame(f, n);
    netfault_send(p, f, LEN, t, deliver, 0);
  }
  netfault_release(p, t + 100000000000ll, deliver, 0);
}

static void expect_rate(const char *what, uint64_t count, double p) {
  double want = p * FRAMES;
  if (count < want * 0.8 || count > want * 1.2) {
    printf("FAIL: %s: %lu of %d frames, expected about %.0f\n", what,
           (unsigned long)count, FRAMES, want);
    exit(1);
  }
  printf("ok: %s: %lu of %d frames (asked %.0f)\n", what,
         (unsigned long)count, FRAMES, want);
}

static void check_errors(void) {
  struct netfault_config c;
  const char *bad[][2] = {
      {"drp=0.1", "unknown fault 'drp'"},
      {"drop=2", "drop=2: want a probability"},
      {"drop=-0.1", "want a probability"},
      {"delay=x", "delay=x: want whole milliseconds"},
      {"seed=", "seed=: want a decimal number"},
      {"drop", "'drop' is not NAME=VALUE"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *err = netfault_parse(bad[i][0], &c);
    if (!err || !strstr(err, bad[i][1])) {
      printf("FAIL: '%s' gave %s\n", bad[i][0], err ? err : "no error");
      exit(1);
    }
  }
  if (netfault_parse("drop=5%,dup=0.01,reorder=0,corrupt=1%,delay=3,seed=9", &c) ||
      c.drop != 50000 || c.dup != 10000 || c.corrupt != 10000 ||
      c.delay_ms != 3 || c.seed != 9 || !c.on)
    fail("a good specification read wrong");
  printf("ok: errors name the item and what is expected\n");
}

int main(void) {
  static struct netfault_path p;
  struct netfault_config cfg;
  check_errors();

  run("drop=0,seed=1", &p, &cfg);
  if (cfg.on || ngot != FRAMES)
    fail("no faults: frames lost or added");
  for (int i = 0; i < ngot; i++)
    if (got[i] != (uint32_t)i)
      fail("no faults: frames out of order");
  printf("ok: no faults, %d frames in order\n", ngot);

  run("drop=0.1,seed=1", &p, &cfg);
  expect_rate("dropped", p.dropped, 0.1);
  if (ngot != FRAMES - (int)p.dropped)
    fail("drop: a dropped frame arrived, or one more was lost");

  run("dup=0.05,seed=2", &p, &cfg);
  expect_rate("duplicated", p.duplicated, 0.05);
  int twice = 0;
  for (int i = 1; i < ngot; i++)
    twice += got[i] == got[i - 1];
  if (ngot != FRAMES + (int)p.duplicated || twice != (int)p.duplicated)
    fail("dup: duplicates are not second copies right after the first");

  run("reorder=0.05,seed=3", &p, &cfg);
  expect_rate("reordered", p.reordered, 0.05);
  int overtaken = 0;
  for (int i = 1; i < ngot; i++)
    overtaken += got[i] < got[i - 1];
  if (ngot != FRAMES || overtaken < (int)p.reordered / 2)
    fail("reorder: held frames were not overtaken");

  run("delay=2,seed=4", &p, &cfg);
  if (ngot != FRAMES || p.delayed != FRAMES)
    fail("delay: frames lost");
  for (int i = 0; i < ngot; i++)
    if (got[i] != (uint32_t)i)
      fail("delay: a constant delay reordered frames");
  printf("ok: delay kept all %d frames in order\n", ngot);

  run("corrupt=0.02,seed=5", &p, &cfg);
  expect_rate("corrupted", p.corrupted, 0.02);
  if (flipped_bits != (int)p.corrupted)
    fail("corrupt: not exactly one bit per corrupted frame");

  /* The same seed, the same decisions; another seed, others. */
  run("drop=0.1,dup=0.1,reorder=0.1,seed=77", &p, &cfg);
  static uint32_t first[4 * FRAMES];
  int nfirst = ngot;
  memcpy(first, got, sizeof(got[0]) * (size_t)ngot);
  run("drop=0.1,dup=0.1,reorder=0.1,seed=77", &p, &cfg);
  if (ngot != nfirst || memcmp(first, got, sizeof(got[0]) * (size_t)ngot))
    fail("seed 77 twice: different decisions");
  run("drop=0.1,dup=0.1,reorder=0.1,seed=78", &p, &cfg);
  if (ngot == nfirst && !memcmp(first, got, sizeof(got[0]) * (size_t)ngot))
    fail("seeds 77 and 78: the same decisions");
  printf("ok: a seed replays its decisions\n");
  printf("netfault: all checks passed\n");
  return 0;
}
