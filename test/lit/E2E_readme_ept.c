// The README example under vm-ept: the RPC slot at %gs:16 gets the function
// identifier and arguments, __flexos_ept_call traps, the result comes back.
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-ept.yaml -fplugin-arg-flexos-library=app -S %s -o - | FileCheck %s
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
// CHECK: movq %gs:8,
// CHECK: movq %gs:16, %[[SLOT:r[a-z0-9]+]]
// CHECK: movabsq $5542929622563452077, %[[ID:r[a-z0-9]+]]
// CHECK: movq %[[ID]], 8(%[[SLOT]])
// CHECK: callq __flexos_ept_call@PLT
// CHECK: callq __flexos_ept_call@PLT
// CHECK-NOT: wrpkru
// CHECK-NOT: callq recv
