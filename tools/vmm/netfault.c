/*
 * FILE: tools/vmm/netfault.c
 * DESCRIPTION:
 *   Fault injection on a packet path (netfault.h).  Per frame, in this
 *   order, each with its own draw from the direction's generator: drop;
 *   corrupt (one bit past the 14-byte Ethernet header, so that the IP or
 *   TCP checksum has something to catch); reorder (held back
 *   NETFAULT_REORDER_NS, so frames sent meanwhile overtake it); delay
 *   (every frame held delay_ms, keeping their order); duplicate (a second
 *   copy right after the first).  Held frames leave in order of their due
 *   time, and in order of arrival for the same due time; a full hold lets
 *   its earliest frame go early rather than lose or reorder one.
 * License: MIT (see LICENSE)
 */
#include "netfault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: small, seedable, good enough to pick faults. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* True with probability ppm / 1e6. */
static int happens(struct netfault_path *p, uint32_t ppm) {
  return ppm && next_random(&p->rng) % 1000000 < ppm;
}

/* "0.05", "5%", "1" -> millionths; -1 when not a probability. */
static long parse_probability(const char *s, size_t n) {
  char buf[32];
  if (n == 0 || n >= sizeof(buf))
    return -1;
  memcpy(buf, s, n);
  buf[n] = 0;
  int percent = buf[n - 1] == '%';
  if (percent)
    buf[n - 1] = 0;
  char *end;
  double v = strtod(buf, &end);
  if (end == buf || *end || v < 0)
    return -1;
  if (percent)
    v /= 100;
  if (v > 1)
    return -1;
  return (long)(v * 1000000 + 0.5);
}

/* A non-negative decimal integer of at most 18 digits; -1 otherwise. */
static long long parse_count(const char *s, size_t n) {
  if (n == 0 || n > 18)
    return -1;
  long long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* netfault_parse's message about the bad item, returned to the caller
 * (static: the caller only prints it, before parsing again). */
static char parse_msg[256];

/* name[0..n) is the given name. */
static int name_is(const char *name, size_t n, const char *given) {
  return strlen(given) == n && !memcmp(given, name, n);
}

/* The probability field of cfg that name[0..n) names, or NULL. */
static uint32_t *probability_field(struct netfault_config *cfg,
                                   const char *name, size_t n) {
  static const struct { const char *name; size_t off; } probabilities[] = {
      {"drop", offsetof(struct netfault_config, drop)},
      {"dup", offsetof(struct netfault_config, dup)},
      {"reorder", offsetof(struct netfault_config, reorder)},
      {"corrupt", offsetof(struct netfault_config, corrupt)},
  };
  for (size_t k = 0; k < sizeof(probabilities) / sizeof(probabilities[0]); k++)
    if (name_is(name, n, probabilities[k].name))
      return (uint32_t *)((char *)cfg + probabilities[k].off);
  return NULL;
}

/* drop, dup, reorder, corrupt: *field = value in millionths. Returns 0
 * or the message. */
static const char *parse_probability_item(uint32_t *field, const char *name,
                                          size_t name_len, const char *value,
                                          size_t value_len) {
  long ppm = parse_probability(value, value_len);
  if (ppm < 0) {
    snprintf(parse_msg, sizeof(parse_msg), "--net-faults: %.*s=%.*s: want a "
             "probability between 0 and 1 (or 0%% to 100%%)",
             (int)name_len, name, (int)value_len, value);
    return parse_msg;
  }
  *field = (uint32_t)ppm;
  return 0;
}

/* delay=MS. Returns 0 or the message. */
static const char *parse_delay_item(struct netfault_config *cfg,
                                    const char *value, size_t value_len) {
  long long ms = parse_count(value, value_len);
  if (ms < 0 || ms > 10000) {
    snprintf(parse_msg, sizeof(parse_msg), "--net-faults: delay=%.*s: want "
             "whole milliseconds, 0 to 10000", (int)value_len, value);
    return parse_msg;
  }
  cfg->delay_ms = (uint32_t)ms;
  return 0;
}

/* seed=N. Returns 0 or the message. */
static const char *parse_seed_item(struct netfault_config *cfg,
                                   const char *value, size_t value_len) {
  long long seed = parse_count(value, value_len);
  if (seed < 0) {
    snprintf(parse_msg, sizeof(parse_msg), "--net-faults: seed=%.*s: want a "
             "decimal number", (int)value_len, value);
    return parse_msg;
  }
  cfg->seed = (uint64_t)seed;
  cfg->seeded = 1;
  return 0;
}

/* One NAME=VALUE item, item[0..len). Returns 0 or the message. */
static const char *parse_item(const char *item, size_t len,
                              struct netfault_config *cfg) {
  const char *eq = memchr(item, '=', len);
  if (!eq) {
    snprintf(parse_msg, sizeof(parse_msg), "--net-faults: '%.*s' is not "
             "NAME=VALUE (e.g. drop=0.02,dup=1%%,reorder=0.05,corrupt=0.001,"
             "delay=20,seed=7)", (int)len, item);
    return parse_msg;
  }
  size_t name_len = (size_t)(eq - item);
  const char *value = eq + 1;
  size_t value_len = len - name_len - 1;
  uint32_t *field = probability_field(cfg, item, name_len);
  if (field)
    return parse_probability_item(field, item, name_len, value, value_len);
  if (name_is(item, name_len, "delay"))
    return parse_delay_item(cfg, value, value_len);
  if (name_is(item, name_len, "seed"))
    return parse_seed_item(cfg, value, value_len);
  snprintf(parse_msg, sizeof(parse_msg), "--net-faults: unknown fault "
           "'%.*s'; expected drop, dup, reorder, corrupt, delay or seed",
           (int)name_len, item);
  return parse_msg;
}

const char *netfault_parse(const char *spec, struct netfault_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  const char *item = spec;
  for (;;) {
    size_t len = strcspn(item, ",");
    const char *err = parse_item(item, len, cfg);
    if (err)
      return err;
    if (!item[len])
      break;
    item += len + 1;
  }
  cfg->on = cfg->drop || cfg->dup || cfg->reorder || cfg->corrupt ||
            cfg->delay_ms;
  return 0;
}

void netfault_describe(const struct netfault_config *cfg, char *buf,
                       size_t size) {
  snprintf(buf, size, "drop=%g,dup=%g,reorder=%g,corrupt=%g,delay=%u,seed=%llu",
           cfg->drop / 1e6, cfg->dup / 1e6, cfg->reorder / 1e6,
           cfg->corrupt / 1e6, cfg->delay_ms, (unsigned long long)cfg->seed);
}

void netfault_path_init(struct netfault_path *p,
                        const struct netfault_config *cfg, uint64_t stream) {
  memset(p, 0, sizeof(*p));
  p->cfg = cfg;
  for (int i = 0; i < NETFAULT_HOLD; i++) /* taken from the top down */
    p->free_slots[i] = (uint16_t)(NETFAULT_HOLD - 1 - i);
  p->rng = cfg->seed ^ (stream * 0xd1b54a32d192ed03ull);
}

/* Delivers the earliest held frame and frees its slot. */
static void release_first(struct netfault_path *p,
                          netfault_deliver_fn *deliver, void *ctx) {
  uint16_t slot = p->order[0];
  p->nheld--;
  memmove(&p->order[0], &p->order[1], (size_t)p->nheld * sizeof(p->order[0]));
  p->free_slots[NETFAULT_HOLD - 1 - p->nheld] = slot;
  deliver(p->held[slot].data, p->held[slot].len, ctx);
}

/* Holds a frame until due_ns, in order of due time and, for equal times,
 * of arrival.  A full hold lets its earliest frame go first (early, but
 * in order) rather than lose or reorder one. */
static void hold(struct netfault_path *p, const uint8_t *data, uint32_t len,
                 int64_t due_ns, netfault_deliver_fn *deliver, void *ctx) {
  if (p->nheld == NETFAULT_HOLD)
    release_first(p, deliver, ctx);
  uint16_t slot = p->free_slots[NETFAULT_HOLD - 1 - p->nheld];
  int at = p->nheld;
  while (at > 0 && p->held[p->order[at - 1]].due_ns > due_ns)
    at--;
  memmove(&p->order[at + 1], &p->order[at],
          (size_t)(p->nheld - at) * sizeof(p->order[0]));
  p->order[at] = slot;
  p->held[slot].due_ns = due_ns;
  p->held[slot].len = len;
  memcpy(p->held[slot].data, data, len);
  p->nheld++;
}

int64_t netfault_release(struct netfault_path *p, int64_t now_ns,
                         netfault_deliver_fn *deliver, void *ctx) {
  while (p->nheld && p->held[p->order[0]].due_ns <= now_ns)
    release_first(p, deliver, ctx);
  return p->nheld ? p->held[p->order[0]].due_ns - now_ns : -1;
}

void netfault_send(struct netfault_path *p, const uint8_t *data,
                   uint32_t len, int64_t now_ns, netfault_deliver_fn *deliver,
                   void *ctx) {
  const struct netfault_config *c = p->cfg;
  netfault_release(p, now_ns, deliver, ctx);
  p->frames++;
  if (happens(p, c->drop)) {
    p->dropped++;
    return;
  }
  uint8_t copy[NETFAULT_FRAME_MAX];
  if (len > sizeof(copy)) { /* too big to change: as it is */
    deliver(data, len, ctx);
    return;
  }
  memcpy(copy, data, len);
  if (happens(p, c->corrupt) && len > 14) {
    uint64_t bit = next_random(&p->rng) % ((uint64_t)(len - 14) * 8);
    copy[14 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
    p->corrupted++;
  }
  int copies = happens(p, c->dup) ? 2 : 1;
  p->duplicated += (uint64_t)(copies - 1);
  int64_t due = now_ns;
  if (happens(p, c->reorder)) {
    due += NETFAULT_REORDER_NS;
    p->reordered++;
  }
  if (c->delay_ms) {
    due += (int64_t)c->delay_ms * 1000000;
    p->delayed++;
  }
  for (int i = 0; i < copies; i++) {
    if (due == now_ns)
      deliver(copy, len, ctx);
    else
      hold(p, copy, len, due, deliver, ctx);
  }
}
