/*
 * FILE: test/ring3/lib.h
 * DESCRIPTION: the library compartment of the ring-3 test (lib.c).
 * License: MIT (see LICENSE)
 */
#ifndef RING3_LIB_H
#define RING3_LIB_H
#include <stdint.h>

unsigned lib_ring(void);
int lib_heap_check(void);
uintptr_t lib_secret_address(void);
int lib_attack(const char *name, uintptr_t addr);
int lib_hold_secret(uint64_t secret, uint64_t ticks); /* hold.S */

#endif
