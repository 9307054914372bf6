// A gate must name a function; a function pointer cannot be checked or
// given a gate instance, so it is rejected.
// RUN: not %clang_flexos -fsyntax-only -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s 2>&1 | FileCheck %s
#include <flexos.h>
int recv(int fd);
int f(int (*fp)(int)) {
  return flexos_gate(lwip, *fp, 3);
}
// CHECK: Gate_function_pointer.c:7:10: error: flexos: the target of a gate must name a function
