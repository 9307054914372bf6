; A struct return through sret cannot cross an MPK gate: rejected by name.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
%struct.s = type { [8 x i64] }
declare void @callee(ptr sret(%struct.s))

define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  call void %p(ptr sret(%struct.s) null)
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: gate to callee: argument 1 is passed by value in memory (struct or sret)
