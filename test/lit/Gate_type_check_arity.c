// Gate arguments are checked exactly as in a direct call: too few.
// RUN: not %clang_flexos -fsyntax-only -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s 2>&1 | FileCheck %s
#include <flexos.h>
int recv(int fd, void *buf, int len, int flags);
int f(void) {
  char buf[4];
  return flexos_gate(lwip, recv, 3, buf, 4);
}
// CHECK: error: too few arguments to function call, expected 4, have 3
