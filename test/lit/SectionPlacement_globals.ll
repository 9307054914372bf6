; Functions and globals of library lwip go to compartment net's sections;
; string literals, thread-locals and explicit sections stay put.
; RUN: %opt_flexos -passes='flexos-place-sections<config=%inputs/two-pku.yaml;library=lwip>,verify' -S %s | FileCheck %s
; CHECK: @counter = global i32 0, section ".bss.flexos.net"
; CHECK: @table = global [2 x i32] [i32 1, i32 2], section ".data.flexos.net"
; CHECK: @limits = constant [2 x i32] [i32 3, i32 4], section ".rodata.flexos.net"
; CHECK: @.str = private unnamed_addr constant [3 x i8] c"hi\00", align 1{{$}}
; CHECK: @tls = thread_local global i32 0{{$}}
; CHECK: @pinned = global i32 5, section ".mysec"
; CHECK: @ext = external global i32{{$}}
; CHECK: define i32 @f() section ".text.flexos.net"
; CHECK: declare i32 @g(){{$}}
@counter = global i32 0
@table = global [2 x i32] [i32 1, i32 2]
@limits = constant [2 x i32] [i32 3, i32 4]
@.str = private unnamed_addr constant [3 x i8] c"hi\00", align 1
@tls = thread_local global i32 0
@pinned = global i32 5, section ".mysec"
@ext = external global i32
define i32 @f() {
  %v = call i32 @g()
  ret i32 %v
}
declare i32 @g()
