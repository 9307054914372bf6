; A facts file that cannot be written is an error naming the file, not a
; silent success.
; RUN: not %opt_flexos -passes='flexos-emit-facts<facts=%t.nodir/x.facts;library=app>' -disable-output %s 2>&1 | FileCheck %s
; RUN: not %opt_flexos -passes='flexos-emit-facts<fact=x;library=app>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=PARAM
; CHECK: error: {{.*}}x.facts
; PARAM: flexos-emit-facts: unknown pass parameter 'fact'
define void @f() {
  ret void
}
