/*
 * FILE: test/outside-project/project/net.c
 * DESCRIPTION:
 *   Library `net` of the outside-project test: an Internet checksum and a
 *   call counter kept in the library's own (placed) data.
 * USAGE:
 *   flexos_library(net LIBRARY net CONFIG flexos.yaml)
 * License: MIT (see LICENSE)
 */
#include "net.h"

static long calls;

uint16_t net_checksum(const unsigned char *buf, size_t len) {
  uint32_t sum = 0;
  size_t i;
  for (i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)buf[i] << 8 | buf[i + 1];
  if (len & 1)
    sum += (uint32_t)buf[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  calls++;
  return (uint16_t)~sum;
}

long net_count(long add) {
  calls += add;
  return calls;
}
