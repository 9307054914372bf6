/*
 * FILE: examples/kvstore/kvstore.h
 * DESCRIPTION:
 *   Interfaces of the three libraries of the kvstore example: app (the
 *   driver), store (a tiny hash table) and crypto (a keyed checksum). Each
 *   call across libraries goes through flexos_gate(); the configuration
 *   decides which of them become real isolation boundaries.
 * License: MIT
 */
#ifndef KVSTORE_H
#define KVSTORE_H

/* library store */
int kv_put(const char *key, long value);
int kv_get(const char *key, long *value);
int kv_evict_all(void);

/* library crypto */
unsigned long keyed_hash(const char *data, int len, unsigned long key);

/* library app: called back by store when it evicts an entry */
void on_evict(const char *key, long value);

#endif
