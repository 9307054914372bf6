/*
 * FILE: examples/kvstore/server/commands.h
 * DESCRIPTION:
 *   Private to the command half of library "app": what commands.c (the
 *   command table, checks and dispatch) shares with the command families
 *   (cmd_*.c): the helpers that fetch values from library "store" and
 *   reply with them, the error texts, the time of the command being run,
 *   and each family's handlers for the table.
 * USAGE:
 *   #include "commands.h"   (commands.c and cmd_*.c only)
 * License: MIT
 */
#ifndef KVSTORE_COMMANDS_H
#define KVSTORE_COMMANDS_H

#include "app.h"
#include "store.h"

#include <stddef.h>

#define A(i) argv[i].p, argv[i].n /* pointer and length of argument i */

typedef void handler_fn(struct kv_conn *c, int argc,
                        const struct kv_arg *argv);

struct command {
  const char *name; /* lowercase */
  int arity;
  handler_fn *fn;
};

/* Redis' WRONGTYPE error and "value is not an integer or out of range". */
extern const char wrongtype[];
extern const char notint[];

/* The time of the command being run (kv_exec), in ms, as the store has
 * been told it, and when the first command ran (INFO's uptime). */
extern long long now_ms;
extern long long started_ms;

/* An answer from the store that does not fit what was asked (possible
 * only when the store is compromised). */
#define KV_BADREPLY -100

/* What fetch() reads: a string (GET), a popped list element (LPOP/RPOP,
 * arg: the end), a hash field's value (HGET, field), a list element
 * (LINDEX, arg: the index), a random popped set member (SPOP) or a
 * random key (RANDOMKEY). */
enum { F_GET, F_POP, F_HGET, F_LINDEX, F_SPOP, F_RANDOMKEY };

/* reply_record_array's shapes: an array, a set (RESP3 ~) or a map of
 * pairs (RESP3 %). */
enum { SHAPE_ARRAY, SHAPE_SET, SHAPE_MAP };

/* What reply_records() asks for: LRANGE (a, b: start, stop), store_dump
 * (a: what), store_setop (a: op, of the keys argv[1..argc)) or KEYS. */
enum { R_LRANGE, R_DUMP, R_SETOP, R_KEYS };

/* The reply for a store's negative result (KV_WRONGTYPE, ...). */
void reply_store_error(struct kv_conn *c, long rc);
/* One value into the scratch buffer (*out): its length or a KV_* error. */
long fetch(struct kv_conn *c, int kind, const struct kv_arg *key,
           const struct kv_arg *field, long arg, char **out);
/* fetch()'s result as a reply: a bulk string, nil or the error. */
void reply_value(struct kv_conn *c, long n, const char *v);
void reply_fetched(struct kv_conn *c, int kind, const struct kv_arg *key,
                   const struct kv_arg *field, long arg);
/* n records the store wrote into buf[0..need) as one reply, checked;
 * with match only those it matches. */
void reply_record_array(struct kv_conn *c, const char *buf, long need,
                        long n, const struct kv_arg *match, int shape);
/* Several values from the store (R_*), as records, as one reply. */
void reply_records(struct kv_conn *c, int kind, int argc,
                   const struct kv_arg *argv, long a, long b);
/* A long argument: 1 and *out, or 0 after the error reply. */
int arg_long(struct kv_conn *c, const struct kv_arg *a, long *out);
/* An integer reply, or the error for a negative result. */
void reply_count(struct kv_conn *c, long n);
/* HDEL and SREM: how many of argv[2..) were removed. */
void remove_each(struct kv_conn *c, int argc, const struct kv_arg *argv,
                 int type);
/* Tells the store the database to work in, when it changed. */
void use_db(int db);
/* The error head + s[0..n) + tail, s cut at 128 bytes. */
void reply_quoted(struct kv_conn *c, const char *head, const char *s,
                  size_t n, const char *tail);
/* "wrong number of arguments for 'name' command". */
void reply_arity(struct kv_conn *c, const char *name);
/* The table's entry for a command name, or NULL. */
const struct command *lookup(const struct kv_arg *name);
/* How many commands the table has (COMMAND COUNT). */
int command_count(void);

/* Strings (cmd_strings.c). */
void cmd_set(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_setex(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_psetex(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_setnx(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_getset(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_getdel(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_append(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_setrange(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_strlen(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_getrange(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_get(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_mset(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_mget(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_incr(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_decr(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_incrby(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_incrbyfloat(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_decrby(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* Keys and expiry (cmd_keys.c). */
void cmd_rename(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_renamenx(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_keys(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_randomkey(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_expire(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_pexpire(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_expireat(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_pexpireat(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_persist(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_ttl(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_pttl(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_expiretime(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_pexpiretime(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_del(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_exists(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_type(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_scan(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* Lists (cmd_lists.c). */
void cmd_lpush(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_rpush(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_lpop(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_rpop(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_llen(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_lrange(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_lindex(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_lset(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_lrem(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_linsert(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_ltrim(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* Hashes (cmd_hashes.c). */
void cmd_hset(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hmset(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hsetnx(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hget(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hmget(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hdel(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hlen(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hexists(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hgetall(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hkeys(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hvals(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hincrby(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* Sets (cmd_sets.c). */
void cmd_sadd(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_srem(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_smembers(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_sismember(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_scard(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_spop(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_sinter(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_sunion(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_sdiff(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* Server and connection (cmd_server.c). */
void cmd_ping(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_echo(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_dbsize(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_flushdb(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_flushall(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_select(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_quit(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_config(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_hello(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_client(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_info(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_reset(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_command(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* Transactions (cmd_transactions.c). */
void cmd_watch(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_unwatch(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_discard(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_multi(struct kv_conn *c, int argc, const struct kv_arg *argv);
void cmd_exec(struct kv_conn *c, int argc, const struct kv_arg *argv);

#endif
