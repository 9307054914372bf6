; In IR (no frontend check), a gate into a library missing from the
; configuration is still an error.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.x = private unnamed_addr constant [6 x i8] c"lwipp\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @callee()
define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.x, ptr @callee)
  call void %p()
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: gate to callee names library 'lwipp', which is not listed under 'libraries'
