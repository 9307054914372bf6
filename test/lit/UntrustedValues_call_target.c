// A function pointer returned by an untrusted gate is not shared data: a
// call through it is reported, and comparing it with known functions is
// the check.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
typedef void (*handler_fn)(void);
handler_fn net_handler(void);
void on_read(void);
void on_write(void);
void f(void) {
  handler_fn h = flexos_gate(lwip, net_handler);
  h(); // expected-warning {{untrusted value used as an indirect-call target: it is the result of the gate to net_handler}}
}
void g(void) {
  handler_fn h = flexos_gate(lwip, net_handler);
  if (h == on_read || h == on_write)
    h();
}
