; intel-pku with 8 and 10 integer arguments: 2 and 4 eightbytes travel on
; the stack and are copied by the gate; void return means retint 0.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i64 @eight(i64, i64, i64, i64, i64, i64, i64, i64)
declare void @ten(i64, i64, i64, i64, i64, i64, i64, i64, i32, ptr)

; CHECK: FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.eight, eight, 0, 1, 0x3ffffff0, 0x3fffffce, 6, 0, 2, 1, 0
; CHECK: FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.ten, ten, 0, 1, 0x3ffffff0, 0x3fffffce, 6, 0, 4, 0, 0
define i64 @f() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @eight)
  %r = call i64 %p(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8)
  %q = call ptr @__flexos_gate_target(ptr @.lwip, ptr @ten)
  call void %q(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8, i32 9, ptr null)
  ret i64 %r
}
