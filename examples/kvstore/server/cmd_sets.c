/*
 * FILE: examples/kvstore/server/cmd_sets.c
 * DESCRIPTION:
 *   Library "app": the set commands: SADD, SREM, SMEMBERS, SISMEMBER,
 *   SCARD, SPOP, SINTER, SUNION, SDIFF.
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>

void cmd_sadd(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long long n = 0;
  for (int i = 2; i < argc; i++) {
    long rc = store_sadd(A(1), A(i));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
    n += rc;
  }
  reply_int(c, n);
}

void cmd_srem(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  remove_each(c, argc, argv, KV_TYPE_SET);
}

void cmd_smembers(struct kv_conn *c, int argc,
                  const struct kv_arg *argv) {
  reply_records(c, R_DUMP, argc, argv, KV_DUMP_MEMBERS, 0);
}

void cmd_sismember(struct kv_conn *c, int argc,
                   const struct kv_arg *argv) {
  reply_count(c, store_member(A(1), KV_TYPE_SET, A(2)));
}

void cmd_scard(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_count(c, store_card(A(1), KV_TYPE_SET));
}

/* SPOP key [count]: one random member (nil without the key), or an array
 * of up to count (empty without the key). */
void cmd_spop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
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
  long n = store_card(A(1), KV_TYPE_SET);
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

void cmd_sinter(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  reply_records(c, R_SETOP, argc, argv, KV_SINTER, 0);
}

void cmd_sunion(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  reply_records(c, R_SETOP, argc, argv, KV_SUNION, 0);
}

void cmd_sdiff(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_SETOP, argc, argv, KV_SDIFF, 0);
}
