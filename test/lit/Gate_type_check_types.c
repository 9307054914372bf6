// Gate arguments are checked exactly as in a direct call: wrong type.
// RUN: not %clang_flexos -fsyntax-only -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s 2>&1 | FileCheck %s
#include <flexos.h>
struct conn { int fd; };
int recv(int fd, void *buf, int len, int flags);
int f(struct conn c) {
  char buf[4];
  return flexos_gate(lwip, recv, c, buf, 4, 0);
}
// CHECK: error: passing 'struct conn' to parameter of incompatible type 'int'
