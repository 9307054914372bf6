/*
 * FILE: runtime/libc/include/stdlib.h
 * DESCRIPTION: allocation (the calling compartment's heap, chosen from
 *   PKRU; runtime/heap.c), abort, exit and number parsing of the image libc.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LIBC_STDLIB_H
#define FLEXOS_LIBC_STDLIB_H
#include <stddef.h>
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
__attribute__((noreturn)) void abort(void);
__attribute__((noreturn)) void exit(int code);
long strtol(const char *s, char **end, int base);
int atoi(const char *s);
#endif
