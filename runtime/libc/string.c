/*
 * FILE: runtime/libc/string.c
 * DESCRIPTION: memory and string functions.  Plain byte loops: the runtime
 *   is built with -ffreestanding, so the compiler may call these itself.
 * License: MIT (see LICENSE)
 */
#include <stdint.h>
#include <string.h>

/* rep movsb / rep stosb: one instruction for the whole run, which fast
 * string microcode (and emulators) handle far better than a byte loop.
 * DF is clear: the ABI and every gate guarantee it. */
void *memcpy(void *restrict d, const void *restrict s, size_t n) {
  void *dp = d;
  __asm__ volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
  return d;
}

void *memmove(void *d, const void *s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  if (dp < sp || dp >= sp + n)
    return memcpy(d, s, n);
  while (n--)
    dp[n] = sp[n];
  return d;
}

void *memset(void *d, int c, size_t n) {
  void *dp = d;
  __asm__ volatile("rep stosb" : "+D"(dp), "+c"(n) : "a"(c) : "memory");
  return d;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y)
      return *x - *y;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  for (; *a && *a == *b; a++, b++)
    ;
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n && *a && *a == *b; n--, a++, b++)
    ;
  return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

char *strcpy(char *restrict d, const char *restrict s) {
  char *r = d;
  while ((*d++ = *s++))
    ;
  return r;
}

/* Like C's strncpy, pads with NULs and may leave d unterminated. */
char *strncpy(char *restrict d, const char *restrict s, size_t n) {
  size_t i = 0;
  for (; i < n && s[i]; i++)
    d[i] = s[i];
  for (; i < n; i++)
    d[i] = 0;
  return d;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c)
      return (char *)s;
    if (!*s)
      return 0;
  }
}

char *strstr(const char *h, const char *n) {
  size_t len = strlen(n);
  for (; *h; h++)
    if (!strncmp(h, n, len))
      return (char *)h;
  return len ? 0 : (char *)h;
}
