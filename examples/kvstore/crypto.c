/*
 * FILE: examples/kvstore/crypto.c
 * DESCRIPTION:
 *   Library "crypto": FNV-1a mixed with a key. Holds a private round
 *   constant that no other compartment should read.
 * License: MIT
 */
#include "kvstore.h"

static unsigned long round_constant = 0x100000001b3ul; /* private */

unsigned long keyed_hash(const char *data, int len, unsigned long key) {
  unsigned long h = 0xcbf29ce484222325ul ^ key;
  for (int i = 0; i < len; i++) {
    h ^= (unsigned char)data[i];
    h *= round_constant;
  }
  return h;
}
