// Untrusted allocation sizes: malloc, calloc, realloc and a VLA.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
#include <stdlib.h>
long net_len(void);
void use(char *);
void *f(void *old) {
  long n = flexos_gate(lwip, net_len);
  void *a = malloc(n);       // expected-warning {{untrusted value used as an allocation size (malloc)}}
  void *b = calloc(n, 8);    // expected-warning {{untrusted value used as an allocation size (calloc)}}
  void *c = realloc(old, n); // expected-warning {{untrusted value used as an allocation size (realloc)}}
  char vla[n];               // expected-warning {{untrusted value used as an allocation size (a variable-length array)}}
  use(vla);
  free(a);
  free(b);
  return c;
}
