/*
 * FILE: tools/vmm/netfault.h
 * DESCRIPTION:
 *   Fault injection on a packet path (--net-faults): each frame may be
 *   dropped, duplicated, held back behind later frames (reordered),
 *   delayed, or have one bit flipped past its Ethernet header (corrupted),
 *   each with its own probability.  The decisions come from a seeded
 *   generator, one stream per direction, so the same seed makes the same
 *   decisions for the same sequence of frames: a failing run is replayed
 *   with the seed it printed.
 * USAGE:
 *   struct netfault_config cfg;
 *   const char *err = netfault_parse("drop=0.02,dup=0.01,seed=7", &cfg);
 *   struct netfault_path out;
 *   netfault_path_init(&out, &cfg, 1);
 *   netfault_send(&out, frame, len, now_ns, deliver, ctx);
 *   int64_t wait_ns = netfault_release(&out, now_ns, deliver, ctx);
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_VMM_NETFAULT_H
#define FLEXOS_VMM_NETFAULT_H

#include <stddef.h>
#include <stdint.h>

#define NETFAULT_FRAME_MAX 2048
#define NETFAULT_HOLD 256   /* frames held back (reordered, delayed) */
#define NETFAULT_REORDER_NS 3000000 /* how long a reordered frame waits */

/* Probabilities in millionths; delay in ms; on = any fault asked for. */
struct netfault_config {
  uint32_t drop, dup, reorder, corrupt;
  uint32_t delay_ms;
  uint64_t seed;
  int seeded; /* seed given (else netfault_parse leaves it 0) */
  int on;
};

/* Parses "drop=P,dup=P,reorder=P,corrupt=P,delay=MS,seed=N" (P a
 * fraction 0..1 or a percentage like 2%; any subset, any order).
 * Returns 0, or a message naming the bad item and what is expected. */
const char *netfault_parse(const char *spec, struct netfault_config *cfg);
/* The configuration as the option that replays it. */
void netfault_describe(const struct netfault_config *cfg, char *buf,
                       size_t size);

typedef void netfault_deliver_fn(const uint8_t *data, uint32_t len,
                                 void *ctx);

struct netfault_held {
  int64_t due_ns;
  uint32_t len;
  uint8_t data[NETFAULT_FRAME_MAX];
};

/* One direction: its generator, the frames it holds back (slots, and
 * their indices in order of due time), its counts. */
struct netfault_path {
  const struct netfault_config *cfg;
  uint64_t rng;
  struct netfault_held held[NETFAULT_HOLD];
  uint16_t order[NETFAULT_HOLD];
  uint16_t free_slots[NETFAULT_HOLD];
  int nheld;
  uint64_t frames, dropped, duplicated, reordered, corrupted, delayed;
};

void netfault_path_init(struct netfault_path *p,
                        const struct netfault_config *cfg, uint64_t stream);
/* One frame into the path: delivered now (once or twice), held back, or
 * dropped.  Frames held back whose time has come go first. */
void netfault_send(struct netfault_path *p, const uint8_t *data,
                   uint32_t len, int64_t now_ns, netfault_deliver_fn *deliver,
                   void *ctx);
/* Delivers the held frames whose time has come; returns the ns until the
 * next one is due, or -1 when none is held. */
int64_t netfault_release(struct netfault_path *p, int64_t now_ns,
                         netfault_deliver_fn *deliver, void *ctx);

#endif
