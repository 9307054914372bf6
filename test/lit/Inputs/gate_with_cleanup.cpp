// A gate in a C++ function that has cleanups (a destructor runs when
// anything in it throws). The marker call must not become an invoke.
#include <flexos.h>
extern "C" long recv_len(void) noexcept;
struct Guard {
  ~Guard();
};
void may_throw();
long serve() {
  Guard g;
  may_throw();
  return flexos_gate(lwip, recv_len);
}
