/*
 * FILE: examples/kvstore/server/cmd_lists.c
 * DESCRIPTION:
 *   Library "app": the list commands: LPUSH, RPUSH, LPOP, RPOP, LLEN,
 *   LRANGE, LINDEX, LSET, LREM, LINSERT, LTRIM.
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>

static void push(struct kv_conn *c, int argc, const struct kv_arg *argv,
                 int where) {
  long n = 0;
  for (int i = 2; i < argc; i++) {
    n = store_push(A(1), A(i), where);
    if (n < 0) {
      reply_store_error(c, n);
      return;
    }
  }
  reply_int(c, n);
}

void cmd_lpush(struct kv_conn *c, int argc,
               const struct kv_arg *argv) {
  push(c, argc, argv, KV_HEAD);
}

void cmd_rpush(struct kv_conn *c, int argc,
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
  long len = store_llen(A(1));
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

void cmd_lpop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  pop(c, argc, argv, KV_HEAD, "lpop");
}

void cmd_rpop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  pop(c, argc, argv, KV_TAIL, "rpop");
}

void cmd_llen(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_count(c, store_llen(A(1)));
}

void cmd_lrange(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  long start, stop;
  if (arg_long(c, &argv[2], &start) && arg_long(c, &argv[3], &stop))
    reply_records(c, R_LRANGE, argc, argv, start, stop);
}

void cmd_lindex(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  long index;
  if (arg_long(c, &argv[2], &index))
    reply_fetched(c, F_LINDEX, &argv[1], NULL, index);
}

void cmd_lset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long index;
  if (!arg_long(c, &argv[2], &index))
    return;
  int rc = store_lset(A(1), index, A(3));
  if (rc == KV_NOTFOUND)
    reply_error(c, "no such key");
  else if (rc == KV_RANGE)
    reply_error(c, "index out of range");
  else if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_status(c, "OK");
}

void cmd_lrem(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long count;
  if (arg_long(c, &argv[2], &count))
    reply_count(c, store_lrem(A(1), count, A(3)));
}

/* LINSERT key BEFORE|AFTER pivot value: 0 without the key, -1 without the
 * pivot, else the new length. */
void cmd_linsert(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  int after = kv_name_is(A(2), "after");
  if (!after && !kv_name_is(A(2), "before")) {
    reply_error(c, "syntax error");
    return;
  }
  long n = store_llen(A(1));
  if (n <= 0) {
    reply_count(c, n);
    return;
  }
  long at = store_lfind(A(1), A(3));
  if (at == KV_NOTFOUND)
    reply_int(c, -1);
  else if (at < 0)
    reply_store_error(c, at);
  else
    reply_count(c, store_linsert(A(1), at + after, A(4)));
}

void cmd_ltrim(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long start, stop;
  if (!arg_long(c, &argv[2], &start) || !arg_long(c, &argv[3], &stop))
    return;
  int rc = store_ltrim(A(1), start, stop);
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_status(c, "OK");
}
