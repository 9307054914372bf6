// Every kind of check silences the report: both ends of a signed value,
// an unsigned upper bound, a bound in a variable, the <flexos.h> helpers,
// a mask, a conditional expression, a check inside a loop that exits, and
// a value checked before it flows into a sum. No diagnostic at all.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
// expected-no-diagnostics
#include <flexos.h>
#include <string.h>
#include <sys/types.h>
long net_len(void);
unsigned long net_ulen(void);
ssize_t net_send(const char *buf, size_t n);
char src[64], dst[64];
void two_ends(void) {
  long n = flexos_gate(lwip, net_len);
  if (n < 0 || n > 64)
    return;
  memcpy(dst, src, n);
}
void unsigned_upper(void) {
  unsigned long n = flexos_gate(lwip, net_ulen);
  if (n > sizeof dst)
    return;
  memcpy(dst, src, n);
}
void variable_bound(size_t cap) {
  unsigned long n = flexos_gate(lwip, net_ulen);
  if (n >= cap || cap > sizeof dst)
    return;
  memcpy(dst, src, n);
}
int helpers(void) {
  long n = flexos_gate(lwip, net_len);
  memcpy(dst, src, flexos_check_size(n, sizeof dst));
  return src[flexos_check_index(n, sizeof src)];
}
int mask(void) { return src[flexos_gate(lwip, net_len) & 63]; }
int ternary(void) {
  long t = flexos_gate(lwip, net_len);
  return src[t >= 0 && t < 64 ? t : 0];
}
int send_all(const char *buf, int n) {
  for (int off = 0; off < n;) {
    ssize_t m = flexos_gate(lwip, net_send, buf + off, (size_t)(n - off));
    if (m <= 0 || m > n - off)
      return -1;
    off += (int)m;
  }
  return 0;
}
