/*
 * FILE: libs/lwip/include/arch/cc.h
 * DESCRIPTION:
 *   lwIP's compiler and platform port for flexos kernel images: x86-64,
 *   little endian, the runtime's small libc (no inttypes.h, no ctype.h,
 *   no errno.h: lwIP provides its own errno values), diagnostics on the
 *   serial console, assertions that stop the image, random numbers from
 *   the TSC, and byte swaps as compiler builtins (so that the app's
 *   lwip_htons() needs no call into lwIP's compartment).
 * USAGE:
 *   Found by lwIP's <lwip/arch.h> through -I libs/lwip/include.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_ARCH_CC_H
#define FLEXOS_LWIP_ARCH_CC_H

#include <stdio.h>

#define BYTE_ORDER LITTLE_ENDIAN

/* The runtime's libc has neither inttypes.h nor ctype.h; its printf
 * knows %u %d %x and the z modifier (u16_t is promoted to int). */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* lwIP defines the E* values and one errno (libs/lwip/port/sys_arch.c). */
#define LWIP_PROVIDE_ERRNO 1

#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_ntohs(x) lwip_htons(x)
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))
#define lwip_ntohl(x) lwip_htonl(x)

unsigned int flexos_lwip_rand(void);
#define LWIP_RAND() ((u32_t)flexos_lwip_rand())

__attribute__((noreturn)) void flexos_lwip_assert(const char *msg,
                                                  const char *file, int line);
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) flexos_lwip_assert((x), __FILE__, __LINE__)

#endif
