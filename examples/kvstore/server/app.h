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

#endif
