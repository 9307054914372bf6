/*
 * FILE: benchmarks/sqlite/memvfs.c
 * DESCRIPTION:
 *   Library `sqlite` (SQLite's own compartment): the operating-system layer
 *   of an SQLite built with -DSQLITE_OS_OTHER=1, which then calls
 *   sqlite3_os_init()/sqlite3_os_end() instead of its Unix layer.  They
 *   register "memvfs", the default VFS: files live in this compartment's
 *   heap (a RAM disk: a named file lasts until xDelete; a temporary file,
 *   opened without a name, until its close), locks are no-ops (one
 *   process, SQLITE_THREADSAFE=0), xRandomness is a fixed-seed splitmix64
 *   (runs are repeatable), and the time and sleeps come from the
 *   application through host.h, because this compartment may make no
 *   system call.  Enough for :memory: databases (which use no file at all)
 *   and for temporary and named databases held in memory.
 *   Uses only sqlite3_malloc/free and <string.h>, which a compartment may
 *   call directly (docs/hosted.md).
 * License: MIT (see LICENSE)
 */
#include <string.h>

#include "host.h"
#include "sqlite3.h"

#define MEMVFS_MAX_PATH 512
#define MEMVFS_MAX_SIZE ((sqlite3_int64)1 << 30) /* per file */
/* Unix epoch in milliseconds since the Julian day epoch (SQLite's unit). */
#define UNIX_EPOCH_JD_MS 210866760000000LL

typedef struct MemData MemData;
struct MemData {
  MemData *next;          /* in `files` while it has a name */
  char *name;             /* NULL: anonymous, or deleted */
  unsigned char *buf;
  sqlite3_int64 size, cap;
  int opens;              /* open handles */
};

typedef struct MemFile {
  sqlite3_file base;      /* first: SQLite sees a sqlite3_file */
  MemData *data;
  int delete_on_close;
} MemFile;

static MemData *files; /* named files */

static MemData *find(const char *name) {
  for (MemData *d = files; d; d = d->next)
    if (d->name && strcmp(d->name, name) == 0)
      return d;
  return NULL;
}

static void unlink_data(MemData *d) {
  for (MemData **p = &files; *p; p = &(*p)->next)
    if (*p == d) {
      *p = d->next;
      break;
    }
  sqlite3_free(d->name);
  d->name = NULL;
  d->next = NULL;
}

static void free_data(MemData *d) {
  sqlite3_free(d->buf);
  sqlite3_free(d);
}

/* ---- sqlite3_io_methods ---- */

static int mem_close(sqlite3_file *f) {
  MemFile *m = (MemFile *)f;
  MemData *d = m->data;
  m->data = NULL;
  if (!d)
    return SQLITE_OK;
  if (m->delete_on_close && d->name)
    unlink_data(d);
  if (--d->opens == 0 && !d->name)
    free_data(d);
  return SQLITE_OK;
}

static int mem_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 off) {
  MemData *d = ((MemFile *)f)->data;
  if (amt < 0 || off < 0)
    return SQLITE_IOERR_READ;
  sqlite3_int64 have = off < d->size ? d->size - off : 0;
  if (have >= amt) {
    memcpy(out, d->buf + off, (size_t)amt);
    return SQLITE_OK;
  }
  /* SQLite's contract: fill the rest with zeros and say it was short. */
  if (have > 0)
    memcpy(out, d->buf + off, (size_t)have);
  memset((char *)out + have, 0, (size_t)(amt - have));
  return SQLITE_IOERR_SHORT_READ;
}

static int grow(MemData *d, sqlite3_int64 need) {
  if (need <= d->cap)
    return SQLITE_OK;
  if (need > MEMVFS_MAX_SIZE)
    return SQLITE_FULL;
  sqlite3_int64 cap = d->cap ? d->cap : 4096;
  while (cap < need)
    cap *= 2;
  unsigned char *b = sqlite3_realloc64(d->buf, (sqlite3_uint64)cap);
  if (!b)
    return SQLITE_IOERR_NOMEM;
  d->buf = b;
  d->cap = cap;
  return SQLITE_OK;
}

static int mem_write(sqlite3_file *f, const void *in, int amt, sqlite3_int64 off) {
  MemData *d = ((MemFile *)f)->data;
  if (amt < 0 || off < 0)
    return SQLITE_IOERR_WRITE;
  int rc = grow(d, off + amt);
  if (rc != SQLITE_OK)
    return rc;
  if (off > d->size)
    memset(d->buf + d->size, 0, (size_t)(off - d->size));
  memcpy(d->buf + off, in, (size_t)amt);
  if (off + amt > d->size)
    d->size = off + amt;
  return SQLITE_OK;
}

static int mem_truncate(sqlite3_file *f, sqlite3_int64 size) {
  MemData *d = ((MemFile *)f)->data;
  if (size < 0)
    return SQLITE_IOERR_TRUNCATE;
  if (size < d->size)
    d->size = size;
  return SQLITE_OK;
}

static int mem_sync(sqlite3_file *f, int flags) {
  (void)f, (void)flags;
  return SQLITE_OK;
}

static int mem_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  *size = ((MemFile *)f)->data->size;
  return SQLITE_OK;
}

static int mem_lock(sqlite3_file *f, int level) {
  (void)f, (void)level;
  return SQLITE_OK;
}

static int mem_check_reserved(sqlite3_file *f, int *out) {
  (void)f;
  *out = 0;
  return SQLITE_OK;
}

static int mem_file_control(sqlite3_file *f, int op, void *arg) {
  (void)f, (void)op, (void)arg;
  return SQLITE_NOTFOUND;
}

static int mem_sector_size(sqlite3_file *f) {
  (void)f;
  return 4096;
}

static int mem_device_characteristics(sqlite3_file *f) {
  (void)f;
  return SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_SAFE_APPEND |
         SQLITE_IOCAP_SEQUENTIAL | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static const sqlite3_io_methods mem_io = {
    .iVersion = 1,
    .xClose = mem_close,
    .xRead = mem_read,
    .xWrite = mem_write,
    .xTruncate = mem_truncate,
    .xSync = mem_sync,
    .xFileSize = mem_file_size,
    .xLock = mem_lock,
    .xUnlock = mem_lock,
    .xCheckReservedLock = mem_check_reserved,
    .xFileControl = mem_file_control,
    .xSectorSize = mem_sector_size,
    .xDeviceCharacteristics = mem_device_characteristics,
};

/* ---- sqlite3_vfs ---- */

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                    int flags, int *out_flags) {
  MemFile *m = (MemFile *)f;
  (void)vfs;
  m->base.pMethods = NULL; /* SQLite calls no xClose after a failure */
  m->data = NULL;
  m->delete_on_close = (flags & SQLITE_OPEN_DELETEONCLOSE) != 0;
  MemData *d = name ? find(name) : NULL;
  if (d && (flags & SQLITE_OPEN_EXCLUSIVE))
    return SQLITE_CANTOPEN;
  if (!d) {
    if (name && !(flags & SQLITE_OPEN_CREATE))
      return SQLITE_CANTOPEN;
    d = sqlite3_malloc(sizeof *d);
    if (!d)
      return SQLITE_NOMEM;
    memset(d, 0, sizeof *d);
    if (name) {
      size_t n = strlen(name) + 1;
      d->name = sqlite3_malloc64(n);
      if (!d->name) {
        sqlite3_free(d);
        return SQLITE_NOMEM;
      }
      memcpy(d->name, name, n);
      d->next = files;
      files = d;
    }
  }
  d->opens++;
  m->data = d;
  m->base.pMethods = &mem_io;
  if (out_flags)
    *out_flags = flags;
  return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  (void)vfs, (void)sync_dir;
  MemData *d = find(name);
  if (!d)
    return SQLITE_IOERR_DELETE_NOENT;
  unlink_data(d);
  if (d->opens == 0)
    free_data(d);
  return SQLITE_OK;
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
  (void)vfs, (void)flags;
  *out = find(name) != NULL;
  return SQLITE_OK;
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n_out,
                             char *out) {
  (void)vfs;
  size_t n = strlen(name) + 1;
  if (n_out <= 0 || n > (size_t)n_out)
    return SQLITE_CANTOPEN;
  memcpy(out, name, n);
  return SQLITE_OK;
}

/* splitmix64 from a fixed seed: the same "random" bytes every run. */
static sqlite3_uint64 prng_state = 0x5eed5eed5eed5eedULL;

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  for (int i = 0; i < n; i++) {
    if (i % 8 == 0) {
      prng_state += 0x9e3779b97f4a7c15ULL;
    }
    sqlite3_uint64 z = prng_state + (sqlite3_uint64)(i / 8);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    out[i] = (char)(z >> (8 * (i % 8)));
  }
  return n;
}

static int vfs_sleep(sqlite3_vfs *vfs, int us) {
  (void)vfs;
  return sqlite_host_sleep_us(us); /* a gate into app when isolated */
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
  (void)vfs;
  *now = UNIX_EPOCH_JD_MS + sqlite_host_time_ms(); /* a gate into app */
  return SQLITE_OK;
}

static int vfs_current_time(sqlite3_vfs *vfs, double *now) {
  sqlite3_int64 ms;
  vfs_current_time_int64(vfs, &ms);
  *now = (double)ms / 86400000.0;
  return SQLITE_OK;
}

static int vfs_last_error(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  if (n > 0)
    out[0] = 0;
  return 0;
}

static sqlite3_vfs memvfs = {
    .iVersion = 2,
    .szOsFile = sizeof(MemFile),
    .mxPathname = MEMVFS_MAX_PATH,
    .zName = "memvfs",
    .xOpen = vfs_open,
    .xDelete = vfs_delete,
    .xAccess = vfs_access,
    .xFullPathname = vfs_full_pathname,
    .xRandomness = vfs_randomness,
    .xSleep = vfs_sleep,
    .xCurrentTime = vfs_current_time,
    .xGetLastError = vfs_last_error,
    .xCurrentTimeInt64 = vfs_current_time_int64,
};

/* Called by sqlite3_initialize() (SQLITE_OS_OTHER=1). */
int sqlite3_os_init(void) { return sqlite3_vfs_register(&memvfs, 1); }

int sqlite3_os_end(void) { return SQLITE_OK; }
