; vm-ept: the function identifier (FNV-1a 64 of "recv"), argument count,
; destination compartment and arguments go into the RPC slot found at
; %gs:0x10, then __flexos_ept_call traps; the result comes from ret[0].
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-ept.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @recv(i32, ptr, i32, i32)

; CHECK-LABEL: define i32 @serve(
; CHECK: %[[SLOT:.*]] = load ptr, ptr addrspace(256) inttoptr (i64 16 to ptr addrspace(256))
; CHECK: store i64 5542929622563452077, ptr
; CHECK: store i32 4, ptr
; CHECK: store i32 1, ptr
; CHECK: %[[FD:.*]] = zext i32 %fd to i64
; CHECK: store i64 %[[FD]]
; CHECK: %[[B:.*]] = ptrtoint ptr %buf to i64
; CHECK: store i64 %[[B]]
; CHECK: call void @__flexos_ept_call(ptr %[[SLOT]])
; CHECK: %[[RETP:.*]] = getelementptr i8, ptr %[[SLOT]], i32 120
; CHECK: %[[RET:.*]] = load i64, ptr %[[RETP]]
; CHECK: %[[R:.*]] = trunc i64 %[[RET]] to i32
; CHECK: ret i32 %[[R]]
define i32 @serve(i32 %fd, ptr %buf) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %r = call i32 %p(i32 %fd, ptr %buf, i32 512, i32 0)
  ret i32 %r
}
; CHECK-NOT: __flexos_gate_target
; CHECK-NOT: module asm
