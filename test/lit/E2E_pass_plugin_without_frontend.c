// A hand-written gate marker compiled with only -fpass-plugin (no frontend,
// so no configuration) is a compile error, never a silent plain call.
// RUN: not %clang_plain -O2 -fpass-plugin=%pass_plugin -c %s -o %t.o 2>&1 | FileCheck %s
void *__flexos_gate_target(const char *lib, void *fn);
int recv(int fd);
int f(void) { return ((int (*)(int))__flexos_gate_target("lwip", (void *)recv))(1); }
// CHECK: error: flexos: no configuration given
