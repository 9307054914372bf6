/*
 * FILE: runtime/libc/musl/src/flexos/files.c
 * DESCRIPTION:
 *   The image libc's in-memory filesystem.  Every compartment links its own
 *   copy, so each compartment sees its own files, kept in its own heap:
 *     - a read-only tree packed into the image at build time
 *       (flexos_add_image ... FILES, the table flexos_packed_files in
 *       common read-only memory, which every compartment may read);
 *     - files created or written at run time, in RAM (malloc).  Opening a
 *       packed file for writing copies it into RAM first; unlinking one
 *       hides it.  An unlinked file lives until its last descriptor closes.
 *   Paths are absolute or relative to "/" (the only working directory);
 *   "." and empty components are dropped, ".." is refused.  Directories
 *   are implied: "/" and every prefix of a file's path, plus "/tmp";
 *   opened read-only they list their entries (getdents64: opendir).
 *   Locks (fcntl F_SETLK) always succeed: one image, no other process.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE /* struct dirent's d_type, DT_* */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flexos/runtime.h>

#include "flexos_libc.h"

#define MAX_FDS 64
#define MAX_PATH 256

struct node {
	char path[MAX_PATH];
	unsigned char *data;      /* RAM contents (NULL while empty) */
	size_t size, cap;
	int hidden_packed;        /* a whiteout: the packed file is unlinked */
	int linked;               /* reachable by its path */
	int opens;                /* descriptors on it */
	unsigned long ino;
	struct node *next;
};

struct fd {
	int used;
	int flags;                /* O_ACCMODE | O_APPEND */
	struct node *node;        /* RAM file, or NULL for a packed one */
	const struct flexos_packed_file *packed;
	char *dir;                /* a directory's path (malloc), or NULL */
	off_t off;                /* a directory's: entries listed so far */
};

static struct node *nodes;
static struct fd fds[MAX_FDS];
static unsigned long next_ino = 100;

/* "a//b/./c" -> "/a/b/c"; 0, or -errno. */
static int canonical(const char *in, char out[MAX_PATH])
{
	size_t o = 0;
	if (!in || !*in)
		return -ENOENT;
	while (*in) {
		while (*in == '/')
			in++;
		const char *end = in;
		while (*end && *end != '/')
			end++;
		size_t len = (size_t)(end - in);
		if (len == 0)
			break;
		if (len == 1 && in[0] == '.') {
			in = end;
			continue;
		}
		if (len == 2 && in[0] == '.' && in[1] == '.')
			return -ENOENT;
		if (o + 1 + len + 1 > MAX_PATH)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, in, len);
		o += len;
		in = end;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return 0;
}

static const struct flexos_packed_file *find_packed(const char *path)
{
	if (!&flexos_packed_files)
		return 0;
	for (uint64_t i = 0; i < flexos_packed_files.count; i++)
		if (!strcmp(flexos_packed_files.files[i].path, path))
			return &flexos_packed_files.files[i];
	return 0;
}

static struct node *find_node(const char *path)
{
	for (struct node *n = nodes; n; n = n->next)
		if (n->linked && !strcmp(n->path, path))
			return n;
	return 0;
}

/* What a path names now: a RAM file, a packed file, or nothing. */
static int lookup(const char *path, struct node **node,
                  const struct flexos_packed_file **packed)
{
	*node = find_node(path);
	*packed = 0;
	if (*node && (*node)->hidden_packed) {
		*node = 0;
		return 0;
	}
	if (*node)
		return 1;
	*packed = find_packed(path);
	return *packed != 0;
}

static int has_prefix_dir(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	if (n == 1) /* "/" */
		return 1;
	return !strncmp(path, dir, n) && path[n] == '/';
}

static int is_dir(const char *path)
{
	if (!strcmp(path, "/") || !strcmp(path, "/tmp"))
		return 1;
	for (struct node *n = nodes; n; n = n->next)
		if (n->linked && !n->hidden_packed && has_prefix_dir(path, n->path))
			return 1;
	if (&flexos_packed_files)
		for (uint64_t i = 0; i < flexos_packed_files.count; i++)
			if (has_prefix_dir(path, flexos_packed_files.files[i].path))
				return 1;
	return 0;
}

static void node_free_if_dead(struct node *n)
{
	if (n->linked || n->opens)
		return;
	for (struct node **p = &nodes; *p; p = &(*p)->next)
		if (*p == n) {
			*p = n->next;
			break;
		}
	free(n->data);
	free(n);
}

/* Take the whiteout (or nothing) at `path` away. */
static void unlink_node(struct node *n)
{
	n->linked = 0;
	node_free_if_dead(n);
}

static struct node *node_new(const char *path)
{
	struct node *old = find_node(path);
	if (old)
		unlink_node(old);
	struct node *n = calloc(1, sizeof *n);
	if (!n)
		return 0;
	strcpy(n->path, path);
	n->linked = 1;
	n->ino = next_ino++;
	n->next = nodes;
	nodes = n;
	return n;
}

static int node_reserve(struct node *n, size_t size)
{
	if (size <= n->cap)
		return 0;
	size_t cap = n->cap ? n->cap : 4096;
	while (cap < size) {
		if (cap > SIZE_MAX / 2)
			return -EFBIG;
		cap *= 2;
	}
	unsigned char *p = realloc(n->data, cap);
	if (!p)
		return -ENOSPC;
	n->data = p;
	n->cap = cap;
	return 0;
}

/* A RAM copy of a packed file, shadowing it. */
static struct node *copy_packed(const char *path,
                                const struct flexos_packed_file *pf)
{
	struct node *n = node_new(path);
	if (!n)
		return 0;
	if (node_reserve(n, (size_t)pf->size) < 0) {
		unlink_node(n);
		return 0;
	}
	if (pf->size)
		memcpy(n->data, pf->data, (size_t)pf->size);
	n->size = (size_t)pf->size;
	return n;
}

static struct fd *get_fd(int fd)
{
	if (fd < 3 || fd >= MAX_FDS || !fds[fd].used)
		return 0;
	return &fds[fd];
}

int __flexos_fs_valid(int fd)
{
	return get_fd(fd) != 0;
}

static int fd_alloc(int from)
{
	for (int i = from < 3 ? 3 : from; i < MAX_FDS; i++)
		if (!fds[i].used)
			return i;
	return -EMFILE;
}

long __flexos_fs_open(const char *path, int flags, mode_t mode)
{
	char p[MAX_PATH];
	int r = canonical(path, p);
	if (r < 0)
		return r;
	struct node *n;
	const struct flexos_packed_file *pf;
	int exists = lookup(p, &n, &pf);
	int acc = flags & O_ACCMODE;
	int writes = acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC);
	if (!exists && is_dir(p)) {
		if (writes || (flags & O_CREAT))
			return -EISDIR;
		int dfd = fd_alloc(3);
		if (dfd < 0)
			return dfd;
		char *copy = strdup(p);
		if (!copy)
			return -ENOMEM;
		fds[dfd] = (struct fd){.used = 1, .flags = O_RDONLY, .dir = copy};
		return dfd;
	}
	if (flags & O_DIRECTORY)
		return exists ? -ENOTDIR : -ENOENT;
	if (exists && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	int fd = fd_alloc(3);
	if (fd < 0)
		return fd;
	if (!exists) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		n = node_new(p);
		if (!n)
			return -ENOSPC;
	} else if (pf && writes) {
		n = copy_packed(p, pf);
		if (!n)
			return -ENOSPC;
		pf = 0;
	}
	if (n && (flags & O_TRUNC))
		n->size = 0;
	if (n)
		n->opens++;
	fds[fd] = (struct fd){.used = 1, .flags = flags & (O_ACCMODE | O_APPEND),
	                      .node = n, .packed = pf, .off = 0};
	return fd;
}

long __flexos_fs_close(int fd)
{
	struct fd *f = get_fd(fd);
	if (!f)
		return -EBADF;
	struct node *n = f->node;
	f->used = 0;
	free(f->dir);
	f->dir = 0;
	if (n) {
		n->opens--;
		node_free_if_dead(n);
	}
	return 0;
}

static size_t fd_size(const struct fd *f)
{
	return f->node ? f->node->size : (size_t)f->packed->size;
}

long __flexos_fs_read(int fd, void *buf, size_t len, off_t at)
{
	struct fd *f = get_fd(fd);
	if (!f)
		return -EBADF;
	if (f->dir)
		return -EISDIR;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	off_t pos = at >= 0 ? at : f->off;
	size_t size = fd_size(f);
	if ((size_t)pos >= size)
		return 0;
	if (len > size - (size_t)pos)
		len = size - (size_t)pos;
	const unsigned char *src = f->node ? f->node->data : f->packed->data;
	memcpy(buf, src + pos, len);
	if (at < 0)
		f->off = pos + (off_t)len;
	return (long)len;
}

long __flexos_fs_write(int fd, const void *buf, size_t len, off_t at)
{
	struct fd *f = get_fd(fd);
	if (!f)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == O_RDONLY || !f->node)
		return -EBADF;
	struct node *n = f->node;
	off_t pos = at >= 0 ? at : (f->flags & O_APPEND) ? (off_t)n->size : f->off;
	if ((size_t)pos > SIZE_MAX - len)
		return -EFBIG;
	size_t end = (size_t)pos + len;
	int r = node_reserve(n, end);
	if (r < 0)
		return r;
	if ((size_t)pos > n->size) /* a hole reads as zeros */
		memset(n->data + n->size, 0, (size_t)pos - n->size);
	memcpy(n->data + pos, buf, len);
	if (end > n->size)
		n->size = end;
	if (at < 0)
		f->off = (off_t)end;
	return (long)len;
}

long __flexos_fs_lseek(int fd, off_t off, int whence)
{
	struct fd *f = get_fd(fd);
	if (!f)
		return fd >= 0 && fd <= 2 ? -ESPIPE : -EBADF;
	if (f->dir) { /* rewinddir */
		if (whence != SEEK_SET || off != 0)
			return -EINVAL;
		f->off = 0;
		return 0;
	}
	off_t base = whence == SEEK_SET ? 0
	           : whence == SEEK_CUR ? f->off
	           : whence == SEEK_END ? (off_t)fd_size(f) : -1;
	if (base < 0)
		return -EINVAL;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->off = base + off;
	return (long)f->off;
}

static void fill_stat(struct stat *st, size_t size, unsigned long ino,
                      mode_t mode)
{
	memset(st, 0, sizeof *st);
	st->st_dev = 1;
	st->st_ino = ino;
	st->st_mode = mode;
	st->st_nlink = 1;
	st->st_size = (off_t)size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
}

static unsigned long packed_ino(const struct flexos_packed_file *pf)
{
	return 1 + (unsigned long)(pf - flexos_packed_files.files);
}

long __flexos_fs_fstat(int fd, struct stat *st)
{
	if (fd >= 0 && fd <= 2) {
		fill_stat(st, 0, (unsigned long)fd + 1, S_IFCHR | 0620);
		return 0;
	}
	struct fd *f = get_fd(fd);
	if (!f)
		return -EBADF;
	if (f->dir) {
		fill_stat(st, 4096, 2, S_IFDIR | 0755);
		return 0;
	}
	fill_stat(st, fd_size(f), f->node ? f->node->ino : packed_ino(f->packed),
	          S_IFREG | 0644);
	return 0;
}

long __flexos_fs_stat(const char *path, struct stat *st)
{
	char p[MAX_PATH];
	int r = canonical(path, p);
	if (r < 0)
		return r;
	struct node *n;
	const struct flexos_packed_file *pf;
	if (lookup(p, &n, &pf)) {
		fill_stat(st, n ? n->size : (size_t)pf->size,
		          n ? n->ino : packed_ino(pf), S_IFREG | 0644);
		return 0;
	}
	if (is_dir(p)) {
		fill_stat(st, 4096, 2, S_IFDIR | 0755);
		return 0;
	}
	return -ENOENT;
}

long __flexos_fs_access(const char *path, int mode)
{
	struct stat st;
	long r = __flexos_fs_stat(path, &st);
	if (r < 0)
		return r;
	if ((mode & X_OK) && !S_ISDIR(st.st_mode))
		return -EACCES;
	return 0;
}

long __flexos_fs_unlink(const char *path)
{
	char p[MAX_PATH];
	int r = canonical(path, p);
	if (r < 0)
		return r;
	struct node *n;
	const struct flexos_packed_file *pf;
	if (!lookup(p, &n, &pf))
		return is_dir(p) ? -EISDIR : -ENOENT;
	if (n)
		unlink_node(n);
	if (find_packed(p)) { /* hide the packed file under a whiteout */
		struct node *w = node_new(p);
		if (!w)
			return -ENOMEM;
		w->hidden_packed = 1;
	}
	return 0;
}

long __flexos_fs_rename(const char *from, const char *to)
{
	char a[MAX_PATH], b[MAX_PATH];
	int r = canonical(from, a);
	if (r < 0 || (r = canonical(to, b)) < 0)
		return r;
	struct node *n;
	const struct flexos_packed_file *pf;
	if (!lookup(a, &n, &pf))
		return -ENOENT;
	if (!strcmp(a, b))
		return 0;
	if (pf && !(n = copy_packed(a, pf)))
		return -ENOSPC;
	struct node *old = find_node(b);
	if (old)
		unlink_node(old);
	/* The source name goes away (hidden if a packed file is under it). */
	n->linked = 0;
	if (find_packed(a)) {
		struct node *w = node_new(a);
		if (!w)
			return -ENOMEM;
		w->hidden_packed = 1;
	}
	strcpy(n->path, b);
	n->linked = 1; /* shadows a packed file named b, if any */
	return 0;
}

long __flexos_fs_ftruncate(int fd, off_t size)
{
	struct fd *f = get_fd(fd);
	if (!f)
		return -EBADF;
	if (!f->node || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if (size < 0)
		return -EINVAL;
	int r = node_reserve(f->node, (size_t)size);
	if (r < 0)
		return r;
	if ((size_t)size > f->node->size)
		memset(f->node->data + f->node->size, 0,
		       (size_t)size - f->node->size);
	f->node->size = (size_t)size;
	return 0;
}

long __flexos_fs_fcntl(int fd, int cmd, long arg)
{
	int console = fd >= 0 && fd <= 2;
	struct fd *f = get_fd(fd);
	if (!f && !console)
		return -EBADF;
	switch (cmd) {
	case F_GETFD:
	case F_SETFD:
		return 0;
	case F_GETFL:
		return console ? O_RDWR : f->flags;
	case F_SETFL:
		if (f)
			f->flags = (f->flags & O_ACCMODE) | ((int)arg & O_APPEND);
		return 0;
	case F_GETLK: {
		struct flock *l = (struct flock *)arg;
		l->l_type = F_UNLCK;
		return 0;
	}
	case F_SETLK:
	case F_SETLKW:
		return 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (console)
			return -EINVAL;
		int nfd = fd_alloc((int)arg);
		if (nfd < 0)
			return nfd;
		char *dir = f->dir ? strdup(f->dir) : 0;
		if (f->dir && !dir)
			return -ENOMEM;
		fds[nfd] = *f;
		fds[nfd].dir = dir;
		if (f->node)
			f->node->opens++;
		return nfd;
	}
	default:
		return -EINVAL;
	}
}

/* The path of candidate j of a listing (RAM files first, then packed
 * files not hidden or shadowed), or NULL past the last. */
static const char *candidate(size_t j)
{
	for (struct node *n = nodes; n; n = n->next)
		if (n->linked && !n->hidden_packed && j-- == 0)
			return n->path;
	if (&flexos_packed_files)
		for (uint64_t i = 0; i < flexos_packed_files.count; i++) {
			const char *p = flexos_packed_files.files[i].path;
			struct node *rn;
			const struct flexos_packed_file *pf;
			if (lookup(p, &rn, &pf) && pf && j-- == 0)
				return p;
		}
	return 0;
}

/* The name (into name[]) and type of directory dir's entry k, after "."
 * and ".."; 0 past the last.  Each child appears once, however many files
 * lie below it. */
static int dir_entry(const char *dir, size_t k, char name[MAX_PATH],
                     unsigned char *type)
{
	size_t base = strlen(dir) == 1 ? 1 : strlen(dir) + 1;
	if (k < 2) {
		strcpy(name, k ? ".." : ".");
		*type = DT_DIR;
		return 1;
	}
	k -= 2;
	const char *c;
	for (size_t j = 0; (c = candidate(j)); j++) {
		if (!has_prefix_dir(dir, c) || strlen(c) <= base)
			continue;
		size_t len = strcspn(c + base, "/");
		int seen = 0; /* an earlier candidate gave the same child */
		const char *e;
		for (size_t i = 0; i < j && !seen && (e = candidate(i)); i++)
			seen = has_prefix_dir(dir, e) && strlen(e) > base &&
			       strcspn(e + base, "/") == len &&
			       !strncmp(e + base, c + base, len);
		if (seen || k-- > 0)
			continue;
		memcpy(name, c + base, len);
		name[len] = 0;
		*type = c[base + len] == '/' ? DT_DIR : DT_REG;
		return 1;
	}
	return 0;
}

long __flexos_fs_getdents(int fd, void *buf, size_t n)
{
	struct fd *f = get_fd(fd);
	if (!f)
		return -EBADF;
	if (!f->dir)
		return -ENOTDIR;
	size_t used = 0;
	char name[MAX_PATH];
	unsigned char type;
	while (dir_entry(f->dir, (size_t)f->off, name, &type)) {
		size_t reclen = (offsetof(struct dirent, d_name) + strlen(name) + 1 + 7) & ~(size_t)7;
		if (used + reclen > n)
			return used ? (long)used : -EINVAL;
		struct dirent *d = (struct dirent *)((char *)buf + used);
		d->d_ino = (ino_t)(f->off + 3);
		d->d_off = f->off + 1;
		d->d_reclen = (unsigned short)reclen;
		d->d_type = type;
		strcpy(d->d_name, name);
		used += reclen;
		f->off++;
	}
	return (long)used;
}
