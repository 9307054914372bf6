/*
 * FILE: examples/kvstore/server/store_internal.h
 * DESCRIPTION:
 *   Private to library "store": what its files share. store.c owns the
 *   table (struct entry per key) and hands out the key functions below;
 *   store_strings.c, store_lists.c and store_packs.c keep their own value
 *   layouts and give store.c only what it needs to create and free them.
 *   The app never sees this header: store.h is the interface.
 * USAGE:
 *   #include "store_internal.h"  (store*.c only)
 * License: MIT
 */
#ifndef KVSTORE_STORE_INTERNAL_H
#define KVSTORE_STORE_INTERNAL_H

#include "store.h"

#include <stdint.h>
#include <string.h>

struct list; /* store_lists.c */

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

#define EXPIRE_MAX (((uint64_t)1 << 56) - 1) /* latest expire time kept */

/* The table (store.c), in the database store_select chose. */

/* The entry of key k, or NULL; a key whose time has come is removed here
 * (lazy expiry), so no command sees it. */
struct entry *kvs_lookup(const char *k, size_t n);

/* Adds a new entry of the given type with no value yet, and room for
 * `extra` bytes after the key. Returns it, or NULL when out of memory. */
struct entry *kvs_insert(const char *k, size_t n, int type, size_t extra);

/* Removes key k with its value; returns 1 if it existed, else 0. */
int kvs_unlink_key(const char *k, size_t n);

/* Key k changed (written, created, deleted, expired, flushed): WATCH. */
void kvs_touch(const char *k, size_t n);

/* Frees the value of e (of any type), leaving e without one. */
void kvs_value_free(struct entry *e);

/* Finds the value of the given type at key, creating an empty one if
 * missing; *created says which. Returns the entry, or NULL with *err set
 * (KV_WRONGTYPE, KV_NOMEM). */
struct entry *kvs_value_for_write(const char *key, size_t klen, int type,
                                  int *created, int *err);

/* The value at key if it has the given type: NULL with *err = KV_NOTFOUND
 * (missing) or KV_WRONGTYPE. */
struct entry *kvs_value_of(const char *key, size_t klen, int type, long *err);

/* SPOP's and RANDOMKEY's choice among n (> 0); it moves on only at
 * kvs_picked(), so that a retry gets the same one. */
size_t kvs_pick(size_t n);
void kvs_picked(void);

/* Values: an empty list (store_lists.c) or hash/set (store_packs.c), and
 * freeing a list (the others are one block: free()). */
struct list *kvs_list_new(void);
void kvs_list_free(struct list *l);
void *kvs_pack_new(void);

/* Copies n bytes to out when they fit; returns n either way (the caller
 * grows its buffer and asks again). Inline: every file replies with it. */
static inline long copy_out(const void *src, size_t n, char *out, size_t cap) {
  if (n <= cap)
    memcpy(out, src, n);
  return (long)n;
}

#endif
