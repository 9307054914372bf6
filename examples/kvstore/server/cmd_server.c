/*
 * FILE: examples/kvstore/server/cmd_server.c
 * DESCRIPTION:
 *   Library "app": the server and connection commands: PING, ECHO, QUIT,
 *   SELECT, DBSIZE, FLUSHDB, FLUSHALL, CONFIG GET, COMMAND, HELLO,
 *   CLIENT, INFO and RESET.
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>
#include <stdlib.h>
#include <string.h>

void cmd_ping(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc > 2)
    reply_arity(c, "ping");
  else if (argc == 2)
    reply_bulk(c, A(1));
  else
    reply_status(c, "PONG");
}

void cmd_echo(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_bulk(c, A(1));
}

void cmd_dbsize(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  reply_int(c, store_dbsize());
}

/* FLUSHDB and FLUSHALL [ASYNC|SYNC]. */
static void flush(struct kv_conn *c, int argc, const struct kv_arg *argv,
                  int all) {
  if (argc > 2 || (argc == 2 && !kv_name_is(A(1), "async") &&
                   !kv_name_is(A(1), "sync"))) {
    reply_error(c, "syntax error");
    return;
  }
  store_flush(all);
  reply_status(c, "OK");
}

void cmd_flushdb(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  flush(c, argc, argv, 0);
}

void cmd_flushall(struct kv_conn *c, int argc,
                  const struct kv_arg *argv) {
  flush(c, argc, argv, 1);
}

void cmd_select(struct kv_conn *c, int argc,
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

void cmd_quit(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_status(c, "OK");
  conn_close_after_reply(c);
}

/* CONFIG GET name...: the few settings clients ask about (redis-benchmark
 * reads "save" and "appendonly" before it starts). */
void cmd_config(struct kv_conn *c, int argc,
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
void cmd_hello(struct kv_conn *c, int argc, const struct kv_arg *argv) {
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
void cmd_client(struct kv_conn *c, int argc,
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

/* INFO [section...]: server, clients, memory, keyspace ("all",
 * "everything" and "default" give them all; other names nothing). */
void cmd_info(struct kv_conn *c, int argc, const struct kv_arg *argv) {
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
      long keys = store_dbsize();
      long expires = store_expires();
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
void cmd_reset(struct kv_conn *c, int argc, const struct kv_arg *argv) {
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
void cmd_command(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (argc == 1)
    reply_array(c, 0);
  else if (kv_name_is(A(1), "count") && argc != 2)
    reply_arity(c, "command|count");
  else if (kv_name_is(A(1), "count"))
    reply_int(c, command_count());
  else if (kv_name_is(A(1), "docs"))
    reply_map(c, 0);
  else
    reply_quoted(c, "unknown subcommand '", A(1), "'. Try COMMAND HELP.");
}
