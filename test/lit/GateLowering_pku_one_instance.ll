; Several gates to the same callee share one instance.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @poll(i32)

; CHECK-COUNT-1: FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.poll,
; CHECK-NOT: FLEXOS_PKU_GATE __flexos_pku_gate
; CHECK-LABEL: define i32 @f(
; CHECK: call i32 @__flexos_pku_gate.trusted.net.poll(i32 1)
; CHECK: call i32 @__flexos_pku_gate.trusted.net.poll(i32 2)
define i32 @f() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @poll)
  %a = call i32 %p(i32 1)
  %q = call ptr @__flexos_gate_target(ptr @.lwip, ptr @poll)
  %b = call i32 %q(i32 2)
  %s = add i32 %a, %b
  ret i32 %s
}
