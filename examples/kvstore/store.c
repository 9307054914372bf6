/*
 * FILE: examples/kvstore/store.c
 * DESCRIPTION:
 *   Library "store": an open-addressing table of 8 slots. Slot choice asks
 *   "crypto" for a keyed hash; eviction calls back into "app".
 * License: MIT
 */
#include "kvstore.h"

#include <flexos.h>
#include <string.h>

struct slot {
  char key[16];
  long value;
  int used;
};

static struct slot table[8];               /* private to store */
static const unsigned long table_key = 0x5eed;

static int find(const char *key, int for_insert) {
  char copy[16] __flexos_share;
  strncpy(copy, key, sizeof copy - 1);
  copy[sizeof copy - 1] = 0;
  unsigned long h =
      flexos_gate(crypto, keyed_hash, copy, (int)strlen(copy), table_key);
  for (int probe = 0; probe < 8; probe++) {
    int i = (int)((h + probe) % 8);
    if (table[i].used && strcmp(table[i].key, copy) == 0)
      return i;
    if (!table[i].used && for_insert)
      return i;
  }
  return -1;
}

int kv_put(const char *key, long value) {
  int i = find(key, 1);
  if (i < 0)
    return -1;
  strncpy(table[i].key, key, sizeof table[i].key - 1);
  table[i].value = value;
  table[i].used = 1;
  return i;
}

int kv_get(const char *key, long *value) {
  int i = find(key, 0);
  if (i < 0)
    return -1;
  *value = table[i].value;
  return 0;
}

int kv_evict_all(void) {
  int n = 0;
  char key[16] __flexos_share;
  for (int i = 0; i < 8; i++) {
    if (!table[i].used)
      continue;
    memcpy(key, table[i].key, sizeof key);
    flexos_gate(app, on_evict, key, table[i].value);
    table[i].used = 0;
    n++;
  }
  return n;
}
