// Untrusted array indices, signed and unsigned, through casts.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
int net_int(void);
unsigned net_unsigned(void);
char table[64];
int f(void) {
  int i = flexos_gate(lwip, net_int);
  unsigned u = flexos_gate(lwip, net_unsigned);
  long l = i;
  return table[i] +  // expected-warning {{untrusted value used as an array index: it is the result of the gate to net_int}}
         table[u] +  // expected-warning {{untrusted value used as an array index: it is the result of the gate to net_unsigned}}
         table[l + 1]; // expected-warning {{untrusted value used as an array index: it is the result of the gate to net_int}}
}
