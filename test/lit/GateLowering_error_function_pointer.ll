; In IR, a gate whose target is not a named function is an error.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
define void @caller(ptr %fp) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr %fp)
  call void %p()
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: the target of a gate into 'lwip' must name a function, not a function pointer
