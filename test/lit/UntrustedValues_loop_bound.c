// An untrusted loop bound, and one checked first.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
int net_int(void);
char table[64];
int f(void) {
  int n = flexos_gate(lwip, net_int), s = 0;
  for (int i = 0; i < n; i++) // expected-warning {{untrusted value used as a loop bound: it is the result of the gate to net_int}}
    s += table[i & 63];
  return s;
}
int g(void) {
  int n = flexos_gate(lwip, net_int), s = 0;
  if (n < 0 || n > 64)
    return -1;
  for (int i = 0; i < n; i++)
    s += table[i];
  return s;
}
