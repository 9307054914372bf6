// Memory the caller hands to an untrusted gate is the other side's to
// write: reads after the gate are untrusted, reads before are not. The
// same for a flexos_share local and a flexos_malloc_shared block.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
#include <flexos/runtime.h>
#include <string.h>
long net_recv(char *buf, long cap, long *got);
char table[256];
int f(char *scratch) {
  long got __flexos_share = 0;
  int before = table[(unsigned char)scratch[0] & 0x7f];
  flexos_gate(lwip, net_recv, scratch, 64, &got);
  return before + table[scratch[1]] + // expected-warning {{untrusted value used as an array index: it is a load from memory the gate to net_recv}}
         table[got];                   // expected-warning {{untrusted value used as an array index: it is a load from}}
}
int g(void) {
  char *blk = flexos_malloc_shared(64);
  char out[64];
  flexos_gate(lwip, net_recv, blk, 64, 0);
  long n = *(long *)blk;
  memcpy(out, blk + 8, n); // expected-warning {{untrusted value used as the size argument of memcpy}}
  return out[0];
}
