// A gate result from an untrusted compartment used as a length, unchecked:
// every size-taking call is reported, naming the gate and the callee.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
long net_len(void);
char src[64], dst[64];
void f(int fd) {
  long n = flexos_gate(lwip, net_len);
  memcpy(dst, src, n);   // expected-warning {{untrusted value used as the size argument of memcpy: it is the result of the gate to net_len (compartment 'net', not trusted by 'trusted')}}
  memmove(dst, src, n);  // expected-warning {{untrusted value used as the size argument of memmove}}
  memset(dst, 0, n);     // expected-warning {{untrusted value used as the size argument of memset}}
  strncpy(dst, src, n);  // expected-warning {{untrusted value used as the size argument of strncpy}}
  snprintf(dst, n, "x"); // expected-warning {{untrusted value used as the size argument of snprintf}}
  (void)!write(fd, src, n); // expected-warning {{untrusted value used as the size argument of write}}
}
