/*
 * FILE: examples/kvstore/server/cmd_hashes.c
 * DESCRIPTION:
 *   Library "app": the hash commands: HSET, HMSET, HSETNX, HGET, HMGET,
 *   HDEL, HLEN, HEXISTS, HGETALL, HKEYS, HVALS, HINCRBY.
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>

/* HSET and HMSET: field/value pairs; HSET answers how many are new. */
static void hset(struct kv_conn *c, int argc, const struct kv_arg *argv,
                 const char *name) {
  long long added = 0;
  if (argc % 2 == 1) {
    reply_arity(c, name);
    return;
  }
  for (int i = 2; i < argc; i += 2) {
    int rc = store_hset(A(1), A(i), A(i + 1));
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

void cmd_hset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  hset(c, argc, argv, "hset");
}

void cmd_hmset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  hset(c, argc, argv, "hmset");
}

void cmd_hsetnx(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  long there = store_member(A(1), KV_TYPE_HASH, A(2));
  if (there != 0) {
    reply_count(c, there < 0 ? there : 0); /* 0: already set */
    return;
  }
  int rc = store_hset(A(1), A(2), A(3));
  reply_count(c, rc);
}

void cmd_hget(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_fetched(c, F_HGET, &argv[1], &argv[2], 0);
}

void cmd_hmget(struct kv_conn *c, int argc,
               const struct kv_arg *argv) {
  int t = store_type(A(1));
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

void cmd_hdel(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  remove_each(c, argc, argv, KV_TYPE_HASH);
}

void cmd_hlen(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_count(c, store_card(A(1), KV_TYPE_HASH));
}

void cmd_hexists(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  reply_count(c, store_member(A(1), KV_TYPE_HASH, A(2)));
}

void cmd_hgetall(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_PAIRS, 0);
}

void cmd_hkeys(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_FIELDS, 0);
}

void cmd_hvals(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_VALUES, 0);
}

void cmd_hincrby(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  long long d, result __flexos_share;
  if (!kv_parse_ll(A(3), &d)) {
    reply_error(c, notint);
    return;
  }
  int rc = store_hincrby(A(1), A(2), d, &result);
  if (rc == KV_NOTINT)
    reply_error(c, "hash value is not an integer");
  else if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_int(c, result);
}
