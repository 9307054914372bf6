// Pointers the other side controls: a pointer field of a shared object,
// dereferenced, passed on, and called; a gate's data pointer result is
// checked at run time (GateLowering) and may be dereferenced.
// RUN: %clang_flexos -S -emit-llvm -o /dev/null -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
#include <flexos.h>
#include <stdlib.h>
struct req { char *buf; void (*done)(void); long len; };
struct req shared_req __flexos_share;
char *net_buf(void);
void consume(char *);
int f(void) {
  char *p = shared_req.buf;
  consume(p);             // expected-warning {{untrusted value used as a pointer passed to consume: it is a load from flexos_share object 'shared_req'}}
  free(shared_req.buf);   // expected-warning {{untrusted value used as a pointer passed to free}}
  shared_req.done();      // expected-warning {{untrusted value used as an indirect-call target: it is a load from flexos_share object 'shared_req'}}
  char *q = flexos_gate(lwip, net_buf);
  return *p +             // expected-warning {{untrusted value used as a pointer that is dereferenced: it is a load from flexos_share object 'shared_req'}}
         *q;
}
