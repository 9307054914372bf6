/*
 * FILE: runtime/libc/include/stdio.h
 * DESCRIPTION: printf family of the image libc; output goes to the serial
 *   console.  Formats: %d %i %u %x %X %p %s %c %% with l/ll/z, width,
 *   '-', '0' and precision for strings.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LIBC_STDIO_H
#define FLEXOS_LIBC_STDIO_H
#include <stdarg.h>
#include <stddef.h>
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
#endif
