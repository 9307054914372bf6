/*
 * FILE: examples/kvstore/server/app.h
 * DESCRIPTION:
 *   Internal interface between the two halves of library "app": resp.c
 *   (buffers and the RESP parser) hands each complete command to
 *   kv_exec() in commands.c, which answers through the reply_* helpers.
 *   Arguments point into the connection's input buffer, which is shared
 *   memory, so they may be passed through gates as they are.
 * USAGE:
 *   #include "app.h"   (resp.c and commands.c only)
 * License: MIT
 */
#ifndef KVSTORE_APP_H
#define KVSTORE_APP_H

#include "resp.h"

#include <stddef.h>

/* One argument of a command. off is the parser's position in the input
 * buffer, which may move while the command is incomplete; p is set from
 * it just before kv_exec(). */
struct kv_arg {
  const char *p;
  size_t n;
  size_t off;
};

/* Runs one command (argc >= 1) and appends its reply. */
void kv_exec(struct kv_conn *c, int argc, const struct kv_arg *argv);

/* The time now: Unix time in milliseconds, for expiry. One definition
 * per platform: server_posix.c (the Linux clock), fuzz_resp.c (a fixed
 * time, so that replays agree) and, in kernel images, commands.c
 * (flexos_ticks(): time since boot, as images have no calendar clock). */
long long kv_clock_ms(void);

/* Reply builders. On allocation failure they mark the connection done. */
void reply_raw(struct kv_conn *c, const char *s, size_t n);
void reply_status(struct kv_conn *c, const char *s);  /* +s          */
void reply_error(struct kv_conn *c, const char *msg); /* -ERR msg, or
                                                         msg if it starts
                                                         with '-'   */
void reply_int(struct kv_conn *c, long long v);       /* :v          */
void reply_bulk(struct kv_conn *c, const char *p, size_t n); /* $n   */
void reply_nil(struct kv_conn *c);                    /* $-1         */
void reply_array(struct kv_conn *c, long n);          /* *n, -1: nil */
/* After HELLO 3 (RESP3), nil is "_", and these have their own types;
 * in RESP2 a map of n pairs is an array of 2n, a set an array, a
 * verbatim string a bulk string. */
void reply_map(struct kv_conn *c, long n);            /* %n          */
void reply_set(struct kv_conn *c, long n);            /* ~n          */
void reply_verbatim(struct kv_conn *c, const char *p, size_t n); /* =n txt: */

/* A shared buffer of at least n bytes owned by the connection, for values
 * the store copies out; NULL when out of memory (the connection is then
 * done). */
char *conn_scratch(struct kv_conn *c, size_t n);
/* Close the connection once the replies so far are sent (QUIT). */
void conn_close_after_reply(struct kv_conn *c);

/* Transactions (MULTI ... EXEC), per connection.  conn_multi_flag marks
 * the transaction aborted (a command refused while queuing: EXEC answers
 * EXECABORT); conn_multi_queue copies a command into the queue (shared
 * memory), -1 when out of memory; conn_multi_next walks the queue from
 * *pos (start at 0), filling at most max arguments, and returns the
 * command's argument count, -1 at the end. */
int conn_in_multi(const struct kv_conn *c);
int conn_multi_dirty(const struct kv_conn *c);
void conn_multi_begin(struct kv_conn *c);
void conn_multi_flag(struct kv_conn *c);
void conn_multi_end(struct kv_conn *c);
int conn_multi_queue(struct kv_conn *c, int argc, const struct kv_arg *argv);
long conn_multi_count(const struct kv_conn *c);
long conn_multi_next(const struct kv_conn *c, size_t *pos, struct kv_arg *argv, long max);

/* The connection's database (SELECT; 0 at first). */
int conn_db(const struct kv_conn *c);
void conn_set_db(struct kv_conn *c, int db);

/* Watched keys (WATCH ... EXEC), per connection: conn_watch_add copies a
 * key with its database and the store's change count into the list
 * (shared memory), -1 when out of memory; conn_watch_next walks it from
 * *pos (start at 0), 0 at the end; conn_watch_clear empties it.
 * kv_unwatch_all (commands.c) tells the store to stop watching them and
 * empties the list (UNWATCH, EXEC, DISCARD, and when the connection
 * ends). */
int conn_watch_add(struct kv_conn *c, int db, long version, const char *k,
                   size_t n);
int conn_watch_next(const struct kv_conn *c, size_t *pos, int *db,
                    long *version, struct kv_arg *key);
void conn_watch_clear(struct kv_conn *c);
void kv_unwatch_all(struct kv_conn *c);

/* The connection's protocol (2 or 3: HELLO), its id (CLIENT ID, from 1),
 * when it connected (kv_clock_ms), its name (CLIENT SETNAME; -1 when
 * out of memory), the next connection after c (NULL: the first; every
 * open one, for CLIENT LIST). */
int conn_resp(const struct kv_conn *c);
void conn_set_resp(struct kv_conn *c, int resp);
long long conn_id(const struct kv_conn *c);
long long conn_since(const struct kv_conn *c);
/* Its last command (a static name, NULL before the first) and when. */
long long conn_last(const struct kv_conn *c);
const char *conn_cmd(const struct kv_conn *c);
void conn_set_cmd(struct kv_conn *c, const char *name, long long now);
const char *conn_name(const struct kv_conn *c, size_t *n);
int conn_set_name(struct kv_conn *c, const char *p, size_t n);
struct kv_conn *conn_next(const struct kv_conn *c);

#endif
