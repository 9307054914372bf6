; The runtime's entries (listed in the definitions as library "runtime")
; live in the default compartment: a call from lwIP (net) is a gate, one
; from app (the default compartment) a plain call.
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-pku.yaml;library=lwip;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s --check-prefix=NET
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-pku.yaml;library=app;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s --check-prefix=APP
declare i32 @flexos_irq_wait(i32, i64)

; NET: call i32 @__flexos_pku_gate.net.trusted.flexos_irq_wait(i32 11, i64 0)
; APP: call i32 @flexos_irq_wait(i32 11, i64 0)
define i32 @wait() {
  %r = call i32 @flexos_irq_wait(i32 11, i64 0)
  ret i32 %r
}
