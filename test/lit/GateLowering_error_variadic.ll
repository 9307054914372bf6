; A gate to a variadic function cannot be lowered: a clear error, not a plain call.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @callee(i32, ...)

define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  %r = call i32 (i32, ...) %p(i32 1, i32 2)
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: gate to variadic function callee is not supported
