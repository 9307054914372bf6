/*
 * FILE: examples/kvstore/server/commands.c
 * DESCRIPTION:
 *   Library "app", the command half: a table of the Redis commands the
 *   kvstore answers, their arity (Redis' convention: n exactly, -n at
 *   least n), the checks of name and arity, dispatch (kv_exec) and the
 *   helpers every command family uses (commands.h). The handlers are in
 *   cmd_strings.c, cmd_keys.c, cmd_lists.c, cmd_hashes.c, cmd_sets.c,
 *   cmd_server.c and cmd_transactions.c. Every access to the data
 *   is a call into library "store" (a gate where the store has a
 *   compartment of its own); keys and values
 *   are passed as pointers into the connection's shared input buffer,
 *   values come back through the connection's shared scratch buffer,
 *   integers through __flexos_share locals. Error replies use Redis'
 *   wording so that clients and tests see the same text as from a real
 *   server. Each command runs in its connection's database (use_db).
 *   After HELLO 3 the reply_* helpers write RESP3 types.
 * USAGE:
 *   kv_exec(c, argc, argv)   (called by resp.c)
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>
#include <string.h>

const char wrongtype[] =
    "-WRONGTYPE Operation against a key holding the wrong kind of value";
const char notint[] = "value is not an integer or out of range";

/* Replies for the store's negative results. */
void reply_store_error(struct kv_conn *c, long rc) {
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

/* Reads one value into the scratch buffer, growing it when the store
 * says the value is longer. Returns the length with *out set, or a KV_*
 * error. */
long fetch(struct kv_conn *c, int kind, const struct kv_arg *key,
           const struct kv_arg *field, long arg, char **out) {
  size_t cap = 64;
  for (;;) {
    char *buf = conn_scratch(c, cap);
    long n;
    if (!buf)
      return KV_NOMEM;
    switch (kind) {
    case F_GET: n = store_get(key->p, key->n, buf, cap); break;
    case F_POP:
      n = store_pop(key->p, key->n, (int)arg, buf, cap);
      break;
    case F_HGET:
      n = store_hget(key->p, key->n, field->p, field->n,
                     buf, cap);
      break;
    case F_LINDEX:
      n = store_lindex(key->p, key->n, arg, buf, cap);
      break;
    case F_SPOP:
      n = store_spop(key->p, key->n, buf, cap);
      break;
    default: n = store_randomkey(buf, cap); break;
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
void reply_value(struct kv_conn *c, long n, const char *v) {
  if (n == KV_NOTFOUND)
    reply_nil(c);
  else if (n < 0)
    reply_store_error(c, n);
  else
    reply_bulk(c, v, (size_t)n);
}

void reply_fetched(struct kv_conn *c, int kind,
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
void reply_record_array(struct kv_conn *c, const char *buf, long need,
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

/* Several values: the store packs them as records (8-byte length, bytes)
 * into the scratch buffer, grown as the store asks; here they become an
 * array of bulk strings. For R_SETOP the keys go first in the buffer, as
 * records, and the store writes after them. */
void reply_records(struct kv_conn *c, int kind, int argc,
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
      need = store_lrange(A(1), a, b, buf, cap, &count);
      break;
    case R_DUMP:
      need = store_dump(A(1), (int)a, buf, cap, &count);
      break;
    case R_KEYS:
      need = store_keys(A(1), buf, cap, &count);
      break;
    default:
      for (int i = 1; i < argc; i++)
        w = kv_put_record(w, A(i));
      need = store_setop((int)a, keys, in, buf, cap,
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
int arg_long(struct kv_conn *c, const struct kv_arg *a, long *out) {
  long long v;
  if (!kv_parse_ll(a->p, a->n, &v) || v != (long)v) {
    reply_error(c, notint);
    return 0;
  }
  *out = (long)v;
  return 1;
}

/* An integer reply, or the error for a negative result. */
void reply_count(struct kv_conn *c, long n) {
  if (n < 0)
    reply_store_error(c, n);
  else
    reply_int(c, n);
}

/* The time of the command being run (kv_exec), in ms, as the store has
 * been told it. */
long long now_ms;

/* HDEL and SREM: how many of argv[2..) were removed. */
void remove_each(struct kv_conn *c, int argc,
                 const struct kv_arg *argv, int type) {
  long long n = 0;
  for (int i = 2; i < argc; i++) {
    long rc = store_remove(A(1), type, A(i));
    if (rc < 0) {
      reply_store_error(c, rc);
      return;
    }
    n += rc;
  }
  reply_int(c, n);
}

/* The database the store works in: told only when it changes (commands
 * run one at a time, each after use_db(its connection's database)). */
void use_db(int db) {
  static int told;
  if (db != told) {
    told = db;
    store_select(db);
  }
}

/* When the first command ran (INFO's uptime). */
long long started_ms = -1;

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

int command_count(void) { return NCOMMANDS; }

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
void reply_quoted(struct kv_conn *c, const char *head, const char *s,
                  size_t n, const char *tail) {
  char msg[256];
  size_t len = quote_into(msg, 0, head, strlen(head), 64);
  len = quote_into(msg, len, s, n, 128);
  len = quote_into(msg, len, tail, strlen(tail), 32);
  msg[len] = 0;
  reply_error(c, msg);
}

/* "wrong number of arguments for 'name' command". */
void reply_arity(struct kv_conn *c, const char *name) {
  reply_quoted(c, "wrong number of arguments for '", name, strlen(name),
               "' command");
}

const struct command *lookup(const struct kv_arg *name) {
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
    store_time(now_ms);
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
