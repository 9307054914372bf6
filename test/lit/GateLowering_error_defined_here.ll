; A gate into another compartment whose target is defined in this very file
; (so it really belongs to this file's library) is a mistake: rejected.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
define internal void @helper() {
  ret void
}
define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @helper)
  call void %p()
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: helper is defined in this file, which belongs to library 'app' (compartment 'trusted'), but the gate names library 'lwip' (compartment 'net')
