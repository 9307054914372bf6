/*
 * FILE: examples/kvstore/server/cmd_keys.c
 * DESCRIPTION:
 *   Library "app": the commands on keys of any type: DEL, EXISTS, TYPE,
 *   RENAME, RENAMENX, KEYS, SCAN, RANDOMKEY and the expiry commands
 *   (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST, TTL, PTTL,
 *   EXPIRETIME, PEXPIRETIME).
 * USAGE:
 *   one of the cmd_* handlers, from the command table in commands.c
 * License: MIT
 */
#include "commands.h"
#include "kvutil.h"

#include <flexos.h>
#include <string.h>

/* TYPE's names and SCAN's TYPE filter, by KV_TYPE_*. */
static const char *const type_names[] = {"none", "string", "list", "hash",
                                         "set"};

static void rename_key(struct kv_conn *c, const struct kv_arg *argv, int nx) {
  int rc = store_rename(A(1), A(2), nx);
  if (rc == KV_NOTFOUND)
    reply_error(c, "no such key");
  else if (rc < 0)
    reply_store_error(c, rc);
  else if (nx)
    reply_int(c, rc != 0);
  else
    reply_status(c, "OK");
}

void cmd_rename(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  rename_key(c, argv, 0);
}

void cmd_renamenx(struct kv_conn *c, int argc,
                  const struct kv_arg *argv) {
  rename_key(c, argv, 1);
}

void cmd_keys(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  reply_records(c, R_KEYS, argc, argv, 0, 0);
}

void cmd_randomkey(struct kv_conn *c, int argc,
                   const struct kv_arg *argv) {
  reply_fetched(c, F_RANDOMKEY, NULL, NULL, 0);
}

/* EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX|XX|GT|LT]. */
static void expire_key(struct kv_conn *c, int argc, const struct kv_arg *argv,
                       int secs, int rel, const char *name) {
  static const char *const opts[] = {"nx", "xx", "gt", "lt"};
  const long long max = (long long)(~0ull >> 1);
  int flags = 0;
  for (int j = 3; j < argc; j++) {
    int k = 0;
    while (k < 4 && !kv_name_is(A(j), opts[k]))
      k++;
    if (k == 4) {
      reply_quoted(c, "Unsupported option ", A(j), "");
      return;
    }
    flags |= 1 << k; /* KV_EXP_NX, _XX, _GT, _LT */
  }
  if (flags & KV_EXP_NX && flags & (KV_EXP_XX | KV_EXP_GT | KV_EXP_LT)) {
    reply_error(c, "NX and XX, GT or LT options at the same time are not "
                   "compatible");
    return;
  }
  if (flags & KV_EXP_GT && flags & KV_EXP_LT) {
    reply_error(c, "GT and LT options at the same time are not compatible");
    return;
  }
  long long when;
  if (!kv_parse_ll(A(2), &when)) {
    reply_error(c, notint);
    return;
  }
  if ((secs && (when > max / 1000 || when < -max / 1000)) ||
      (rel && when * (secs ? 1000 : 1) > max - now_ms)) {
    reply_quoted(c, "invalid expire time in '", name, strlen(name),
                 "' command");
    return;
  }
  when = when * (secs ? 1000 : 1) + (rel ? now_ms : 0);
  reply_count(c, store_expire(A(1), flags, when));
}

void cmd_expire(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  expire_key(c, argc, argv, 1, 1, "expire");
}

void cmd_pexpire(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  expire_key(c, argc, argv, 0, 1, "pexpire");
}

void cmd_expireat(struct kv_conn *c, int argc,
                  const struct kv_arg *argv) {
  expire_key(c, argc, argv, 1, 0, "expireat");
}

void cmd_pexpireat(struct kv_conn *c, int argc,
                   const struct kv_arg *argv) {
  expire_key(c, argc, argv, 0, 0, "pexpireat");
}

void cmd_persist(struct kv_conn *c, int argc,
                 const struct kv_arg *argv) {
  reply_count(c, store_expire(A(1), KV_EXP_PERSIST, 0LL));
}

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 without the key, -1 without an
 * expiry, else the time left (or the expire time, abs), rounded to
 * seconds unless ms. */
static void ttl_of(struct kv_conn *c, const struct kv_arg *argv, int ms,
                   int abs) {
  long at = store_ttl(A(1));
  if (at == -1 || at == -2) {
    reply_int(c, at);
    return;
  }
  if (at < 0) {
    reply_store_error(c, KV_BADREPLY);
    return;
  }
  long long t = abs ? at : at - now_ms;
  if (t < 0)
    t = 0;
  reply_int(c, ms ? t : t / 1000 + (t % 1000 >= 500));
}

void cmd_ttl(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  ttl_of(c, argv, 0, 0);
}

void cmd_pttl(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  ttl_of(c, argv, 1, 0);
}

void cmd_expiretime(struct kv_conn *c, int argc,
                    const struct kv_arg *argv) {
  ttl_of(c, argv, 0, 1);
}

void cmd_pexpiretime(struct kv_conn *c, int argc,
                     const struct kv_arg *argv) {
  ttl_of(c, argv, 1, 1);
}

void cmd_del(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  long long n = 0;
  for (int i = 1; i < argc; i++)
    n += store_del(A(i));
  reply_int(c, n);
}

void cmd_exists(struct kv_conn *c, int argc,
                const struct kv_arg *argv) {
  long long n = 0;
  for (int i = 1; i < argc; i++)
    n += store_type(A(i)) != KV_TYPE_NONE;
  reply_int(c, n);
}

void cmd_type(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  int t = store_type(A(1));
  reply_status(c, type_names[t >= 0 && t <= 4 ? t : 0]);
}

/* An unsigned cursor as Redis reads it (strtoul: a sign, digits, no
 * overflow; a negative one wraps). Returns 1 and sets *v. */
static int parse_cursor(const char *s, size_t n, unsigned long *v) {
  size_t i = 0;
  int neg = 0;
  *v = 0;
  if (n && (s[0] == '-' || s[0] == '+'))
    neg = s[i++] == '-';
  if (i == n && i > 0)
    return 0; /* a sign alone */
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9' || *v > (~0ul - (unsigned)(s[i] - '0')) / 10)
      return 0;
    *v = *v * 10 + (unsigned)(s[i] - '0');
  }
  if (neg)
    *v = 0 - *v;
  return 1;
}

/* SCAN's options from argv[2..): [MATCH pattern] [COUNT count]
 * [TYPE type]. Returns 1 with *count, *type and *match set (match NULL
 * for every key), or 0 after the error reply. */
static int scan_options(struct kv_conn *c, int argc, const struct kv_arg *argv,
                        long *count, int *type, const struct kv_arg **match) {
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) {
      reply_error(c, "syntax error");
      return 0;
    }
    if (kv_name_is(A(i), "count")) {
      if (!arg_long(c, &argv[i + 1], count))
        return 0;
      if (*count < 1) {
        reply_error(c, "syntax error");
        return 0;
      }
    } else if (kv_name_is(A(i), "match")) {
      *match = &argv[i + 1];
      if ((*match)->n == 1 && (*match)->p[0] == '*')
        *match = NULL;
    } else if (kv_name_is(A(i), "type")) {
      *type = 99; /* no key has it */
      for (int t = 1; t < 5; t++)
        if (kv_name_is(A(i + 1), type_names[t]))
          *type = t;
    } else {
      reply_error(c, "syntax error");
      return 0;
    }
  }
  return 1;
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. */
void cmd_scan(struct kv_conn *c, int argc, const struct kv_arg *argv) {
  unsigned long cursor __flexos_share;
  unsigned long at;
  long count = 10, n __flexos_share;
  int type = 0;
  const struct kv_arg *match = NULL;
  if (!parse_cursor(A(1), &at)) {
    reply_error(c, "invalid cursor");
    return;
  }
  if (!scan_options(c, argc, argv, &count, &type, &match))
    return;
  size_t cap = 256;
  long need;
  char *buf;
  for (;;) {
    if (!(buf = conn_scratch(c, cap)))
      return;
    cursor = at;
    need = store_scan(&cursor, count, type, buf, cap, &n);
    if (need > KV_MAX_QUERY) {
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
  char digits[KV_LL_MAX_DIGITS + 1];
  unsigned long next = cursor;
  size_t len = 0;
  do
    digits[sizeof digits - 1 - len++] = (char)('0' + next % 10);
  while ((next /= 10) != 0);
  reply_array(c, 2);
  reply_bulk(c, digits + sizeof digits - len, len);
  reply_record_array(c, buf, need, n, match, SHAPE_ARRAY);
}
