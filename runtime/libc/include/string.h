/*
 * FILE: runtime/libc/include/string.h
 * DESCRIPTION: string and memory functions of the image libc.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LIBC_STRING_H
#define FLEXOS_LIBC_STRING_H
#include <stddef.h>
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *restrict d, const char *restrict s);
char *strncpy(char *restrict d, const char *restrict s, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *h, const char *n);
#endif
