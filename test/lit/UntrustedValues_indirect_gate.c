// An unchecked call through a function pointer from an untrusted
// compartment goes through __flexos_indirect_target (gates/gate_table.c),
// with the caller's and the handing compartment's indices and the call's
// file and line; a checked one (compared with known functions) stays a
// plain indirect call. Under untrusted=off nothing changes.
// RUN: %clang_flexos -S -emit-llvm -o - -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s 2>/dev/null | FileCheck %s
// RUN: %clang_flexos -S -emit-llvm -o - -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-untrusted=off %s | FileCheck %s --check-prefix=OFF
#include <flexos.h>
typedef long (*handler_fn)(long);
handler_fn net_handler(void);
long on_read(long);

// CHECK-LABEL: define {{.*}} @unchecked(
// CHECK: %[[VIA:.*]] = call ptr @__flexos_indirect_target(ptr %{{.*}}, i32 0, i32 1, ptr @flexos.call.file, i32 [[@LINE+4]])
// CHECK: call i64 %[[VIA]](i64 noundef 7)
long unchecked(void) {
  handler_fn h = flexos_gate(lwip, net_handler);
  return h(7);
}

// CHECK-LABEL: define {{.*}} @checked(
// CHECK-NOT: __flexos_indirect_target
// CHECK: ret i64
long checked(void) {
  handler_fn h = flexos_gate(lwip, net_handler);
  return h == on_read ? h(7) : 0;
}
// OFF-NOT: __flexos_indirect_target
