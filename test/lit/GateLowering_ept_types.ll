; vm-ept marshals signed integers with sign extension, doubles and floats
; bit for bit, and converts a double result back.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-ept.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare double @scale(i32 signext, double, float)

; CHECK-LABEL: define double @f(
; CHECK: sext i32 %a to i64
; CHECK: bitcast double %d to i64
; CHECK: %[[F:.*]] = bitcast float %x to i32
; CHECK: zext i32 %[[F]] to i64
; CHECK: call void @__flexos_ept_call(
; CHECK: %[[W:.*]] = load i64
; CHECK: %[[D:.*]] = bitcast i64 %[[W]] to double
; CHECK: ret double %[[D]]
define double @f(i32 %a, double %d, float %x) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @scale)
  %r = call double %p(i32 signext %a, double %d, float %x)
  ret double %r
}
