/*
 * FILE: test/outside-project/project/net.h
 * DESCRIPTION:
 *   Interface of library `net` in the outside-project test.
 * USAGE:
 *   #include "net.h"; flexos_gate(net, net_checksum, buf, len)
 * License: MIT (see LICENSE)
 */
#ifndef OUTSIDE_NET_H
#define OUTSIDE_NET_H
#include <stddef.h>
#include <stdint.h>

/* RFC 1071 Internet checksum of buf[0..len). */
uint16_t net_checksum(const unsigned char *buf, size_t len);
/* Counts calls into the library; returns the new count. */
long net_count(long add);
#endif
