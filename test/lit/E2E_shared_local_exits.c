// A shared local in a function with an early return and a loop, at -O1:
// the shared stack top is restored before the (merged) return, and gates to functions with 8 and
// 10 arguments get 2 and 4 stack eightbytes.
// RUN: %clang_flexos -O1 -fplugin-arg-flexos-config=%inputs/three-pku.yaml -fplugin-arg-flexos-library=app -S -emit-llvm %s -o - | FileCheck %s
#include <flexos.h>
long sum8(long, long, long, long, long, long, long, long);
long sum10(long, long, long, long, long, long, long, long, long, long);
int fill(char *b, int i);
long work(int k) {
  char b[64] __flexos_share;
  if (k < 0)
    return -1;
  long t = 0;
  for (int i = 0; i < k; i++)
    t += fill(b, i);
  return t + flexos_gate(lwip, sum8, 1, 2, 3, 4, 5, 6, 7, 8) +
         flexos_gate(tls, sum10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
}
// CHECK: FLEXOS_PKU_GATE __flexos_pku_gate.app.net.sum8, sum8, 0, 1, 0x3ffffff0, 0x3fffffce, 6, 0, 2, 1, 0
// CHECK: FLEXOS_PKU_GATE __flexos_pku_gate.app.crypto.sum10, sum10, 0, 2, 0x3ffffff0, 0x3fffff3e, 6, 0, 4, 1, 0
// CHECK-LABEL: define {{.*}} @work(
// CHECK: %[[SS:.*]] = load ptr, ptr addrspace(256) inttoptr (i64 8
// CHECK-NEXT: %[[SAVED:.*]] = load i64, ptr %[[SS]]
// CHECK: call i32 @fill(
// CHECK: store i64 %[[SAVED]], ptr %[[SS]]
// CHECK-NEXT: ret i64
