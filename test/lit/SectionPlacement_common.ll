; Common symbols (-fcommon) would ignore their section and end up in the
; default compartment's COMMON: they become weak definitions in the
; compartment's (or the shared) bss.
; RUN: %opt_flexos -passes='flexos-place-sections<config=%inputs/two-pku.yaml;library=lwip>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
@v = common global i32 0, align 4
@s = common global [16 x i8] zeroinitializer, align 1
@llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [
  { ptr, ptr, ptr, i32, ptr } { ptr @s, ptr @.share, ptr @.file, i32 2, ptr null }], section "llvm.metadata"
; CHECK: @v = weak global i32 0, section ".bss.flexos.net"
; CHECK: @s = weak global [16 x i8] zeroinitializer, section ".bss.flexos_shared"
