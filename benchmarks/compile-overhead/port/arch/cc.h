/*
 * FILE: benchmarks/compile-overhead/port/arch/cc.h
 * DESCRIPTION:
 *   lwIP compiler/platform glue for the compile-overhead benchmark: the C
 *   library provides integer types, errno, struct timeval and rand();
 *   diagnostics go to stdio.
 * USAGE:
 *   included by lwip/arch.h; see port/lwipopts.h
 * License: MIT (see LICENSE)
 */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) \
  do { fprintf(stderr, "lwip assert: %s\n", x); abort(); } while (0)
#define LWIP_RAND() ((u32_t)rand())

/* Debian's "port" patch moved these out of src/api/sockets.c into its own
 * port headers; lwIP's struct sockaddr_in/in6 carry a length field. */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) \
  ((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) \
  ((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr) ((addr)->sa.sa_len)

#endif /* LWIP_ARCH_CC_H */
