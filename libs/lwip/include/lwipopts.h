/*
 * FILE: libs/lwip/include/lwipopts.h
 * DESCRIPTION:
 *   lwIP 2.1.3 options for flexos images: IPv4 + ARP + TCP/UDP/ICMP, the
 *   sockets and netconn APIs over a tcpip thread (NO_SYS=0) on the
 *   runtime's cooperative threads, one static address (QEMU user
 *   networking: 10.0.2.15/24, gateway 10.0.2.2; see netif/flexos_net.c).
 *   lwIP's heap and pools are its own globals, so they land in lwIP's
 *   compartment (private); only the buffers an application passes in are
 *   shared (docs/network.md).
 * USAGE:
 *   Found by lwIP's <lwip/opt.h> through -I libs/lwip/include.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIPOPTS_H
#define FLEXOS_LWIPOPTS_H

/* ---- OS: threads, no preemption ---------------------------------------
 * Threads switch only where they block, and no lwIP code runs in
 * interrupt context (the driver waits for its IRQ in a thread), so the
 * short critical sections SYS_ARCH_PROTECT guards cannot be entered twice:
 * no lightweight protection needed. */
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_COMPAT_MUTEX 1 /* mutexes are binary semaphores: */
#define LWIP_COMPAT_MUTEX_ALLOWED 1 /* no priorities, so no inversion */
#define LWIP_TCPIP_CORE_LOCKING 1
#define TCPIP_MBOX_SIZE 128
#define TCPIP_THREAD_STACKSIZE 0 /* the runtime sizes stacks (16 KiB) */
#define TCPIP_THREAD_PRIO 0      /* round robin, no priorities */
#define DEFAULT_THREAD_STACKSIZE 0
#define DEFAULT_TCP_RECVMBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 16
#define DEFAULT_RAW_RECVMBOX_SIZE 16
#define DEFAULT_ACCEPTMBOX_SIZE 128

/* ---- APIs -------------------------------------------------------------- */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_COMPAT_SOCKETS 0 /* lwip_recv(), not recv(): no macro clashes */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_SELECT 1 /* lwip_select for applications */
#define LWIP_SOCKET_POLL 0
#define LWIP_NETIF_API 0
#define LWIP_SO_RCVTIMEO 1 /* accept() with a timeout (test/net-image) */
#define LWIP_SO_SNDTIMEO 0

/* ---- Protocols --------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0

/* ---- Memory: lwIP's own heap and pools (its compartment) -------------- */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (256 * 1024)
#define MEMP_NUM_PBUF 32
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_TCP_PCB 160 /* the kvstore image's 120 clients, with room
                                for connections lwIP still closes */
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG 128
#define MEMP_NUM_NETBUF 16
#define MEMP_NUM_NETCONN 160 /* sockets; FD_SETSIZE follows it */
#define MEMP_NUM_TCPIP_MSG_API 32
#define MEMP_NUM_TCPIP_MSG_INPKT 128
#define PBUF_POOL_SIZE 512 /* 120 connections may each hold unread segments */

/* ---- TCP --------------------------------------------------------------- */
#define TCP_MSS 1460
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 0

/* ---- Checks and statistics --------------------------------------------- */
#define LWIP_STATS 0
#define LWIP_NOASSERT_ON_ERROR 0
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1

#endif
