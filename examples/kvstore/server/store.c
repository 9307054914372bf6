/*
 * FILE: examples/kvstore/server/store.c
 * DESCRIPTION:
 *   Library "store": the kvstore's data. A chained hash table (power-of-two
 *   buckets, doubled when it holds more keys than buckets) maps byte-string
 *   keys to strings or lists; a list is a ring of element pointers, so
 *   pushes and pops at either end are O(1). Everything lives in this
 *   library's private heap (plain malloc, which the image runtime serves
 *   from the caller compartment's heap); callers' pointers are only read
 *   or written during the call, never kept. store.h has the interface.
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

struct entry {
  struct entry *next; /* bucket chain */
  uint64_t hash;
  int type;           /* KV_TYPE_STRING or KV_TYPE_LIST */
  size_t vlen;        /* string length */
  void *val;          /* char * (string) or struct list * */
  size_t klen;
  char key[];
};

static struct entry **buckets; /* nbuckets heads, or NULL when empty */
static size_t nbuckets;
static long nkeys;
static uint64_t seed = 0x9e3779b97f4a7c15ull;

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
  if (nkeys == 0)
    seed = s;
}

static struct entry **slot_of(const char *k, size_t n, uint64_t h) {
  struct entry **pp = &buckets[h & (nbuckets - 1)];
  for (; *pp; pp = &(*pp)->next)
    if ((*pp)->hash == h && (*pp)->klen == n && memcmp((*pp)->key, k, n) == 0)
      return pp;
  return pp;
}

static struct entry *lookup(const char *k, size_t n) {
  if (nbuckets == 0)
    return NULL;
  return *slot_of(k, n, hash_key(k, n));
}

/* Doubles the bucket array. On allocation failure the table keeps its
 * size: longer chains, but still correct. */
static void grow(void) {
  size_t n = nbuckets ? nbuckets * 2 : 16;
  struct entry **nb = calloc(n, sizeof *nb);
  if (!nb)
    return;
  for (size_t i = 0; i < nbuckets; i++) {
    struct entry *e = buckets[i], *next;
    for (; e; e = next) {
      next = e->next;
      e->next = nb[e->hash & (n - 1)];
      nb[e->hash & (n - 1)] = e;
    }
  }
  free(buckets);
  buckets = nb;
  nbuckets = n;
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
  else
    free(e->val);
  e->val = NULL;
}

/* Adds a new entry of the given type with no value yet. Returns it, or
 * NULL when out of memory. */
static struct entry *insert(const char *k, size_t n, int type) {
  if (n > SIZE_MAX - sizeof(struct entry))
    return NULL;
  if ((size_t)nkeys >= nbuckets)
    grow();
  if (nbuckets == 0)
    return NULL;
  struct entry *e = malloc(sizeof *e + n);
  if (!e)
    return NULL;
  memcpy(e->key, k, n);
  e->klen = n;
  e->hash = hash_key(k, n);
  e->type = type;
  e->val = NULL;
  e->vlen = 0;
  struct entry **pp = &buckets[e->hash & (nbuckets - 1)];
  e->next = *pp;
  *pp = e;
  nkeys++;
  return e;
}

static int unlink_key(const char *k, size_t n) {
  if (nbuckets == 0)
    return 0;
  struct entry **pp = slot_of(k, n, hash_key(k, n));
  struct entry *e = *pp;
  if (!e)
    return 0;
  *pp = e->next;
  value_free(e);
  free(e);
  nkeys--;
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

int store_set(const char *key, size_t klen, const char *val, size_t vlen) {
  struct entry *e = lookup(key, klen);
  if (e)
    return set_string(e, val, vlen);
  e = insert(key, klen, KV_TYPE_STRING);
  if (!e)
    return KV_NOMEM;
  if (set_string(e, val, vlen) < 0) {
    unlink_key(key, klen);
    return KV_NOMEM;
  }
  return 0;
}

long store_get(const char *key, size_t klen, char *out, size_t cap) {
  struct entry *e = lookup(key, klen);
  if (!e)
    return KV_NOTFOUND;
  if (e->type != KV_TYPE_STRING)
    return KV_WRONGTYPE;
  if (e->vlen <= cap)
    memcpy(out, e->val, e->vlen);
  return (long)e->vlen;
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
  int rc = store_set(key, klen, digits, n);
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

/* Finds the list at key, creating an empty one if missing; *created says
 * which. Returns NULL with *err set on failure. */
static struct list *list_for_push(const char *key, size_t klen, int *created,
                                  int *err) {
  struct entry *e = lookup(key, klen);
  *created = 0;
  if (e) {
    *err = e->type == KV_TYPE_LIST ? 0 : KV_WRONGTYPE;
    return *err ? NULL : e->val;
  }
  struct list *l = list_new();
  e = l ? insert(key, klen, KV_TYPE_LIST) : NULL;
  if (!e) {
    free(l);
    *err = KV_NOMEM;
    return NULL;
  }
  e->val = l;
  *created = 1;
  return l;
}

long store_push(const char *key, size_t klen, const char *val, size_t vlen,
                int where) {
  int created, err;
  struct list *l = list_for_push(key, klen, &created, &err);
  if (!l)
    return err;
  struct elem *el = NULL;
  if (vlen <= SIZE_MAX - sizeof *el)
    el = malloc(sizeof *el + vlen);
  if (!el || list_reserve(l) < 0) {
    free(el);
    if (created) /* never leave an empty list behind */
      unlink_key(key, klen);
    return KV_NOMEM;
  }
  el->len = vlen;
  memcpy(el->data, val, vlen);
  if (where == KV_HEAD) {
    l->head = (l->head + l->cap - 1) % l->cap;
    l->items[l->head] = el;
  } else {
    l->items[(l->head + l->len) % l->cap] = el;
  }
  l->len++;
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

long store_lrange(const char *key, size_t klen, long start, long stop,
                  char *out, size_t cap, long *count) {
  struct entry *e = lookup(key, klen);
  *count = 0;
  if (!e)
    return 0;
  if (e->type != KV_TYPE_LIST)
    return KV_WRONGTYPE;
  struct list *l = e->val;
  long len = (long)l->len;
  /* LRANGE's index rules: negative from the end, clamp, empty if crossed. */
  if (start < 0)
    start = start < -len ? 0 : start + len;
  if (stop < 0)
    stop += len;
  if (stop >= len)
    stop = len - 1;
  if (start > stop || start >= len)
    return 0;
  size_t need = 0;
  for (long i = start; i <= stop; i++)
    need += 8 + l->items[(l->head + (size_t)i) % l->cap]->len;
  *count = stop - start + 1;
  if (need > cap)
    return (long)need;
  char *p = out;
  for (long i = start; i <= stop; i++) {
    struct elem *el = l->items[(l->head + (size_t)i) % l->cap];
    for (int b = 0; b < 8; b++)
      *p++ = (char)((uint64_t)el->len >> (8 * b));
    memcpy(p, el->data, el->len);
    p += el->len;
  }
  return (long)need;
}

long store_dbsize(void) { return nkeys; }

void store_flush(void) {
  for (size_t i = 0; i < nbuckets; i++) {
    struct entry *e = buckets[i], *next;
    for (; e; e = next) {
      next = e->next;
      value_free(e);
      free(e);
    }
  }
  free(buckets);
  buckets = NULL;
  nbuckets = 0;
  nkeys = 0;
}
