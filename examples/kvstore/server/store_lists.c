/*
 * FILE: examples/kvstore/server/store_lists.c
 * DESCRIPTION:
 *   Library "store", list values: a list is a ring of element pointers,
 *   so pushes and pops at either end are O(1). The LPUSH/LPOP/LRANGE/...
 *   store functions; store.c holds the table the lists' keys live in.
 * USAGE:
 *   store_push(key, klen, val, vlen, KV_TAIL);
 * License: MIT
 */
#include "store_internal.h"
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

void kvs_list_free(struct list *l) {
  for (size_t i = 0; i < l->len; i++)
    free(l->items[(l->head + i) % l->cap]);
  free(l->items);
  free(l);
}

struct list *kvs_list_new(void) {
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
  struct entry *e =
      kvs_value_for_write(key, klen, KV_TYPE_LIST, &created, &err);
  if (!e)
    return err;
  struct list *l = e->val;
  struct elem *el = elem_new(val, vlen);
  if (!el || list_reserve(l) < 0) {
    free(el);
    if (created) /* never leave an empty list behind */
      kvs_unlink_key(key, klen);
    return KV_NOMEM;
  }
  if (where == KV_HEAD) {
    l->head = (l->head + l->cap - 1) % l->cap;
    l->items[l->head] = el;
  } else {
    l->items[(l->head + l->len) % l->cap] = el;
  }
  l->len++;
  kvs_touch(key, klen);
  return (long)l->len;
}

long store_pop(const char *key, size_t klen, int where, char *out,
               size_t cap) {
  struct entry *e = kvs_lookup(key, klen);
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
  kvs_touch(key, klen);
  if (where == KV_HEAD)
    l->head = (l->head + 1) % l->cap;
  if (--l->len == 0)
    kvs_unlink_key(key, klen);
  return n;
}

long store_llen(const char *key, size_t klen) {
  struct entry *e = kvs_lookup(key, klen);
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
  struct entry *e = kvs_lookup(key, klen);
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
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_LIST, &err);
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
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_LIST, &err);
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
  kvs_touch(key, klen);
  return 0;
}

long store_lrem(const char *key, size_t klen, long count, const char *val,
                size_t vlen) {
  long err;
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_LIST, &err);
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
    kvs_touch(key, klen);
  if (l->len == 0)
    kvs_unlink_key(key, klen);
  return (long)removed;
}

long store_lfind(const char *key, size_t klen, const char *val, size_t vlen) {
  long err;
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_LIST, &err);
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
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_LIST, &err);
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
  kvs_touch(key, klen);
  return (long)++l->len;
}

int store_ltrim(const char *key, size_t klen, long start, long stop) {
  long err;
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_LIST, &err);
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
    kvs_touch(key, klen);
  l->head = (l->head + (size_t)start) % l->cap;
  l->len = keep;
  if (keep == 0)
    kvs_unlink_key(key, klen);
  return 0;
}
