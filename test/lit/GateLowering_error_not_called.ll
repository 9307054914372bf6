; A gate whose result escapes instead of being called is an error.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @callee()
@keep = global ptr null

define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  store ptr %p, ptr @keep
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: the gate to callee must be called directly
