/*
 * FILE: runtime/libc/musl/src/flexos/flexos_libc.h
 * DESCRIPTION:
 *   Between the image libc's system call layer (syscall.c) and its
 *   in-memory filesystem (files.c).  Each returns what the Linux system
 *   call would: a result, or -errno.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LIBC_H
#define FLEXOS_LIBC_H
#include <sys/stat.h>
#include <sys/types.h>

hidden long __flexos_fs_open(const char *path, int flags, mode_t mode);
hidden long __flexos_fs_close(int fd);
hidden int __flexos_fs_valid(int fd);
/* at < 0: at the fd's offset, which moves; else at `at` (pread/pwrite) */
hidden long __flexos_fs_read(int fd, void *buf, size_t n, off_t at);
hidden long __flexos_fs_write(int fd, const void *buf, size_t n, off_t at);
hidden long __flexos_fs_lseek(int fd, off_t off, int whence);
hidden long __flexos_fs_fstat(int fd, struct stat *st);
hidden long __flexos_fs_stat(const char *path, struct stat *st);
hidden long __flexos_fs_access(const char *path, int mode);
hidden long __flexos_fs_unlink(const char *path);
hidden long __flexos_fs_rename(const char *from, const char *to);
hidden long __flexos_fs_ftruncate(int fd, off_t size);
hidden long __flexos_fs_fcntl(int fd, int cmd, long arg);
hidden long __flexos_fs_getdents(int fd, void *buf, size_t n);
#endif
