; intel-pku: a flexos_share local leaves the private stack. The function
; carves one block from the shared stack (%gs:8), checks it against the
; TCB's read-only bounds (%gs:0xa0, %gs:0xa8: the header is shared memory
; any compartment can forge), stores the new top, and restores the saved
; top before returning.
; RUN: %opt_flexos -passes='flexos-shared-locals<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare void @use(ptr)

; CHECK-LABEL: define void @f(
; CHECK-NOT: alloca [512 x i8]
; CHECK: %[[SS:.*]] = load ptr, ptr addrspace(256) inttoptr (i64 8 to ptr addrspace(256))
; CHECK: %[[TOPP:.*]] = getelementptr i8, ptr %[[SS]], i32 0
; CHECK: %[[SAVED:.*]] = load i64, ptr %[[TOPP]]
; CHECK: %[[LIMIT:.*]] = load i64, ptr addrspace(256) inttoptr (i64 160 to ptr addrspace(256))
; CHECK: %[[BASE0:.*]] = load i64, ptr addrspace(256) inttoptr (i64 168 to ptr addrspace(256))
; CHECK: %[[SUB:.*]] = sub i64 %[[SAVED]], 512
; CHECK: %[[NEW:.*]] = and i64 %[[SUB]], -16
; CHECK: %[[LOW:.*]] = icmp ult i64 %[[NEW]], %[[LIMIT]]
; CHECK: %[[HIGH:.*]] = icmp ugt i64 %[[SAVED]], %[[BASE0]]
; CHECK: %[[OVF:.*]] = or i1 %[[LOW]], %[[HIGH]]
; CHECK: br i1 %[[OVF]]
; CHECK: call void @__flexos_shared_stack_overflow()
; CHECK-NEXT: unreachable
; CHECK: store i64 %[[NEW]], ptr %[[TOPP]]
; CHECK: %[[BASE:.*]] = inttoptr i64 %[[NEW]] to ptr
; CHECK: %[[BUF:.*]] = getelementptr i8, ptr %[[BASE]], i64 0
; CHECK: call void @use(ptr %[[BUF]])
; CHECK-NEXT: store i64 %[[SAVED]], ptr %[[TOPP]]
; CHECK-NEXT: ret void
; CHECK-NOT: llvm.var.annotation.p0.p0(ptr
define void @f() {
  %buf = alloca [512 x i8], align 16
  call void @llvm.var.annotation.p0.p0(ptr %buf, ptr @.share, ptr @.file, i32 3, ptr null)
  call void @use(ptr %buf)
  ret void
}
