// A shared field checked on one read and used on another is a double
// fetch; reading it once into a local and checking the local is clean.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
#include <string.h>
struct msg { long len; char data[64]; };
struct msg shared_msg __flexos_share;
char out[64];
void bad(void) {
  if (shared_msg.len < 0 || shared_msg.len > 64)
    return;
  memcpy(out, shared_msg.data, shared_msg.len); // expected-warning {{an earlier read of the same shared field}}
}
void good(void) {
  long len = shared_msg.len;
  if (len < 0 || len > 64)
    return;
  memcpy(out, shared_msg.data, len);
}
