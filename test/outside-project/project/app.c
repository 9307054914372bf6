/*
 * FILE: test/outside-project/project/app.c
 * DESCRIPTION:
 *   Program of the outside-project test (library `app`): calls library
 *   `net` through flexos_gate with a buffer marked __flexos_share and
 *   prints the results, which the ctest compares with known values.
 * USAGE:
 *   ./app    # prints "checksum=0x... calls=2"
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include <flexos.h>

#include "net.h"

/* The IPv4 header example of RFC 1071's usual walk-through (checksum
 * field zeroed): its checksum is 0xb861. */
static unsigned char header[20] __flexos_share = {
    0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
    0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

int main(void) {
  unsigned sum = flexos_gate(net, net_checksum, header, sizeof header);
  long calls = flexos_gate(net, net_count, 1);
  printf("checksum=0x%04x calls=%ld\n", sum, calls);
  return sum == 0xb861 && calls == 2 ? 0 : 1;
}
