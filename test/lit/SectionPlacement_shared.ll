; flexos_share globals go to the shared sections and leave
; llvm.global.annotations; other annotations stay.
; RUN: %opt_flexos -passes='flexos-place-sections<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.other = private unnamed_addr constant [6 x i8] c"other\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
@shared_zero = global [64 x i8] zeroinitializer
@shared_init = global i32 7
@plain = global i32 1
@llvm.global.annotations = appending global [3 x { ptr, ptr, ptr, i32, ptr }] [
  { ptr, ptr, ptr, i32, ptr } { ptr @shared_zero, ptr @.share, ptr @.file, i32 1, ptr null },
  { ptr, ptr, ptr, i32, ptr } { ptr @shared_init, ptr @.share, ptr @.file, i32 2, ptr null },
  { ptr, ptr, ptr, i32, ptr } { ptr @plain, ptr @.other, ptr @.file, i32 3, ptr null }], section "llvm.metadata"
; CHECK: @shared_zero = global [64 x i8] zeroinitializer, section ".bss.flexos_shared"
; CHECK: @shared_init = global i32 7, section ".data.flexos_shared"
; CHECK: @plain = global i32 1, section ".data.flexos.trusted"
; CHECK: @llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @plain, ptr @.other
