/*
 * FILE: examples/kvstore/server/store_packs.c
 * DESCRIPTION:
 *   Library "store", hashes and sets: each is one packed block of entries
 *   (struct pack), small like Redis' own listpacks, with fields in
 *   insertion order. HSET/HGET/HINCRBY, SADD/SPOP, the set operations and
 *   the functions both kinds share (store_remove, store_member,
 *   store_card, store_dump); store.c holds the table their keys live in.
 * USAGE:
 *   store_sadd(key, klen, member, mlen);
 * License: MIT
 */
#include "store_internal.h"
#include "kvutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A hash or set: entries back to back in data[0..used), each a 4-byte
 * length then its bytes; a hash alternates field and value entries (in
 * insertion order), a set holds its n members. One allocation. */
struct pack {
  size_t used, cap, n; /* n: fields or members */
  char data[];
};
#define PK_NONE SIZE_MAX /* pk_find: no such entry */

/* An empty hash or set (kvs_value_for_write). */
void *kvs_pack_new(void) { return calloc(1, sizeof(struct pack)); }

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
  kvs_touch(e->key, e->klen);
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
  struct entry *e =
      kvs_value_for_write(key, klen, KV_TYPE_HASH, &created, &err);
  if (!e)
    return err;
  int rc = hash_put(e, field, flen, val, vlen);
  if (rc < 0 && created)
    kvs_unlink_key(key, klen);
  return rc;
}

long store_hget(const char *key, size_t klen, const char *field, size_t flen,
                char *out, size_t cap) {
  long err;
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_HASH, &err);
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
  struct entry *e =
      kvs_value_for_write(key, klen, KV_TYPE_HASH, &created, &err);
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
      kvs_unlink_key(key, klen);
    return err;
  }
  *result = v;
  return 0;
}

long store_sadd(const char *key, size_t klen, const char *m, size_t mlen) {
  int created, err;
  struct entry *e =
      kvs_value_for_write(key, klen, KV_TYPE_SET, &created, &err);
  if (!e)
    return err;
  struct pack **pp = (struct pack **)&e->val;
  if (pk_find(*pp, m, mlen, 1) != PK_NONE)
    return 0;
  if (pk_splice(pp, (*pp)->used, 0, m, mlen, NULL, 0) < 0) {
    if (created)
      kvs_unlink_key(key, klen);
    return KV_NOMEM;
  }
  (*pp)->n++;
  kvs_touch(key, klen);
  return 1;
}

/* The pack at key if it holds the given type (hash or set); NULL with
 * *err = 0 (missing) or KV_WRONGTYPE. */
static struct entry *pack_of(const char *key, size_t klen, int type,
                             long *err) {
  struct entry *e = kvs_value_of(key, klen, type, err);
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
  kvs_touch(key, klen);
  if (--p->n == 0)
    kvs_unlink_key(key, klen);
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
  struct entry *e = kvs_value_of(key, klen, KV_TYPE_SET, &err);
  if (!e)
    return err;
  struct pack *p = e->val;
  /* The choice moves on only once a member is taken, so that a retry
   * with a bigger buffer gets the same member. */
  size_t pick = kvs_pick(p->n), off = 0;
  while (pick--)
    off = pk_next(p, off);
  long n = copy_out(p->data + off + 4, pk_elen(p, off), out, cap);
  if ((size_t)n > cap)
    return n;
  kvs_picked();
  pk_splice((struct pack **)&e->val, off, 4 + (size_t)n, NULL, 0, NULL, 0);
  kvs_touch(key, klen);
  if (--p->n == 0)
    kvs_unlink_key(key, klen);
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
    struct entry *e = kvs_lookup(keys + at, n);
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
