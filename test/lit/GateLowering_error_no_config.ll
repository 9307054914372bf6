; With gates but no configuration (for example only -fpass-plugin, or opt
; without config=), lowering fails loudly instead of leaving a plain call.
; RUN: not %opt_flexos -passes='flexos-lower-gates' -disable-output %s 2>&1 | FileCheck %s
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=NOLIB
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=zzz>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=BADLIB
; RUN: not %opt_flexos -passes='flexos-lower-gates<confg=x>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=PARAM
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @callee()
define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  call void %p()
  ret void
}
; CHECK: error: flexos: no configuration given
; NOLIB: error: flexos: no library given
; BADLIB: error: {{.*}}two-pku.yaml: library 'zzz' {{.*}} is not listed under 'libraries'
; PARAM: flexos: unknown pass parameter 'confg'
