// Checks that do not make the use safe must not silence it: a check of
// another variable, a check after the use, a one-sided check of a signed
// value, and a comparison with another untrusted value.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
#include <string.h>
long net_len(void);
char src[64], dst[64];
void wrong_variable(long m) {
  long n = flexos_gate(lwip, net_len);
  if (m < 0 || m > 64)
    return;
  memcpy(dst, src, n); // expected-warning {{untrusted value used as the size argument of memcpy}}
}
void after_use(void) {
  long n = flexos_gate(lwip, net_len);
  memcpy(dst, src, n); // expected-warning {{untrusted value used as the size argument of memcpy}}
  if (n < 0 || n > 64)
    return;
}
void one_sided(void) {
  long n = flexos_gate(lwip, net_len);
  if (n > 64)
    return;
  memcpy(dst, src, n); // expected-warning {{untrusted value used as the size argument of memcpy}}
}
void untrusted_bound(void) {
  long n = flexos_gate(lwip, net_len);
  long cap = flexos_gate(lwip, net_len);
  if (n < 0 || n > cap)
    return;
  memcpy(dst, src, n); // expected-warning {{untrusted value used as the size argument of memcpy}}
}
