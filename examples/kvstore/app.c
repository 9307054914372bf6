/*
 * FILE: examples/kvstore/app.c
 * DESCRIPTION:
 *   Library "app": puts and gets a few keys through gates into "store",
 *   which hashes through a gate into "crypto" and calls back into "app" on
 *   eviction (a nested gate). Keys travel in flexos_share buffers.
 * USAGE: build/examples/kvstore/kvstore-none
 * License: MIT
 */
#include "kvstore.h"

#include <flexos.h>
#include <stdio.h>
#include <string.h>

static long evicted_sum; /* private to app */

void on_evict(const char *key, long value) {
  evicted_sum += value;
  printf("evicted %s=%ld\n", key, value);
}

int main(void) {
  static const char *const names[] = {"alpha", "beta", "gamma", "delta"};
  char key[16] __flexos_share;
  long value __flexos_share;
  for (int i = 0; i < 4; i++) {
    strcpy(key, names[i]);
    int rc = flexos_gate(store, kv_put, key, (long)(i + 1) * 100);
    printf("put %s -> %d\n", key, rc);
  }
  strcpy(key, "gamma");
  if (flexos_gate(store, kv_get, key, &value) == 0)
    printf("get gamma = %ld\n", value);
  strcpy(key, "omega");
  printf("get omega -> %d\n", flexos_gate(store, kv_get, key, &value));
  int n;
  flexos_gate_r(store, n, kv_evict_all);
  printf("evicted %d entries, sum %ld\n", n, evicted_sum);
  return 0;
}
