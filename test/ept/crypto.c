/*
 * FILE: test/ept/crypto.c
 * DESCRIPTION: Library "crypto" of the vm-ept test (see net.c).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>

#include "three.h"

long crypto_zero(void) { return 7; }

long crypto_sum10(long a, long b, long c, long d, long e, long f, long g,
                  long h, long i, long j) {
  return flexos_gate(app, app_sum10, a, b, c, d, e, f, g, h, i, j) + 1;
}

long crypto_mix(long x) { return x * 3 + 1; }

long crypto_via_net(long x) { return flexos_gate(net, net_zero) + x; }

long crypto_to_app(long x) { return flexos_gate(app, app_leaf, x) + 5; }

long crypto_sum3(long a, long b, long c) { return a - b + c; }

long crypto_to_net6(long x) { return flexos_gate(net, net_sum6, x, 2, 3, 4, 5, 6); }
