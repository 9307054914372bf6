/*
 * FILE: examples/kvstore/server/store.c
 * DESCRIPTION:
 *   Library "store": the kvstore's data. A chained hash table (power-of-two
 *   buckets, doubled when it holds more keys than buckets) maps byte-string
 *   keys to strings (store_strings.c), lists (store_lists.c), hashes or
 *   sets (store_packs.c). A key created with a string value holds it in
 *   the key's own allocation. Keys may carry an expire time: expired keys
 *   are removed when looked up (lazy) and by a small sweep each time the
 *   app tells the time (active). There are KV_DATABASES tables (SELECT),
 *   one used at a time, and a list of the keys some connection WATCHes,
 *   each with a count of its changes. This file holds the table, the
 *   databases, kvs_lookup and expiry, flush, the key commands (RENAME, KEYS,
 *   RANDOMKEY, SCAN) and WATCH; store_internal.h what the value files use.
 *   Everything lives in this library's private heap (plain malloc, which
 *   the image runtime serves from the caller compartment's heap);
 *   callers' pointers are only read or written during the call, never
 *   kept. store.h has the interface.
 * USAGE:
 *   store_set(key, klen, val, vlen);
 * License: MIT
 */
#include "store_internal.h"
#include "kvutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One database (SELECT): a table of nbuckets heads (NULL when empty),
 * its key count, and where its next active-expiry sweep starts. */
struct db {
  struct entry **buckets;
  size_t nbuckets;
  long nkeys;
  size_t sweep_at;
};
static struct db dbs[KV_DATABASES];
static struct db *cur = &dbs[0]; /* the database store_select chose */
/* The time, as the app last told it (store_time). */
static long long now_ms;
static uint64_t seed = 0x9e3779b97f4a7c15ull;
/* SPOP's choices: a sequence that starts over at every flush, so that a
 * replay of the same commands pops the same members (the fuzz target
 * compares two). */
static uint64_t rng_start = 0x2545f4914f6cdd1dull, rng = 0x2545f4914f6cdd1dull;

/* FNV-1a from a seeded basis, then a murmur finalizer so that the low
 * bits we index with depend on every input byte. */
static uint64_t hash_key(const char *k, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)k[i];
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

void store_init(unsigned long s) {
  if (cur->nkeys == 0)
    seed = s;
  rng = rng_start = 0x2545f4914f6cdd1dull ^ s;
}

static struct entry **slot_of(const char *k, size_t n, uint64_t h) {
  struct entry **pp = &cur->buckets[h & (cur->nbuckets - 1)];
  for (; *pp; pp = &(*pp)->next)
    if ((*pp)->hash == h && (*pp)->klen == n && memcmp((*pp)->key, k, n) == 0)
      return pp;
  return pp;
}

/* Watched keys (WATCH): a record per key some connection watches, in
 * the database it was watched in, with a version that every change of
 * the key moves on. Only watched keys have one, so keys cost nothing
 * more; a change looks here only while some key is watched. */
struct watch {
  struct watch *next;
  int db;
  long refs;    /* connections watching it                  */
  long version; /* changes so far                           */
  size_t klen;
  char key[];
};
static struct watch *watched;

/* Key k of the current database changed (written, created, deleted,
 * expired, flushed). */
void kvs_touch(const char *k, size_t n) {
  for (struct watch *w = watched; w; w = w->next)
    if (w->db == (int)(cur - dbs) && w->klen == n &&
        memcmp(w->key, k, n) == 0)
      w->version++;
}

static int expired(const struct entry *e) {
  return e->expire && (long long)e->expire <= now_ms;
}

static void entry_free(struct entry *e);
/* The entry of key k, or NULL; a key whose time has come is removed here
 * (lazy expiry), so no command sees it. */
struct entry *kvs_lookup(const char *k, size_t n) {
  if (cur->nbuckets == 0)
    return NULL;
  struct entry **pp = slot_of(k, n, hash_key(k, n)), *e = *pp;
  if (e && expired(e)) {
    *pp = e->next;
    entry_free(e);
    return NULL;
  }
  return e;
}

/* Doubles the bucket array. On allocation failure the table keeps its
 * size: longer chains, but still correct. */
static void grow(void) {
  size_t n = cur->nbuckets ? cur->nbuckets * 2 : 16;
  struct entry **nb = calloc(n, sizeof *nb);
  if (!nb)
    return;
  for (size_t i = 0; i < cur->nbuckets; i++) {
    struct entry *e = cur->buckets[i], *next;
    for (; e; e = next) {
      next = e->next;
      e->next = nb[e->hash & (n - 1)];
      nb[e->hash & (n - 1)] = e;
    }
  }
  free(cur->buckets);
  cur->buckets = nb;
  cur->nbuckets = n;
}

void kvs_value_free(struct entry *e) {
  if (e->type == KV_TYPE_LIST)
    kvs_list_free(e->val);
  else if (!e->inl)
    free(e->val);
  e->val = NULL;
  e->inl = 0;
}

/* Frees an entry already out of its chain. */
static void entry_free(struct entry *e) {
  kvs_touch(e->key, e->klen);
  kvs_value_free(e);
  free(e);
  cur->nkeys--;
}

/* Adds a new entry of the given type with no value yet, and room for
 * `extra` bytes after the key. Returns it, or NULL when out of memory. */
struct entry *kvs_insert(const char *k, size_t n, int type, size_t extra) {
  if (n > SIZE_MAX - sizeof(struct entry) - extra ||
      extra > SIZE_MAX - sizeof(struct entry))
    return NULL;
  if ((size_t)cur->nkeys >= cur->nbuckets)
    grow();
  if (cur->nbuckets == 0)
    return NULL;
  struct entry *e = malloc(sizeof *e + n + extra);
  if (!e)
    return NULL;
  memcpy(e->key, k, n);
  e->klen = n;
  e->hash = hash_key(k, n);
  e->type = (uint64_t)type;
  e->inl = 0;
  e->expire = 0;
  e->val = NULL;
  e->vlen = 0;
  struct entry **pp = &cur->buckets[e->hash & (cur->nbuckets - 1)];
  e->next = *pp;
  *pp = e;
  cur->nkeys++;
  kvs_touch(k, n);
  return e;
}

int kvs_unlink_key(const char *k, size_t n) {
  if (cur->nbuckets == 0)
    return 0;
  struct entry **pp = slot_of(k, n, hash_key(k, n));
  struct entry *e = *pp;
  if (!e)
    return 0;
  *pp = e->next;
  entry_free(e);
  return 1;
}

int store_del(const char *key, size_t klen) {
  return kvs_unlink_key(key, klen);
}

int store_type(const char *key, size_t klen) {
  struct entry *e = kvs_lookup(key, klen);
  return e ? e->type : KV_TYPE_NONE;
}

/* Finds the value of the given type at key, creating an empty one if
 * missing; *created says which. Returns the entry, or NULL with *err set
 * (KV_WRONGTYPE, KV_NOMEM). */
struct entry *kvs_value_for_write(const char *key, size_t klen, int type,
                                  int *created, int *err) {
  struct entry *e = kvs_lookup(key, klen);
  *created = 0;
  if (e) {
    *err = e->type == type ? 0 : KV_WRONGTYPE;
    return *err ? NULL : e;
  }
  void *v = type == KV_TYPE_LIST ? (void *)kvs_list_new() : kvs_pack_new();
  e = v ? kvs_insert(key, klen, type, 0) : NULL;
  if (!e) {
    free(v);
    *err = KV_NOMEM;
    return NULL;
  }
  e->val = v;
  *created = 1;
  return e;
}

/* The value at key if it has the given type: NULL with *err = KV_NOTFOUND
 * (missing) or KV_WRONGTYPE. */
struct entry *kvs_value_of(const char *key, size_t klen, int type, long *err) {
  struct entry *e = kvs_lookup(key, klen);
  *err = !e ? KV_NOTFOUND : e->type != type ? KV_WRONGTYPE : 0;
  return *err ? NULL : e;
}

/* SPOP's and RANDOMKEY's choice among n (> 0) things. It moves on only
 * once kvs_picked() says the thing was taken, so that a retry with a
 * bigger buffer gets the same one. */
size_t kvs_pick(size_t n) { return (size_t)((rng >> 33) % n); }

void kvs_picked(void) {
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
}

long store_dbsize(void) { return cur->nkeys; }

long store_expires(void) {
  long n = 0;
  for (size_t i = 0; i < cur->nbuckets; i++)
    for (const struct entry *e = cur->buckets[i]; e; e = e->next)
      n += e->expire != 0;
  return n;
}

/* Empties the current database. */
static void flush_db(void) {
  for (size_t i = 0; i < cur->nbuckets; i++) {
    struct entry *e = cur->buckets[i], *next;
    for (; e; e = next) {
      next = e->next;
      entry_free(e);
    }
  }
  free(cur->buckets);
  cur->buckets = NULL;
  cur->nbuckets = 0;
  cur->nkeys = 0;
}

void store_flush(int all) {
  struct db *was = cur;
  for (int i = 0; all && i < KV_DATABASES; i++) {
    cur = &dbs[i];
    flush_db();
  }
  cur = was;
  flush_db();
  rng = rng_start;
}

int store_select(int db) {
  if (db < 0 || db >= KV_DATABASES)
    return KV_RANGE;
  cur = &dbs[db];
  return 0;
}

long store_watch(const char *key, size_t klen, int op) {
  struct watch **pp = &watched, *w;
  kvs_lookup(key, klen); /* a key whose time has come goes first (a change) */
  for (; (w = *pp); pp = &w->next)
    if (w->db == (int)(cur - dbs) && w->klen == klen &&
        memcmp(w->key, key, klen) == 0)
      break;
  if (op == KV_WATCH_ADD && !w) {
    if (klen > SIZE_MAX - sizeof *w || !(w = malloc(sizeof *w + klen)))
      return KV_NOMEM;
    w->db = (int)(cur - dbs);
    w->refs = w->version = 0;
    w->klen = klen;
    memcpy(w->key, key, klen);
    w->next = watched;
    watched = w;
  }
  if (!w)
    return KV_NOTFOUND;
  long version = w->version;
  if (op == KV_WATCH_ADD)
    w->refs++;
  else if (op == KV_WATCH_DROP && --w->refs == 0) {
    *pp = w->next;
    free(w);
  }
  return version;
}

/* Expiry and key commands. */

/* Removes the expired keys of bucket i; returns how many. */
static long sweep_bucket(size_t i) {
  long n = 0;
  for (struct entry **pp = &cur->buckets[i]; *pp;) {
    struct entry *e = *pp;
    if (expired(e)) {
      *pp = e->next;
      entry_free(e);
      n++;
    } else {
      pp = &e->next;
    }
  }
  return n;
}

void store_time(long long now) {
  struct db *was = cur;
  now_ms = now;
  /* Active expiry: a few buckets of each database per call, so that keys
   * nobody reads again still give their memory back. */
  for (cur = dbs; cur < dbs + KV_DATABASES; cur++)
    for (int i = 0; i < KV_SWEEP_BUCKETS && cur->nbuckets; i++) {
      cur->sweep_at = (cur->sweep_at + 1) & (cur->nbuckets - 1);
      sweep_bucket(cur->sweep_at);
    }
  cur = was;
}

int store_expire(const char *key, size_t klen, int flags, long long at) {
  struct entry *e = kvs_lookup(key, klen);
  if (!e)
    return 0;
  long long old = e->expire ? (long long)e->expire : -1;
  if (flags & KV_EXP_PERSIST) {
    e->expire = 0;
    if (old != -1)
      kvs_touch(key, klen);
    return old != -1;
  }
  /* No expiry counts as an infinite one for GT and LT. */
  if ((flags & KV_EXP_NX && old != -1) || (flags & KV_EXP_XX && old == -1) ||
      (flags & KV_EXP_GT && (old == -1 || at <= old)) ||
      (flags & KV_EXP_LT && old != -1 && at >= old))
    return 0;
  if (at <= now_ms)
    kvs_unlink_key(key, klen);
  else
    e->expire = (uint64_t)at > EXPIRE_MAX ? EXPIRE_MAX : (uint64_t)at;
  kvs_touch(key, klen);
  return 1;
}

long store_ttl(const char *key, size_t klen) {
  struct entry *e = kvs_lookup(key, klen);
  return !e ? -2 : e->expire ? (long)e->expire : -1;
}

int store_rename(const char *src, size_t slen, const char *dst, size_t dlen,
                 int nx) {
  struct entry *e = kvs_lookup(src, slen);
  if (!e)
    return KV_NOTFOUND;
  if (slen == dlen && memcmp(src, dst, slen) == 0)
    return !nx;
  if (kvs_lookup(dst, dlen)) {
    if (nx)
      return 0;
  }
  size_t extra = e->inl ? e->vlen : 0;
  if (dlen > SIZE_MAX - sizeof(struct entry) - extra)
    return KV_NOMEM;
  struct entry *d = malloc(sizeof *d + dlen + extra);
  if (!d)
    return KV_NOMEM;
  kvs_unlink_key(dst, dlen);
  *d = *e; /* value, type and expiry move over */
  memcpy(d->key, dst, dlen);
  if (e->inl) {
    d->val = d->key + dlen;
    memcpy(d->val, e->val, extra);
  }
  d->klen = dlen;
  d->hash = hash_key(dst, dlen);
  struct entry **pp = slot_of(src, slen, e->hash);
  *pp = e->next;
  free(e);
  pp = &cur->buckets[d->hash & (cur->nbuckets - 1)];
  d->next = *pp;
  *pp = d;
  kvs_touch(src, slen);
  kvs_touch(dst, dlen);
  return 1;
}

long store_keys(const char *pat, size_t plen, char *out, size_t cap,
                long *count) {
  size_t need = 0;
  *count = 0;
  for (int pass = 0; pass < 2; pass++) { /* count, then copy if it fits */
    char *w = out;
    for (size_t i = 0; i < cur->nbuckets; i++) {
      sweep_bucket(i);
      for (struct entry *e = cur->buckets[i]; e; e = e->next) {
        int stop = 0;
        if (!(plen == 1 && pat[0] == '*') &&
            !kv_glob_match(pat, plen, e->key, e->klen, &stop))
          continue;
        if (pass == 0) {
          need += 8 + e->klen;
          ++*count;
        } else {
          w = kv_put_record(w, e->key, e->klen);
        }
      }
    }
    if (need > cap)
      break;
  }
  return (long)need;
}

long store_randomkey(char *out, size_t cap) {
  if (cur->nbuckets == 0)
    return KV_NOTFOUND;
  for (size_t i = 0; i < cur->nbuckets; i++)
    sweep_bucket(i);
  if (cur->nkeys == 0)
    return KV_NOTFOUND;
  /* The pick moves on only once a key is copied out (as in SPOP). */
  size_t pick = kvs_pick((size_t)cur->nkeys);
  for (size_t i = 0; i < cur->nbuckets; i++)
    for (struct entry *e = cur->buckets[i]; e; e = e->next)
      if (pick-- == 0) {
        long n = copy_out(e->key, e->klen, out, cap);
        if ((size_t)n <= cap)
          kvs_picked();
        return n;
      }
  return KV_NOTFOUND;
}

/* SCAN's next cursor after bucket v of a table of mask + 1 buckets: the
 * bucket index counted up in reverse bit order (Redis' dictScan), so that
 * a key present for the whole scan is visited even when the table doubles
 * in between (a doubled table's buckets v and v + mask + 1 follow each
 * other). 0: done. */
static unsigned long scan_next(unsigned long v, unsigned long mask) {
  v |= ~mask;
  v = kv_reverse_bits(v);
  v++;
  return kv_reverse_bits(v);
}

/* One pass of store_scan: the keys of the buckets from *cursor on, into
 * out unless NULL. Returns the bytes; *count the keys; *cursor moves. */
static size_t scan_walk(unsigned long *cursor, long want, int type, char *out,
                        long *count) {
  size_t need = 0;
  unsigned long v = *cursor, mask = cur->nbuckets - 1;
  long visits = want * 10;
  *count = 0;
  if (cur->nbuckets == 0) {
    *cursor = 0;
    return 0;
  }
  do {
    for (struct entry *e = cur->buckets[v & mask]; e; e = e->next) {
      if (expired(e) || (type && (int)e->type != type))
        continue;
      need += 8 + e->klen;
      ++*count;
      if (out)
        out = kv_put_record(out, e->key, e->klen);
    }
    v = scan_next(v, mask);
  } while (v && --visits > 0 && *count < want);
  *cursor = v;
  return need;
}

long store_scan(unsigned long *cursor, long count, int type, char *out,
                size_t cap, long *n) {
  unsigned long v = *cursor;
  size_t need = scan_walk(&v, count, type, NULL, n);
  if (need <= cap) {
    v = *cursor;
    scan_walk(&v, count, type, out, n);
    *cursor = v;
  }
  return (long)need;
}
