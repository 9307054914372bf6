; A file that already names the gate instance (here as a variable, through
; an asm label, to take its address) gets that very symbol as the callee,
; not a renamed copy that would never be defined.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
@"__flexos_pku_gate.trusted.net.poll" = external global i8
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @poll(i32)

; CHECK-COUNT-1: FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.poll,
; CHECK-LABEL: define i32 @f(
; CHECK: call i32 @__flexos_pku_gate.trusted.net.poll(i32 1)
; CHECK-NOT: poll.{{[0-9]}}
define i32 @f() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @poll)
  %a = call i32 %p(i32 1)
  ret i32 %a
}
