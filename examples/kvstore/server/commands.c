/*
 * FILE: examples/kvstore/server/commands.c
 * DESCRIPTION:
 *   Library "app", the command half: a table of the Redis commands the
 *   kvstore answers, their arity (Redis' convention: n exactly, -n at
 *   least n) and handlers. Every access to the data crosses into library
 *   "store" through flexos_gate(); keys and values are passed as pointers
 *   into the connection's shared input buffer, values come back through
 *   the connection's shared scratch buffer, integers through
 *   __flexos_share locals. Error replies use Redis' wording so that
 *   clients and tests see the same text as from a real server.
 *   MULTI/EXEC/DISCARD queue commands per connection (resp.c keeps the
 *   queue) and run them together, or none of them; WATCH compares the
 *   store's change counts of keys at EXEC. Each command runs in its
 *   connection's database (use_db). After HELLO 3 the reply_* helpers
 *   write RESP3 types.
 * USAGE:
 *   kv_exec(c, argc, argv)   (called by resp.c)
 * License: MIT
 */
#include "app.h"
#include "store.h"
#include "kvutil.h"
#include "kvfloat.h"

#include <flexos.h>
#include <stdlib.h>
#include <string.h>

#define A(i) argv[i].p, argv[i].n /* pointer and length of argument i */

typedef void handler_fn(struct kv_conn *c, int argc,
                        const struct kv_arg *argv);

static const char wrongtype[] =
    "-WRONGTYPE Operation against a key holding the wrong kind of value";
static const char notint[] = "value is not an integer or out of range";

/* Replies for the store's negative results. */
/* An answer from the store that does not fit what was asked (possible
 * only when the store is compromised). */
#define KV_BADREPLY -100

static void reply_store_error(struct kv_conn *c, long rc) {
  switch (rc) {
  case KV_WRONGTYPE: reply_error(c, wrongtype); break;
  case KV_NOTINT: reply_error(c, notint); break;
  case KV_OVERFLOW: reply_error(c, "increment or decrement would overflow"); break;
  case KV_NOMEM: reply_error(c, "out of memory"); break;
  case KV_TOOBIG:
    reply_error(c, "string exceeds maximum allowed size (proto-max-bulk-len)");
    break;
  default: reply_error(c, "internal error"); break;
  }
}

/* What fetch() reads: a string (GET), a popped list element (LPOP/RPOP,
 * arg: the end), a hash field's value (HGET, field), a list element
 * (LINDEX, arg: the index), a random popped set member (SPOP) or a
 * random key (RANDOMKEY). */
enum { F_GET, F_POP, F_HGET, F_LINDEX, F_SPOP, F_RANDOMKEY };

/* Reads one value into the scratch buffer, growing it when the store
 * says the value is longer. Returns the length with *out set, or a KV_*
 * error. */
static long fetch(struct kv_conn *c, int kind, const struct kv_arg *key,
                  const struct kv_arg *field, long arg, char **out) {
  size_t cap = 64;
  for (;;) {
    char *buf = conn_scratch(c, cap);
    long n;
    if (!buf)
      return KV_NOMEM;
    switch (kind) {
    case F_GET: n = flexos_gate(store, store_get, key->p, key->n, buf, cap); break;
    case F_POP:
      n = flexos_gate(store, store_pop, key->p, key->n, (int)arg, buf, cap);
      break;
    case F_HGET:
      n = flexos_gate(store, store_hget, key->p, key->n, field->p, field->n,
                      buf, cap);
      break;
    case F_LINDEX:
      n = flexos_gate(store, store_lindex, key->p, key->n, arg, buf, cap);
      break;
    case F_SPOP:
      n = flexos_gate(store, store_spop, key->p, key->n, buf, cap);
      break;
    default: n = flexos_gate(store, store_randomkey, buf, cap); break;
    }
    /* The store may be another compartment: no value is longer than a
     * bulk string can be, whatever it says. */
    if (n > KV_MAX_BULK)
      return KV_NOMEM;
    if (n < 0 || (size_t)n <= cap) {
      *out = buf;
      return n;
    }
    cap = (size_t)n;
  }
}

/* fetch() and its reply: a bulk string, nil when there is none, or the
 * error. */
static void reply_value(struct kv_conn *c, long n, const char *v) {
  if (n == KV_NOTFOUND)
    reply_nil(c);
  else if (n < 0)
    reply_store_error(c, n);
  else
    reply_bulk(c, v, (size_t)n);
}

static void reply_fetched(struct kv_conn *c, int kind,
                          const struct kv_arg *key, const struct kv_arg *field,
                          long arg) {
  char *v;
  long n = fetch(c, kind, key, field, arg, &v);
  reply_value(c, n, v);
}

/* n records (8-byte length, bytes) the store wrote into buf[0..need) as
 * an array of bulk strings; with a pattern only the keys it matches
 * (SCAN's MATCH). The records are the store's writing: the count is read
 * once and every record checked against the bytes the store said it
 * wrote, before any reply goes out. */
/* reply_record_array's shapes: an array, a set (RESP3 ~) or a map of
 * pairs (RESP3 %). */
enum { SHAPE_ARRAY, SHAPE_SET, SHAPE_MAP };

static void reply_record_array(struct kv_conn *c, const char *buf, long need,
                               long n, const struct kv_arg *match,
                               int shape) {
  long hits = 0;
  if (n < 0 || n > need / 8) {
    reply_store_error(c, KV_BADREPLY);
    return;
  }
  for (int pass = 0; pass < 2; pass++) { /* check and count, then reply */
    if (pass == 1 && shape == SHAPE_MAP)
      reply_map(c, hits / 2);
    else if (pass == 1)
      (shape == SHAPE_SET ? reply_set : reply_array)(c, hits);
    for (long i = 0, at = 0; i < n; i++) {
      if (need - at < 8) {
        reply_store_error(c, KV_BADREPLY);
        return;
      }
      size_t len = kv_record_len(buf + at);
      if (len > (size_t)(need - at - 8)) {
        reply_store_error(c, KV_BADREPLY);
        return;
      }
      int stop = 0;
      if (!match || kv_glob_match(match->p, match->n, buf + at + 8, len,
                                  &stop)) {
        if (pass == 0)
          hits++;
        else
          reply_bulk(c, buf + at + 8, len);
      }
      at += 8 + (long)len;
    }
  }
}

/* What reply_records() asks for: LRANGE (a, b: start, stop), store_dump
 * (a: what), store_setop (a: op, of the keys argv[1..argc)) or KEYS. */
enum { R_LRANGE, R_DUMP, R_SETOP, R_KEYS };

/* Several values: the store packs them as records (8-byte length, bytes)
 * into the scratch buffer, grown as the store asks; here they become an
 * array of bulk strings. For R_SETOP the keys go first in the buffer, as
 * records, and the store writes after them. */
static void reply_records(struct kv_conn *c, int kind, int argc,
                          const struct kv_arg *argv, long a, long b) {
  long count __flexos_share;
  size_t in = 0, cap = 256;
  long need;
  char *buf;
  if (kind == R_SETOP)
    for (int i = 1; i < argc; i++)
      in += 8 + argv[i].n;
  for (;;) {
    char *keys = conn_scratch(c, in + cap), *w = keys;
    if (!keys)
      return;
    buf = keys + in;
    switch (kind) {
    case R_LRANGE:
      need = flexos_gate(store, store_lrange, A(1), a, b, buf, cap, &count);
      break;
    case R_DUMP:
      need = flexos_gate(store, store_dump, A(1), (int)a, buf, cap, &count);
      break;
    case R_KEYS:
      need = flexos_gate(store, store_keys, A(1), buf, cap, &count);
      break;
    default:
      for (int i = 1; i < argc; i++)
        w = kv_put_record(w, A(i));
      need = flexos_gate(store, store_setop, (int)a, keys, in, buf, cap,
                         &count);
      break;
    }
    if (need > KV_MAX_QUERY) { /* bound what another compartment asks for */
      reply_store_error(c, KV_NOMEM);
      return;
    }
    if (need < 0 || (size_t)need <= cap)
      break;
    cap = (size_t)need;
  }
  if (need < 0)
    reply_store_error(c, need);
  else
    reply_record_array(c, buf, need, count, NULL,
                       kind == R_SETOP || (kind == R_DUMP &&
                                           a == KV_DUMP_MEMBERS) ? SHAPE_SET
                       : kind == R_DUMP && a == KV_DUMP_PAIRS ? SHAPE_MAP
                                                              : SHAPE_ARRAY);
}

/* A long argument (Redis' "value is not an integer or out of range"
 * otherwise). Returns 1 and sets *out, or replies with the error. */
static int arg_long(struct kv_conn *c, const struct kv_arg *a, long *out) {
  long long v;
  if (!kv_parse_ll(a->p, a->n, &v) || v != (long)v) {
    reply_error(c, notint);
    return 0;
  }
  *out = (long)v;
  return 1;
}

/* An integer reply, or the error for a negative result. */
static void reply_count(struct kv_conn *c, long n) {
  if (n < 0)
    reply_store_error(c, n);
  else
    reply_int(c, n);
}

static void reply_arity(struct kv_conn *c, const char *name);

static void cmd_ping(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc > 2)
    reply_arity(c, "ping");
  else if (argc == 2)
    reply_bulk(c, A(1));
  else
    reply_status(c, "PONG");
}

static void cmd_echo(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_bulk(c, A(1));
}

/* The time of the command being run (kv_exec), in ms, as the store has
 * been told it. */
static long long now_ms;

static void reply_quoted(struct kv_conn *c, const char *head, const char *s,
                         size_t n, const char *tail);

/* The Unix time in ms at which a key given argument a expires: a is in
 * seconds (secs) or ms, relative to now (rel) or absolute. Returns 1, or
 * replies with Redis' error for command name. */
static int expire_arg(struct kv_conn *c, const struct kv_arg *a, int secs,
                      int rel, const char *name, long long *at) {
  const long long max = (long long)(~0ull >> 1);
  long long v;
  if (!kv_parse_ll(a->p, a->n, &v)) {
    reply_error(c, notint);
    return 0;
  }
  if (v <= 0 || (secs && v > max / 1000) || (rel && v * (secs ? 1000 : 1) >
                                                        max - now_ms)) {
    reply_quoted(c, "invalid expire time in '", name, strlen(name),
                 "' command");
    return 0;
  }
  *at = v * (secs ? 1000 : 1) + (rel ? now_ms : 0);
  return 1;
}

/* SET's options, in the order of set_opts[]. */
enum { O_NX = 1, O_XX = 2, O_GET = 4, O_KEEPTTL = 8, O_EX = 16, O_PX = 32,
       O_EXAT = 64, O_PXAT = 128 };
#define O_TIMED (O_EX | O_PX | O_EXAT | O_PXAT)

/* SET key value with options (flags, the expire time at, 0: none): the
 * old value first with O_GET (GETSET), nil when NX or XX stop it. */
static void set_with(struct kv_conn *c, const struct kv_arg *argv, int flags,
                     long long at) {
  if (flags & O_GET) {
    char *v;
    long n = fetch(c, F_GET, &argv[1], NULL, 0, &v);
    reply_value(c, n, v);
    if (n < 0 && n != KV_NOTFOUND)
      return; /* not a string: the error is the reply */
  }
  int put = (flags & O_NX ? KV_SET_NX : 0) | (flags & O_XX ? KV_SET_XX : 0) |
            (flags & O_KEEPTTL ? KV_SET_KEEPTTL : 0);
  int rc = flexos_gate(store, store_put, A(1), A(2), put, at);
  if (flags & O_GET)
    return; /* the old value was the reply */
  if (rc == KV_NOTFOUND)
    reply_nil(c);
  else if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_status(c, "OK");
}

/* SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL], with
 * Redis' rules of which options go together ("syntax error" otherwise;
 * repeating one is allowed). */
static void cmd_set(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  static const char *const set_opts[] = {"nx", "xx",  "get",  "keepttl",
                                         "ex", "px", "exat", "pxat"};
  int flags = 0;
  const struct kv_arg *expire = NULL;
  for (int j = 3; j < argc; j++) {
    int k = 0;
    while (k < 8 && !kv_name_is(A(j), set_opts[k]))
      k++;
    int f = 1 << k;
    int clash = f == O_NX        ? O_XX
                : f == O_XX      ? O_NX
                : f == O_KEEPTTL ? O_TIMED
                : f & O_TIMED    ? (O_TIMED | O_KEEPTTL) & ~f
                                 : 0;
    if (k == 8 || (flags & clash) || (f & O_TIMED && j + 1 >= argc)) {
      reply_error(c, "syntax error");
      return;
    }
    flags |= f;
    if (f & O_TIMED)
      expire = &argv[++j];
  }
  long long at = 0;
  if (expire && !expire_arg(c, expire, flags & (O_EX | O_EXAT),
                            flags & (O_EX | O_PX), "set", &at))
    return;
  set_with(c, argv, flags, at);
}

/* SETEX and PSETEX key time value. */
static void set_expiring(struct kv_conn *c, const struct kv_arg *argv,
                         int secs, const char *name) {
  const struct kv_arg args[3] = {argv[0], argv[1], argv[3]};
  long long at;
  if (expire_arg(c, &argv[2], secs, 1, name, &at))
    set_with(c, args, 0, at);
}

static void cmd_setex(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  set_expiring(c, argv, 1, "setex");
}

static void cmd_psetex(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  set_expiring(c, argv, 0, "psetex");
}

static void cmd_setnx(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  int rc = flexos_gate(store, store_put, A(1), A(2), KV_SET_NX, 0LL);
  reply_count(c, rc == KV_NOTFOUND ? 0 : rc == 0 ? 1 : rc);
}

static void cmd_getset(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  set_with(c, argv, O_GET, 0);
}

static void cmd_getdel(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  char *v;
  long n = fetch(c, F_GET, &argv[1], NULL, 0, &v);
  reply_value(c, n, v); /* copied into the reply before the key goes */
  if (n >= 0)
    flexos_gate(store, store_del, A(1));
}

/* APPEND (offset -1), SETRANGE and STRLEN (offset 0, nothing written):
 * the string's new length. */
static void write_at(struct kv_conn *c, const struct kv_arg *key, long offset,
                     const struct kv_arg *val) {
  reply_count(c, flexos_gate(store, store_write, key->p, key->n, offset,
                             val->p, val->n, (size_t)KV_MAX_BULK));
}

static void cmd_append(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  write_at(c, &argv[1], -1, &argv[2]);
}

static void cmd_setrange(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  long offset;
  if (!arg_long(c, &argv[2], &offset))
    return;
  if (offset < 0)
    reply_error(c, "offset is out of range");
  else
    write_at(c, &argv[1], offset, &argv[3]);
}

static void cmd_strlen(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  const struct kv_arg none = {argv[1].p, 0, 0};
  write_at(c, &argv[1], 0, &none);
}

/* GETRANGE key start end, with Redis' index rules. */
static void cmd_getrange(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  long long start, end;
  char *v;
  if (!kv_parse_ll(A(2), &start) || !kv_parse_ll(A(3), &end)) {
    reply_error(c, notint);
    return;
  }
  long n = fetch(c, F_GET, &argv[1], NULL, 0, &v);
  if (n == KV_NOTFOUND)
    n = 0;
  if (n < 0) {
    reply_store_error(c, n);
    return;
  }
  if (start < 0 && end < 0 && start > end) {
    reply_bulk(c, "", 0);
    return;
  }
  if (start < 0)
    start += n;
  if (end < 0)
    end += n;
  if (start < 0)
    start = 0;
  if (end < 0)
    end = 0;
  if (end >= n)
    end = n - 1;
  if (start > end || n == 0)
    reply_bulk(c, "", 0);
  else
    reply_bulk(c, v + start, (size_t)(end - start + 1));
}

static void rename_key(struct kv_conn *c, const struct kv_arg *argv, int nx) {
  int rc = flexos_gate(store, store_rename, A(1), A(2), nx);
  if (rc == KV_NOTFOUND)
    reply_error(c, "no such key");
  else if (rc < 0)
    reply_store_error(c, rc);
  else if (nx)
    reply_int(c, rc != 0);
  else
    reply_status(c, "OK");
}

static void cmd_rename(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  rename_key(c, argv, 0);
}

static void cmd_renamenx(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  rename_key(c, argv, 1);
}

static void cmd_keys(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_KEYS, argc, argv, 0, 0);
}

static void cmd_randomkey(struct kv_conn *c, int argc,
                          const struct kv_arg *argv) {
  reply_fetched(c, F_RANDOMKEY, NULL, NULL, 0);
}

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX|XX|GT|LT]. */
static void expire_key(struct kv_conn *c, int argc, const struct kv_arg *argv,
                       int secs, int rel, const char *name) {
  static const char *const opts[] = {"nx", "xx", "gt", "lt"};
  const long long max = (long long)(~0ull >> 1);
  int flags = 0;
  for (int j = 3; j < argc; j++) {
    int k = 0;
    while (k < 4 && !kv_name_is(A(j), opts[k]))
      k++;
    if (k == 4) {
      reply_quoted(c, "Unsupported option ", A(j), "");
      return;
    }
    flags |= 1 << k; /* KV_EXP_NX, _XX, _GT, _LT */
  }
  if (flags & KV_EXP_NX && flags & (KV_EXP_XX | KV_EXP_GT | KV_EXP_LT)) {
    reply_error(c, "NX and XX, GT or LT options at the same time are not "
                   "compatible");
    return;
  }
  if (flags & KV_EXP_GT && flags & KV_EXP_LT) {
    reply_error(c, "GT and LT options at the same time are not compatible");
    return;
  }
  long long when;
  if (!kv_parse_ll(A(2), &when)) {
    reply_error(c, notint);
    return;
  }
  if ((secs && (when > max / 1000 || when < -max / 1000)) ||
      (rel && when * (secs ? 1000 : 1) > max - now_ms)) {
    reply_quoted(c, "invalid expire time in '", name, strlen(name),
                 "' command");
    return;
  }
  when = when * (secs ? 1000 : 1) + (rel ? now_ms : 0);
  reply_count(c, flexos_gate(store, store_expire, A(1), flags, when));
}

static void cmd_expire(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  expire_key(c, argc, argv, 1, 1, "expire");
}

static void cmd_pexpire(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  expire_key(c, argc, argv, 0, 1, "pexpire");
}

static void cmd_expireat(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  expire_key(c, argc, argv, 1, 0, "expireat");
}

static void cmd_pexpireat(struct kv_conn *c, int argc,
                          const struct kv_arg *argv) {
  expire_key(c, argc, argv, 0, 0, "pexpireat");
}

static void cmd_persist(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  reply_count(c, flexos_gate(store, store_expire, A(1), KV_EXP_PERSIST, 0LL));
}

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 without the key, -1 without an
 * expiry, else the time left (or the expire time, abs), rounded to
 * seconds unless ms. */
static void ttl_of(struct kv_conn *c, const struct kv_arg *argv, int ms,
                   int abs) {
  long at = flexos_gate(store, store_ttl, A(1));
  if (at == -1 || at == -2) {
    reply_int(c, at);
    return;
  }
  if (at < 0) {
    reply_store_error(c, KV_BADREPLY);
    return;
  }
  long long t = abs ? at : at - now_ms;
  if (t < 0)
    t = 0;
  reply_int(c, ms ? t : t / 1000 + (t % 1000 >= 500));
}

static void cmd_ttl(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  ttl_of(c, argv, 0, 0);
}

static void cmd_pttl(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  ttl_of(c, argv, 1, 0);
}

static void cmd_expiretime(struct kv_conn *c, int argc,
                           const struct kv_arg *argv) {
  ttl_of(c, argv, 0, 1);
}

static void cmd_pexpiretime(struct kv_conn *c, int argc,
                            const struct kv_arg *argv) {
  ttl_of(c, argv, 1, 1);
}

static void cmd_get(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_fetched(c, F_GET, &argv[1], NULL, 0);
}

static void cmd_mset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc % 2 == 0) {
    reply_arity(c, "mset");
    return;
  }
  for (int i = 1; i < argc; i += 2) {
    int rc = flexos_gate(store, store_set, A(i), A(i + 1));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
  }
  reply_status(c, "OK");
}

static void cmd_mget(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_array(c, argc - 1);
  for (int i = 1; i < argc; i++) {
    char *v;
    long n = fetch(c, F_GET, &argv[i], NULL, 0, &v);
    if (n >= 0)
      reply_bulk(c, v, (size_t)n);
    else
      reply_nil(c); /* missing, or not a string: nil, as in Redis */
  }
}

static void cmd_del(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long long n = 0;
  for (int i = 1; i < argc; i++)
    n += flexos_gate(store, store_del, A(i));
  reply_int(c, n);
}

static void cmd_exists(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long long n = 0;
  for (int i = 1; i < argc; i++)
    n += flexos_gate(store, store_type, A(i)) != KV_TYPE_NONE;
  reply_int(c, n);
}

static const char *const type_names[5];

static void cmd_type(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  int t = flexos_gate(store, store_type, A(1));
  reply_status(c, type_names[t >= 0 && t <= 4 ? t : 0]);
}

static void incr_by(struct kv_conn *c, const struct kv_arg *key,
                    long long delta) {
  long long result __flexos_share;
  int rc = flexos_gate(store, store_incrby, key->p, key->n, delta, &result);
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_int(c, result);
}

static void cmd_incr(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  incr_by(c, &argv[1], 1);
}

static void cmd_decr(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  incr_by(c, &argv[1], -1);
}

static void cmd_incrby(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long long d;
  if (!kv_parse_ll(A(2), &d))
    reply_error(c, notint);
  else
    incr_by(c, &argv[1], d);
}

/* INCRBYFLOAT key increment: Redis adds long doubles and writes the sum
 * with 17 decimals, trailing zeros dropped (kvfloat.h); the key keeps its
 * expiry. */
static void cmd_incrbyfloat(struct kv_conn *c, int argc,
                            const struct kv_arg *argv) {
  struct kv_ld value = {0, 0, 0}, incr, sum;
  char *v, *out;
  long n = fetch(c, F_GET, &argv[1], NULL, 0, &v);
  if (n < 0 && n != KV_NOTFOUND) {
    reply_store_error(c, n);
    return;
  }
  int old = n == KV_NOTFOUND ? 1 : kv_ld_parse(v, (size_t)n, &value);
  int add = old ? kv_ld_parse(A(2), &incr) : 0;
  if (!old || !add) {
    reply_error(c, "value is not a valid float");
    return;
  }
  if (old == 2 || add == 2 || !kv_ld_add(value, incr, &sum)) {
    reply_error(c, "increment would produce NaN or Infinity");
    return;
  }
  if (!(out = conn_scratch(c, KV_LD_CHARS)))
    return;
  size_t len = kv_ld_format(sum, out);
  int rc = flexos_gate(store, store_put, A(1), out, len, KV_SET_KEEPTTL, 0LL);
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_bulk(c, out, len);
}

static void cmd_decrby(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long long d;
  if (!kv_parse_ll(A(2), &d))
    reply_error(c, notint);
  else if (d == (long long)((unsigned long long)1 << 63)) /* -LLONG_MIN */
    reply_error(c, "decrement would overflow");
  else
    incr_by(c, &argv[1], -d);
}

static void push(struct kv_conn *c, int argc, const struct kv_arg *argv,
                 int where) {
  long n = 0;
  for (int i = 2; i < argc; i++) {
    n = flexos_gate(store, store_push, A(1), A(i), where);
    if (n < 0) {
      reply_store_error(c, n);
      return;
    }
  }
  reply_int(c, n);
}

static void cmd_lpush(struct kv_conn *c, int argc,
                      const struct kv_arg *argv) {
  push(c, argc, argv, KV_HEAD);
}

static void cmd_rpush(struct kv_conn *c, int argc,
                      const struct kv_arg *argv) {
  push(c, argc, argv, KV_TAIL);
}

/* LPOP/RPOP key [count]: one element as a bulk string, or with a count
 * an array of up to count elements (nil array if the key is missing). */
static void pop(struct kv_conn *c, int argc, const struct kv_arg *argv,
                int where, const char *name) {
  long long count = 1;
  char *v;
  if (argc > 3) {
    reply_arity(c, name);
    return;
  }
  if (argc == 3 && (!kv_parse_ll(A(2), &count) || count < 0)) {
    reply_error(c, "value is out of range, must be positive");
    return;
  }
  if (argc == 2) {
    reply_fetched(c, F_POP, &argv[1], NULL, where);
    return;
  }
  long len = flexos_gate(store, store_llen, A(1));
  if (len < 0) {
    reply_store_error(c, len);
    return;
  }
  if (len == 0) {
    reply_array(c, -1);
    return;
  }
  if (count > len)
    count = len;
  reply_array(c, (long)count);
  for (long long i = 0; i < count; i++) {
    long n = fetch(c, F_POP, &argv[1], NULL, where, &v);
    if (n < 0)
      return; /* out of memory: the connection is done */
    reply_bulk(c, v, (size_t)n);
  }
}

static void cmd_lpop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  pop(c, argc, argv, KV_HEAD, "lpop");
}

static void cmd_rpop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  pop(c, argc, argv, KV_TAIL, "rpop");
}

static void cmd_llen(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_count(c, flexos_gate(store, store_llen, A(1)));
}

static void cmd_lrange(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long start, stop;
  if (arg_long(c, &argv[2], &start) && arg_long(c, &argv[3], &stop))
    reply_records(c, R_LRANGE, argc, argv, start, stop);
}

static void cmd_lindex(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long index;
  if (arg_long(c, &argv[2], &index))
    reply_fetched(c, F_LINDEX, &argv[1], NULL, index);
}

static void cmd_lset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long index;
  if (!arg_long(c, &argv[2], &index))
    return;
  int rc = flexos_gate(store, store_lset, A(1), index, A(3));
  if (rc == KV_NOTFOUND)
    reply_error(c, "no such key");
  else if (rc == KV_RANGE)
    reply_error(c, "index out of range");
  else if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_status(c, "OK");
}

static void cmd_lrem(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long count;
  if (arg_long(c, &argv[2], &count))
    reply_count(c, flexos_gate(store, store_lrem, A(1), count, A(3)));
}

/* LINSERT key BEFORE|AFTER pivot value: 0 without the key, -1 without the
 * pivot, else the new length. */
static void cmd_linsert(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  int after = kv_name_is(A(2), "after");
  if (!after && !kv_name_is(A(2), "before")) {
    reply_error(c, "syntax error");
    return;
  }
  long n = flexos_gate(store, store_llen, A(1));
  if (n <= 0) {
    reply_count(c, n);
    return;
  }
  long at = flexos_gate(store, store_lfind, A(1), A(3));
  if (at == KV_NOTFOUND)
    reply_int(c, -1);
  else if (at < 0)
    reply_store_error(c, at);
  else
    reply_count(c, flexos_gate(store, store_linsert, A(1), at + after, A(4)));
}

static void cmd_ltrim(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long start, stop;
  if (!arg_long(c, &argv[2], &start) || !arg_long(c, &argv[3], &stop))
    return;
  int rc = flexos_gate(store, store_ltrim, A(1), start, stop);
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_status(c, "OK");
}

/* HSET and HMSET: field/value pairs; HSET answers how many are new. */
static void hset(struct kv_conn *c, int argc, const struct kv_arg *argv,
                 const char *name) {
  long long added = 0;
  if (argc % 2 == 1) {
    reply_arity(c, name);
    return;
  }
  for (int i = 2; i < argc; i += 2) {
    int rc = flexos_gate(store, store_hset, A(1), A(i), A(i + 1));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
    added += rc;
  }
  if (name[1] == 'm')
    reply_status(c, "OK");
  else
    reply_int(c, added);
}

static void cmd_hset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  hset(c, argc, argv, "hset");
}

static void cmd_hmset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  hset(c, argc, argv, "hmset");
}

static void cmd_hsetnx(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long there = flexos_gate(store, store_member, A(1), KV_TYPE_HASH, A(2));
  if (there != 0) {
    reply_count(c, there < 0 ? there : 0); /* 0: already set */
    return;
  }
  int rc = flexos_gate(store, store_hset, A(1), A(2), A(3));
  reply_count(c, rc);
}

static void cmd_hget(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_fetched(c, F_HGET, &argv[1], &argv[2], 0);
}

static void cmd_hmget(struct kv_conn *c, int argc,
                      const struct kv_arg *argv) {
  int t = flexos_gate(store, store_type, A(1));
  if (t != KV_TYPE_NONE && t != KV_TYPE_HASH) {
    reply_error(c, wrongtype);
    return;
  }
  reply_array(c, argc - 2);
  for (int i = 2; i < argc; i++) {
    char *v;
    long n = fetch(c, F_HGET, &argv[1], &argv[i], 0, &v);
    if (n >= 0)
      reply_bulk(c, v, (size_t)n);
    else
      reply_nil(c);
  }
}

/* HDEL and SREM: how many of argv[2..) were removed. */
static void remove_each(struct kv_conn *c, int argc,
                        const struct kv_arg *argv, int type) {
  long long n = 0;
  for (int i = 2; i < argc; i++) {
    long rc = flexos_gate(store, store_remove, A(1), type, A(i));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
    n += rc;
  }
  reply_int(c, n);
}

static void cmd_hdel(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  remove_each(c, argc, argv, KV_TYPE_HASH);
}

static void cmd_hlen(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_count(c, flexos_gate(store, store_card, A(1), KV_TYPE_HASH));
}

static void cmd_hexists(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  reply_count(c, flexos_gate(store, store_member, A(1), KV_TYPE_HASH, A(2)));
}

static void cmd_hgetall(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_PAIRS, 0);
}

static void cmd_hkeys(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_FIELDS, 0);
}

static void cmd_hvals(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_VALUES, 0);
}

static void cmd_hincrby(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  long long d, result __flexos_share;
  if (!kv_parse_ll(A(3), &d)) {
    reply_error(c, notint);
    return;
  }
  int rc = flexos_gate(store, store_hincrby, A(1), A(2), d, &result);
  if (rc == KV_NOTINT)
    reply_error(c, "hash value is not an integer");
  else if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_int(c, result);
}

static void cmd_sadd(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long long n = 0;
  for (int i = 2; i < argc; i++) {
    long rc = flexos_gate(store, store_sadd, A(1), A(i));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
    n += rc;
  }
  reply_int(c, n);
}

static void cmd_srem(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  remove_each(c, argc, argv, KV_TYPE_SET);
}

static void cmd_smembers(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_MEMBERS, 0);
}

static void cmd_sismember(struct kv_conn *c, int argc,
                          const struct kv_arg *argv) {
  reply_count(c, flexos_gate(store, store_member, A(1), KV_TYPE_SET, A(2)));
}

static void cmd_scard(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_count(c, flexos_gate(store, store_card, A(1), KV_TYPE_SET));
}

/* SPOP key [count]: one random member (nil without the key), or an array
 * of up to count (empty without the key). */
static void cmd_spop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long long count;
  if (argc > 3) {
    reply_error(c, "syntax error");
    return;
  }
  if (argc == 2) {
    reply_fetched(c, F_SPOP, &argv[1], NULL, 0);
    return;
  }
  if (!kv_parse_ll(A(2), &count) || count < 0) {
    reply_error(c, "value is out of range, must be positive");
    return;
  }
  long n = flexos_gate(store, store_card, A(1), KV_TYPE_SET);
  if (n < 0) {
    reply_store_error(c, n);
    return;
  }
  if (count > n)
    count = n;
  reply_set(c, (long)count);
  for (long long i = 0; i < count; i++) {
    char *v;
    long len = fetch(c, F_SPOP, &argv[1], NULL, 0, &v);
    if (len < 0)
      return; /* out of memory: the connection is done */
    reply_bulk(c, v, (size_t)len);
  }
}

static void cmd_sinter(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  reply_records(c, R_SETOP, argc, argv, KV_SINTER, 0);
}

static void cmd_sunion(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  reply_records(c, R_SETOP, argc, argv, KV_SUNION, 0);
}

static void cmd_sdiff(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_SETOP, argc, argv, KV_SDIFF, 0);
}

static void cmd_dbsize(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  reply_int(c, flexos_gate(store, store_dbsize));
}

/* FLUSHDB and FLUSHALL [ASYNC|SYNC]. */
static void flush(struct kv_conn *c, int argc, const struct kv_arg *argv,
                  int all) {
  if (argc > 2 || (argc == 2 && !kv_name_is(A(1), "async") &&
                   !kv_name_is(A(1), "sync"))) {
    reply_error(c, "syntax error");
    return;
  }
  flexos_gate(store, store_flush, all);
  reply_status(c, "OK");
}

static void cmd_flushdb(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  flush(c, argc, argv, 0);
}

static void cmd_flushall(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  flush(c, argc, argv, 1);
}

/* The database the store works in: told only when it changes (commands
 * run one at a time, each after use_db(its connection's database)). */
static void use_db(int db) {
  static int told;
  if (db != told) {
    told = db;
    flexos_gate(store, store_select, db);
  }
}

static void cmd_select(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long long db;
  if (!kv_parse_ll(A(1), &db) || db != (int)db)
    reply_error(c, notint);
  else if (db < 0 || db >= KV_DATABASES)
    reply_error(c, "DB index is out of range");
  else {
    conn_set_db(c, (int)db);
    use_db((int)db);
    reply_status(c, "OK");
  }
}

/* WATCH key...: the store's change count of each key, compared at EXEC. */
static void cmd_watch(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (conn_in_multi(c)) {
    reply_error(c, "WATCH inside MULTI is not allowed");
    return;
  }
  for (int i = 1; i < argc; i++) {
    size_t pos = 0;
    int db, seen = 0;
    long v;
    struct kv_arg k;
    while (!seen && conn_watch_next(c, &pos, &db, &v, &k))
      seen = db == conn_db(c) && k.n == argv[i].n &&
             memcmp(k.p, argv[i].p, k.n) == 0;
    if (seen)
      continue;
    v = flexos_gate(store, store_watch, A(i), KV_WATCH_ADD);
    if (v >= 0 && conn_watch_add(c, conn_db(c), v, A(i)) < 0) {
      flexos_gate(store, store_watch, A(i), KV_WATCH_DROP);
      v = KV_NOMEM;
    }
    if (v < 0) {
      reply_store_error(c, v);
      return;
    }
  }
  reply_status(c, "OK");
}

/* Walks the watched keys: with drop, tells the store to stop watching
 * them and empties the list; else returns whether any changed. */
static int watched_keys(struct kv_conn *c, int drop) {
  size_t pos = 0;
  int db, changed = 0;
  long v;
  struct kv_arg k;
  while (conn_watch_next(c, &pos, &db, &v, &k)) {
    use_db(db);
    changed |= flexos_gate(store, store_watch, k.p, k.n,
                           drop ? KV_WATCH_DROP : KV_WATCH_PEEK) != v;
  }
  use_db(conn_db(c));
  if (drop)
    conn_watch_clear(c);
  return changed;
}

void kv_unwatch_all(struct kv_conn *c) { watched_keys(c, 1); }

static void cmd_unwatch(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  kv_unwatch_all(c);
  reply_status(c, "OK");
}

/* TYPE's names and SCAN's TYPE filter, by KV_TYPE_*. */
static const char *const type_names[] = {"none", "string", "list", "hash",
                                         "set"};

/* An unsigned cursor as Redis reads it (strtoul: a sign, digits, no
 * overflow; a negative one wraps). Returns 1 and sets *v. */
static int parse_cursor(const char *s, size_t n, unsigned long *v) {
  size_t i = 0;
  int neg = 0;
  *v = 0;
  if (n && (s[0] == '-' || s[0] == '+'))
    neg = s[i++] == '-';
  if (i == n && i > 0)
    return 0; /* a sign alone */
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9' || *v > (~0ul - (unsigned)(s[i] - '0')) / 10)
      return 0;
    *v = *v * 10 + (unsigned)(s[i] - '0');
  }
  if (neg)
    *v = 0 - *v;
  return 1;
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. */
static void cmd_scan(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  unsigned long cursor __flexos_share;
  unsigned long at;
  long count = 10, n __flexos_share;
  int type = 0;
  const struct kv_arg *match = NULL;
  if (!parse_cursor(A(1), &at)) {
    reply_error(c, "invalid cursor");
    return;
  }
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) {
      reply_error(c, "syntax error");
      return;
    }
    if (kv_name_is(A(i), "count")) {
      if (!arg_long(c, &argv[i + 1], &count))
        return;
      if (count < 1) {
        reply_error(c, "syntax error");
        return;
      }
    } else if (kv_name_is(A(i), "match")) {
      match = &argv[i + 1];
      if (match->n == 1 && match->p[0] == '*')
        match = NULL;
    } else if (kv_name_is(A(i), "type")) {
      type = 99; /* no key has it */
      for (int t = 1; t < 5; t++)
        if (kv_name_is(A(i + 1), type_names[t]))
          type = t;
    } else {
      reply_error(c, "syntax error");
      return;
    }
  }
  size_t cap = 256;
  long need;
  char *buf;
  for (;;) {
    if (!(buf = conn_scratch(c, cap)))
      return;
    cursor = at;
    need = flexos_gate(store, store_scan, &cursor, count, type, buf, cap, &n);
    if (need > KV_MAX_QUERY) {
      reply_store_error(c, KV_NOMEM);
      return;
    }
    if (need < 0 || (size_t)need <= cap)
      break;
    cap = (size_t)need;
  }
  if (need < 0) {
    reply_store_error(c, need);
    return;
  }
  char digits[KV_LL_MAX_DIGITS + 1];
  unsigned long next = cursor;
  size_t len = 0;
  do
    digits[sizeof digits - 1 - len++] = (char)('0' + next % 10);
  while ((next /= 10) != 0);
  reply_array(c, 2);
  reply_bulk(c, digits + sizeof digits - len, len);
  reply_record_array(c, buf, need, n, match, SHAPE_ARRAY);
}

static void cmd_quit(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_status(c, "OK");
  conn_close_after_reply(c);
}

/* CONFIG GET name...: the few settings clients ask about (redis-benchmark
 * reads "save" and "appendonly" before it starts). */
static void cmd_config(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  static const char *const settings[][2] = {
      {"save", ""}, {"appendonly", "no"}, {"databases", "16"}};
  const int nsettings = sizeof settings / sizeof settings[0];
  if (!kv_name_is(A(1), "get")) {
    reply_error(c, "unknown subcommand or wrong number of arguments for "
                   "'CONFIG'. Try CONFIG HELP.");
    return;
  }
  if (argc < 3) {
    reply_error(c, "wrong number of arguments for 'config|get' command");
    return;
  }
  int hits[sizeof settings / sizeof settings[0]] = {0}, nhits = 0;
  for (int i = 2; i < argc; i++)
    for (int s = 0; s < nsettings; s++)
      if (!hits[s] && ((argv[i].n == 1 && argv[i].p[0] == '*') ||
                       kv_name_is(A(i), settings[s][0]))) {
        hits[s] = 1;
        nhits++;
      }
  reply_map(c, nhits);
  for (int s = 0; s < nsettings; s++)
    if (hits[s]) {
      reply_bulk(c, settings[s][0], strlen(settings[s][0]));
      reply_bulk(c, settings[s][1], strlen(settings[s][1]));
    }
}

/* ---- connection: HELLO, CLIENT, INFO, RESET ---------------------------- */

/* The version the kvstore answers as (HELLO, INFO): the Redis whose
 * replies it gives. */
#define KV_REDIS_VERSION "7.0.15"

/* A name CLIENT SETNAME and HELLO SETNAME accept (no spaces, newlines or
 * other special characters); else the error reply. */
static int valid_name(struct kv_conn *c, const struct kv_arg *name) {
  for (size_t i = 0; i < name->n; i++)
    if (name->p[i] < '!' || name->p[i] > '~') {
      reply_error(c, "Client names cannot contain spaces, newlines or "
                     "special characters.");
      return 0;
    }
  return 1;
}

static int set_name(struct kv_conn *c, const struct kv_arg *name) {
  if (conn_set_name(c, name->p, name->n) == 0)
    return 1;
  reply_error(c, "out of memory");
  return 0;
}

/* HELLO [2|3 [AUTH user pass] [SETNAME name]]: there are no passwords,
 * so AUTH accepts user "default" with any password, as Redis' default
 * user without one does. */
static void cmd_hello(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long long ver = 0;
  const struct kv_arg *user = NULL;
  int j = 1;
  if (argc >= 2) {
    if (!kv_parse_ll(A(1), &ver)) {
      reply_error(c, "Protocol version is not an integer or out of range");
      return;
    }
    if (ver < 2 || ver > 3) {
      reply_error(c, "-NOPROTO unsupported protocol version");
      return;
    }
    j = 2;
  }
  for (; j < argc; j++) {
    int more = argc - 1 - j;
    if (kv_name_is(A(j), "auth") && more >= 2) {
      user = &argv[j + 1];
      j += 2;
    } else if (kv_name_is(A(j), "setname") && more) {
      /* Named at once, as Redis 7.0 does, even if a later option fails. */
      if (!valid_name(c, &argv[j + 1]) || !set_name(c, &argv[j + 1]))
        return;
      j++;
    } else {
      reply_quoted(c, "Syntax error in HELLO option '", A(j), "'");
      return;
    }
  }
  if (user && (user->n != 7 || memcmp(user->p, "default", 7) != 0)) {
    reply_error(c, "-WRONGPASS invalid username-password pair or user is "
                   "disabled.");
    return;
  }
  if (ver)
    conn_set_resp(c, (int)ver);
  static const char *const fields[][2] = {
      {"server", "redis"}, {"version", KV_REDIS_VERSION}, {"proto", NULL},
      {"id", NULL},        {"mode", "standalone"},        {"role", "master"}};
  reply_map(c, 7);
  for (int f = 0; f < 6; f++) {
    reply_bulk(c, fields[f][0], strlen(fields[f][0]));
    if (fields[f][1])
      reply_bulk(c, fields[f][1], strlen(fields[f][1]));
    else
      reply_int(c, f == 2 ? conn_resp(c) : conn_id(c));
  }
  reply_bulk(c, "modules", 7);
  reply_array(c, 0);
}

/* Text built up for INFO and CLIENT LIST (private memory). */
struct text {
  char *p;
  size_t n, cap;
  int failed;
};

static void put(struct text *t, const char *s, size_t n) {
  if (t->failed || n == 0)
    return;
  if (t->cap - t->n < n) {
    size_t cap = t->cap ? t->cap : 1024;
    while (cap - t->n < n)
      cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
      t->failed = 1;
      return;
    }
    t->p = p;
    t->cap = cap;
  }
  memcpy(t->p + t->n, s, n);
  t->n += n;
}

static void puts_(struct text *t, const char *s) { put(t, s, strlen(s)); }

static void put_ll(struct text *t, long long v) {
  char digits[KV_LL_MAX_DIGITS];
  put(t, digits, kv_format_ll(digits, v));
}

/* The text as a verbatim string (a bulk string in RESP2); frees it. */
static void reply_text(struct kv_conn *c, struct text *t) {
  if (t->failed)
    reply_error(c, "out of memory");
  else
    reply_verbatim(c, t->p ? t->p : "", t->n);
  free(t->p);
}

/* One line of CLIENT LIST / CLIENT INFO, with Redis 7.0's fields. The
 * engine sees no sockets: addr and laddr are "?:0", fd is -1; buffer and
 * memory sizes are 0 (they would depend on how the input was split). */
static void client_line(struct text *t, const struct kv_conn *x) {
  size_t name_len;
  const char *name = conn_name(x, &name_len);
  const char *cmd = conn_cmd(x);
  puts_(t, "id=");
  put_ll(t, conn_id(x));
  puts_(t, " addr=?:0 laddr=?:0 fd=-1 name=");
  put(t, name, name_len);
  puts_(t, " age=");
  put_ll(t, (now_ms - conn_since(x)) / 1000);
  puts_(t, " idle=");
  put_ll(t, (now_ms - conn_last(x)) / 1000);
  puts_(t, conn_in_multi(x) ? " flags=x db=" : " flags=N db=");
  put_ll(t, conn_db(x));
  puts_(t, " sub=0 psub=0 ssub=0 multi=");
  put_ll(t, conn_in_multi(x) ? conn_multi_count(x) : -1);
  puts_(t, " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 "
            "oll=0 omem=0 tot-mem=0 events=r cmd=");
  puts_(t, cmd ? cmd : "NULL");
  puts_(t, " user=default redir=-1 resp=");
  put_ll(t, conn_resp(x));
  puts_(t, "\n");
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id...]. */
static void client_list(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  struct text t = {0};
  int none = 0, ids = 0;
  for (int j = 2; j < argc; j++) {
    if (kv_name_is(A(j), "type") && j + 1 < argc) {
      j++;
      if (kv_name_is(A(j), "master") || kv_name_is(A(j), "replica") ||
          kv_name_is(A(j), "slave") || kv_name_is(A(j), "pubsub"))
        none = 1; /* only normal clients here */
      else if (!kv_name_is(A(j), "normal")) {
        reply_quoted(c, "Unknown client type '", A(j), "'");
        return;
      }
    } else if (kv_name_is(A(j), "id") && j + 1 < argc) {
      ids = ++j;
      for (long long id; j < argc; j++)
        if (!kv_parse_ll(A(j), &id)) {
          reply_error(c, "Invalid client ID");
          return;
        }
    } else {
      reply_error(c, "syntax error");
      return;
    }
  }
  for (const struct kv_conn *x = conn_next(NULL); x && !none;
       x = conn_next(x)) {
    int listed = !ids;
    for (int j = ids; ids && j < argc && !listed; j++) {
      long long id;
      listed = kv_parse_ll(A(j), &id) && id == conn_id(x);
    }
    if (listed)
      client_line(&t, x);
  }
  reply_text(c, &t);
}

/* CLIENT ID|GETNAME|SETNAME|INFO|LIST. */
static void cmd_client(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  static const struct {
    const char *name, *full;
    int arity;
  } subs[] = {{"id", "client|id", 2},          {"getname", "client|getname", 2},
              {"setname", "client|setname", 3}, {"info", "client|info", 2},
              {"list", "client|list", -2}};
  int k = 0;
  while (k < 5 && !kv_name_is(A(1), subs[k].name))
    k++;
  if (k == 5) {
    reply_quoted(c, "unknown subcommand '", A(1), "'. Try CLIENT HELP.");
    return;
  }
  conn_set_cmd(c, subs[k].full, now_ms);
  if (subs[k].arity > 0 ? argc != subs[k].arity : argc < -subs[k].arity) {
    reply_arity(c, subs[k].full);
    return;
  }
  size_t n;
  const char *name;
  struct text t = {0};
  switch (k) {
  case 0: reply_int(c, conn_id(c)); break;
  case 1:
    name = conn_name(c, &n);
    if (name)
      reply_bulk(c, name, n);
    else
      reply_nil(c);
    break;
  case 2:
    if (valid_name(c, &argv[2]) && set_name(c, &argv[2]))
      reply_status(c, "OK");
    break;
  case 3:
    client_line(&t, c);
    reply_text(c, &t);
    break;
  default: client_list(c, argc, argv); break;
  }
}

/* When the first command ran (INFO's uptime). */
static long long started_ms = -1;

/* INFO [section...]: server, clients, memory, keyspace ("all",
 * "everything" and "default" give them all; other names nothing). */
static void cmd_info(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  static const char *const names[] = {"server", "clients", "memory",
                                      "keyspace"};
  int want[4] = {argc == 1, argc == 1, argc == 1, argc == 1}, sections = 0;
  struct text t = {0};
  for (int j = 1; j < argc; j++)
    for (int s = 0; s < 4; s++)
      want[s] |= kv_name_is(A(j), names[s]) || kv_name_is(A(j), "all") ||
                 kv_name_is(A(j), "everything") ||
                 kv_name_is(A(j), "default");
  if (want[0]) {
    long long up = (now_ms - started_ms) / 1000;
    puts_(&t, "# Server\r\nredis_version:" KV_REDIS_VERSION "\r\n"
              "redis_mode:standalone\r\nos:flexos\r\narch_bits:64\r\n"
              "uptime_in_seconds:");
    put_ll(&t, up);
    puts_(&t, "\r\nuptime_in_days:");
    put_ll(&t, up / 86400);
    puts_(&t, "\r\n");
    sections++;
  }
  if (want[1]) {
    long long n = 0;
    for (const struct kv_conn *x = conn_next(NULL); x; x = conn_next(x))
      n++;
    puts_(&t, sections++ ? "\r\n# Clients\r\n" : "# Clients\r\n");
    puts_(&t, "connected_clients:");
    put_ll(&t, n);
    puts_(&t, "\r\ncluster_connections:0\r\nblocked_clients:0\r\n"
              "tracking_clients:0\r\n");
  }
  if (want[2]) {
    puts_(&t, sections++ ? "\r\n# Memory\r\n" : "# Memory\r\n");
    puts_(&t, "maxmemory:0\r\nmaxmemory_human:0B\r\n"
              "maxmemory_policy:noeviction\r\n");
  }
  if (want[3]) {
    puts_(&t, sections++ ? "\r\n# Keyspace\r\n" : "# Keyspace\r\n");
    for (int db = 0; db < KV_DATABASES; db++) {
      use_db(db);
      long keys = flexos_gate(store, store_dbsize);
      long expires = flexos_gate(store, store_expires);
      if (keys <= 0)
        continue;
      puts_(&t, "db");
      put_ll(&t, db);
      puts_(&t, ":keys=");
      put_ll(&t, keys);
      puts_(&t, ",expires=");
      put_ll(&t, expires < 0 ? 0 : expires);
      puts_(&t, ",avg_ttl=0\r\n");
    }
    use_db(conn_db(c));
  }
  reply_text(c, &t);
}

/* RESET: out of MULTI, no watched keys, database 0, RESP2, no name. */
static void cmd_reset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  conn_multi_end(c);
  kv_unwatch_all(c);
  conn_set_db(c, 0);
  use_db(0);
  conn_set_resp(c, 2);
  conn_set_name(c, NULL, 0);
  reply_status(c, "RESET");
}

/* COMMAND [COUNT|DOCS]: redis-cli asks for docs; an empty answer makes it
 * fall back to its built-in help. */
static void cmd_command(struct kv_conn *c, int argc,
                        const struct kv_arg *argv);

/* Transactions, with Redis' semantics: between MULTI and EXEC commands
 * are checked (name, arity) and queued, not run; a refused one makes EXEC
 * answer EXECABORT and run nothing; EXEC runs them all, one reply each in
 * an array; DISCARD drops them; a watched key changed since WATCH makes
 * EXEC run nothing and answer a nil array. */
static void cmd_multi(struct kv_conn *c, int argc, const struct kv_arg *argv);
static void cmd_exec(struct kv_conn *c, int argc, const struct kv_arg *argv);

static void cmd_discard(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (!conn_in_multi(c)) {
    reply_error(c, "DISCARD without MULTI");
    return;
  }
  kv_unwatch_all(c);
  conn_multi_end(c);
  reply_status(c, "OK");
}

struct command {
  const char *name; /* lowercase */
  int arity;
  handler_fn *fn;
};

static const struct command commands[] = {
    {"get", 2, cmd_get},         {"set", -3, cmd_set},
    {"ping", -1, cmd_ping},      {"incr", 2, cmd_incr},
    {"lpush", -3, cmd_lpush},    {"lpop", -2, cmd_lpop},
    {"rpush", -3, cmd_rpush},    {"rpop", -2, cmd_rpop},
    {"del", -2, cmd_del},        {"exists", -2, cmd_exists},
    {"mset", -3, cmd_mset},      {"mget", -2, cmd_mget},
    {"decr", 2, cmd_decr},       {"incrby", 3, cmd_incrby},
    {"decrby", 3, cmd_decrby},   {"llen", 2, cmd_llen},
    {"lrange", 4, cmd_lrange},   {"type", 2, cmd_type},
    {"echo", 2, cmd_echo},       {"dbsize", 1, cmd_dbsize},
    {"flushall", -1, cmd_flushall}, {"flushdb", -1, cmd_flushdb},
    {"select", 2, cmd_select},   {"quit", -1, cmd_quit},
    {"config", -2, cmd_config},  {"command", -1, cmd_command},
    {"multi", 1, cmd_multi},     {"exec", 1, cmd_exec},
    {"discard", 1, cmd_discard},
    {"lindex", 3, cmd_lindex},   {"lset", 4, cmd_lset},
    {"lrem", 4, cmd_lrem},       {"linsert", 5, cmd_linsert},
    {"ltrim", 4, cmd_ltrim},
    {"hset", -4, cmd_hset},      {"hmset", -4, cmd_hmset},
    {"hsetnx", 4, cmd_hsetnx},   {"hget", 3, cmd_hget},
    {"hmget", -3, cmd_hmget},    {"hdel", -3, cmd_hdel},
    {"hlen", 2, cmd_hlen},       {"hexists", 3, cmd_hexists},
    {"hgetall", 2, cmd_hgetall}, {"hkeys", 2, cmd_hkeys},
    {"hvals", 2, cmd_hvals},     {"hincrby", 4, cmd_hincrby},
    {"sadd", -3, cmd_sadd},      {"srem", -3, cmd_srem},
    {"smembers", 2, cmd_smembers}, {"sismember", 3, cmd_sismember},
    {"scard", 2, cmd_scard},     {"spop", -2, cmd_spop},
    {"sinter", -2, cmd_sinter},  {"sunion", -2, cmd_sunion},
    {"sdiff", -2, cmd_sdiff},
    {"setex", 4, cmd_setex},     {"psetex", 4, cmd_psetex},
    {"setnx", 3, cmd_setnx},     {"getset", 3, cmd_getset},
    {"getdel", 2, cmd_getdel},   {"append", 3, cmd_append},
    {"strlen", 2, cmd_strlen},   {"setrange", 4, cmd_setrange},
    {"getrange", 4, cmd_getrange}, {"rename", 3, cmd_rename},
    {"renamenx", 3, cmd_renamenx}, {"keys", 2, cmd_keys},
    {"randomkey", 1, cmd_randomkey}, {"expire", -3, cmd_expire},
    {"pexpire", -3, cmd_pexpire}, {"expireat", -3, cmd_expireat},
    {"pexpireat", -3, cmd_pexpireat}, {"ttl", 2, cmd_ttl},
    {"pttl", 2, cmd_pttl},       {"persist", 2, cmd_persist},
    {"expiretime", 2, cmd_expiretime}, {"pexpiretime", 2, cmd_pexpiretime},
    {"watch", -2, cmd_watch},    {"unwatch", 1, cmd_unwatch},
    {"scan", -2, cmd_scan},      {"incrbyfloat", 3, cmd_incrbyfloat},
    {"hello", -1, cmd_hello},    {"client", -2, cmd_client},
    {"info", -1, cmd_info},      {"reset", 1, cmd_reset},
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void cmd_command(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  if (argc == 1)
    reply_array(c, 0);
  else if (kv_name_is(A(1), "count") && argc != 2)
    reply_arity(c, "command|count");
  else if (kv_name_is(A(1), "count"))
    reply_int(c, NCOMMANDS);
  else if (kv_name_is(A(1), "docs"))
    reply_map(c, 0);
  else
    reply_quoted(c, "unknown subcommand '", A(1), "'. Try COMMAND HELP.");
}

/* Appends at most max bytes of s[0..n) to msg, stopping at a NUL (Redis
 * formats these with %.*s) and turning CR and LF into spaces so that the
 * error stays one line. */
static size_t quote_into(char *msg, size_t len, const char *s, size_t n,
                         size_t max) {
  for (size_t i = 0; i < n && i < max && s[i]; i++)
    msg[len++] = s[i] == '\r' || s[i] == '\n' ? ' ' : s[i];
  return len;
}

/* "unknown command 'x', with args beginning with: 'a' 'b' ", as Redis 7
 * words it: at most 128 bytes of the name and about 128 of arguments. */
static void reply_unknown(struct kv_conn *c, int argc,
                          const struct kv_arg *argv) {
  char msg[512];
  size_t len = 0, args = 0;
  const char *head = "unknown command '";
  const char *mid = "', with args beginning with: ";
  len = quote_into(msg, len, head, strlen(head), 64);
  len = quote_into(msg, len, A(0), 128);
  len = quote_into(msg, len, mid, strlen(mid), 64);
  for (int i = 1; i < argc && args < 128; i++) {
    size_t before = len;
    msg[len++] = '\'';
    len = quote_into(msg, len, A(i), 128 - args);
    msg[len++] = '\'';
    msg[len++] = ' ';
    args += len - before;
  }
  msg[len] = 0;
  reply_error(c, msg);
}

/* The error head + s[0..n) + tail, s cut at 128 bytes. */
static void reply_quoted(struct kv_conn *c, const char *head, const char *s,
                         size_t n, const char *tail) {
  char msg[256];
  size_t len = quote_into(msg, 0, head, strlen(head), 64);
  len = quote_into(msg, len, s, n, 128);
  len = quote_into(msg, len, tail, strlen(tail), 32);
  msg[len] = 0;
  reply_error(c, msg);
}

/* "wrong number of arguments for 'name' command". */
static void reply_arity(struct kv_conn *c, const char *name) {
  reply_quoted(c, "wrong number of arguments for '", name, strlen(name),
               "' command");
}

static const struct command *lookup(const struct kv_arg *name) {
  for (int i = 0; i < NCOMMANDS; i++)
    if (kv_name_is(name->p, name->n, commands[i].name))
      return &commands[i];
  return NULL;
}

/* The command, after Redis' checks (name, arity), or NULL after their
 * error reply; a refusal inside MULTI aborts the transaction. */
static const struct command *checked(struct kv_conn *c, int argc,
                                     const struct kv_arg *argv) {
  const struct command *cmd = lookup(&argv[0]);
  if (!cmd) {
    reply_unknown(c, argc, argv);
    conn_multi_flag(c);
    return NULL;
  }
  if ((cmd->arity > 0 && argc != cmd->arity) ||
      (cmd->arity < 0 && argc < -cmd->arity)) {
    reply_arity(c, cmd->name);
    conn_multi_flag(c);
    return NULL;
  }
  return cmd;
}

static void cmd_multi(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (conn_in_multi(c)) {
    reply_error(c, "MULTI calls can not be nested");
    return;
  }
  conn_multi_begin(c);
  reply_status(c, "OK");
}

static void cmd_exec(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (!conn_in_multi(c)) {
    reply_error(c, "EXEC without MULTI");
    return;
  }
  if (conn_multi_dirty(c)) {
    kv_unwatch_all(c);
    conn_multi_end(c);
    reply_error(c, "-EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  /* A watched key changed since WATCH: nothing runs, a nil array. */
  int changed = watched_keys(c, 0);
  kv_unwatch_all(c);
  if (changed) {
    conn_multi_end(c);
    reply_array(c, -1);
    return;
  }
  reply_array(c, conn_multi_count(c));
  struct kv_arg queued[64], *args = queued;
  long max = 64, n;
  size_t pos = 0, at;
  for (;;) {
    at = pos;
    n = conn_multi_next(c, &pos, args, max);
    if (n < 0)
      break;
    if (n > max) { /* a long one (MSET, LPUSH): room for all of it */
      struct kv_arg *more = malloc((size_t)n * sizeof *more);
      if (!more) {
        reply_error(c, "out of memory");
        continue;
      }
      if (args != queued)
        free(args);
      args = more;
      max = n;
      pos = at;
      conn_multi_next(c, &pos, args, max);
    }
    const struct command *cmd = lookup(&args[0]); /* checked when queued */
    cmd->fn(c, (int)n, args);
  }
  if (args != queued)
    free(args);
  conn_multi_end(c);
}

/* Kernel images have no calendar clock: time since boot. */
/* Reads the clock for the command about to run, and tells the store
 * when it moved (lazy and active expiry go by the store's time). */
static void clock_tick(void) {
  static long long told = -1;
  now_ms = kv_clock_ms();
  if (started_ms < 0)
    started_ms = now_ms;
  if (now_ms != told) {
    told = now_ms;
    flexos_gate(store, store_time, now_ms);
  }
}

void kv_exec(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  const struct command *cmd = checked(c, argc, argv);
  if (!cmd)
    return;
  clock_tick();
  use_db(conn_db(c));
  conn_set_cmd(c, cmd->name, now_ms);
  if (conn_in_multi(c) && cmd->fn != cmd_multi && cmd->fn != cmd_exec &&
      cmd->fn != cmd_discard && cmd->fn != cmd_quit && cmd->fn != cmd_watch &&
      cmd->fn != cmd_reset) {
    if (conn_multi_queue(c, argc, argv) != 0) {
      reply_error(c, "out of memory");
      conn_multi_flag(c);
      return;
    }
    reply_status(c, "QUEUED");
    return;
  }
  cmd->fn(c, argc, argv);
}
