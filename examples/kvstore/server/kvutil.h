/*
 * FILE: examples/kvstore/server/kvutil.h
 * DESCRIPTION:
 *   Small helpers both libraries of the kvstore need: strict decimal
 *   integers as Redis reads and writes them, records (several values in
 *   one buffer), case-insensitive command names and Redis' glob
 *   patterns. They are static so that each library gets its own copy: in
 *   an isolated configuration, code in one compartment cannot call into
 *   another compartment's text without a gate. No libc beyond what the
 *   kernel image's libc has (no strtoll, no ctype).
 * USAGE:
 *   long long v; if (kv_parse_ll(p, n, &v)) ...
 * License: MIT
 */
#ifndef KVUTIL_H
#define KVUTIL_H

#include <stddef.h>
#include <string.h>

/* Longest decimal long long: "-9223372036854775808" is 20 characters. */
#define KV_LL_MAX_DIGITS 20

/* Parses s[0..n) as a decimal long long the way Redis does: an optional
 * '-', no '+', no spaces, no leading zeros (except "0" itself), no
 * overflow. Returns 1 and sets *out on success, else 0. */
static inline int kv_parse_ll(const char *s, size_t n, long long *out) {
  size_t i = 0;
  int neg = 0;
  unsigned long long v = 0;
  if (n == 0 || n > KV_LL_MAX_DIGITS)
    return 0;
  if (n == 1 && s[0] == '0') {
    *out = 0;
    return 1;
  }
  if (s[0] == '-') {
    neg = 1;
    i = 1;
  }
  /* The first digit must be 1-9: this rejects "-", "-0" and "007". */
  if (i >= n || s[i] < '1' || s[i] > '9')
    return 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (~0ull - d) / 10)
      return 0;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > (unsigned long long)1 << 63)
      return 0;
    *out = (long long)(0 - v); /* wraps to LLONG_MIN for 2^63 */
  } else {
    if (v > ((unsigned long long)1 << 63) - 1)
      return 0;
    *out = (long long)v;
  }
  return 1;
}

/* Writes v in decimal to buf (at least KV_LL_MAX_DIGITS bytes, no NUL).
 * Returns the number of bytes written. */
static inline size_t kv_format_ll(char *buf, long long v) {
  char tmp[KV_LL_MAX_DIGITS];
  size_t n = 0, len = 0;
  /* Negate in unsigned arithmetic: -LLONG_MIN overflows long long. */
  unsigned long long u = v < 0 ? 0 - (unsigned long long)v
                               : (unsigned long long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    buf[len++] = '-';
  while (n)
    buf[len++] = tmp[--n];
  return len;
}

/* memchr, which the kernel image's libc does not have. */
static inline const char *kv_find(const char *p, size_t n, char ch) {
  for (size_t i = 0; i < n; i++)
    if (p[i] == ch)
      return p + i;
  return NULL;
}

/* Records, the form in which the store hands back several values (and
 * takes several keys): an 8-byte little-endian length, then the bytes.
 * kv_put_record writes one at p and returns its end; kv_record_len reads
 * the length at p. */
static inline char *kv_put_record(char *p, const char *s, size_t n) {
  for (int b = 0; b < 8; b++)
    *p++ = (char)((unsigned long long)n >> (8 * b));
  memcpy(p, s, n);
  return p + n;
}

static inline size_t kv_record_len(const char *p) {
  size_t n = 0;
  for (int b = 0; b < 8; b++)
    n |= (size_t)(unsigned char)p[b] << (8 * b);
  return n;
}

/* kv_glob_match's bracket class at *p ('[' ... ']', *pn bytes left):
 * does ch belong to it? Leaves *p at the class' last byte. */
static inline int kv_glob_class(const char **pp, size_t *ppn, char ch) {
  const char *p = *pp + 1;
  size_t pn = *ppn - 1;
  int not = pn && p[0] == '^', match = 0;
  if (not) {
    p++;
    pn--;
  }
  for (;;) {
    if (pn == 0) { /* no closing ']': the last byte closes it */
      p--;
      pn++;
      break;
    } else if (p[0] == '\\' && pn >= 2) {
      p++;
      pn--;
      match |= p[0] == ch;
    } else if (p[0] == ']') {
      break;
    } else if (pn >= 3 && p[1] == '-') {
      int lo = p[0], hi = p[2], c = ch;
      if (lo > hi) {
        int t = lo;
        lo = hi;
        hi = t;
      }
      p += 2;
      pn -= 2;
      match |= c >= lo && c <= hi;
    } else {
      match |= p[0] == ch;
    }
    p++;
    pn--;
  }
  *pp = p;
  *ppn = pn;
  return not ? !match : match;
}

/* Does s[0..sn) match the glob pattern p[0..pn)? Redis' stringmatchlen
 * (util.c), case-sensitive, reading nothing past either end: * ? [abc]
 * [^a] [a-z] and \ escapes; KEYS in the store, SCAN's MATCH in the app.
 * *stop is set when no later start of the string can match either,
 * which keeps patterns of many stars linear. */
static inline int kv_glob_match(const char *p, size_t pn, const char *s,
                                size_t sn, int *stop) {
  while (pn && sn) {
    switch (p[0]) {
    case '*':
      while (pn > 1 && p[1] == '*') {
        p++;
        pn--;
      }
      if (pn == 1)
        return 1;
      for (; sn; s++, sn--) {
        if (kv_glob_match(p + 1, pn - 1, s, sn, stop))
          return 1;
        if (*stop)
          return 0;
      }
      *stop = 1;
      return 0;
    case '?':
      s++;
      sn--;
      break;
    case '[':
      if (!kv_glob_class(&p, &pn, s[0]))
        return 0;
      s++;
      sn--;
      break;
    case '\\':
      if (pn >= 2) {
        p++;
        pn--;
      }
      /* fall through */
    default:
      if (p[0] != s[0])
        return 0;
      s++;
      sn--;
      break;
    }
    p++;
    pn--;
    if (sn == 0) {
      while (pn && *p == '*') {
        p++;
        pn--;
      }
      break;
    }
  }
  return pn == 0 && sn == 0;
}

/* v with its bits in reverse order (SCAN's cursor). */
static inline unsigned long kv_reverse_bits(unsigned long v) {
  unsigned long r = 0;
  for (unsigned i = 0; i < 8 * sizeof v; i++, v >>= 1)
    r = (r << 1) | (v & 1);
  return r;
}

static inline char kv_lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does s[0..n) equal the lowercase NUL-terminated name, ignoring case? */
static inline int kv_name_is(const char *s, size_t n, const char *name) {
  size_t i;
  for (i = 0; i < n; i++)
    if (name[i] == 0 || kv_lower(s[i]) != name[i])
      return 0;
  return name[i] == 0;
}

#endif
