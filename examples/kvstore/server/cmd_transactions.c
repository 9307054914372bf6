/*
 * FILE: examples/kvstore/server/cmd_transactions.c
 * DESCRIPTION:
 *   Library "app": MULTI, EXEC, DISCARD, WATCH and UNWATCH. Transactions,
 *   with Redis' semantics: between MULTI and EXEC commands are checked
 *   (name, arity) and queued, not run (resp.c keeps the queue); a refused
 *   one makes EXEC answer EXECABORT and run nothing; EXEC runs them all,
 *   one reply each in an array; DISCARD drops them; a watched key changed
 *   since WATCH makes EXEC run nothing and answer a nil array.
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 *   kv_unwatch_all(c)   (resp.c, when a connection closes)
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>
#include <stdlib.h>
#include <string.h>

/* WATCH key...: the store's change count of each key, compared at EXEC. */
void cmd_watch(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (conn_in_multi(c)) {
    reply_error(c, "WATCH inside MULTI is not allowed");
    return;
  }
  for (int i = 1; i < argc; i++) {
    size_t pos = 0;
    int db, seen = 0;
    long v;
    struct kv_arg k;
    while (!seen && conn_watch_next(c, &pos, &db, &v, &k))
      seen = db == conn_db(c) && k.n == argv[i].n &&
             memcmp(k.p, argv[i].p, k.n) == 0;
    if (seen)
      continue;
    v = store_watch(A(i), KV_WATCH_ADD);
    if (v >= 0 && conn_watch_add(c, conn_db(c), v, A(i)) < 0) {
      store_watch(A(i), KV_WATCH_DROP);
      v = KV_NOMEM;
    }
    if (v < 0) {
      reply_store_error(c, v);
      return;
    }
  }
  reply_status(c, "OK");
}

/* Walks the watched keys: with drop, tells the store to stop watching
 * them and empties the list; else returns whether any changed. */
static int watched_keys(struct kv_conn *c, int drop) {
  size_t pos = 0;
  int db, changed = 0;
  long v;
  struct kv_arg k;
  while (conn_watch_next(c, &pos, &db, &v, &k)) {
    use_db(db);
    changed |= store_watch(k.p, k.n,
                           drop ? KV_WATCH_DROP : KV_WATCH_PEEK) != v;
  }
  use_db(conn_db(c));
  if (drop)
    conn_watch_clear(c);
  return changed;
}

void kv_unwatch_all(struct kv_conn *c) { watched_keys(c, 1); }

void cmd_unwatch(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  kv_unwatch_all(c);
  reply_status(c, "OK");
}

void cmd_discard(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (!conn_in_multi(c)) {
    reply_error(c, "DISCARD without MULTI");
    return;
  }
  kv_unwatch_all(c);
  conn_multi_end(c);
  reply_status(c, "OK");
}

void cmd_multi(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (conn_in_multi(c)) {
    reply_error(c, "MULTI calls can not be nested");
    return;
  }
  conn_multi_begin(c);
  reply_status(c, "OK");
}

void cmd_exec(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  if (!conn_in_multi(c)) {
    reply_error(c, "EXEC without MULTI");
    return;
  }
  if (conn_multi_dirty(c)) {
    kv_unwatch_all(c);
    conn_multi_end(c);
    reply_error(c, "-EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  /* A watched key changed since WATCH: nothing runs, a nil array. */
  int changed = watched_keys(c, 0);
  kv_unwatch_all(c);
  if (changed) {
    conn_multi_end(c);
    reply_array(c, -1);
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
