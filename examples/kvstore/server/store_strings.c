/*
 * FILE: examples/kvstore/server/store_strings.c
 * DESCRIPTION:
 *   Library "store", string values: SET and its options, GET, INCRBY,
 *   SETRANGE and APPEND (store_write). A key created with its string
 *   value holds it in the key's own allocation (inl); a string written
 *   later gets its own block. store.c holds the table these keys live in.
 * USAGE:
 *   store_put(key, klen, val, vlen, KV_SET_NX, 0);
 * License: MIT
 */
#include "store_internal.h"
#include "kvutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
  kvs_value_free(e);
  e->type = KV_TYPE_STRING;
  e->val = p;
  e->vlen = n;
  return 0;
}

int store_put(const char *key, size_t klen, const char *val, size_t vlen,
              int flags, long long at) {
  struct entry *e = kvs_lookup(key, klen);
  if ((flags & KV_SET_NX && e) || (flags & KV_SET_XX && !e))
    return KV_NOTFOUND;
  if (e) {
    if (set_string(e, val, vlen) < 0)
      return KV_NOMEM;
    kvs_touch(key, klen);
  } else {
    e = kvs_insert(key, klen, KV_TYPE_STRING, vlen);
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

long store_get(const char *key, size_t klen, char *out, size_t cap) {
  struct entry *e = kvs_lookup(key, klen);
  if (!e)
    return KV_NOTFOUND;
  if (e->type != KV_TYPE_STRING)
    return KV_WRONGTYPE;
  return copy_out(e->val, e->vlen, out, cap);
}

int store_incrby(const char *key, size_t klen, long long delta,
                 long long *result) {
  struct entry *e = kvs_lookup(key, klen);
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

long store_write(const char *key, size_t klen, long offset, const char *val,
                 size_t vlen, size_t max) {
  struct entry *e = kvs_lookup(key, klen);
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
  if (!e && !(e = kvs_insert(key, klen, KV_TYPE_STRING, 0))) {
    free(p);
    return KV_NOMEM;
  }
  kvs_value_free(e);
  e->val = p;
  e->vlen = len;
  kvs_touch(key, klen);
  return (long)len;
}
