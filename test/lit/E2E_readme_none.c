// The README example under mechanism none: direct calls to recv, the buffer
// stays on the stack, and no runtime call or marker is left.
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-none.yaml -fplugin-arg-flexos-library=app -S %s -o - | FileCheck %s
#include <flexos.h>
int recv(int fd, void *buf, int len, int flags);

int serve(int connfd) {
    char buf[512] __attribute__((flexos_share));
    int rc = flexos_gate(lwip, recv, connfd, buf, 512, 0);
    int n;
    flexos_gate_r(lwip, n, recv, connfd, buf, 512, 0);
    return rc + n;
}
// CHECK-LABEL: serve:
// CHECK: callq recv@PLT
// CHECK: callq recv@PLT
// CHECK-NOT: __flexos
// CHECK-NOT: wrpkru
// CHECK-NOT: %gs:
