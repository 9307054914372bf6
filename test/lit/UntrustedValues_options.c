// untrusted=error makes each report an error (and the compile fail);
// untrusted=off reports nothing; warn is the default; anything else is a
// clear error. The same parameter for opt.
// RUN: not %clang_flexos -c -o /dev/null -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-untrusted=error %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: %clang_flexos -c -o /dev/null -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-untrusted=off %s 2>&1 | count 0
// RUN: %clang_flexos -c -o /dev/null -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: not %clang_flexos -c -o /dev/null -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-untrusted=maybe %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: %clang_flexos -S -emit-llvm -O0 -Xclang -disable-O0-optnone -o %t.ll -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-untrusted=off %s
// RUN: not %opt_flexos -passes='flexos-check-untrusted<config=%inputs/two-pku.yaml;library=app;untrusted=maybe>' -disable-output %t.ll 2>&1 | FileCheck %s --check-prefix=OPTBAD
// ERR: UntrustedValues_options.c:[[@LINE+9]]:3: error: flexos: untrusted value used as the size argument of memcpy
// WARN: UntrustedValues_options.c:[[@LINE+8]]:3: warning: flexos: untrusted value used as the size argument of memcpy
// BAD: flexos: unknown plugin argument 'untrusted=maybe'
// OPTBAD: flexos: untrusted=maybe is not valid; use untrusted=warn|error|off
#include <flexos.h>
#include <string.h>
long net_len(void);
char src[64], dst[64];
void f(void) {
  memcpy(dst, src, flexos_gate(lwip, net_len));
}
