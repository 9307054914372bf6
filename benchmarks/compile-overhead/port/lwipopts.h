/*
 * FILE: benchmarks/compile-overhead/port/lwipopts.h
 * DESCRIPTION:
 *   Minimal lwIP configuration for the compile-overhead benchmark: an OS
 *   port (NO_SYS=0) with IPv4, IPv6, TCP, UDP, raw, DHCP, AutoIP, IGMP,
 *   DNS, netconn, sockets and the netif API switched on, so that nearly
 *   all of lwIP's core and API code is compiled.  Never linked or run.
 * USAGE:
 *   clang-19 -O2 -I port -I lwip/src/include -c lwip/src/core/tcp.c
 * License: MIT (see LICENSE)
 */
#ifndef LWIPOPTS_H
#define LWIPOPTS_H

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 1
#define LWIP_TCP 1
#define LWIP_UDP 1
#define LWIP_RAW 1
#define LWIP_ALTCP 1
#define LWIP_DHCP 1
#define LWIP_AUTOIP 1
#define LWIP_IGMP 1
#define LWIP_DNS 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_NETIF_API 1
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_STATS 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define MEM_SIZE (64 * 1024)
#define MEMP_NUM_NETCONN 16
#define TCPIP_MBOX_SIZE 16
#define DEFAULT_RAW_RECVMBOX_SIZE 8
#define DEFAULT_UDP_RECVMBOX_SIZE 8
#define DEFAULT_TCP_RECVMBOX_SIZE 8
#define DEFAULT_ACCEPTMBOX_SIZE 8

#endif /* LWIPOPTS_H */
