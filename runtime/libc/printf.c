/*
 * FILE: runtime/libc/printf.c
 * DESCRIPTION:
 *   printf family.  One formatter writes through a sink: a bounded buffer
 *   (snprintf) or the serial console (printf).  Keeps no global state, so
 *   it runs in whichever compartment calls it, touching only its stack.
 * License: MIT (see LICENSE)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void console_putc(char c); /* runtime/console.c */

struct sink {
  char *buf;  /* 0: console */
  size_t cap; /* bytes available in buf, including the NUL */
  size_t len; /* characters produced so far */
};

static void emit(struct sink *s, char c) {
  if (!s->buf)
    console_putc(c);
  else if (s->len + 1 < s->cap)
    s->buf[s->len] = c;
  s->len++;
}

static void emit_padded(struct sink *s, const char *str, size_t n, int width,
                        int left, char pad) {
  int fill = width > (int)n ? width - (int)n : 0;
  if (!left && pad == '0' && n && (*str == '-')) {
    emit(s, *str++);
    n--;
  }
  for (; !left && fill > 0; fill--)
    emit(s, pad);
  for (size_t i = 0; i < n; i++)
    emit(s, str[i]);
  for (; left && fill > 0; fill--)
    emit(s, ' ');
}

/* Digits of v in `base` into tmp (right-aligned); returns the start. */
static char *utoa(char *end, uint64_t v, unsigned base, int upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  *--end = 0;
  do {
    *--end = digits[v % base];
    v /= base;
  } while (v);
  return end;
}

static uint64_t arg_unsigned(va_list *ap, int lng) {
  return lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int lng) {
  return lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

static void format_number(struct sink *s, char conv, va_list *ap, int lng,
                          int width, int left, char pad) {
  char tmp[24], *p;
  if (conv == 'd' || conv == 'i') {
    int64_t v = arg_signed(ap, lng);
    p = utoa(tmp + sizeof(tmp), v < 0 ? -(uint64_t)v : (uint64_t)v, 10, 0);
    if (v < 0)
      *--p = '-';
  } else if (conv == 'p') {
    p = utoa(tmp + sizeof(tmp), (uintptr_t)va_arg(*ap, void *), 16, 0);
    *--p = 'x';
    *--p = '0';
  } else {
    unsigned base = conv == 'u' ? 10 : 16;
    p = utoa(tmp + sizeof(tmp), arg_unsigned(ap, lng), base, conv == 'X');
  }
  emit_padded(s, p, strlen(p), width, left, pad);
}

static int format(struct sink *s, const char *fmt, va_list ap0) {
  va_list ap;
  va_copy(ap, ap0);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      emit(s, *fmt);
      continue;
    }
    int left = 0, width = 0, prec = -1, lng = 0;
    char pad = ' ';
    for (; *++fmt == '-' || *fmt == '0';)
      *fmt == '-' ? (left = 1) : (pad = '0');
    for (; *fmt >= '0' && *fmt <= '9'; fmt++)
      width = width * 10 + (*fmt - '0');
    if (*fmt == '.')
      for (prec = 0; *++fmt >= '0' && *fmt <= '9';)
        prec = prec * 10 + (*fmt - '0');
    for (; *fmt == 'l' || *fmt == 'z'; fmt++)
      lng = 1;
    switch (*fmt) {
    case 's': {
      const char *str = va_arg(ap, const char *);
      str = str ? str : "(null)";
      size_t n = strlen(str);
      emit_padded(s, str, prec >= 0 && (size_t)prec < n ? (size_t)prec : n,
                  width, left, ' ');
      break;
    }
    case 'c': {
      char c = (char)va_arg(ap, int);
      emit_padded(s, &c, 1, width, left, ' ');
      break;
    }
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'p':
      format_number(s, *fmt, &ap, lng, width, left, pad);
      break;
    case '%':
      emit(s, '%');
      break;
    default: /* unknown conversion: print it verbatim */
      emit(s, '%');
      if (!*fmt)
        goto done;
      emit(s, *fmt);
    }
  }
done:
  va_end(ap);
  return (int)s->len;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) {
  char dummy;
  struct sink s = {n ? buf : &dummy, n ? n : 1, 0};
  int len = format(&s, fmt, ap);
  s.buf[s.len < s.cap ? s.len : s.cap - 1] = 0;
  return len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

int vprintf(const char *fmt, va_list ap) {
  struct sink s = {0, 0, 0};
  return format(&s, fmt, ap);
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vprintf(fmt, ap);
  va_end(ap);
  return r;
}

int putchar(int c) {
  console_putc((char)c);
  return (unsigned char)c;
}

int puts(const char *s) {
  while (*s)
    console_putc(*s++);
  console_putc('\n');
  return 0;
}
