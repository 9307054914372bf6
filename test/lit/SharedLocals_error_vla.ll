; A variable-length flexos_share local has no compile-time size: rejected.
; RUN: not %opt_flexos -passes='flexos-shared-locals<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare void @use(ptr)
define void @f(i64 %n) {
  %buf = alloca i8, i64 %n, align 16
  call void @llvm.var.annotation.p0.p0(ptr %buf, ptr @.share, ptr @.file, i32 3, ptr null)
  call void @use(ptr %buf)
  ret void
}
; CHECK: error: {{.*}}in function f {{.*}}flexos: flexos_share local 'buf' in f has a variable length
