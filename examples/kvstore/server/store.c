/*
 * FILE: examples/kvstore/server/store.c
 * DESCRIPTION:
 *   Library "store": the kvstore's data. A chained hash table (power-of-two
 *   buckets, doubled when it holds more keys than buckets) maps byte-string
 *   keys to strings, lists, hashes or sets; a list is a ring of element
 *   pointers, so pushes and pops at either end are O(1); a hash or a set
 *   is one packed block of entries (struct pack), small like Redis' own
 *   listpacks, with fields in insertion order. A key created with a
 *   string value holds it in the key's own allocation. Keys may carry an
 *   expire time: expired keys are removed when looked up (lazy) and by a
 *   small sweep each time the app tells the time (active). There are
 *   KV_DATABASES tables (SELECT), one used at a time, and a list of the
 *   keys some connection WATCHes, each with a count of its changes.
 *   Everything lives in this library's private heap (plain malloc, which
 *   the image runtime serves from the caller compartment's heap);
 *   callers' pointers are only read or written during the call, never
 *   kept. store.h has the interface.
 * USAGE:
 *   flexos_gate(store, store_set, key, klen, val, vlen);
 * License: MIT
 */
#include "store.h"
#include "kvutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct elem {
  size_t len;
  char data[];
};

struct list {
  size_t head, len, cap; /* items[(head + i) % cap], i < len */
  struct elem **items;
};

/* A hash or set: entries back to back in data[0..used), each a 4-byte
 * length then its bytes; a hash alternates field and value entries (in
 * insertion order), a set holds its n members. One allocation. */
struct pack {
  size_t used, cap, n; /* n: fields or members */
  char data[];
};
#define PK_NONE SIZE_MAX /* pk_find: no such entry */

struct entry {
  struct entry *next; /* bucket chain */
  uint64_t hash;
  /* KV_TYPE_*; inl: the string value lies right after the key, in this
   * allocation (a key created with its value: one allocation, not two);
   * when the key expires (Unix time in ms, 0: never). In the bits that
   * would otherwise be padding: no cost per key. */
  uint64_t type : 7, inl : 1, expire : 56;
  size_t vlen;        /* string length */
  void *val;          /* char * (string), struct list * or struct pack * */
  size_t klen;
  char key[];
};

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
#define EXPIRE_MAX (((uint64_t)1 << 56) - 1) /* latest expire time kept */
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
static void touch(const char *k, size_t n) {
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
static struct entry *lookup(const char *k, size_t n) {
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

static void list_free(struct list *l) {
  for (size_t i = 0; i < l->len; i++)
    free(l->items[(l->head + i) % l->cap]);
  free(l->items);
  free(l);
}

static void value_free(struct entry *e) {
  if (e->type == KV_TYPE_LIST)
    list_free(e->val);
  else if (!e->inl)
    free(e->val);
  e->val = NULL;
  e->inl = 0;
}

/* Frees an entry already out of its chain. */
static void entry_free(struct entry *e) {
  touch(e->key, e->klen);
  value_free(e);
  free(e);
  cur->nkeys--;
}

/* Adds a new entry of the given type with no value yet, and room for
 * `extra` bytes after the key. Returns it, or NULL when out of memory. */
static struct entry *insert(const char *k, size_t n, int type, size_t extra) {
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
  touch(k, n);
  return e;
}

static int unlink_key(const char *k, size_t n) {
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

/* A private copy of a string value (malloc(0) may return NULL, so empty
 * strings get one byte). */
static char *copy_bytes(const char *v, size_t n) {
  char *p = malloc(n ? n : 1);
  if (p)
    memcpy(p, v, n);
  return p;
}

/* Gives e the string value v, freeing the old value of either type. */
static int set_string(struct entry *e, const char *v, size_t n) {
  char *p = copy_bytes(v, n);
  if (!p)
    return KV_NOMEM;
  value_free(e);
  e->type = KV_TYPE_STRING;
  e->val = p;
  e->vlen = n;
  return 0;
}

int store_put(const char *key, size_t klen, const char *val, size_t vlen,
              int flags, long long at) {
  struct entry *e = lookup(key, klen);
  if ((flags & KV_SET_NX && e) || (flags & KV_SET_XX && !e))
    return KV_NOTFOUND;
  if (e) {
    if (set_string(e, val, vlen) < 0)
      return KV_NOMEM;
    touch(key, klen);
  } else {
    e = insert(key, klen, KV_TYPE_STRING, vlen);
    if (!e)
      return KV_NOMEM;
    e->val = e->key + klen;
    e->inl = 1;
    memcpy(e->val, val, vlen);
    e->vlen = vlen;
  }
  if (!(flags & KV_SET_KEEPTTL))
    e->expire = at <= 0 ? 0 : (uint64_t)at > EXPIRE_MAX ? EXPIRE_MAX
                                                      : (uint64_t)at;
  return 0;
}

int store_set(const char *key, size_t klen, const char *val, size_t vlen) {
  return store_put(key, klen, val, vlen, 0, 0);
}

/* Copies n bytes to out when they fit; returns n either way (the caller
 * grows its buffer and asks again). */
static long copy_out(const void *src, size_t n, char *out, size_t cap) {
  if (n <= cap)
    memcpy(out, src, n);
  return (long)n;
}

long store_get(const char *key, size_t klen, char *out, size_t cap) {
  struct entry *e = lookup(key, klen);
  if (!e)
    return KV_NOTFOUND;
  if (e->type != KV_TYPE_STRING)
    return KV_WRONGTYPE;
  return copy_out(e->val, e->vlen, out, cap);
}

int store_del(const char *key, size_t klen) { return unlink_key(key, klen); }

int store_type(const char *key, size_t klen) {
  struct entry *e = lookup(key, klen);
  return e ? e->type : KV_TYPE_NONE;
}

int store_incrby(const char *key, size_t klen, long long delta,
                 long long *result) {
  struct entry *e = lookup(key, klen);
  long long v = 0;
  char digits[KV_LL_MAX_DIGITS];
  if (e && e->type != KV_TYPE_STRING)
    return KV_WRONGTYPE;
  if (e && !kv_parse_ll(e->val, e->vlen, &v))
    return KV_NOTINT;
  if ((delta > 0 && v > INT64_MAX - delta) ||
      (delta < 0 && v < INT64_MIN - delta))
    return KV_OVERFLOW;
  v += delta;
  size_t n = kv_format_ll(digits, v);
  int rc = store_put(key, klen, digits, n, KV_SET_KEEPTTL, 0);
  if (rc == 0)
    *result = v;
  return rc;
}

static struct list *list_new(void) {
  struct list *l = calloc(1, sizeof *l);
  return l;
}

/* Makes room for one more element; returns 0 or KV_NOMEM. */
static int list_reserve(struct list *l) {
  if (l->len < l->cap)
    return 0;
  size_t ncap = l->cap ? l->cap * 2 : 8;
  if (ncap > SIZE_MAX / sizeof(struct elem *))
    return KV_NOMEM;
  struct elem **ni = malloc(ncap * sizeof *ni);
  if (!ni)
    return KV_NOMEM;
  for (size_t i = 0; i < l->len; i++)
    ni[i] = l->items[(l->head + i) % l->cap];
  free(l->items);
  l->items = ni;
  l->cap = ncap;
  l->head = 0;
  return 0;
}

/* Finds the value of the given type at key, creating an empty one if
 * missing; *created says which. Returns the entry, or NULL with *err set
 * (KV_WRONGTYPE, KV_NOMEM). */
static struct entry *value_for_write(const char *key, size_t klen, int type,
                                     int *created, int *err) {
  struct entry *e = lookup(key, klen);
  *created = 0;
  if (e) {
    *err = e->type == type ? 0 : KV_WRONGTYPE;
    return *err ? NULL : e;
  }
  void *v = type == KV_TYPE_LIST ? (void *)list_new()
                                 : calloc(1, sizeof(struct pack));
  e = v ? insert(key, klen, type, 0) : NULL;
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
static struct entry *value_of(const char *key, size_t klen, int type,
                              long *err) {
  struct entry *e = lookup(key, klen);
  *err = !e ? KV_NOTFOUND : e->type != type ? KV_WRONGTYPE : 0;
  return *err ? NULL : e;
}

static struct elem *elem_new(const char *val, size_t vlen) {
  struct elem *el = NULL;
  if (vlen <= SIZE_MAX - sizeof *el)
    el = malloc(sizeof *el + vlen);
  if (el) {
    el->len = vlen;
    memcpy(el->data, val, vlen);
  }
  return el;
}

static int elem_is(const struct elem *el, const char *v, size_t n) {
  return el->len == n && memcmp(el->data, v, n) == 0;
}

/* The slot of element i of l (0 = head). */
static struct elem **list_at(struct list *l, size_t i) {
  return &l->items[(l->head + i) % l->cap];
}

long store_push(const char *key, size_t klen, const char *val, size_t vlen,
                int where) {
  int created, err;
  struct entry *e = value_for_write(key, klen, KV_TYPE_LIST, &created, &err);
  if (!e)
    return err;
  struct list *l = e->val;
  struct elem *el = elem_new(val, vlen);
  if (!el || list_reserve(l) < 0) {
    free(el);
    if (created) /* never leave an empty list behind */
      unlink_key(key, klen);
    return KV_NOMEM;
  }
  if (where == KV_HEAD) {
    l->head = (l->head + l->cap - 1) % l->cap;
    l->items[l->head] = el;
  } else {
    l->items[(l->head + l->len) % l->cap] = el;
  }
  l->len++;
  touch(key, klen);
  return (long)l->len;
}

long store_pop(const char *key, size_t klen, int where, char *out,
               size_t cap) {
  struct entry *e = lookup(key, klen);
  if (!e)
    return KV_NOTFOUND;
  if (e->type != KV_TYPE_LIST)
    return KV_WRONGTYPE;
  struct list *l = e->val;
  size_t at = where == KV_HEAD ? l->head : (l->head + l->len - 1) % l->cap;
  struct elem *el = l->items[at];
  long n = (long)el->len;
  if (el->len > cap)
    return n; /* caller grows its buffer and asks again */
  memcpy(out, el->data, el->len);
  free(el);
  touch(key, klen);
  if (where == KV_HEAD)
    l->head = (l->head + 1) % l->cap;
  if (--l->len == 0)
    unlink_key(key, klen);
  return n;
}

long store_llen(const char *key, size_t klen) {
  struct entry *e = lookup(key, klen);
  if (!e)
    return 0;
  if (e->type != KV_TYPE_LIST)
    return KV_WRONGTYPE;
  return (long)((struct list *)e->val)->len;
}

/* LRANGE's and LTRIM's index rules: negative counts from the end, then
 * clamp. Returns 0 when the range is empty. */
static int list_range(long len, long *start, long *stop) {
  if (*start < 0)
    *start = *start < -len ? 0 : *start + len;
  if (*stop < 0)
    *stop += len;
  if (*stop >= len)
    *stop = len - 1;
  return *start <= *stop && *start < len;
}

long store_lrange(const char *key, size_t klen, long start, long stop,
                  char *out, size_t cap, long *count) {
  struct entry *e = lookup(key, klen);
  *count = 0;
  if (!e)
    return 0;
  if (e->type != KV_TYPE_LIST)
    return KV_WRONGTYPE;
  struct list *l = e->val;
  if (!list_range((long)l->len, &start, &stop))
    return 0;
  size_t need = 0;
  for (long i = start; i <= stop; i++)
    need += 8 + (*list_at(l, (size_t)i))->len;
  *count = stop - start + 1;
  if (need > cap)
    return (long)need;
  char *p = out;
  for (long i = start; i <= stop; i++) {
    struct elem *el = *list_at(l, (size_t)i);
    p = kv_put_record(p, el->data, el->len);
  }
  return (long)need;
}

/* Element index of the list (negative counts from the end), or -1. */
static long list_index(const struct list *l, long index) {
  long len = (long)l->len;
  if (index < 0)
    index += len;
  return index >= 0 && index < len ? index : -1;
}

long store_lindex(const char *key, size_t klen, long index, char *out,
                  size_t cap) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_LIST, &err);
  if (!e)
    return err;
  long i = list_index(e->val, index);
  if (i < 0)
    return KV_NOTFOUND;
  struct elem *el = *list_at(e->val, (size_t)i);
  return copy_out(el->data, el->len, out, cap);
}

int store_lset(const char *key, size_t klen, long index, const char *val,
               size_t vlen) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_LIST, &err);
  if (!e)
    return (int)err;
  long i = list_index(e->val, index);
  if (i < 0)
    return KV_RANGE;
  struct elem *el = elem_new(val, vlen), **at = list_at(e->val, (size_t)i);
  if (!el)
    return KV_NOMEM;
  free(*at);
  *at = el;
  touch(key, klen);
  return 0;
}

long store_lrem(const char *key, size_t klen, long count, const char *val,
                size_t vlen) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_LIST, &err);
  if (!e)
    return err == KV_NOTFOUND ? 0 : err;
  struct list *l = e->val;
  /* At most |count| matches (all for 0), from the head, or from the tail
   * when count < 0; the others close up in order. */
  size_t limit = count == 0  ? SIZE_MAX
                 : count < 0 ? 0 - (size_t)count
                             : (size_t)count;
  size_t removed = 0, n = l->len, w = count < 0 ? n : 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = count < 0 ? n - 1 - k : k;
    struct elem *el = *list_at(l, i);
    if (removed < limit && elem_is(el, val, vlen)) {
      free(el);
      removed++;
    } else if (count < 0) {
      *list_at(l, --w) = el;
    } else {
      *list_at(l, w++) = el;
    }
  }
  if (count < 0)
    l->head = (l->head + removed) % l->cap;
  l->len -= removed;
  if (removed)
    touch(key, klen);
  if (l->len == 0)
    unlink_key(key, klen);
  return (long)removed;
}

long store_lfind(const char *key, size_t klen, const char *val, size_t vlen) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_LIST, &err);
  if (!e)
    return err;
  struct list *l = e->val;
  for (size_t i = 0; i < l->len; i++)
    if (elem_is(*list_at(l, i), val, vlen))
      return (long)i;
  return KV_NOTFOUND;
}

long store_linsert(const char *key, size_t klen, long index, const char *val,
                   size_t vlen) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_LIST, &err);
  if (!e)
    return err;
  struct list *l = e->val;
  if (index < 0 || (size_t)index > l->len)
    return KV_RANGE;
  struct elem *el = elem_new(val, vlen);
  if (!el || list_reserve(l) < 0) {
    free(el);
    return KV_NOMEM;
  }
  for (size_t i = l->len; i > (size_t)index; i--)
    *list_at(l, i) = *list_at(l, i - 1);
  *list_at(l, (size_t)index) = el;
  touch(key, klen);
  return (long)++l->len;
}

int store_ltrim(const char *key, size_t klen, long start, long stop) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_LIST, &err);
  if (!e)
    return err == KV_NOTFOUND ? 0 : (int)err;
  struct list *l = e->val;
  size_t keep = 0;
  if (list_range((long)l->len, &start, &stop))
    keep = (size_t)(stop - start + 1);
  else
    start = 0;
  for (size_t i = 0; i < l->len; i++)
    if (i < (size_t)start || i >= (size_t)start + keep)
      free(*list_at(l, i));
  if (keep < l->len)
    touch(key, klen);
  l->head = (l->head + (size_t)start) % l->cap;
  l->len = keep;
  if (keep == 0)
    unlink_key(key, klen);
  return 0;
}

/* Hashes and sets (struct pack). */

static size_t pk_elen(const struct pack *p, size_t off) {
  uint32_t n;
  memcpy(&n, p->data + off, 4);
  return n;
}

static size_t pk_next(const struct pack *p, size_t off) {
  return off + 4 + pk_elen(p, off);
}

/* Offset of the entry equal to s[0..n) among a set's members (step 1) or
 * a hash's fields (step 2), or PK_NONE. */
static size_t pk_find(const struct pack *p, const char *s, size_t n,
                      int step) {
  for (size_t off = 0; off < p->used;) {
    size_t len = pk_elen(p, off);
    if (len == n && memcmp(p->data + off + 4, s, n) == 0)
      return off;
    off += 4 + len;
    if (step == 2)
      off = pk_next(p, off);
  }
  return PK_NONE;
}

/* Replaces del bytes at off with the entries a (unless NULL) and b
 * (unless NULL). May move the pack: *pp is updated. Returns 0 or
 * KV_NOMEM (nothing changed). */
static int pk_splice(struct pack **pp, size_t off, size_t del, const char *a,
                     size_t an, const char *b, size_t bn) {
  struct pack *p = *pp;
  if (an > UINT32_MAX || bn > UINT32_MAX)
    return KV_NOMEM;
  size_t add = (a ? 4 + an : 0) + (b ? 4 + bn : 0);
  if (add > SIZE_MAX / 4 - p->used)
    return KV_NOMEM;
  size_t used = p->used - del + add, tail = p->used - off - del;
  if (used > p->cap) {
    size_t cap = p->cap + p->cap / 2 > used ? p->cap + p->cap / 2 : used;
    struct pack *np = malloc(sizeof *np + cap);
    if (!np)
      return KV_NOMEM;
    memcpy(np, p, sizeof *p + off); /* header and the entries before off */
    memcpy(np->data + off + add, p->data + off + del, tail);
    np->cap = cap;
    free(p);
    *pp = p = np;
  } else {
    memmove(p->data + off + add, p->data + off + del, tail);
  }
  char *w = p->data + off;
  const char *src[2] = {a, b};
  size_t len[2] = {an, bn};
  for (int i = 0; i < 2; i++)
    if (src[i]) {
      uint32_t n = (uint32_t)len[i];
      memcpy(w, &n, 4);
      memcpy(w + 4, src[i], len[i]);
      w += 4 + len[i];
    }
  p->used = used;
  return 0;
}

/* field = val in the hash of e. Returns 1 (new field), 0 (replaced) or
 * KV_NOMEM. */
static int hash_put(struct entry *e, const char *field, size_t flen,
                    const char *val, size_t vlen) {
  struct pack **pp = (struct pack **)&e->val;
  size_t off = pk_find(*pp, field, flen, 2);
  touch(e->key, e->klen);
  if (off != PK_NONE) {
    size_t voff = pk_next(*pp, off);
    return pk_splice(pp, voff, 4 + pk_elen(*pp, voff), val, vlen, NULL, 0);
  }
  int rc = pk_splice(pp, (*pp)->used, 0, field, flen, val, vlen);
  if (rc < 0)
    return rc;
  (*pp)->n++;
  return 1;
}

int store_hset(const char *key, size_t klen, const char *field, size_t flen,
               const char *val, size_t vlen) {
  int created, err;
  struct entry *e = value_for_write(key, klen, KV_TYPE_HASH, &created, &err);
  if (!e)
    return err;
  int rc = hash_put(e, field, flen, val, vlen);
  if (rc < 0 && created)
    unlink_key(key, klen);
  return rc;
}

long store_hget(const char *key, size_t klen, const char *field, size_t flen,
                char *out, size_t cap) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_HASH, &err);
  if (!e)
    return err;
  struct pack *p = e->val;
  size_t off = pk_find(p, field, flen, 2);
  if (off == PK_NONE)
    return KV_NOTFOUND;
  off = pk_next(p, off);
  return copy_out(p->data + off + 4, pk_elen(p, off), out, cap);
}

int store_hincrby(const char *key, size_t klen, const char *field,
                  size_t flen, long long delta, long long *result) {
  int created, err;
  struct entry *e = value_for_write(key, klen, KV_TYPE_HASH, &created, &err);
  if (!e)
    return err;
  struct pack *p = e->val;
  long long v = 0;
  size_t off = pk_find(p, field, flen, 2);
  if (off != PK_NONE) {
    off = pk_next(p, off);
    if (!kv_parse_ll(p->data + off + 4, pk_elen(p, off), &v))
      return KV_NOTINT;
  }
  if ((delta > 0 && v > INT64_MAX - delta) ||
      (delta < 0 && v < INT64_MIN - delta))
    err = KV_OVERFLOW;
  else {
    char digits[KV_LL_MAX_DIGITS];
    v += delta;
    err = hash_put(e, field, flen, digits, kv_format_ll(digits, v));
  }
  if (err < 0) {
    if (created)
      unlink_key(key, klen);
    return err;
  }
  *result = v;
  return 0;
}

long store_sadd(const char *key, size_t klen, const char *m, size_t mlen) {
  int created, err;
  struct entry *e = value_for_write(key, klen, KV_TYPE_SET, &created, &err);
  if (!e)
    return err;
  struct pack **pp = (struct pack **)&e->val;
  if (pk_find(*pp, m, mlen, 1) != PK_NONE)
    return 0;
  if (pk_splice(pp, (*pp)->used, 0, m, mlen, NULL, 0) < 0) {
    if (created)
      unlink_key(key, klen);
    return KV_NOMEM;
  }
  (*pp)->n++;
  touch(key, klen);
  return 1;
}

/* The pack at key if it holds the given type (hash or set); NULL with
 * *err = 0 (missing) or KV_WRONGTYPE. */
static struct entry *pack_of(const char *key, size_t klen, int type,
                             long *err) {
  struct entry *e = value_of(key, klen, type, err);
  if (*err == KV_NOTFOUND)
    *err = 0;
  return e;
}

long store_remove(const char *key, size_t klen, int type, const char *m,
                  size_t mlen) {
  long err;
  struct entry *e = pack_of(key, klen, type, &err);
  if (!e)
    return err;
  struct pack *p = e->val;
  int step = type == KV_TYPE_HASH ? 2 : 1;
  size_t off = pk_find(p, m, mlen, step), end;
  if (off == PK_NONE)
    return 0;
  end = pk_next(p, off);
  if (step == 2)
    end = pk_next(p, end);
  pk_splice((struct pack **)&e->val, off, end - off, NULL, 0, NULL, 0);
  touch(key, klen);
  if (--p->n == 0)
    unlink_key(key, klen);
  return 1;
}

long store_member(const char *key, size_t klen, int type, const char *m,
                  size_t mlen) {
  long err;
  struct entry *e = pack_of(key, klen, type, &err);
  if (!e)
    return err;
  return pk_find(e->val, m, mlen, type == KV_TYPE_HASH ? 2 : 1) != PK_NONE;
}

long store_card(const char *key, size_t klen, int type) {
  long err;
  struct entry *e = pack_of(key, klen, type, &err);
  if (!e)
    return err;
  return (long)((struct pack *)e->val)->n;
}

long store_dump(const char *key, size_t klen, int what, char *out, size_t cap,
                long *count) {
  long err;
  int type = what == KV_DUMP_MEMBERS ? KV_TYPE_SET : KV_TYPE_HASH;
  struct entry *e = pack_of(key, klen, type, &err);
  *count = 0;
  if (!e)
    return err;
  const struct pack *p = e->val;
  size_t need = 0, i = 0, off;
  /* Entry i of a hash is a field when i is even, a value when odd. */
#define DUMPED(i) (what == KV_DUMP_MEMBERS || what == KV_DUMP_PAIRS || \
                   (what == KV_DUMP_FIELDS) == ((i) % 2 == 0))
  for (off = 0; off < p->used; off = pk_next(p, off), i++)
    if (DUMPED(i)) {
      need += 8 + pk_elen(p, off);
      ++*count;
    }
  if (need > cap)
    return (long)need;
  char *w = out;
  for (off = 0, i = 0; off < p->used; off = pk_next(p, off), i++)
    if (DUMPED(i))
      w = kv_put_record(w, p->data + off + 4, pk_elen(p, off));
#undef DUMPED
  return (long)need;
}

long store_spop(const char *key, size_t klen, char *out, size_t cap) {
  long err;
  struct entry *e = value_of(key, klen, KV_TYPE_SET, &err);
  if (!e)
    return err;
  struct pack *p = e->val;
  /* The choice moves on only once a member is taken, so that a retry
   * with a bigger buffer gets the same member. */
  size_t pick = (size_t)((rng >> 33) % p->n), off = 0;
  while (pick--)
    off = pk_next(p, off);
  long n = copy_out(p->data + off + 4, pk_elen(p, off), out, cap);
  if ((size_t)n > cap)
    return n;
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
  pk_splice((struct pack **)&e->val, off, 4 + (size_t)n, NULL, 0, NULL, 0);
  touch(key, klen);
  if (--p->n == 0)
    unlink_key(key, klen);
  return n;
}

/* SINTER, SUNION or SDIFF of sets[0..nsets) (NULL: missing, empty):
 * records into out (unless NULL); returns the bytes, *count the records. */
static size_t setop_walk(int op, struct pack *const *sets, size_t nsets,
                         char *out, long *count) {
  size_t need = 0;
  *count = 0;
  for (size_t j = 0; j < nsets && (j == 0 || op == KV_SUNION); j++) {
    const struct pack *p = sets[j];
    for (size_t off = 0; p && off < p->used; off = pk_next(p, off)) {
      const char *m = p->data + off + 4;
      size_t mlen = pk_elen(p, off);
      int keep = 1;
      /* union: not already taken from an earlier set; intersection: in
       * every other set; difference: in none of them. */
      for (size_t i = op == KV_SUNION ? 0 : 1;
           keep && i < (op == KV_SUNION ? j : nsets); i++) {
        int in = sets[i] && pk_find(sets[i], m, mlen, 1) != PK_NONE;
        keep = op == KV_SINTER ? in : !in;
      }
      if (!keep)
        continue;
      need += 8 + mlen;
      ++*count;
      if (out)
        out = kv_put_record(out, m, mlen);
    }
  }
  return need;
}

long store_setop(int op, const char *keys, size_t len, char *out, size_t cap,
                 long *count) {
  struct pack **sets = malloc((len / 8 + 1) * sizeof *sets);
  size_t nsets = 0, at = 0;
  long rc = 0;
  *count = 0;
  if (!sets)
    return KV_NOMEM;
  while (len - at >= 8) {
    size_t n = kv_record_len(keys + at);
    at += 8;
    if (n > len - at)
      break;
    struct entry *e = lookup(keys + at, n);
    at += n;
    if (e && e->type != KV_TYPE_SET) {
      rc = KV_WRONGTYPE;
      break;
    }
    sets[nsets++] = e ? e->val : NULL;
  }
  if (rc == 0) {
    size_t need = setop_walk(op, sets, nsets, NULL, count);
    if (need <= cap)
      setop_walk(op, sets, nsets, out, count);
    rc = (long)need;
  }
  free(sets);
  return rc;
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
  lookup(key, klen); /* a key whose time has come goes first (a change) */
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
  struct entry *e = lookup(key, klen);
  if (!e)
    return 0;
  long long old = e->expire ? (long long)e->expire : -1;
  if (flags & KV_EXP_PERSIST) {
    e->expire = 0;
    if (old != -1)
      touch(key, klen);
    return old != -1;
  }
  /* No expiry counts as an infinite one for GT and LT. */
  if ((flags & KV_EXP_NX && old != -1) || (flags & KV_EXP_XX && old == -1) ||
      (flags & KV_EXP_GT && (old == -1 || at <= old)) ||
      (flags & KV_EXP_LT && old != -1 && at >= old))
    return 0;
  if (at <= now_ms)
    unlink_key(key, klen);
  else
    e->expire = (uint64_t)at > EXPIRE_MAX ? EXPIRE_MAX : (uint64_t)at;
  touch(key, klen);
  return 1;
}

long store_ttl(const char *key, size_t klen) {
  struct entry *e = lookup(key, klen);
  return !e ? -2 : e->expire ? (long)e->expire : -1;
}

long store_write(const char *key, size_t klen, long offset, const char *val,
                 size_t vlen, size_t max) {
  struct entry *e = lookup(key, klen);
  int append = offset < 0;
  if (e && e->type != KV_TYPE_STRING)
    return KV_WRONGTYPE;
  size_t old = e ? e->vlen : 0, at = append ? old : (size_t)offset;
  if (vlen == 0 && (e || !append))
    return (long)old; /* nothing to write: no key is created */
  if (at > max || vlen > max - at)
    return KV_TOOBIG;
  size_t len = at + vlen > old ? at + vlen : old;
  char *p = malloc(len ? len : 1);
  if (!p)
    return KV_NOMEM;
  if (old)
    memcpy(p, e->val, old);
  memset(p + old, 0, len - old); /* SETRANGE past the end pads with zeros */
  memcpy(p + at, val, vlen);
  if (!e && !(e = insert(key, klen, KV_TYPE_STRING, 0))) {
    free(p);
    return KV_NOMEM;
  }
  value_free(e);
  e->val = p;
  e->vlen = len;
  touch(key, klen);
  return (long)len;
}

int store_rename(const char *src, size_t slen, const char *dst, size_t dlen,
                 int nx) {
  struct entry *e = lookup(src, slen);
  if (!e)
    return KV_NOTFOUND;
  if (slen == dlen && memcmp(src, dst, slen) == 0)
    return !nx;
  if (lookup(dst, dlen)) {
    if (nx)
      return 0;
  }
  size_t extra = e->inl ? e->vlen : 0;
  if (dlen > SIZE_MAX - sizeof(struct entry) - extra)
    return KV_NOMEM;
  struct entry *d = malloc(sizeof *d + dlen + extra);
  if (!d)
    return KV_NOMEM;
  unlink_key(dst, dlen);
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
  touch(src, slen);
  touch(dst, dlen);
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
  size_t pick = (size_t)((rng >> 33) % (uint64_t)cur->nkeys);
  for (size_t i = 0; i < cur->nbuckets; i++)
    for (struct entry *e = cur->buckets[i]; e; e = e->next)
      if (pick-- == 0) {
        long n = copy_out(e->key, e->klen, out, cap);
        if ((size_t)n <= cap)
          rng = rng * 6364136223846793005ull + 1442695040888963407ull;
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
