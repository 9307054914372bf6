// A gate naming a library missing from the configuration is an error at the
// gate's own line and column.
// RUN: not %clang_flexos -fsyntax-only -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s 2>&1 | FileCheck %s
#include <flexos.h>
int recv(int fd);
int f(void) {
  return 1 + flexos_gate(lwipp, recv, 3);
}
// CHECK: Gate_unknown_library.c:7:14: error: flexos: gate names library 'lwipp', which is not listed under 'libraries' in {{.*}}two-pku.yaml
