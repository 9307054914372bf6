// flexos_gate() is an expression of the callee's return type, also void,
// and flexos_gate_r() stores it.
// RUN: %clang_flexos -fsyntax-only -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
double scale(double x);
void reset(void);
char *name(int i);
int f(void) {
  double d = flexos_gate(lwip, scale, 2.0);
  flexos_gate(lwip, reset);
  char *p;
  flexos_gate_r(lwip, p, name, 1);
  int bad = flexos_gate(lwip, reset); // expected-error {{initializing 'int' with an expression of incompatible type 'void'}}
  return (int)d + *p + bad;
}
