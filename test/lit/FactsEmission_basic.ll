; flexos-emit-facts writes what the library provably does: the functions
; and globals it defines, its gates and direct calls out, other
; libraries' globals it touches, and what nobody can verify (indirect
; calls, inline assembly). It leaves the module as it was.
; RUN: %opt_flexos -passes='flexos-emit-facts<facts=%t.facts;library=app>' -S %s | FileCheck %s --check-prefix=IR
; RUN: FileCheck %s < %t.facts
; CHECK: flexos-facts 1
; CHECK-NEXT: library{{[[:space:]]}}app
; CHECK-DAG: define-function{{[[:space:]]}}serve{{[[:space:]]}}
; CHECK-DAG: define-global{{[[:space:]]}}counter{{[[:space:]]}}private
; CHECK-DAG: gate{{[[:space:]]}}lwip{{[[:space:]]}}recv{{[[:space:]].*[[:space:]]}}serve
; CHECK-DAG: call{{[[:space:]]}}helper{{[[:space:]].*[[:space:]]}}serve
; CHECK-DAG: indirect-call{{[[:space:]].*[[:space:]]}}serve
; CHECK-DAG: inline-asm{{[[:space:]].*[[:space:]]}}serve
; CHECK-DAG: global{{[[:space:]]}}other_lib_global{{[[:space:]]}}read{{[[:space:]]}}
; IR: %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
@counter = global i64 0
@other_lib_global = external global i64
declare ptr @__flexos_gate_target(ptr, ptr)
declare i64 @recv(i64)
declare void @helper()
define i64 @serve(i64 %x, ptr %fp) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %r = call i64 %p(i64 %x)
  call void @helper()
  %v = load i64, ptr @other_lib_global
  store i64 %v, ptr @counter
  call void %fp()
  call void asm sideeffect "nop", ""()
  ret i64 %r
}
