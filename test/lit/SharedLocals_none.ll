; Under mechanism none a flexos_share local stays on the stack; only the
; annotation goes, and there is no shared-stack code.
; RUN: %opt_flexos -passes='flexos-shared-locals<config=%inputs/two-none.yaml;library=app>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare void @use(ptr)

; CHECK-LABEL: define void @f(
; CHECK-NEXT: %buf = alloca [512 x i8], align 16
; CHECK-NEXT: call void @use(ptr %buf)
; CHECK-NEXT: ret void
define void @f() {
  %buf = alloca [512 x i8], align 16
  call void @llvm.var.annotation.p0.p0(ptr %buf, ptr @.share, ptr @.file, i32 3, ptr null)
  call void @use(ptr %buf)
  ret void
}
; CHECK-NOT: addrspace(256)
; CHECK-NOT: __flexos_shared_stack_overflow
