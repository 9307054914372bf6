; Thirteen integer arguments need 7 stack slots; MPK gates carry 6.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @callee(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)

define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  call void %p(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8, i64 9, i64 10, i64 11, i64 12, i64 13)
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: gate to callee needs 7 stack arguments; at most 6 are supported
