/*
 * FILE: examples/kvstore/server/kvfloat.h
 * DESCRIPTION:
 *   INCRBYFLOAT's arithmetic without a floating-point unit (kernel images
 *   are built with -mgeneral-regs-only, and their libc has no strtold or
 *   %Lf): Redis adds two x87 long doubles (64-bit mantissa) read with
 *   strtold and writes the sum with "%.17Lf", trailing zeros removed.
 *   Here a long double is a sign, a 64-bit mantissa and a binary exponent;
 *   reading a decimal (or hexadecimal) string and printing 17 decimals go
 *   through exact big integers, rounding to nearest, ties to even, as
 *   glibc does, so that the replies are Redis' to the last digit.
 *   Subnormal numbers are kept with a full mantissa (their 17-decimal
 *   form is 0 either way). Big integers live in static buffers: commands
 *   run one at a time. Used by commands.c only.
 * USAGE:
 *   struct kv_ld a, b; if (kv_ld_parse(s, n, &a) && ...) kv_ld_add(a, b, &r);
 *   n = kv_ld_format(r, buf);   (buf: KV_LD_CHARS bytes)
 * License: MIT
 */
#ifndef KVFLOAT_H
#define KVFLOAT_H

#include <stddef.h>
#include <stdint.h>

/* Redis' MAX_LONG_DOUBLE_CHARS: longer strings are not read, and the
 * longest "%.17Lf" (about 4950 characters) fits. */
#define KV_LD_CHARS (5 * 1024)

/* m * 2^e, m's top bit set (or m == 0: zero). */
struct kv_ld {
  int neg;
  uint64_t m;
  int e;
};

#define KVF_EMAX 16320    /* largest e of a finite long double (m < 2^64) */
#define KVF_EMIN (-16509) /* below half the smallest subnormal: 0      */
#define KVF_LIMBS 1200    /* 38400 bits: 10^10100 and a margin          */

struct kvf_big {
  int n; /* limbs in use; d[n - 1] != 0 unless n == 0 */
  uint32_t d[KVF_LIMBS];
};

static struct kvf_big kvf_x, kvf_y;

static void kvf_trim(struct kvf_big *a) {
  while (a->n > 0 && a->d[a->n - 1] == 0)
    a->n--;
}

static void kvf_set(struct kvf_big *a, uint64_t v) {
  a->d[0] = (uint32_t)v;
  a->d[1] = (uint32_t)(v >> 32);
  a->n = 2;
  kvf_trim(a);
}

/* a = a * m + add; 0, or -1 when it no longer fits. */
static int kvf_mul_add(struct kvf_big *a, uint32_t m, uint32_t add) {
  uint64_t carry = add;
  for (int i = 0; i < a->n; i++) {
    carry += (uint64_t)a->d[i] * m;
    a->d[i] = (uint32_t)carry;
    carry >>= 32;
  }
  if (carry) {
    if (a->n == KVF_LIMBS)
      return -1;
    a->d[a->n++] = (uint32_t)carry;
  }
  return 0;
}

static long kvf_bits(const struct kvf_big *a) {
  if (a->n == 0)
    return 0;
  long b = 32L * (a->n - 1);
  for (uint32_t top = a->d[a->n - 1]; top; top >>= 1)
    b++;
  return b;
}

static int kvf_bit(const struct kvf_big *a, long i) {
  return i >= 0 && i / 32 < a->n && (a->d[i / 32] >> (i % 32)) & 1;
}

/* Any of bits 0..i-1 set? */
static int kvf_any_below(const struct kvf_big *a, long i) {
  for (long w = 0; w < a->n && w * 32 < i; w++) {
    uint32_t v = a->d[w];
    if (i - w * 32 < 32)
      v &= ((uint32_t)1 << (i - w * 32)) - 1;
    if (v)
      return 1;
  }
  return 0;
}

/* a <<= s (s >= 0); 0, or -1 when it does not fit. */
static int kvf_shl(struct kvf_big *a, long s) {
  long w = s / 32, b = s % 32;
  if (a->n == 0)
    return 0;
  if (a->n + w + 1 > KVF_LIMBS)
    return -1;
  a->d[a->n + w] = 0;
  for (long i = a->n - 1; i >= 0; i--) {
    uint64_t v = (uint64_t)a->d[i] << b;
    a->d[i + w + 1] |= (uint32_t)(v >> 32);
    a->d[i + w] = (uint32_t)v;
  }
  for (long i = 0; i < w; i++)
    a->d[i] = 0;
  a->n += (int)w + 1;
  kvf_trim(a);
  return 0;
}

/* a >>= s (s >= 0). */
static void kvf_shr(struct kvf_big *a, long s) {
  long w = s / 32, b = s % 32;
  if (w >= a->n) {
    a->n = 0;
    return;
  }
  for (long i = 0; i + w < a->n; i++) {
    uint64_t v = a->d[i + w];
    if (i + w + 1 < a->n)
      v |= (uint64_t)a->d[i + w + 1] << 32;
    a->d[i] = (uint32_t)(v >> b);
  }
  a->n -= (int)w;
  kvf_trim(a);
}

static int kvf_cmp(const struct kvf_big *a, const struct kvf_big *b) {
  if (a->n != b->n)
    return a->n < b->n ? -1 : 1;
  for (int i = a->n - 1; i >= 0; i--)
    if (a->d[i] != b->d[i])
      return a->d[i] < b->d[i] ? -1 : 1;
  return 0;
}

/* a -= b, b <= a. */
static void kvf_sub(struct kvf_big *a, const struct kvf_big *b) {
  int64_t borrow = 0;
  for (int i = 0; i < a->n; i++) {
    int64_t v = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
    borrow = v < 0;
    a->d[i] = (uint32_t)(v + (borrow ? ((int64_t)1 << 32) : 0));
  }
  kvf_trim(a);
}

/* a /= d; returns the remainder. */
static uint32_t kvf_div_small(struct kvf_big *a, uint32_t d) {
  uint64_t r = 0;
  for (int i = a->n - 1; i >= 0; i--) {
    r = (r << 32) | a->d[i];
    a->d[i] = (uint32_t)(r / d);
    r %= d;
  }
  kvf_trim(a);
  return (uint32_t)r;
}

/* x * 2^e, more bits below when sticky, rounded to a long double.
 * Returns 1, or 0 on overflow (and on underflow to zero when x != 0). */
static int kvf_round(struct kvf_big *x, long e, int sticky, int neg,
                     struct kv_ld *out) {
  long bits = kvf_bits(x), shift = bits - 64;
  uint64_t m = 0;
  out->neg = neg;
  if (bits == 0) {
    out->m = 0;
    out->e = 0;
    return 1;
  }
  if (shift > 0) {
    int half = kvf_bit(x, shift - 1);
    sticky |= kvf_any_below(x, shift - 1);
    for (int i = 63; i >= 0; i--)
      m = (m << 1) | (uint64_t)kvf_bit(x, shift + i);
    if (half && (sticky || (m & 1)) && ++m == 0) {
      m = (uint64_t)1 << 63;
      shift++;
    }
  } else {
    for (long i = bits - 1; i >= 0; i--)
      m = (m << 1) | (uint64_t)kvf_bit(x, i);
    m <<= -shift;
  }
  e += shift;
  if (e > KVF_EMAX || e < KVF_EMIN)
    return 0;
  out->m = m;
  out->e = (int)e;
  return 1;
}

static int kvf_digit(char ch, int hex) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  ch = (char)(ch | 0x20);
  return hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Reads s[0..n) as Redis' string2ld does (strtold, the whole string, no
 * leading space, no NUL, not NaN, not out of range). Infinity is read as such:
 * returns 1 (a number), 2 (an infinity) or 0 (not a valid float). */
/* kv_ld_parse's digits s[*i..n) (base 16 with hex), with at most one
 * point, into kvf_x; *scale counts the digits after the point. Returns
 * how many digits there were, or -1 when kvf_x overflows. */
static int kvf_parse_digits(const char *s, size_t n, size_t *i, int hex,
                            long *scale) {
  int digits = 0;
  kvf_x.n = 0;
  for (int point = 0; *i < n; (*i)++) {
    int d = kvf_digit(s[*i], hex);
    if (s[*i] == '.' && !point) {
      point = 1;
      continue;
    }
    if (d < 0)
      break;
    digits++;
    if (kvf_x.n == 0 && d == 0) { /* a leading zero */
      *scale -= point;
      continue;
    }
    if (kvf_mul_add(&kvf_x, hex ? 16 : 10, (uint32_t)d) < 0)
      return -1;
    *scale -= point;
  }
  return digits;
}

/* kv_ld_parse's exponent at s[*i..n), if any ('e', or 'p' with hex,
 * then decimal digits with a sign): *exp, *i past it. */
static void kvf_parse_exp(const char *s, size_t n, size_t *i, int hex,
                          long *exp) {
  if (*i < n && (s[*i] | 0x20) == (hex ? 'p' : 'e')) {
    size_t j = *i + 1;
    int eneg = 0;
    if (j < n && (s[j] == '+' || s[j] == '-'))
      eneg = s[j++] == '-';
    if (j < n && kvf_digit(s[j], 0) >= 0) {
      for (; j < n && kvf_digit(s[j], 0) >= 0; j++)
        if (*exp < 1000000)
          *exp = *exp * 10 + kvf_digit(s[j], 0);
      if (eneg)
        *exp = -*exp;
      *i = j;
    }
  }
}

/* kvf_x * 10^exp (exp < 0), rounded into *out: a quotient of at least
 * 66 bits, the rest sticky. */
static int kvf_divide_pow10(long exp, int neg, struct kv_ld *out) {
  kvf_set(&kvf_y, 1);
  for (long k = 0; k < -exp; k++)
    if (kvf_mul_add(&kvf_y, 10, 0) < 0)
      return 0;
  long k = kvf_bits(&kvf_y) - kvf_bits(&kvf_x) + 66;
  if (k < 0)
    k = 0;
  if (kvf_shl(&kvf_x, k) < 0)
    return 0;
  long qbits = kvf_bits(&kvf_x) - kvf_bits(&kvf_y);
  unsigned __int128 q = 0;
  if (kvf_shl(&kvf_y, qbits) < 0)
    return 0;
  for (long b = qbits; b >= 0; b--) {
    q <<= 1;
    if (kvf_cmp(&kvf_x, &kvf_y) >= 0) {
      kvf_sub(&kvf_x, &kvf_y);
      q |= 1;
    }
    kvf_shr(&kvf_y, 1);
  }
  int sticky = kvf_x.n != 0;
  for (int w = 0; w < 4; w++)
    kvf_x.d[w] = (uint32_t)(q >> (32 * w));
  kvf_x.n = 4;
  kvf_trim(&kvf_x);
  return kvf_round(&kvf_x, -k, sticky, neg, out);
}

/* kvf_x * 10^exp, rounded into *out (0 when out of range). */
static int kvf_scale_pow10(long exp, int neg, struct kv_ld *out) {
  if (kvf_x.n == 0)
    return kvf_round(&kvf_x, 0, 0, neg, out);
  /* Out of range whatever the digits: 10^4933 overflows, 10^-4952 is 0. */
  long mag = exp + (long)(kvf_bits(&kvf_x) * 30103L / 100000L);
  if (mag > 4934 || mag < -4953)
    return 0;
  if (exp >= 0) {
    for (long k = 0; k < exp; k++)
      if (kvf_mul_add(&kvf_x, 10, 0) < 0)
        return 0;
    return kvf_round(&kvf_x, 0, 0, neg, out);
  }
  return kvf_divide_pow10(exp, neg, out);
}

static int kv_ld_parse(const char *s, size_t n, struct kv_ld *out) {
  static const char inf[] = "infinity";
  size_t i = 0, len;
  int neg = 0, hex = 0, digits;
  long scale = 0, exp = 0; /* value = X * base^scale * (2 or 10)^exp */
  if (n == 0 || n >= KV_LD_CHARS)
    return 0;
  if (i < n && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  len = n - i;
  if (len == 3 || len == 8) { /* "inf", "infinity", any case */
    size_t k = 0;
    while (k < len && (s[i + k] | 0x20) == inf[k])
      k++;
    if (k == len)
      return 2;
  }
  if (n - i > 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x' &&
      (kvf_digit(s[i + 2], 1) >= 0 ||
       (s[i + 2] == '.' && n - i > 3 && kvf_digit(s[i + 3], 1) >= 0))) {
    hex = 1;
    i += 2;
  }
  digits = kvf_parse_digits(s, n, &i, hex, &scale);
  if (digits <= 0)
    return 0;
  kvf_parse_exp(s, n, &i, hex, &exp);
  if (i != n)
    return 0;
  if (hex) /* X * 16^scale * 2^exp: exact, then rounded */
    return kvf_round(&kvf_x, exp + 4 * scale, 0, neg, out);
  return kvf_scale_pow10(exp + scale, neg, out);
}

static int kvf_bitlen128(unsigned __int128 v) {
  int b = 0;
  for (; v; v >>= 1)
    b++;
  return b;
}

/* *r = a + b, rounded. Returns 1, or 0 when the sum overflows. */
static int kv_ld_add(struct kv_ld a, struct kv_ld b, struct kv_ld *r) {
  if (a.m == 0 || (b.m != 0 && a.e < b.e)) { /* a: the larger exponent */
    struct kv_ld t = a;
    a = b;
    b = t;
  }
  if (b.m == 0) {
    *r = a;
    return 1;
  }
  /* 62 guard bits below a's mantissa; what falls off b is sticky. */
  unsigned __int128 x = (unsigned __int128)a.m << 62,
                    y = (unsigned __int128)b.m << 62, sum;
  long d = (long)a.e - b.e;
  if (d >= 127) {
    y = 1;
  } else if (d > 0) {
    int sticky = (y & (((unsigned __int128)1 << d) - 1)) != 0;
    y = (y >> d) | (unsigned __int128)sticky;
  }
  int neg = a.neg;
  if (a.neg == b.neg) {
    sum = x + y;
  } else if (x >= y) {
    sum = x - y;
  } else {
    sum = y - x;
    neg = b.neg;
  }
  r->neg = neg;
  if (sum == 0) {
    r->neg = 0;
    r->m = 0;
    r->e = 0;
    return 1;
  }
  long shift = kvf_bitlen128(sum) - 64, e = (long)a.e - 62;
  uint64_t m;
  if (shift > 0) {
    unsigned __int128 rest = sum & (((unsigned __int128)1 << shift) - 1),
                      half = (unsigned __int128)1 << (shift - 1);
    m = (uint64_t)(sum >> shift);
    if ((rest > half || (rest == half && (m & 1))) && ++m == 0) {
      m = (uint64_t)1 << 63;
      shift++;
    }
  } else {
    m = (uint64_t)sum << -shift;
  }
  e += shift;
  if (e > KVF_EMAX)
    return 0;
  r->m = m;
  r->e = (int)(e < KVF_EMIN ? KVF_EMIN : e);
  return 1;
}

/* Writes v as Redis' LD_STR_HUMAN does ("%.17Lf", then trailing zeros
 * and a bare point dropped, "-0" as "0") into buf (KV_LD_CHARS bytes);
 * returns the length. */
static size_t kv_ld_format(struct kv_ld v, char *buf) {
  static char digits[KV_LD_CHARS];
  size_t nd = 0, len = 0;
  /* round(m * 10^17 * 2^e), ties to even */
  kvf_set(&kvf_x, v.m);
  kvf_mul_add(&kvf_x, 1000000000u, 0);
  kvf_mul_add(&kvf_x, 100000000u, 0);
  if (v.e >= 0) {
    kvf_shl(&kvf_x, v.e);
  } else if (-(long)v.e > kvf_bits(&kvf_x)) {
    kvf_x.n = 0; /* below half a unit of the 17th decimal */
  } else {
    long s = -(long)v.e;
    int half = kvf_bit(&kvf_x, s - 1), sticky = kvf_any_below(&kvf_x, s - 1);
    kvf_shr(&kvf_x, s);
    if (half && (sticky || kvf_bit(&kvf_x, 0)))
      kvf_mul_add(&kvf_x, 1, 1);
  }
  while (kvf_x.n > 0) { /* decimal digits, least significant first */
    uint32_t r = kvf_div_small(&kvf_x, 1000000000u);
    for (int k = 0; k < 9; k++, r /= 10)
      digits[nd++] = (char)('0' + r % 10);
  }
  while (nd > 0 && digits[nd - 1] == '0')
    nd--;
  while (nd < 18)
    digits[nd++] = '0';
  size_t low = 0; /* the fraction's trailing zeros: digits[0..low) */
  while (low < 17 && digits[low] == '0')
    low++;
  if (v.neg)
    buf[len++] = '-';
  for (size_t k = nd; k > 17; k--)
    buf[len++] = digits[k - 1];
  if (low < 17) {
    buf[len++] = '.';
    for (size_t k = 17; k > low; k--)
      buf[len++] = digits[k - 1];
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0')
    buf[0] = buf[1], len = 1;
  return len;
}

#endif
