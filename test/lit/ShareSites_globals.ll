; Globals named in a shares file are placed as if they were flexos_share,
; where they are defined and only in the named compartment's libraries:
; @counter (compartment trusted, this library's) and @table (any
; compartment) go to the shared sections, @other names compartment net
; and stays, @ext is only declared here, @plain is not named.
; RUN: printf 'global counter compartment=trusted\nglobal table\nglobal other compartment=net\nglobal ext\nglobal absent\n' > %t.shares
; RUN: %opt_flexos -passes='flexos-place-sections<config=%inputs/two-pku.yaml;library=app;shares=%t.shares>,verify' -S %s | FileCheck %s
; Without the shares file, nothing is shared.
; RUN: %opt_flexos -passes='flexos-place-sections<config=%inputs/two-pku.yaml;library=app>' -S %s | FileCheck %s --check-prefix=NONE
; A thread-local cannot be shared.
; RUN: printf 'global tls\n' > %t.tls
; RUN: not %opt_flexos -passes='flexos-place-sections<config=%inputs/two-pku.yaml;library=app;shares=%t.tls>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=TLS
@counter = internal global i32 0
@table = global [2 x i32] [i32 1, i32 2]
@other = global i32 3
@plain = global i32 4
@ext = external global i32
@tls = thread_local global i32 0
define i32 @f() {
  %a = load i32, ptr @counter
  %b = load i32, ptr @ext
  %c = add i32 %a, %b
  ret i32 %c
}
; CHECK: @counter = internal global i32 0, section ".bss.flexos_shared"
; CHECK: @table = global [2 x i32] [i32 1, i32 2], section ".data.flexos_shared"
; CHECK: @other = global i32 3, section ".data.flexos.trusted"
; CHECK: @plain = global i32 4, section ".data.flexos.trusted"
; CHECK: @ext = external global i32{{$}}
; NONE: @counter = internal global i32 0, section ".bss.flexos.trusted"
; NONE: @table = global [2 x i32] [i32 1, i32 2], section ".data.flexos.trusted"
; TLS: error: {{.*}}.tls:1: flexos: 'tls' is thread-local; shared data must be a plain global
