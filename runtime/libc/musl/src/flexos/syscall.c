/*
 * FILE: runtime/libc/musl/src/flexos/syscall.c
 * DESCRIPTION:
 *   The image libc's kernel: every system call musl makes arrives here
 *   (arch/x86_64/syscall_arch.h) as a plain call, in the calling
 *   compartment, with that compartment's rights and its own copy of this
 *   file's state.  Nothing here crosses into another compartment:
 *     - fds 0, 1, 2 are the console: writes go out on the serial port
 *       (flexos_console_write, which keeps no state in memory), reads see
 *       end of file, TIOCGWINSZ succeeds (so stdout is line-buffered);
 *     - files are the compartment's own in-memory filesystem (files.c);
 *     - clocks come from the runtime's tick counter (common memory) and
 *       the RTC time read at boot;
 *     - exit and exit_group end the image (flexos_exit), a signal sent to
 *       oneself (abort) panics;
 *     - memory is the runtime's per-compartment heap, behind malloc: the
 *       libc's own mmap/brk are not provided (ENOMEM), so musl's malloc
 *       is not part of this libc (runtime/services/heap.c is).
 *   Anything else fails with ENOSYS, as an old kernel would.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE /* AT_EMPTY_PATH */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#include <flexos/runtime.h>

#include "flexos_libc.h"
#include "syscall.h"

static long console_write(int fd, const void *buf, size_t n)
{
	flexos_console_write(buf, n);
	return (long)n;
}

static long do_write(int fd, const void *buf, size_t n)
{
	if (fd == 1 || fd == 2)
		return console_write(fd, buf, n);
	if (fd == 0)
		return -EBADF;
	return __flexos_fs_write(fd, buf, n, -1);
}

static long do_read(int fd, void *buf, size_t n)
{
	if (fd == 0)
		return 0; /* no console input: end of file */
	if (fd == 1 || fd == 2)
		return -EBADF;
	return __flexos_fs_read(fd, buf, n, -1);
}

static long do_rw_vector(int fd, const struct iovec *iov, int cnt, int write)
{
	long total = 0;
	if (cnt < 0 || cnt > 1024)
		return -EINVAL;
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		long r = write ? do_write(fd, iov[i].iov_base, iov[i].iov_len)
		               : do_read(fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return total;
}

static long do_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd < 0 || fd > 2)
		return __flexos_fs_valid(fd) ? -ENOTTY : -EBADF;
	if (req == TIOCGWINSZ) {
		struct winsize *ws = arg;
		ws->ws_row = 24;
		ws->ws_col = 80;
		ws->ws_xpixel = ws->ws_ypixel = 0;
		return 0;
	}
	return -ENOTTY;
}

/* 100 Hz ticks since boot; the realtime clock adds the RTC's time at boot. */
static long do_clock_gettime(clockid_t clk, struct timespec *ts)
{
	uint64_t t = flexos_ticks();
	ts->tv_sec = (time_t)(t / 100);
	ts->tv_nsec = (long)(t % 100) * 10000000L;
	if (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE)
		ts->tv_sec += (time_t)flexos_boot_epoch();
	else if (clk != CLOCK_MONOTONIC && clk != CLOCK_MONOTONIC_RAW &&
	         clk != CLOCK_MONOTONIC_COARSE && clk != CLOCK_BOOTTIME &&
	         clk != CLOCK_PROCESS_CPUTIME_ID && clk != CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	return 0;
}

/* Sleeps wait for the tick counter (interrupts keep running). */
static long do_nanosleep(const struct timespec *req)
{
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L)
		return -EINVAL;
	uint64_t ticks = (uint64_t)req->tv_sec * 100 +
	                 ((uint64_t)req->tv_nsec + 9999999) / 10000000;
	uint64_t end = flexos_ticks() + ticks;
	while (flexos_ticks() < end)
		__asm__ volatile("pause");
	return 0;
}

static long do_uname(struct utsname *u)
{
	memset(u, 0, sizeof *u);
	strcpy(u->sysname, "flexos");
	strcpy(u->nodename, "flexos");
	strcpy(u->release, "2");
	strcpy(u->version, "image");
	strcpy(u->machine, "x86_64");
	return 0;
}

hidden long __flexos_syscall(long n, long a1, long a2, long a3, long a4,
                             long a5, long a6)
{
	switch (n) {
	case SYS_read:
		return do_read((int)a1, (void *)a2, (size_t)a3);
	case SYS_write:
		return do_write((int)a1, (const void *)a2, (size_t)a3);
	case SYS_readv:
		return do_rw_vector((int)a1, (const struct iovec *)a2, (int)a3, 0);
	case SYS_writev:
		return do_rw_vector((int)a1, (const struct iovec *)a2, (int)a3, 1);
	case SYS_pread64:
		if (a4 < 0)
			return -EINVAL;
		return __flexos_fs_read((int)a1, (void *)a2, (size_t)a3, (off_t)a4);
	case SYS_pwrite64:
		if (a4 < 0)
			return -EINVAL;
		return __flexos_fs_write((int)a1, (const void *)a2, (size_t)a3,
		                         (off_t)a4);
	case SYS_open:
		return __flexos_fs_open((const char *)a1, (int)a2, (mode_t)a3);
	case SYS_openat:
		if ((int)a1 != AT_FDCWD && ((const char *)a2)[0] != '/')
			return -ENOTSUP;
		return __flexos_fs_open((const char *)a2, (int)a3, (mode_t)a4);
	case SYS_close:
		if (a1 >= 0 && a1 <= 2)
			return 0;
		return __flexos_fs_close((int)a1);
	case SYS_lseek:
		return __flexos_fs_lseek((int)a1, (off_t)a2, (int)a3);
	case SYS_fstat:
		return __flexos_fs_fstat((int)a1, (struct stat *)a2);
	case SYS_stat:
	case SYS_lstat:
		return __flexos_fs_stat((const char *)a1, (struct stat *)a2);
	case SYS_newfstatat:
		if (((const char *)a2)[0] == 0 && (a4 & AT_EMPTY_PATH))
			return __flexos_fs_fstat((int)a1, (struct stat *)a3);
		if ((int)a1 != AT_FDCWD && ((const char *)a2)[0] != '/')
			return -ENOTSUP;
		return __flexos_fs_stat((const char *)a2, (struct stat *)a3);
	case SYS_access:
		return __flexos_fs_access((const char *)a1, (int)a2);
	case SYS_faccessat:
		return __flexos_fs_access((const char *)a2, (int)a3);
	case SYS_unlink:
		return __flexos_fs_unlink((const char *)a1);
	case SYS_unlinkat:
		if (a3 & AT_REMOVEDIR)
			return -ENOTDIR;
		return __flexos_fs_unlink((const char *)a2);
	case SYS_rename:
		return __flexos_fs_rename((const char *)a1, (const char *)a2);
	case SYS_ftruncate:
		return __flexos_fs_ftruncate((int)a1, (off_t)a2);
	case SYS_truncate: {
		int fd = (int)__flexos_fs_open((const char *)a1, O_WRONLY, 0);
		if (fd < 0)
			return fd;
		long r = __flexos_fs_ftruncate(fd, (off_t)a2);
		__flexos_fs_close(fd);
		return r;
	}
	case SYS_fsync:
	case SYS_fdatasync:
		return (a1 >= 0 && a1 <= 2) || __flexos_fs_valid((int)a1) ? 0 : -EBADF;
	case SYS_fcntl:
		return __flexos_fs_fcntl((int)a1, (int)a2, a3);
	case SYS_getdents64:
		return __flexos_fs_getdents((int)a1, (void *)a2, (size_t)a3);
	case SYS_getcwd:
		if (a2 < 2)
			return -ERANGE;
		strcpy((char *)a1, "/");
		return 2;
	case SYS_chdir:
		return ((const char *)a1)[0] == '/' && ((const char *)a1)[1] == 0
		           ? 0 : -ENOENT;
	case SYS_mkdir:
	case SYS_rmdir:
		return -EROFS;
	case SYS_ioctl:
		return do_ioctl((int)a1, (unsigned long)a2, (void *)a3);
	case SYS_clock_gettime:
		return do_clock_gettime((clockid_t)a1, (struct timespec *)a2);
	case SYS_clock_getres:
		if (a2) {
			((struct timespec *)a2)->tv_sec = 0;
			((struct timespec *)a2)->tv_nsec = 10000000L;
		}
		return 0;
	case SYS_nanosleep:
		return do_nanosleep((const struct timespec *)a1);
	case SYS_clock_nanosleep:
		return do_nanosleep((const struct timespec *)a3);
	case SYS_sched_yield:
		return 0;
	case SYS_uname:
		return do_uname((struct utsname *)a1);
	case SYS_getpid:
	case SYS_getppid:
	case SYS_gettid:
	case SYS_set_tid_address:
		return 1;
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
		return 0;
	case SYS_umask:
		return 022;
	case SYS_rt_sigprocmask:
		if (a3)
			memset((void *)a3, 0, (size_t)a4);
		return 0;
	case SYS_rt_sigaction:
		return a1 == SIGABRT || a1 == SIGSEGV ? 0 : -ENOSYS;
	case SYS_kill:  /* (pid, sig) */
	case SYS_tkill: /* (tid, sig) */
		flexos_panic("%s: signal %ld (abort)",
		             flexos_compartment_name(flexos_current_compartment()), a2);
	case SYS_tgkill:
		flexos_panic("%s: signal %ld (abort)",
		             flexos_compartment_name(flexos_current_compartment()), a3);
	case SYS_exit:
	case SYS_exit_group:
		flexos_exit((int)a1);
	case SYS_brk:
		return 0; /* no program break: the heap is malloc's alone */
	case SYS_mmap:
	case SYS_mremap:
		return -ENOMEM;
	case SYS_munmap:
	case SYS_madvise:
	case SYS_mprotect:
		return -EINVAL;
	default:
		return -ENOSYS;
	}
}
