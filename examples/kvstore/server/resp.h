/*
 * FILE: examples/kvstore/server/resp.h
 * DESCRIPTION:
 *   The protocol engine of the kvstore server (library "app"): one
 *   kv_conn per client connection holds an input buffer, an incremental
 *   RESP parser (RESP arrays and inline commands, any split of the input,
 *   pipelining) and an output buffer of replies. It makes no OS calls, so
 *   the same engine runs over POSIX sockets (server_posix.c) and over lwIP
 *   in the kernel image. Both buffers come from flexos_malloc_shared(), so
 *   a network stack in another compartment may receive into and send from
 *   them directly, and keys and values reach the store without a copy.
 *
 *   A network loop drives a connection like this:
 *
 *     c = kv_conn_new();                          on accept
 *     while (kv_conn_wants_input(c)) {            socket readable
 *       buf = kv_conn_recv_space(c, &room);       recv() at most room
 *       n = recv(fd, buf, room, 0);               bytes into buf
 *       if (n <= 0) break;                        (closed mid-command: fine)
 *       kv_conn_received(c, n);                   parse + run commands
 *     }
 *     out = kv_conn_output(c, &len);              socket writable
 *     n = send(fd, out, len, 0);
 *     kv_conn_sent(c, n);                         may resume parsing
 *     if (kv_conn_done(c)) close, kv_conn_free(c) after a QUIT or a
 *                                                 protocol error, once
 *                                                 the output is sent
 *
 *   resp_feed(c, bytes, n) copies bytes in and does the same as the
 *   recv_space/received pair (tests, fuzzing); resp_feed_chunked feeds
 *   in small pieces and sends the output between them. Once the unsent
 *   output passes KV_OUTPUT_HIGH the engine stops running commands and
 *   kv_conn_wants_input() turns false until kv_conn_sent() drains it:
 *   a client that pipelines without reading cannot grow memory without
 *   bound.
 *
 *   One connection is single-threaded; different connections share only
 *   the store, whose calls never block, so cooperative threads may run one
 *   connection each, with blocking calls:
 *
 *     c = kv_conn_new();
 *     while ((buf = kv_conn_recv_space(c, &room)) &&
 *            (n = recv(fd, buf, room, 0)) > 0) {
 *       kv_conn_received(c, n);
 *       while ((out = kv_conn_output(c, &len)), len > 0 &&
 *              (m = send(fd, out, len, 0)) > 0)
 *         kv_conn_sent(c, m);          (sending everything each time keeps
 *     }                                 kv_conn_wants_input() true)
 *     flush what kv_conn_output() still holds; close(fd); kv_conn_free(c);
 *
 *   Limits below are compile-time: a kernel image with a small shared heap
 *   wants smaller KV_RECV_ROOM, KV_OUTPUT_HIGH and KV_KEEP_BUFFER (see
 *   image/CMakeLists.txt).
 * USAGE:
 *   #include "resp.h"   (link resp.c, commands.c, store*.c; shared_hosted.c on
 *                        Linux for flexos_malloc_shared)
 * License: MIT
 */
#ifndef RESP_H
#define RESP_H

#include <stddef.h>

/* Limits. Redis 7.0 uses the same first three (2^31 - 1 arguments: 6.x
 * allowed 1024 * 1024); override with -D for small images. */
#ifndef KV_MAX_BULK
#define KV_MAX_BULK (512L * 1024 * 1024) /* one bulk string ($n)          */
#endif
#ifndef KV_MAX_ARGS
#define KV_MAX_ARGS 2147483647L          /* arguments in one command (*n) */
#endif
#ifndef KV_MAX_INLINE
#define KV_MAX_INLINE (64L * 1024)       /* inline command or header line */
#endif
#ifndef KV_MAX_QUERY
#define KV_MAX_QUERY (1024L * 1024 * 1024) /* one whole command in memory */
#endif
#ifndef KV_OUTPUT_HIGH
#define KV_OUTPUT_HIGH (1024L * 1024)    /* unsent replies before pausing */
#endif
#ifndef KV_RECV_ROOM
#define KV_RECV_ROOM 16384               /* least room offered to recv()  */
#endif
#ifndef KV_KEEP_BUFFER
#define KV_KEEP_BUFFER (64L * 1024)      /* larger empty buffers are freed */
#endif

struct kv_conn;

/* A new connection, or NULL when out of memory. */
struct kv_conn *kv_conn_new(void);
/* The id the next connection gets (CLIENT ID; they count from 1). The
 * fuzz target starts each replay at the same id, so that replays agree. */
void kv_conn_next_id(long long id);
/* Frees the connection and any partly received command. */
void kv_conn_free(struct kv_conn *c);

/* Where the next received bytes go: at least 1 byte of room (*room gets
 * the size), or NULL when no more input is accepted (kv_conn_done, or out
 * of memory: then kv_conn_done turns true). */
char *kv_conn_recv_space(struct kv_conn *c, size_t *room);
/* n bytes were written at kv_conn_recv_space(); runs every complete
 * command. */
void kv_conn_received(struct kv_conn *c, size_t n);
/* Copies n bytes in and runs every complete command. Returns 0, or -1 if
 * the bytes could not all be taken (connection done, or out of memory). */
int resp_feed(struct kv_conn *c, const char *bytes, size_t n);
/* resp_feed at most chunk bytes at a time (0: as many as fit), as a
 * client sending in small pieces would. With drain (not NULL), whenever
 * the engine takes no input until its output is sent, drain(c, arg) sends
 * it, and feeding stops once the connection is done. Returns 0 (all fed,
 * or the connection done), 1 (input refused, as resp_feed's -1) or
 * drain's result when below zero (feeding stops there). */
int resp_feed_chunked(struct kv_conn *c, const char *bytes, size_t n,
                      size_t chunk, int (*drain)(struct kv_conn *, void *),
                      void *arg);

/* Unsent replies: returns a pointer to them and their length in *len. */
const char *kv_conn_output(struct kv_conn *c, size_t *len);
/* n bytes of kv_conn_output() went out; runs commands that were held
 * back by KV_OUTPUT_HIGH. */
void kv_conn_sent(struct kv_conn *c, size_t n);

/* Should the loop read more input now? */
int kv_conn_wants_input(struct kv_conn *c);
/* Should the loop close the connection once the output is sent? (QUIT, a
 * protocol error or an allocation failure.) */
int kv_conn_done(struct kv_conn *c);

#endif
