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
 *   queue) and run them together, or none of them.
 * USAGE:
 *   kv_exec(c, argc, argv)   (called by resp.c)
 * License: MIT
 */
#include "app.h"
#include "store.h"
#include "kvutil.h"

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
  default: reply_error(c, "internal error"); break;
  }
}

/* Reads a string value (GET) or pops an element (LPOP/RPOP) into the
 * scratch buffer, growing it when the store says the value is longer.
 * Returns the length with *out set, or a KV_* error. */
static long fetch(struct kv_conn *c, const struct kv_arg *key, int pop,
                  int where, char **out) {
  size_t cap = 64;
  for (;;) {
    char *buf = conn_scratch(c, cap);
    if (!buf)
      return KV_NOMEM;
    long n = pop ? flexos_gate(store, store_pop, key->p, key->n, where, buf,
                               cap)
                 : flexos_gate(store, store_get, key->p, key->n, buf, cap);
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

static void cmd_ping(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc > 2)
    reply_error(c, "wrong number of arguments for 'ping' command");
  else if (argc == 2)
    reply_bulk(c, A(1));
  else
    reply_status(c, "PONG");
}

static void cmd_echo(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_bulk(c, A(1));
}

static void cmd_set(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc > 3) { /* no EX/PX/NX/XX/GET options */
    reply_error(c, "syntax error");
    return;
  }
  int rc = flexos_gate(store, store_set, A(1), A(2));
  if (rc < 0)
    reply_store_error(c, rc);
  else
    reply_status(c, "OK");
}

static void cmd_get(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  char *v;
  long n = fetch(c, &argv[1], 0, 0, &v);
  if (n == KV_NOTFOUND)
    reply_nil(c);
  else if (n < 0)
    reply_store_error(c, n);
  else
    reply_bulk(c, v, (size_t)n);
}

static void cmd_mset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc % 2 == 0) {
    reply_error(c, "wrong number of arguments for 'mset' command");
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
    long n = fetch(c, &argv[i], 0, 0, &v);
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

static void cmd_type(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  static const char *const names[] = {"none", "string", "list"};
  int t = flexos_gate(store, store_type, A(1));
  reply_status(c, names[t >= 0 && t <= 2 ? t : 0]);
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
    reply_error(c, name);
    return;
  }
  if (argc == 3 && (!kv_parse_ll(A(2), &count) || count < 0)) {
    reply_error(c, "value is out of range, must be positive");
    return;
  }
  if (argc == 2) {
    long n = fetch(c, &argv[1], 1, where, &v);
    if (n == KV_NOTFOUND)
      reply_nil(c);
    else if (n < 0)
      reply_store_error(c, n);
    else
      reply_bulk(c, v, (size_t)n);
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
    long n = fetch(c, &argv[1], 1, where, &v);
    if (n < 0)
      return; /* out of memory: the connection is done */
    reply_bulk(c, v, (size_t)n);
  }
}

static void cmd_lpop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  pop(c, argc, argv, KV_HEAD, "wrong number of arguments for 'lpop' command");
}

static void cmd_rpop(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  pop(c, argc, argv, KV_TAIL, "wrong number of arguments for 'rpop' command");
}

static void cmd_llen(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long n = flexos_gate(store, store_llen, A(1));
  if (n < 0)
    reply_store_error(c, n);
  else
    reply_int(c, n);
}

/* LRANGE: the store packs the elements as (8-byte length, bytes)
 * records into the scratch buffer; here they become bulk strings. */
static void cmd_lrange(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long long start, stop;
  long count __flexos_share;
  if (!kv_parse_ll(A(2), &start) || !kv_parse_ll(A(3), &stop) ||
      start != (long)start || stop != (long)stop) {
    reply_error(c, notint);
    return;
  }
  size_t cap = 256;
  long need;
  char *buf;
  for (;;) {
    if (!(buf = conn_scratch(c, cap)))
      return;
    need = flexos_gate(store, store_lrange, A(1), (long)start, (long)stop,
                       buf, cap, &count);
    if (need > KV_MAX_QUERY) { /* bound what another compartment asks for */
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
  /* The records are the store's writing: read the count once and check
   * every record against the bytes the store said it wrote. */
  long n = count;
  if (n < 0 || n > need / 8) {
    reply_store_error(c, KV_BADREPLY);
    return;
  }
  reply_array(c, n);
  for (long i = 0, at = 0; i < n; i++) {
    size_t len = 0;
    if (need - at < 8) {
      reply_store_error(c, KV_BADREPLY);
      return;
    }
    for (int b = 0; b < 8; b++)
      len |= (size_t)(unsigned char)buf[at + b] << (8 * b);
    if (len > (size_t)(need - at - 8)) {
      reply_store_error(c, KV_BADREPLY);
      return;
    }
    reply_bulk(c, buf + at + 8, len);
    at += 8 + (long)len;
  }
}

static void cmd_dbsize(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  reply_int(c, flexos_gate(store, store_dbsize));
}

static void cmd_flushall(struct kv_conn *c, int argc,
                         const struct kv_arg *argv) {
  flexos_gate(store, store_flush);
  reply_status(c, "OK");
}

static void cmd_select(struct kv_conn *c, int argc,
                       const struct kv_arg *argv) {
  long long db;
  if (!kv_parse_ll(A(1), &db))
    reply_error(c, notint);
  else if (db != 0)
    reply_error(c, "DB index is out of range");
  else
    reply_status(c, "OK");
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
      {"save", ""}, {"appendonly", "no"}, {"databases", "1"}};
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
  reply_array(c, 2L * nhits);
  for (int s = 0; s < nsettings; s++)
    if (hits[s]) {
      reply_bulk(c, settings[s][0], strlen(settings[s][0]));
      reply_bulk(c, settings[s][1], strlen(settings[s][1]));
    }
}

/* COMMAND [COUNT|DOCS]: redis-cli asks for docs; an empty answer makes it
 * fall back to its built-in help. */
static void cmd_command(struct kv_conn *c, int argc,
                        const struct kv_arg *argv);

/* Transactions, with Redis' semantics: between MULTI and EXEC commands
 * are checked (name, arity) and queued, not run; a refused one makes EXEC
 * answer EXECABORT and run nothing; EXEC runs them all, one reply each in
 * an array; DISCARD drops them.  (No WATCH.) */
static void cmd_multi(struct kv_conn *c, int argc, const struct kv_arg *argv);
static void cmd_exec(struct kv_conn *c, int argc, const struct kv_arg *argv);

static void cmd_discard(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (!conn_in_multi(c)) {
    reply_error(c, "DISCARD without MULTI");
    return;
  }
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
    {"flushall", -1, cmd_flushall}, {"flushdb", -1, cmd_flushall},
    {"select", 2, cmd_select},   {"quit", -1, cmd_quit},
    {"config", -2, cmd_config},  {"command", -1, cmd_command},
    {"multi", 1, cmd_multi},     {"exec", 1, cmd_exec},
    {"discard", 1, cmd_discard},
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void cmd_command(struct kv_conn *c, int argc,
                        const struct kv_arg *argv) {
  if (argc >= 2 && kv_name_is(A(1), "count"))
    reply_int(c, NCOMMANDS);
  else if (argc == 1 || kv_name_is(A(1), "docs"))
    reply_array(c, 0);
  else
    reply_error(c, "unknown subcommand or wrong number of arguments for "
                   "'COMMAND'. Try COMMAND HELP.");
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
    char msg[96];
    const char *head = "wrong number of arguments for '", *tail = "' command";
    size_t len = quote_into(msg, 0, head, strlen(head), 40);
    len = quote_into(msg, len, cmd->name, strlen(cmd->name), 16);
    len = quote_into(msg, len, tail, strlen(tail), 16);
    msg[len] = 0;
    reply_error(c, msg);
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
    conn_multi_end(c);
    reply_error(c, "-EXECABORT Transaction discarded because of previous errors.");
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

void kv_exec(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  const struct command *cmd = checked(c, argc, argv);
  if (!cmd)
    return;
  if (conn_in_multi(c) && cmd->fn != cmd_multi && cmd->fn != cmd_exec &&
      cmd->fn != cmd_discard && cmd->fn != cmd_quit) {
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
