/*
 * FILE: examples/kvstore/server/cmd_strings.c
 * DESCRIPTION:
 *   Library "app": the string commands: GET, SET (NX, XX, GET, EX, PX,
 *   EXAT, PXAT, KEEPTTL), SETEX, PSETEX, SETNX, GETSET, GETDEL, MGET,
 *   MSET, APPEND, SETRANGE, STRLEN, GETRANGE, INCR, DECR, INCRBY, DECRBY
 *   and INCRBYFLOAT (kvfloat.h: Redis' long double arithmetic).
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"
#include "kvfloat.h"

#include <flexos.h>
#include <string.h>

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
  int rc = store_put(A(1), A(2), put, at);
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
void cmd_set(struct kv_conn *c, int argc, const struct kv_arg *argv) {
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

void cmd_setex(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  set_expiring(c, argv, 1, "setex");
}

void cmd_psetex(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  set_expiring(c, argv, 0, "psetex");
}

void cmd_setnx(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  int rc = store_put(A(1), A(2), KV_SET_NX, 0LL);
  reply_count(c, rc == KV_NOTFOUND ? 0 : rc == 0 ? 1 : rc);
}

void cmd_getset(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  set_with(c, argv, O_GET, 0);
}

void cmd_getdel(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  char *v;
  long n = fetch(c, F_GET, &argv[1], NULL, 0, &v);
  reply_value(c, n, v); /* copied into the reply before the key goes */
  if (n >= 0)
    store_del(A(1));
}

/* APPEND (offset -1), SETRANGE and STRLEN (offset 0, nothing written):
 * the string's new length. */
static void write_at(struct kv_conn *c, const struct kv_arg *key, long offset,
                     const struct kv_arg *val) {
  reply_count(c, store_write(key->p, key->n, offset,
                             val->p, val->n, (size_t)KV_MAX_BULK));
}

void cmd_append(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  write_at(c, &argv[1], -1, &argv[2]);
}

void cmd_setrange(struct kv_conn *c, int argc,
                  const struct kv_arg *argv) {
  long offset;
  if (!arg_long(c, &argv[2], &offset))
    return;
  if (offset < 0)
    reply_error(c, "offset is out of range");
  else
    write_at(c, &argv[1], offset, &argv[3]);
}

void cmd_strlen(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  const struct kv_arg none = {argv[1].p, 0, 0};
  write_at(c, &argv[1], 0, &none);
}

/* GETRANGE key start end, with Redis' index rules. */
void cmd_getrange(struct kv_conn *c, int argc,
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

void cmd_get(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_fetched(c, F_GET, &argv[1], NULL, 0);
}

void cmd_mset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc % 2 == 0) {
    reply_arity(c, "mset");
    return;
  }
  for (int i = 1; i < argc; i += 2) {
    int rc = store_set(A(i), A(i + 1));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
  }
  reply_status(c, "OK");
}

void cmd_mget(struct kv_conn *c, int argc, const struct kv_arg *argv) {
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

static void incr_by(struct kv_conn *c, const struct kv_arg *key,
                    long long delta) {
  long long result __flexos_share;
  int rc = store_incrby(key->p, key->n, delta, &result);
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_int(c, result);
}

void cmd_incr(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  incr_by(c, &argv[1], 1);
}

void cmd_decr(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  incr_by(c, &argv[1], -1);
}

void cmd_incrby(struct kv_conn *c, int argc,
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
void cmd_incrbyfloat(struct kv_conn *c, int argc,
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
  int rc = store_put(A(1), out, len, KV_SET_KEEPTTL, 0LL);
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_bulk(c, out, len);
}

void cmd_decrby(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  long long d;
  if (!kv_parse_ll(A(2), &d))
    reply_error(c, notint);
  else if (d == (long long)((unsigned long long)1 << 63)) /* -LLONG_MIN */
    reply_error(c, "decrement would overflow");
  else
    incr_by(c, &argv[1], -d);
}
