// Only compartments the caller does not trust produce untrusted values:
// not the caller's own, not the default compartment (here net trusts app
// implicitly), not one listed under 'trusts'; and with one compartment,
// nothing.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify=app -fplugin-arg-flexos-config=%inputs/three-pku-trusts.yaml -fplugin-arg-flexos-library=app %s
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify=net -fplugin-arg-flexos-config=%inputs/three-pku-trusts.yaml -fplugin-arg-flexos-library=lwip -DNET %s
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify=one -fplugin-arg-flexos-config=%inputs/one-pku.yaml -fplugin-arg-flexos-library=app %s
// one-no-diagnostics
#include <flexos.h>
#include <string.h>
long net_len(void);
long tls_len(void);
long app_len(void);
char src[64], dst[64];
#ifndef NET
void f(void) {
  memcpy(dst, src, flexos_gate(lwip, net_len)); // app-warning {{the result of the gate to net_len (compartment 'net', not trusted by 'app')}}
  memcpy(dst, src, flexos_gate(tls, tls_len));
}
#else
void g(void) {
  memcpy(dst, src, flexos_gate(tls, tls_len)); // net-warning {{the result of the gate to tls_len (compartment 'crypto', not trusted by 'net')}}
  memcpy(dst, src, flexos_gate(app, app_len));
}
#endif
