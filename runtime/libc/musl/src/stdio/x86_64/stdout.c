/*
 * FILE: runtime/libc/musl/src/stdio/x86_64/stdout.c
 * DESCRIPTION:
 *   The image libc's stdout (it replaces musl's src/stdio/stdout.c through
 *   musl's per-architecture override rule).  Unbuffered, as stderr: the
 *   console is a serial port written synchronously, and each compartment
 *   has its own stdout, so a buffer would let a fault or an exit in one
 *   compartment lose what another had printed, and reorder lines between
 *   compartments.  printf still writes each call's text at once (musl
 *   formats an unbuffered stream's output through a small stack buffer).
 * License: MIT (see LICENSE)
 */
#include "stdio_impl.h"

#undef stdout

static unsigned char buf[UNGET];
hidden FILE __stdout_FILE = {
	.buf = buf + UNGET,
	.buf_size = 0,
	.fd = 1,
	.flags = F_PERM | F_NORD,
	.lbf = -1,
	.write = __stdio_write,
	.seek = __stdio_seek,
	.close = __stdio_close,
	.lock = -1,
};
FILE *const stdout = &__stdout_FILE;
FILE *volatile __stdout_used = &__stdout_FILE;
