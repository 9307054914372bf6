/*
 * FILE: examples/kvstore/server/resp.c
 * DESCRIPTION:
 *   Library "app", the protocol half: connection buffers and an
 *   incremental RESP parser. Input accumulates in one shared buffer; the
 *   parser remembers where it stopped (array header read, which argument,
 *   how many bytes the current bulk string still needs), so a command
 *   split across any number of reads is parsed once, and a pipeline of
 *   commands in one read runs in order. Arguments are offsets into the
 *   buffer until the command is complete: growing or compacting the
 *   buffer moves them. Malformed input gets Redis' "Protocol error"
 *   replies and ends the connection; resp.h describes the interface.
 * USAGE:
 *   c = kv_conn_new(); resp_feed(c, "PING\r\n", 6); kv_conn_output(c, &n);
 * License: MIT
 */
#include "app.h"
#include "kvutil.h"

#include <flexos/runtime.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

enum { CMD_NONE, CMD_INLINE, CMD_MULTIBULK };
enum { PARSE_MORE, PARSE_READY, PARSE_EMPTY, PARSE_ERROR };

struct kv_conn {
  char *in;          /* shared: received bytes                         */
  size_t in_cap, in_len;
  size_t in_pos;     /* start of the command being parsed              */
  size_t scan;       /* parser position, in_pos <= scan <= in_len      */
  size_t searched;   /* bytes from scan already searched for '\n'      */
  int type;          /* CMD_*: kind of the command at in_pos           */
  long mbulk;        /* arguments still expected (CMD_MULTIBULK)       */
  long bulk;         /* length of the next argument, -1: header unread */
  struct kv_arg *args;
  long argc, args_cap;

  char *out;         /* shared: replies; out[out_pos..out_len) unsent  */
  size_t out_cap, out_len, out_pos;
  char *scratch;     /* shared: values copied out of the store         */
  size_t scratch_cap;
  int done;          /* close after sending out[]                      */
  int lost;          /* a reply did not fit in memory: append no more  */

  int multi;         /* inside MULTI: commands are queued, not run      */
  int multi_dirty;   /* a command was refused while queuing: EXECABORT */
  char *tx;          /* shared: the queued commands (conn_multi_queue)  */
  size_t tx_cap, tx_len;
  long tx_count;

  int db;            /* SELECT                                          */
  int resp;          /* protocol version (HELLO): 2 or 3                */
  long long id;      /* CLIENT ID                                       */
  long long since;   /* kv_clock_ms() when it connected (CLIENT INFO)   */
  long long last;    /* kv_clock_ms() at its last command              */
  const char *cmd;   /* its last command's name (static), NULL: none    */
  char *name;        /* CLIENT SETNAME (private memory), NULL: none     */
  size_t name_len;
  struct kv_conn *next, *prev; /* every connection (CLIENT LIST)        */
  char *watch;       /* shared: the watched keys (conn_watch_add)       */
  size_t watch_cap, watch_len;
};

/* Moves a shared buffer to a bigger one (the shared heap has no
 * realloc). Returns 0, or -1 leaving the old buffer in place. */
static int grow_shared(char **buf, size_t *cap, size_t used, size_t need) {
  size_t n = *cap ? *cap : 256;
  while (n < need)
    n = n > (size_t)-1 / 2 ? need : n * 2;
  char *p = flexos_malloc_shared(n);
  if (!p)
    return -1;
  if (used)
    memcpy(p, *buf, used);
  flexos_free_shared(*buf);
  *buf = p;
  *cap = n;
  return 0;
}

static struct kv_conn *conns; /* the newest connection first */
static long long next_id = 1;

void kv_conn_next_id(long long id) { next_id = id; }

struct kv_conn *kv_conn_new(void) {
  struct kv_conn *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->bulk = -1;
  c->resp = 2;
  c->id = next_id++;
  c->since = c->last = kv_clock_ms();
  c->next = conns;
  if (conns)
    conns->prev = c;
  conns = c;
  return c;
}

void kv_conn_free(struct kv_conn *c) {
  if (!c)
    return;
  flexos_free_shared(c->in);
  flexos_free_shared(c->out);
  flexos_free_shared(c->scratch);
  kv_unwatch_all(c);
  if (c->prev)
    c->prev->next = c->next;
  else
    conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  free(c->name);
  flexos_free_shared(c->tx);
  flexos_free_shared(c->watch);
  free(c->args);
  free(c);
}

/* ---- transactions (MULTI ... EXEC) ------------------------------------
 * The queue keeps each command as its argument count, then each argument
 * as a length and its bytes, all in shared memory: EXEC passes them to
 * the store as it would the input buffer's. */

int conn_in_multi(const struct kv_conn *c) { return c->multi; }
int conn_multi_dirty(const struct kv_conn *c) { return c->multi_dirty; }
void conn_multi_flag(struct kv_conn *c) { c->multi_dirty = c->multi; }

void conn_multi_begin(struct kv_conn *c) {
  c->multi = 1;
  c->multi_dirty = 0;
  c->tx_len = 0;
  c->tx_count = 0;
}

void conn_multi_end(struct kv_conn *c) {
  c->multi = 0;
  c->multi_dirty = 0;
  c->tx_len = 0;
  c->tx_count = 0;
}

static void put_u32(char *p, size_t v) {
  uint32_t u = (uint32_t)v;
  memcpy(p, &u, sizeof u);
}

int conn_multi_queue(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  size_t need = 4;
  for (int i = 0; i < argc; i++) {
    if (argv[i].n > UINT32_MAX || need > (size_t)-1 / 2)
      return -1;
    need += 4 + argv[i].n;
  }
  if (c->tx_cap - c->tx_len < need &&
      grow_shared(&c->tx, &c->tx_cap, c->tx_len, c->tx_len + need) < 0)
    return -1;
  char *p = c->tx + c->tx_len;
  put_u32(p, (size_t)argc);
  p += 4;
  for (int i = 0; i < argc; i++) {
    put_u32(p, argv[i].n);
    memcpy(p + 4, argv[i].p, argv[i].n);
    p += 4 + argv[i].n;
  }
  c->tx_len += need;
  c->tx_count++;
  return 0;
}

long conn_multi_next(const struct kv_conn *c, size_t *pos, struct kv_arg *argv, long max) {
  if (*pos + 4 > c->tx_len)
    return -1;
  uint32_t argc, n;
  memcpy(&argc, c->tx + *pos, 4);
  *pos += 4;
  for (uint32_t i = 0; i < argc; i++) {
    memcpy(&n, c->tx + *pos, 4);
    if (i < (uint32_t)max) {
      argv[i].p = c->tx + *pos + 4;
      argv[i].n = n;
      argv[i].off = 0;
    }
    *pos += 4 + (size_t)n;
  }
  return (long)argc;
}

long conn_multi_count(const struct kv_conn *c) { return c->tx_count; }

int conn_db(const struct kv_conn *c) { return c->db; }
void conn_set_db(struct kv_conn *c, int db) { c->db = db; }
int conn_resp(const struct kv_conn *c) { return c->resp; }
void conn_set_resp(struct kv_conn *c, int resp) { c->resp = resp; }
long long conn_id(const struct kv_conn *c) { return c->id; }
long long conn_since(const struct kv_conn *c) { return c->since; }
long long conn_last(const struct kv_conn *c) { return c->last; }
const char *conn_cmd(const struct kv_conn *c) { return c->cmd; }

void conn_set_cmd(struct kv_conn *c, const char *name, long long now) {
  c->cmd = name;
  c->last = now;
}

const char *conn_name(const struct kv_conn *c, size_t *n) {
  *n = c->name_len;
  return c->name;
}

int conn_set_name(struct kv_conn *c, const char *p, size_t n) {
  char *name = NULL;
  if (n && !(name = malloc(n)))
    return -1;
  if (n)
    memcpy(name, p, n);
  free(c->name);
  c->name = name;
  c->name_len = n;
  return 0;
}

struct kv_conn *conn_next(const struct kv_conn *c) {
  return c ? c->next : conns;
}

/* ---- watched keys (WATCH) ---------------------------------------------
 * Each as its database and length (4 bytes each), the change count the
 * store gave at WATCH (8 bytes), then the key's bytes, in shared memory
 * (EXEC passes the keys back to the store). */

int conn_watch_add(struct kv_conn *c, int db, long version, const char *k,
                   size_t n) {
  size_t need = 16 + n;
  if (n > UINT32_MAX)
    return -1;
  if (c->watch_cap - c->watch_len < need &&
      grow_shared(&c->watch, &c->watch_cap, c->watch_len,
                  c->watch_len + need) < 0)
    return -1;
  char *p = c->watch + c->watch_len;
  int64_t v = version;
  put_u32(p, (size_t)db);
  put_u32(p + 4, n);
  memcpy(p + 8, &v, 8);
  memcpy(p + 16, k, n);
  c->watch_len += need;
  return 0;
}

int conn_watch_next(const struct kv_conn *c, size_t *pos, int *db,
                    long *version, struct kv_arg *key) {
  uint32_t d, n;
  int64_t v;
  if (*pos + 16 > c->watch_len)
    return 0;
  memcpy(&d, c->watch + *pos, 4);
  memcpy(&n, c->watch + *pos + 4, 4);
  memcpy(&v, c->watch + *pos + 8, 8);
  if (n > c->watch_len - *pos - 16) /* shared memory: trust no length */
    return 0;
  *db = (int)d;
  *version = (long)v;
  key->p = c->watch + *pos + 16;
  key->n = n;
  key->off = 0;
  *pos += 16 + (size_t)n;
  return 1;
}

void conn_watch_clear(struct kv_conn *c) { c->watch_len = 0; }

/* ---- replies ---------------------------------------------------------- */

static size_t out_pending(const struct kv_conn *c) {
  return c->out_len - c->out_pos;
}

void reply_raw(struct kv_conn *c, const char *s, size_t n) {
  if (c->lost || n == 0)
    return;
  if (c->out_cap - c->out_len < n && c->out_pos > 0) {
    memmove(c->out, c->out + c->out_pos, out_pending(c));
    c->out_len -= c->out_pos;
    c->out_pos = 0;
  }
  if (c->out_cap - c->out_len < n &&
      (n > (size_t)-1 - c->out_len ||
       grow_shared(&c->out, &c->out_cap, c->out_len, c->out_len + n) < 0)) {
    /* No memory for the reply: give up on this client, and append
     * nothing more, so that what it gets is a prefix of its replies. */
    c->done = c->lost = 1;
    return;
  }
  memcpy(c->out + c->out_len, s, n);
  c->out_len += n;
}

/* prefix, then v, then CRLF: ":12\r\n", "$5\r\n", "*3\r\n". */
static void reply_header(struct kv_conn *c, char prefix, long long v) {
  char buf[KV_LL_MAX_DIGITS + 3];
  buf[0] = prefix;
  size_t n = 1 + kv_format_ll(buf + 1, v);
  buf[n++] = '\r';
  buf[n++] = '\n';
  reply_raw(c, buf, n);
}

void reply_status(struct kv_conn *c, const char *s) {
  reply_raw(c, "+", 1);
  reply_raw(c, s, strlen(s));
  reply_raw(c, "\r\n", 2);
}

void reply_error(struct kv_conn *c, const char *msg) {
  if (msg[0] != '-')
    reply_raw(c, "-ERR ", 5);
  reply_raw(c, msg, strlen(msg));
  reply_raw(c, "\r\n", 2);
}

void reply_int(struct kv_conn *c, long long v) { reply_header(c, ':', v); }

void reply_bulk(struct kv_conn *c, const char *p, size_t n) {
  reply_header(c, '$', (long long)n);
  reply_raw(c, p, n);
  reply_raw(c, "\r\n", 2);
}

void reply_nil(struct kv_conn *c) {
  if (c->resp == 3)
    reply_raw(c, "_\r\n", 3);
  else
    reply_raw(c, "$-1\r\n", 5);
}

void reply_array(struct kv_conn *c, long n) {
  if (n < 0 && c->resp == 3)
    reply_raw(c, "_\r\n", 3);
  else
    reply_header(c, '*', n);
}

void reply_map(struct kv_conn *c, long n) {
  reply_header(c, c->resp == 3 ? '%' : '*', c->resp == 3 ? n : 2 * n);
}

void reply_set(struct kv_conn *c, long n) {
  reply_header(c, c->resp == 3 ? '~' : '*', n);
}

void reply_verbatim(struct kv_conn *c, const char *p, size_t n) {
  if (c->resp != 3) {
    reply_bulk(c, p, n);
    return;
  }
  reply_header(c, '=', (long long)n + 4);
  reply_raw(c, "txt:", 4);
  reply_raw(c, p, n);
  reply_raw(c, "\r\n", 2);
}

char *conn_scratch(struct kv_conn *c, size_t n) {
  if (c->scratch_cap < n && grow_shared(&c->scratch, &c->scratch_cap, 0,
                                        n) < 0) {
    c->done = 1;
    return NULL;
  }
  return c->scratch;
}

void conn_close_after_reply(struct kv_conn *c) { c->done = 1; }

/* A protocol error: Redis' wording, then the connection ends. */
static int protocol_error(struct kv_conn *c, const char *what) {
  reply_raw(c, "-ERR Protocol error: ", 21);
  reply_raw(c, what, strlen(what));
  reply_raw(c, "\r\n", 2);
  c->done = 1;
  return PARSE_ERROR;
}

/* ---- parser ----------------------------------------------------------- */

/* Appends an argument at offset off, length n. */
static int push_arg(struct kv_conn *c, size_t off, size_t n) {
  if (c->argc == c->args_cap) {
    long ncap = c->args_cap ? c->args_cap * 2 : 8;
    struct kv_arg *a = realloc(c->args, (size_t)ncap * sizeof *a);
    if (!a) {
      c->done = 1;
      return -1;
    }
    c->args = a;
    c->args_cap = ncap;
  }
  c->args[c->argc].off = off;
  c->args[c->argc].n = n;
  c->argc++;
  return 0;
}

/* Finds the line at c->scan. Returns its length without the line end
 * ("\n" or "\r\n"), with *next set past the end; or -1 if no full line
 * has arrived. Bytes already searched are not searched again, so a
 * header trickling in one byte at a time costs linear time. */
static long find_line(struct kv_conn *c, size_t *next) {
  size_t from = c->scan + c->searched;
  const char *nl = kv_find(c->in + from, c->in_len - from, '\n');
  if (!nl) {
    c->searched = c->in_len - c->scan;
    return -1;
  }
  size_t end = (size_t)(nl - c->in);
  *next = end + 1;
  c->searched = 0;
  if (end > c->scan && c->in[end - 1] == '\r')
    end--;
  return (long)(end - c->scan);
}

/* With no line end yet: is the line already longer than a complete line
 * may be? KV_MAX_INLINE bytes plus a CR may still be followed by LF, so
 * that the verdict does not depend on where the input was split. */
static int line_too_long(const struct kv_conn *c) {
  return c->in_len - c->scan > (size_t)KV_MAX_INLINE + 1;
}

/* Reads "<prefix><integer>\r\n" at scan into *v. Returns PARSE_READY,
 * PARSE_MORE or PARSE_ERROR (reply sent). */
static int parse_header(struct kv_conn *c, long long *v, long long max,
                        const char *too_long, const char *invalid) {
  size_t next;
  long n = find_line(c, &next);
  if (n < 0)
    return line_too_long(c) ? protocol_error(c, too_long) : PARSE_MORE;
  if (n > KV_MAX_INLINE)
    return protocol_error(c, too_long);
  if (!kv_parse_ll(c->in + c->scan + 1, (size_t)n - 1, v) || *v > max ||
      (*v < 0 && c->in[c->scan] == '$'))
    return protocol_error(c, invalid);
  c->scan = next;
  return PARSE_READY;
}

/* "$" header: Redis' message names the byte it found instead (a CR or
 * LF there would end the error line early: Redis prints a space). */
static int expected_dollar(struct kv_conn *c) {
  char msg[] = "expected '$', got ' '";
  char got = c->in[c->scan];
  msg[sizeof msg - 3] = got == '\r' || got == '\n' ? ' ' : got;
  return protocol_error(c, msg);
}

static int parse_multibulk(struct kv_conn *c) {
  long long v;
  int r;
  if (c->mbulk == 0) {
    r = parse_header(c, &v, KV_MAX_ARGS, "too big mbulk count string",
                     "invalid multibulk length");
    if (r != PARSE_READY)
      return r;
    if (v <= 0)
      return PARSE_EMPTY; /* "*0" and "*-1" are empty commands */
    c->mbulk = (long)v;
  }
  while (c->mbulk > 0) {
    if (c->bulk < 0) {
      if (c->scan == c->in_len)
        return PARSE_MORE;
      if (c->in[c->scan] != '$')
        return expected_dollar(c);
      r = parse_header(c, &v, KV_MAX_BULK, "too big bulk count string",
                       "invalid bulk length");
      if (r != PARSE_READY)
        return r;
      c->bulk = (long)v;
    }
    if (c->in_len - c->scan < (size_t)c->bulk + 2)
      return PARSE_MORE;
    if (memcmp(c->in + c->scan + c->bulk, "\r\n", 2) != 0)
      return protocol_error(c, "expected CRLF after bulk string");
    if (push_arg(c, c->scan, (size_t)c->bulk) < 0)
      return PARSE_ERROR;
    c->scan += (size_t)c->bulk + 2;
    c->bulk = -1;
    c->mbulk--;
  }
  return PARSE_READY;
}

static int is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
         ch == '\f';
}

static int hex_value(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  ch = kv_lower(ch);
  return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Decodes one quoted token starting after its opening quote q, writing the
 * bytes at *w (never ahead of the reader: decoding only shrinks). Returns
 * the position after the closing quote, or -1 if unbalanced. */
static long unquote(char *s, size_t i, size_t end, char q, size_t *w) {
  while (i < end) {
    char ch = s[i];
    if (q == '"' && ch == '\\' && i + 3 < end && s[i + 1] == 'x' &&
        hex_value(s[i + 2]) >= 0 && hex_value(s[i + 3]) >= 0) {
      s[(*w)++] = (char)(hex_value(s[i + 2]) * 16 + hex_value(s[i + 3]));
      i += 4;
    } else if (ch == '\\' && i + 1 < end && (q == '"' || s[i + 1] == '\'')) {
      char e = s[i + 1];
      static const char from[] = "nrtba", to[] = "\n\r\t\b\a";
      const char *hit = q == '"' ? kv_find(from, 5, e) : NULL;
      s[(*w)++] = hit ? to[hit - from] : e;
      i += 2;
    } else if (ch == q) {
      /* A closing quote must end the token, as in Redis' sdssplitargs. */
      return i + 1 < end && !is_space(s[i + 1]) ? -1 : (long)(i + 1);
    } else {
      s[(*w)++] = ch;
      i++;
    }
  }
  return -1;
}

/* Splits s[start..end) into arguments in place (Redis' inline syntax:
 * spaces separate, "..." with \n \xHH escapes, '...' with \'). Returns 0
 * or -1 for unbalanced quotes. */
static int split_inline(struct kv_conn *c, size_t start, size_t end) {
  char *s = c->in;
  size_t i = start;
  for (;;) {
    while (i < end && is_space(s[i]))
      i++;
    if (i == end)
      return 0;
    size_t w = i, arg = i;
    while (i < end && !is_space(s[i])) {
      if (s[i] == '"' || s[i] == '\'') {
        long r = unquote(s, i + 1, end, s[i], &w);
        if (r < 0)
          return -1;
        i = (size_t)r;
      } else {
        s[w++] = s[i++];
      }
    }
    if (push_arg(c, arg, w - arg) < 0)
      return 0; /* out of memory: c->done is set */
  }
}

static int parse_inline(struct kv_conn *c) {
  size_t next;
  long n = find_line(c, &next);
  if (n < 0)
    return line_too_long(c) ? protocol_error(c, "too big inline request")
                            : PARSE_MORE;
  if (n > KV_MAX_INLINE)
    return protocol_error(c, "too big inline request");
  /* Redis reads the line as a C string: a NUL ends it. */
  const char *nul = kv_find(c->in + c->scan, (size_t)n, 0);
  size_t end = nul ? (size_t)(nul - c->in) : c->scan + (size_t)n;
  if (split_inline(c, c->scan, end) < 0)
    return protocol_error(c, "unbalanced quotes in request");
  if (c->done)
    return PARSE_ERROR;
  c->scan = next;
  return c->argc ? PARSE_READY : PARSE_EMPTY;
}

/* Frees *buf if it is empty (used == 0) but large: one big command must
 * not pin its memory for the life of the connection (in an image, the
 * shared heap is small and every connection draws on it). */
static void trim(char **buf, size_t *cap, size_t used) {
  if (used == 0 && *cap > (size_t)KV_KEEP_BUFFER) {
    flexos_free_shared(*buf);
    *buf = NULL;
    *cap = 0;
  }
}

/* Forgets the command at in_pos; the next one starts at scan. */
static void next_command(struct kv_conn *c) {
  c->in_pos = c->scan;
  c->searched = 0;
  c->type = CMD_NONE;
  c->mbulk = 0;
  c->bulk = -1;
  c->argc = 0;
  if (c->in_pos == c->in_len)
    c->in_pos = c->scan = c->in_len = 0;
  trim(&c->in, &c->in_cap, c->in_len);
  trim(&c->scratch, &c->scratch_cap, 0);
  if (c->args_cap > 1024) { /* the argument array of a huge command */
    free(c->args);
    c->args = NULL;
    c->args_cap = 0;
  }
}

/* Parses and runs commands until input runs out, the connection is done
 * or the unsent output is over the high-water mark. */
static void process(struct kv_conn *c) {
  while (!c->done && out_pending(c) < (size_t)KV_OUTPUT_HIGH &&
         c->scan < c->in_len) {
    if (c->type == CMD_NONE)
      c->type = c->in[c->in_pos] == '*' ? CMD_MULTIBULK : CMD_INLINE;
    int r = c->type == CMD_MULTIBULK ? parse_multibulk(c) : parse_inline(c);
    if (r == PARSE_MORE || r == PARSE_ERROR)
      return;
    if (r == PARSE_READY) {
      for (long i = 0; i < c->argc; i++)
        c->args[i].p = c->in + c->args[i].off;
      kv_exec(c, (int)c->argc, c->args);
    }
    next_command(c);
  }
}

/* ---- buffers ---------------------------------------------------------- */

char *kv_conn_recv_space(struct kv_conn *c, size_t *room) {
  if (c->done)
    return NULL;
  if (c->in_len - c->in_pos >= (size_t)KV_MAX_QUERY) {
    protocol_error(c, "query buffer limit reached");
    return NULL;
  }
  if (c->in_pos > 0) { /* slide the unfinished command to the front */
    size_t shift = c->in_pos;
    memmove(c->in, c->in + shift, c->in_len - shift);
    for (long i = 0; i < c->argc; i++)
      c->args[i].off -= shift;
    c->in_len -= shift;
    c->scan -= shift;
    c->in_pos = 0;
  }
  /* Grow by doubling: memory follows what arrived, not what a bulk
   * header claims. */
  if (c->in_cap - c->in_len < KV_RECV_ROOM &&
      grow_shared(&c->in, &c->in_cap, c->in_len,
                  c->in_len + KV_RECV_ROOM) < 0) {
    reply_error(c, "out of memory"); /* if the output buffer has room */
    c->done = 1;
    return NULL;
  }
  *room = c->in_cap - c->in_len;
  return c->in + c->in_len;
}

void kv_conn_received(struct kv_conn *c, size_t n) {
  c->in_len += n;
  process(c);
}

int resp_feed_chunked(struct kv_conn *c, const char *bytes, size_t n,
                      size_t chunk, int (*drain)(struct kv_conn *, void *),
                      void *arg) {
  while (n > 0) {
    /* Without drain nobody sends the output, so waiting for it to go
     * would never end: feed on as resp_feed always has. */
    if (drain && kv_conn_done(c))
      return 0;
    if (drain && !kv_conn_wants_input(c)) {
      int rc = drain(c, arg);
      if (rc < 0)
        return rc;
      continue;
    }
    size_t room;
    char *p = kv_conn_recv_space(c, &room);
    if (!p)
      return 1;
    if (chunk && room > chunk)
      room = chunk;
    if (room > n)
      room = n;
    memcpy(p, bytes, room);
    bytes += room;
    n -= room;
    kv_conn_received(c, room);
  }
  return 0;
}

int resp_feed(struct kv_conn *c, const char *bytes, size_t n) {
  return resp_feed_chunked(c, bytes, n, 0, NULL, NULL) ? -1 : 0;
}

const char *kv_conn_output(struct kv_conn *c, size_t *len) {
  *len = out_pending(c);
  return c->out ? c->out + c->out_pos : ""; /* nothing sent yet */
}

void kv_conn_sent(struct kv_conn *c, size_t n) {
  c->out_pos += n < out_pending(c) ? n : out_pending(c);
  if (c->out_pos == c->out_len)
    c->out_pos = c->out_len = 0;
  trim(&c->out, &c->out_cap, c->out_len);
  process(c);
}

int kv_conn_wants_input(struct kv_conn *c) {
  return !c->done && out_pending(c) < (size_t)KV_OUTPUT_HIGH;
}

int kv_conn_done(struct kv_conn *c) { return c->done; }
