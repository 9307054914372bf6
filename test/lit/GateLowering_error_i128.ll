; 128-bit integers are not a supported gate argument type.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @callee(i128)

define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  call void %p(i128 1)
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: gate to callee: argument 1 has type i128
