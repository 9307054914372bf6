/*
 * FILE: tools/flexos/enum.c
 * DESCRIPTION:
 *   Enumeration of the design space and its safety order.
 *   - Partitions are built one library at a time (restricted growth
 *     strings, so compartment order never doubles a partition): library i
 *     joins an existing compartment only when it is compatible with every
 *     library already there, so an incompatible pair cuts the whole
 *     subtree at once.
 *   - Mechanisms: the gate between two compartments uses the stronger
 *     end, and two `none` compartments are not separated at all, so the
 *     libraries of all `none` compartments count as co-located and must be
 *     pairwise compatible.  A requirement marked ">= vm-ept" also needs a
 *     vm-ept end between its holder and whoever breaks it.  With any
 *     intel-pku compartment there may be at most 14 compartments.
 *   - Hardening: each compartment takes any subset of the allowed options
 *     that contains what its libraries' [Hardening] sections need.
 *   Counting multiplies the per-compartment choices instead of listing
 *   them, so 8 libraries with 3 mechanisms and 2 hardening options count
 *   in milliseconds; listing is bounded by a limit.
 * USAGE:
 *   space_init(&s, &m); space_count(&s, &p, &n); space_list(&s, 1e5, &cs)
 * License: MIT (see LICENSE)
 */
#include "explore.h"

#include <stdlib.h>
#include <string.h>

void space_init(struct space *s, const struct model *m) {
  struct conflict c;
  s->m = m;
  s->n = (int)m->ncomps;
  s->strong_sep = 0;
  for (int i = 0; i < s->n; i++) {
    s->incompat[i] = 0;
    s->need_hard[i] = m->comps[i].hardening;
    s->sep[i][i] = 0;
  }
  for (int i = 0; i < s->n; i++)
    for (int j = i + 1; j < s->n; j++) {
      int need = props_separation(m, i, j, &c);
      s->sep[i][j] = s->sep[j][i] = (uint8_t)need;
      if (need) {
        s->incompat[i] |= 1u << j;
        s->incompat[j] |= 1u << i;
      }
      if (need > MECH_PKU)
        s->strong_sep = 1;
    }
}

/* Libraries that may not be co-located with any library of mask. */
static uint32_t incompat_of(const struct space *s, uint32_t mask) {
  uint32_t r = 0;
  for (int i = 0; i < s->n; i++)
    if (mask & (1u << i))
      r |= s->incompat[i];
  return r;
}

static unsigned hard_needed(const struct space *s, uint32_t mask) {
  unsigned r = 0;
  for (int i = 0; i < s->n; i++)
    if (mask & (1u << i))
      r |= s->need_hard[i];
  return r;
}

/* Walk state shared by counting and listing. */
struct walk {
  const struct space *s;
  struct config c;        /* the partition being built */
  uint64_t partitions, configs;
  uint64_t hard_ways[MAX_EXPLORE]; /* per block: hardening choices */
  uint32_t block_incompat[MAX_EXPLORE];
  uint8_t need[MAX_EXPLORE][MAX_EXPLORE]; /* per block pair: separation */
  char free[MAX_EXPLORE]; /* block needs no separation from any other */
  int strong;             /* mechanisms other than none usable here */
  struct configs *out;    /* NULL when counting */
  size_t limit;
  int over;               /* listing passed the limit */
};

/* Saturating arithmetic: 16 libraries can give more than 2^64
 * configurations; COUNT_SATURATED then stands for "at least that". */
static uint64_t sat_add(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? COUNT_SATURATED : r;
}

static uint64_t sat_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? COUNT_SATURATED : r;
}

/* Counting: choose which blocks use `none` (their union must be
 * compatible); every other block takes one of w->strong mechanisms. */
static uint64_t count_mechs(struct walk *w, int b, uint32_t none_libs) {
  if (b == w->c.k)
    return 1;
  uint64_t total = 0;
  uint32_t blk = w->c.block[b];
  if ((w->s->mechs & (1u << MECH_NONE)) &&
      !(w->block_incompat[b] & none_libs))
    total = sat_mul(w->hard_ways[b], count_mechs(w, b + 1, none_libs | blk));
  if (w->strong)
    total = sat_add(total, sat_mul((uint64_t)w->strong * w->hard_ways[b],
                                   count_mechs(w, b + 1, none_libs)));
  return total;
}

/* May block b take mechanism m, given the blocks before it?  The gate
 * between two compartments uses the stronger end. */
static int mech_ok(const struct walk *w, int b, int m) {
  for (int x = 0; x < b; x++) {
    int gate = m > w->c.mech[x] ? m : w->c.mech[x];
    if (gate < w->need[b][x])
      return 0;
  }
  return 1;
}

/* Counting when some pair needs vm-ept between them: every mechanism of
 * every constrained block, checked against the blocks before it; a block
 * that needs nothing of any other is skipped here and multiplied in by
 * on_partition. */
static uint64_t count_generic(struct walk *w, int b) {
  if (b == w->c.k)
    return 1;
  if (w->free[b])
    return count_generic(w, b + 1);
  uint64_t total = 0;
  for (int m = 0; m < NMECH && w->hard_ways[b]; m++) {
    if (!(w->s->mechs & (1u << m)) || !mech_ok(w, b, m) ||
        (m == MECH_PKU && w->c.k > PKU_MAX_COMPARTMENTS))
      continue;
    w->c.mech[b] = (uint8_t)m;
    total = sat_add(total, sat_mul(w->hard_ways[b], count_generic(w, b + 1)));
  }
  return total;
}

static void emit(struct walk *w) {
  if (w->out->n >= w->limit) {
    w->over = 1;
    return;
  }
  struct configs *o = w->out;
  if (o->n == o->cap) {
    o->cap = o->cap ? o->cap * 2 : 64;
    o->v = xrealloc(o->v, o->cap * sizeof *o->v);
  }
  o->v[o->n++] = w->c;
}

/* Listing: every mechanism and hardening choice per block. */
static void list_choices(struct walk *w, int b) {
  if (w->over)
    return;
  if (b == w->c.k) {
    emit(w);
    return;
  }
  const struct space *s = w->s;
  unsigned need = hard_needed(s, w->c.block[b]);
  if (need & ~s->hards)
    return;   /* a library needs an option that is not allowed */
  for (int m = 0; m < NMECH; m++) {
    if (!(s->mechs & (1u << m)))
      continue;
    if (m == MECH_PKU && w->c.k > PKU_MAX_COMPARTMENTS)
      continue;
    if (!mech_ok(w, b, m))
      continue;
    w->c.mech[b] = (uint8_t)m;
    /* Every h with need <= h <= hards, as a submask walk. */
    unsigned free_bits = s->hards & ~need;
    unsigned sub = 0;
    do {
      w->c.hard[b] = (uint8_t)(need | sub);
      list_choices(w, b + 1);
      sub = (sub - free_bits) & free_bits;
    } while (sub);
  }
}

/* need[b][x] (x < b): the strongest separation any pair of libraries
 * across blocks b and x needs. */
static void block_needs(struct walk *w) {
  const struct space *s = w->s;
  for (int b = 0; b < w->c.k; b++)
    memset(w->need[b], 0, (size_t)w->c.k);
  for (int i = 0; i < s->n; i++)
    for (int j = i + 1; j < s->n; j++) {
      int b = w->c.of[i], x = w->c.of[j];
      if (b < x) {
        int t = b;
        b = x;
        x = t;
      }
      if (b != x && s->sep[i][j] > w->need[b][x])
        w->need[b][x] = s->sep[i][j];
    }
}

/* Marks the blocks that need no separation from any other and returns
 * the number of choices they have together. */
static uint64_t free_factor(struct walk *w) {
  int k = w->c.k, nm = 0;
  for (int m = 0; m < NMECH; m++)
    if ((w->s->mechs & (1u << m)) &&
        !(m == MECH_PKU && k > PKU_MAX_COMPARTMENTS))
      nm++;
  uint64_t f = 1;
  for (int b = 0; b < k; b++) {
    w->free[b] = 1;
    for (int x = 0; x < k && w->free[b]; x++)
      if (x != b && (x < b ? w->need[b][x] : w->need[x][b]))
        w->free[b] = 0;
    if (w->free[b])
      f = sat_mul(f, sat_mul((uint64_t)nm, w->hard_ways[b]));
  }
  return f;
}

static void on_partition(struct walk *w) {
  const struct space *s = w->s;
  int k = w->c.k;
  int nfree = __builtin_popcount(s->hards);
  for (int b = 0; b < k; b++) {
    unsigned need = hard_needed(s, w->c.block[b]);
    w->hard_ways[b] = (need & ~s->hards) ? 0
                      : 1ull << (nfree - __builtin_popcount(need));
    w->block_incompat[b] = incompat_of(s, w->c.block[b]);
    for (int i = 0; i < s->n; i++)
      if (w->c.block[b] & (1u << i))
        w->c.of[i] = (uint8_t)b;
  }
  w->strong = 0;
  if (s->mechs & (1u << MECH_PKU) && k <= PKU_MAX_COMPARTMENTS)
    w->strong++;
  if (s->mechs & (1u << MECH_EPT))
    w->strong++;
  if (w->out || s->strong_sep)
    block_needs(w);
  w->partitions++;
  if (w->out)
    list_choices(w, 0);
  else if (s->strong_sep)
    w->configs = sat_add(w->configs,
                         sat_mul(free_factor(w), count_generic(w, 0)));
  else
    w->configs = sat_add(w->configs, count_mechs(w, 0, 0));
}

/* Places library i: into each compatible existing block, or a new one. */
static void place(struct walk *w, int i) {
  if (w->over)
    return;
  if (i == w->s->n) {
    on_partition(w);
    return;
  }
  uint32_t bit = 1u << i;
  for (int b = 0; b < w->c.k; b++) {
    if (w->s->incompat[i] & w->c.block[b])
      continue;
    w->c.block[b] |= bit;
    place(w, i + 1);
    w->c.block[b] &= ~bit;
  }
  if (w->c.k < w->s->max_comps) {
    w->c.block[w->c.k++] = bit;
    place(w, i + 1);
    w->c.block[--w->c.k] = 0;
  }
}

void space_count(const struct space *s, uint64_t *partitions,
                 uint64_t *configs) {
  struct walk w;
  memset(&w, 0, sizeof w);
  w.s = s;
  if (s->n > 0)
    place(&w, 0);
  *partitions = w.partitions;
  *configs = w.configs;
}

int space_list(const struct space *s, size_t limit, struct configs *out) {
  struct walk w;
  memset(&w, 0, sizeof w);
  w.s = s;
  w.out = out;
  w.limit = limit;
  if (s->n > 0)
    place(&w, 0);
  if (w.over) {
    free(out->v);
    memset(out, 0, sizeof *out);
    return -1;
  }
  return 0;
}

int config_safer_eq(const struct config *a, const struct config *b) {
  for (int x = 0; x < a->k; x++) {
    uint32_t blk = a->block[x];
    int y = b->of[__builtin_ctz(blk)];
    if ((blk & ~b->block[y]) || a->mech[x] < b->mech[y] ||
        (b->hard[y] & ~a->hard[x]))
      return 0;
  }
  return 1;
}

/* A key that grows strictly along the order: a proper refinement has more
 * blocks; with equal partitions, a stronger mechanism or an extra option
 * raises the per-library sum. */
static long rank(const struct config *c, int n) {
  long sum = 0;
  for (int i = 0; i < n; i++)
    sum += c->mech[c->of[i]] + __builtin_popcount(c->hard[c->of[i]]);
  return (long)c->k * (n * (NMECH + NHARD) + 1) + sum;
}

static int n_libs(const struct config *c) {
  int n = 0;
  for (int b = 0; b < c->k; b++)
    n += __builtin_popcount(c->block[b]);
  return n;
}

struct ranked {
  long r;
  size_t i;
};

static int by_rank_desc(const void *pa, const void *pb) {
  const struct ranked *a = pa, *b = pb;
  if (a->r != b->r)
    return a->r < b->r ? 1 : -1;
  return a->i < b->i ? -1 : a->i > b->i;
}

/* For each hi, walks the elements below it from the highest rank down;
 * an element not yet dominated is a cover, and everything below a cover
 * is dominated.  Bitsets keep "below" per element. */
size_t hasse(const struct configs *cs, size_t **edges) {
  size_t n = cs->n, words = (n + 63) / 64, nedges = 0, cap = 16;
  uint64_t *below = calloc(n * words ? n * words : 1, sizeof *below);
  uint64_t *dom = calloc(words ? words : 1, sizeof *dom);
  struct ranked *order = xmalloc((n ? n : 1) * sizeof *order);
  *edges = xmalloc(cap * 2 * sizeof **edges);
  if (!below || !dom)
    die("out of memory for the Hasse diagram of %zu configurations", n);
  int libs = n ? n_libs(&cs->v[0]) : 0;
  for (size_t i = 0; i < n; i++)
    order[i] = (struct ranked){rank(&cs->v[i], libs), i};
  qsort(order, n, sizeof *order, by_rank_desc);
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++)
      if (a != b && config_safer_eq(&cs->v[a], &cs->v[b]))
        below[a * words + b / 64] |= 1ull << (b % 64);
  for (size_t hi = 0; hi < n; hi++) {
    memset(dom, 0, words * sizeof *dom);
    for (size_t j = 0; j < n; j++) {
      size_t lo = order[j].i;
      if (!(below[hi * words + lo / 64] & (1ull << (lo % 64))) ||
          (dom[lo / 64] & (1ull << (lo % 64))))
        continue;
      if (nedges == cap)
        *edges = xrealloc(*edges, (cap *= 2) * 2 * sizeof **edges);
      (*edges)[2 * nedges] = lo;
      (*edges)[2 * nedges + 1] = hi;
      nedges++;
      for (size_t w = 0; w < words; w++)
        dom[w] |= below[lo * words + w];
    }
  }
  free(below);
  free(dom);
  free(order);
  return nedges;
}

size_t select_budget(const struct configs *cs, double budget, char *starred) {
  size_t count = 0;
  for (size_t i = 0; i < cs->n; i++) {
    const struct config *c = &cs->v[i];
    starred[i] = 0;
    if (!c->measured || c->score < budget)
      continue;
    int maximal = 1;
    for (size_t j = 0; j < cs->n && maximal; j++) {
      const struct config *d = &cs->v[j];
      if (j != i && d->measured && d->score >= budget &&
          config_safer_eq(d, c) && !config_safer_eq(c, d))
        maximal = 0;
    }
    starred[i] = (char)maximal;
    count += maximal;
  }
  return count;
}

static const char *const hard_short[NHARD] = {"sp", "ubsan"};

void config_id(const struct space *s, const struct config *c, char *buf,
               size_t n) {
  size_t o = 0;
  buf[0] = 0;
#define OUT(...) \
  (o += (size_t)snprintf(buf + (o < n ? o : n), o < n ? n - o : 0, __VA_ARGS__))
  for (int b = 0; b < c->k; b++) {
    OUT("%s{", b ? " " : "");
    const char *sep = "";
    for (int i = 0; i < s->n; i++)
      if (c->block[b] & (1u << i))
        OUT("%s%s", sep, s->m->comps[i].name), sep = " ";
    OUT("}:%s:", mech_names[c->mech[b]]);
    if (!c->hard[b])
      OUT("-");
    sep = "";
    for (int h = 0; h < NHARD; h++)
      if (c->hard[b] & (1u << h))
        OUT("%s%s", sep, hard_short[h]), sep = "+";
  }
#undef OUT
}

/* The compartment of block b is named after its first library, which is
 * unique and already a valid identifier. */
static const char *block_name(const struct space *s, const struct config *c,
                              int b) {
  return s->m->comps[__builtin_ctz(c->block[b])].name;
}

static void yaml_block(const struct space *s, const struct config *c, int b,
                       FILE *f) {
  fprintf(f, "  - name: %s\n    mechanism: %s\n", block_name(s, c, b),
          mech_names[c->mech[b]]);
  if (b == c->of[s->def])
    fprintf(f, "    default: true\n");
  if (c->hard[b]) {
    const char *sep = "";
    fprintf(f, "    hardening: [");
    for (int h = 0; h < NHARD; h++)
      if (c->hard[b] & (1u << h))
        fprintf(f, "%s%s", sep, hardening_names[h]), sep = ", ";
    fprintf(f, "]\n");
  }
}

void config_write_yaml(const struct space *s, const struct config *c,
                       FILE *f, const char *comment) {
  fprintf(f, "# %s\ncompartments:\n", comment);
  int def = c->of[s->def];
  yaml_block(s, c, def, f);   /* the default compartment first */
  for (int b = 0; b < c->k; b++)
    if (b != def)
      yaml_block(s, c, b, f);
  fprintf(f, "libraries:\n");
  for (int i = 0; i < s->n; i++)
    fprintf(f, "  %s: %s\n", s->m->comps[i].name,
            block_name(s, c, c->of[i]));
}
