/*
 * FILE: examples/kvstore/server/store.h
 * DESCRIPTION:
 *   Interface of library "store", the data structure of the kvstore server:
 *   a hash table of byte-string keys whose values are strings, lists,
 *   hashes or sets.
 *   Library "app" (commands.c, cmd_*.c) calls every function here
 *   plainly; where the configuration puts the store in a compartment of
 *   its own, the build makes each call a gate (passes/AutoGates.cpp).
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
 *   long n = store_get(key, klen, out, cap);
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
#define KV_RANGE -6     /* list index out of range               */
#define KV_TOOBIG -7    /* string would exceed the given maximum */

/* Value types (store_type). */
#define KV_TYPE_NONE 0
#define KV_TYPE_STRING 1
#define KV_TYPE_LIST 2
#define KV_TYPE_HASH 3
#define KV_TYPE_SET 4

/* List ends (store_push, store_pop). */
#define KV_HEAD 0
#define KV_TAIL 1

/* Seeds the key hash; call once before anything else (later calls only
 * reseed an empty table). */
void store_init(unsigned long seed);

/* key = value (any previous value, of any type, and its expiry are
 * replaced). Returns 0 or KV_NOMEM. */
int store_set(const char *key, size_t klen, const char *val, size_t vlen);

/* store_put's flags (SET's NX, XX and KEEPTTL). */
#define KV_SET_NX 1
#define KV_SET_XX 2
#define KV_SET_KEEPTTL 4

/* key = value as SET does: with KV_SET_NX only if key is missing, with
 * KV_SET_XX only if it exists; the key expires at `at` (Unix time in ms;
 * 0: never), unless KV_SET_KEEPTTL keeps its expiry. Returns 0,
 * KV_NOTFOUND (the condition failed: nothing changed) or KV_NOMEM. */
int store_put(const char *key, size_t klen, const char *val, size_t vlen,
              int flags, long long at);

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

/* Copies element index (negative counts from the end) of the list into
 * out. Returns its length, KV_NOTFOUND (no key, or out of range) or
 * KV_WRONGTYPE. */
long store_lindex(const char *key, size_t klen, long index, char *out,
                  size_t cap);

/* Element index = val. Returns 0, KV_NOTFOUND (no key), KV_RANGE,
 * KV_WRONGTYPE or KV_NOMEM. */
int store_lset(const char *key, size_t klen, long index, const char *val,
               size_t vlen);

/* Removes the first count elements equal to val (count < 0: the last
 * -count; 0: all). Returns how many, or KV_WRONGTYPE. An emptied list is
 * removed. */
long store_lrem(const char *key, size_t klen, long count, const char *val,
                size_t vlen);

/* Index of the first element equal to val; KV_NOTFOUND (none, or no key)
 * or KV_WRONGTYPE. */
long store_lfind(const char *key, size_t klen, const char *val, size_t vlen);

/* Inserts val so that it becomes element index (0..length). Returns the
 * new length, KV_NOTFOUND (no key), KV_RANGE, KV_WRONGTYPE or KV_NOMEM. */
long store_linsert(const char *key, size_t klen, long index, const char *val,
                   size_t vlen);

/* Keeps elements start..stop (LRANGE's index rules) of the list. Returns
 * 0 (also for a missing key) or KV_WRONGTYPE. An emptied list is
 * removed. */
int store_ltrim(const char *key, size_t klen, long start, long stop);

/* Hashes keep their fields in insertion order (as Redis' small hashes). */

/* field = val in the hash at key (created if missing). Returns 1 (a new
 * field), 0 (replaced), KV_WRONGTYPE or KV_NOMEM. */
int store_hset(const char *key, size_t klen, const char *field, size_t flen,
               const char *val, size_t vlen);

/* Copies the value of field into out. Returns its length, KV_NOTFOUND (no
 * key or no field) or KV_WRONGTYPE. */
long store_hget(const char *key, size_t klen, const char *field, size_t flen,
                char *out, size_t cap);

/* field += delta in the hash at key (missing: 0), result in *result.
 * Returns 0, KV_WRONGTYPE, KV_NOTINT, KV_OVERFLOW or KV_NOMEM. */
int store_hincrby(const char *key, size_t klen, const char *field,
                  size_t flen, long long delta, long long *result);

/* Adds member m to the set at key (created if missing). Returns 1 (added),
 * 0 (already there), KV_WRONGTYPE or KV_NOMEM. */
long store_sadd(const char *key, size_t klen, const char *m, size_t mlen);

/* For the hash (type KV_TYPE_HASH: m is a field) or set (KV_TYPE_SET: m is
 * a member) at key; a missing key counts as empty, another type gives
 * KV_WRONGTYPE. store_remove removes m (and its value): 1 or 0; an
 * emptied key is removed. store_member: 1 if m is there, else 0.
 * store_card: the number of fields or members. */
long store_remove(const char *key, size_t klen, int type, const char *m,
                  size_t mlen);
long store_member(const char *key, size_t klen, int type, const char *m,
                  size_t mlen);
long store_card(const char *key, size_t klen, int type);

/* store_dump's what. */
#define KV_DUMP_FIELDS 0  /* a hash's fields (HKEYS)              */
#define KV_DUMP_VALUES 1  /* its values (HVALS)                   */
#define KV_DUMP_PAIRS 2   /* field, value, field, ... (HGETALL)   */
#define KV_DUMP_MEMBERS 3 /* a set's members (SMEMBERS)           */

/* Copies what is asked of the hash or set at key into out as records, as
 * store_lrange does. Returns the bytes needed (0 for a missing key) or
 * KV_WRONGTYPE; *count receives the number of records. */
long store_dump(const char *key, size_t klen, int what, char *out, size_t cap,
                long *count);

/* Removes a random member of the set at key and copies it into out.
 * Returns its length, KV_NOTFOUND or KV_WRONGTYPE; when it does not fit
 * nothing changes, and the retry gets the same member. */
long store_spop(const char *key, size_t klen, char *out, size_t cap);

/* store_setop's op. */
#define KV_SINTER 0
#define KV_SUNION 1
#define KV_SDIFF 2

/* The intersection, union or difference (first minus the others) of the
 * sets whose keys are the records (8-byte length, bytes) in keys[0..len);
 * missing keys count as empty sets. Result as in store_dump: the bytes
 * needed or KV_WRONGTYPE (some key is not a set) or KV_NOMEM. */
long store_setop(int op, const char *keys, size_t len, char *out, size_t cap,
                 long *count);

/* Expiry. Keys carry an expire time (Unix time in ms); a key whose time
 * has come is gone for every function here (removed when next looked
 * up), and store_time removes some such keys each call (active expiry).
 * Writes that replace a value (store_set, store_put without
 * KV_SET_KEEPTTL, store_del) drop the expiry; those that change it
 * (INCR, APPEND, pushes, ...) keep it. */

/* The time now (Unix time in ms), for every expiry decision until the
 * next call; also sweeps KV_SWEEP_BUCKETS buckets for expired keys. */
#define KV_SWEEP_BUCKETS 16
void store_time(long long now);

/* store_expire's flags: EXPIRE's NX, XX, GT, LT; PERSIST drops it. */
#define KV_EXP_NX 1
#define KV_EXP_XX 2
#define KV_EXP_GT 4
#define KV_EXP_LT 8
#define KV_EXP_PERSIST 16

/* Sets when key expires (a time not after now removes it) if the flags'
 * condition holds (no expiry counts as infinite for GT and LT), or with
 * KV_EXP_PERSIST removes its expiry. Returns 1 (done) or 0 (no key,
 * condition failed, nothing to persist). */
int store_expire(const char *key, size_t klen, int flags, long long at);

/* When key expires (Unix time in ms), -1 never, -2 no such key. */
long store_ttl(const char *key, size_t klen);

/* Writes val into the string at key from offset (SETRANGE; the string is
 * padded with zero bytes up to offset), or at its end when offset < 0
 * (APPEND). A missing key is created, except that an empty val at an
 * offset creates nothing (so offset 0 with an empty val is STRLEN).
 * Returns the new length, KV_WRONGTYPE, KV_TOOBIG (the result would be
 * longer than max: nothing changed) or KV_NOMEM. The expiry stays. */
long store_write(const char *key, size_t klen, long offset, const char *val,
                 size_t vlen, size_t max);

/* Renames src to dst (replacing dst, unless nx), with its expiry.
 * Returns 1, 0 (nx and dst exists, or nx and dst is src) or
 * KV_NOTFOUND, KV_NOMEM. */
int store_rename(const char *src, size_t slen, const char *dst, size_t dlen,
                 int nx);

/* The keys matching the glob pattern (Redis' KEYS: * ? [abc] [^a] [a-z]
 * and \ escapes) as records, as store_lrange returns them. */
long store_keys(const char *pat, size_t plen, char *out, size_t cap,
                long *count);

/* Copies a random key into out: its length or KV_NOTFOUND (no keys).
 * When it does not fit, the retry gets the same key. */
long store_randomkey(char *out, size_t cap);

/* Databases (SELECT): KV_DATABASES tables, each with its own keys;
 * every function here works in the one chosen last (0 at first). */
#define KV_DATABASES 16

/* Chooses database db: 0, or KV_RANGE (nothing changes). */
int store_select(int db);

/* Number of keys; of keys with an expire time (INFO: O(n)). */
long store_dbsize(void);
long store_expires(void);

/* Removes every key of the database, or with all of every database, and
 * frees the tables. */
void store_flush(int all);

/* WATCH: the store counts changes of watched keys (each write, deletion,
 * expiry or flush of the key in the database it was watched in).
 * KV_WATCH_ADD starts watching key (once more), KV_WATCH_PEEK looks,
 * KV_WATCH_DROP stops (once); each returns the key's change count (as
 * before a DROP), KV_NOTFOUND (PEEK or DROP of a key not watched) or
 * KV_NOMEM. A key whose time has come expires first (a change). */
#define KV_WATCH_ADD 0
#define KV_WATCH_PEEK 1
#define KV_WATCH_DROP 2
long store_watch(const char *key, size_t klen, int op);

/* SCAN: the keys (of type, unless 0) in the buckets from *cursor on, until
 * at least count keys or ten buckets per count, as records (store_lrange)
 * into out. Returns the bytes needed, *n the keys, and *cursor (when they
 * fit) the next cursor, 0 at the end. Every key present for the whole
 * scan comes back at least once. */
long store_scan(unsigned long *cursor, long count, int type, char *out,
                size_t cap, long *n);

#endif
