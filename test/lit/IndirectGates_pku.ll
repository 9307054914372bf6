; With automatic gates in an intel-pku image, a call through a pointer
; first compares it with the call site's two caches and otherwise asks
; __flexos_indirect_call (gates/gate_table.c); the caches are this
; compartment's own globals. Calls flexos-check-untrusted already routed
; through __flexos_indirect_target are left alone.
; RUN: %opt_flexos -passes='flexos-indirect-gates<config=%inputs/two-pku.yaml;library=app;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s
; RUN: %opt_flexos -passes='flexos-indirect-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s --check-prefix=OFF
declare ptr @__flexos_indirect_target(ptr, i32, i32, ptr, i32)

; CHECK: @flexos.icall.direct = internal global ptr null, align 8
; CHECK: @flexos.icall.record = internal global ptr null, align 8
; CHECK-LABEL: define i32 @call_it(
; CHECK: %flexos.icall.d = load atomic ptr, ptr @flexos.icall.direct monotonic, align 8
; CHECK: icmp eq ptr %flexos.icall.d, %cb
; CHECK: flexos.icall.rec:
; CHECK: %flexos.icall.r = load atomic ptr, ptr @flexos.icall.record monotonic, align 8
; CHECK: flexos.icall.cmp:
; CHECK: %flexos.icall.target = load ptr, ptr %flexos.icall.r
; CHECK: flexos.icall.via:
; CHECK: getelementptr i8, ptr %flexos.icall.r, i32 8
; CHECK: flexos.icall.slow:
; CHECK: call ptr @__flexos_indirect_call(ptr %cb, i32 0, ptr @flexos.icall.direct, ptr @flexos.icall.record, ptr @flexos.icall.file, i32 0)
; CHECK: flexos.icall:
; CHECK: %flexos.icall.callee = phi ptr [ %cb, %0 ], [ %flexos.icall.via{{[0-9]*}}, %flexos.icall.via ], [ %flexos.icall.checked, %flexos.icall.slow ]
; CHECK: %r = call i32 %flexos.icall.callee(i32 7)
define i32 @call_it(ptr %cb) {
  %r = call i32 %cb(i32 7)
  ret i32 %r
}

; CHECK-LABEL: define i32 @checked(
; CHECK-NEXT: %g = call ptr @__flexos_indirect_target(
; CHECK-NEXT: %r = call i32 %g(i32 7)
define i32 @checked(ptr %cb) {
  %g = call ptr @__flexos_indirect_target(ptr %cb, i32 0, i32 -1, ptr null, i32 0)
  %r = call i32 %g(i32 7)
  ret i32 %r
}
; Without automatic gates nothing changes.
; OFF-NOT: __flexos_indirect_call
