; Entry points for checked indirect calls. on_data's address escapes (it
; is handed to lwIP): it gets a gate from every other intel-pku
; compartment (net, crypto) and an entry record (section
; flexos_entry_table) for each. tcp_recv's address is taken here though
; lwIP (net) owns it: a gate from app to net. A static callback gets
; instance names of this file's own. helper is only called: no entry.
; RUN: %opt_flexos -passes='flexos<config=%inputs/three-pku.yaml;library=app;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s
declare void @tcp_recv(ptr, ptr)
@table = global ptr @tcp_recv

define i32 @on_data(ptr %p, i32 %n) {
  ret i32 %n
}

define internal i32 @on_err(i32 %e) {
  ret i32 %e
}

define i32 @helper(i32 %x) {
  ret i32 %x
}

define void @setup(ptr %pcb) {
  call void @tcp_recv(ptr %pcb, ptr @on_data)
  call void @tcp_recv(ptr %pcb, ptr @on_err)
  %h = call i32 @helper(i32 1)
  ret void
}
; CHECK-DAG: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.net.app.on_data, on_data, 1, 0,
; CHECK-DAG: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.crypto.app.on_data, on_data, 2, 0,
; CHECK-DAG: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.app.net.tcp_recv, tcp_recv, 0, 1,
; CHECK-DAG: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.net.app.on_err.l{{[0-9a-f]+}}, on_err, 1, 0,
; CHECK-DAG: @__flexos_entry_record.net.app.on_data = linkonce_odr hidden constant { ptr, ptr, i32, i32 } { ptr @on_data, ptr @__flexos_pku_gate.net.app.on_data, i32 1, i32 0 }, section "flexos_entry_table"
; CHECK-DAG: @__flexos_entry_record.crypto.app.on_data = linkonce_odr hidden constant { ptr, ptr, i32, i32 } { ptr @on_data, ptr @__flexos_pku_gate.crypto.app.on_data, i32 2, i32 0 }
; CHECK-DAG: @__flexos_entry_record.app.net.tcp_recv = linkonce_odr hidden constant
; CHECK-DAG: @__flexos_entry_record.net.app.on_err.l{{[0-9a-f]+}} = linkonce_odr hidden constant
; CHECK-DAG: @llvm.compiler.used = {{.*}}@on_err
; CHECK-NOT: gate.{{.*}}helper
