/*
 * FILE: test/libc/families.h
 * DESCRIPTION: the image libc's test families (families.c), called from
 *   the application's compartment (app.c).
 * License: MIT (see LICENSE)
 */
#ifndef FAMILIES_H
#define FAMILIES_H
#include <stdint.h>
int libc_stdio(void);
int libc_strtod(void);
int libc_stdlib(void);
int libc_math(void);
int libc_setjmp(void);
int libc_string_time(void);
int libc_files(void);
int libc_errno_is_mine(void);
uintptr_t libc_stdout_address(void);
int libc_count_failures(void);
void libc_crash(int *p);
void libc_assert(int x);
#endif
