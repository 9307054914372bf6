/*
 * FILE: examples/kvstore/server/store.h
 * DESCRIPTION:
 *   Interface of library "store", the data structure of the kvstore server:
 *   a hash table of byte-string keys whose values are strings or lists.
 *   Library "app" (resp.c) reaches every function here through
 *   flexos_gate(store, fn, ...), so the configuration decides whether the
 *   table sits in its own compartment.
 *
 *   Rules for callers, because the store may run in another compartment:
 *   - Every pointer argument (keys, values, out buffers, results) must
 *     point to shared memory: flexos_malloc_shared() or a __flexos_share
 *     local. The store never keeps such a pointer; it copies what it keeps
 *     into its own heap (plain malloc) and copies out what it returns.
 *   - Arguments are integers and pointers only (what a gate can carry).
 *   Functions that read a value into `out` return the value's length; when
 *   that length exceeds `cap` they copy nothing and change nothing, so the
 *   caller can grow its buffer and ask again.
 * USAGE:
 *   long n = flexos_gate(store, store_get, key, klen, out, cap);
 * License: MIT
 */
#ifndef KVSTORE_STORE_H
#define KVSTORE_STORE_H

#include <stddef.h>

/* Results below zero. */
#define KV_NOTFOUND -1  /* no such key (or empty list)           */
#define KV_WRONGTYPE -2 /* key holds the other kind of value     */
#define KV_NOMEM -3     /* the store's heap is exhausted         */
#define KV_NOTINT -4    /* value is not a 64-bit decimal integer */
#define KV_OVERFLOW -5  /* increment would overflow              */

/* Value types (store_type). */
#define KV_TYPE_NONE 0
#define KV_TYPE_STRING 1
#define KV_TYPE_LIST 2

/* List ends (store_push, store_pop). */
#define KV_HEAD 0
#define KV_TAIL 1

/* Seeds the key hash; call once before anything else (later calls only
 * reseed an empty table). */
void store_init(unsigned long seed);

/* key = value (any previous value, of either type, is replaced).
 * Returns 0 or KV_NOMEM. */
int store_set(const char *key, size_t klen, const char *val, size_t vlen);

/* Copies the string value of key into out. Returns its length,
 * KV_NOTFOUND or KV_WRONGTYPE. */
long store_get(const char *key, size_t klen, char *out, size_t cap);

/* Removes key. Returns 1 if it existed, else 0. */
int store_del(const char *key, size_t klen);

/* Returns KV_TYPE_* of key. */
int store_type(const char *key, size_t klen);

/* key += delta (a missing key counts as 0), result in *result. Returns 0,
 * KV_WRONGTYPE, KV_NOTINT, KV_OVERFLOW or KV_NOMEM. */
int store_incrby(const char *key, size_t klen, long long delta,
                 long long *result);

/* Pushes val at the head or tail of the list at key (created if missing).
 * Returns the new length, KV_WRONGTYPE or KV_NOMEM. */
long store_push(const char *key, size_t klen, const char *val, size_t vlen,
                int where);

/* Pops from the head or tail into out. Returns the element's length,
 * KV_NOTFOUND or KV_WRONGTYPE. A list that becomes empty is removed. */
long store_pop(const char *key, size_t klen, int where, char *out,
               size_t cap);

/* Returns the length of the list at key (0 if missing) or KV_WRONGTYPE. */
long store_llen(const char *key, size_t klen);

/* Copies elements start..stop (inclusive, negative counts from the end, as
 * in LRANGE) into out as a sequence of records: an 8-byte little-endian
 * length, then the bytes. Returns the bytes needed (0 for an empty range),
 * KV_WRONGTYPE; *count receives the number of records. */
long store_lrange(const char *key, size_t klen, long start, long stop,
                  char *out, size_t cap, long *count);

/* Number of keys. */
long store_dbsize(void);

/* Removes every key and frees the table. */
void store_flush(void);

#endif
