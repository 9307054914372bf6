/*
 * FILE: platform/linux/record.c
 * DESCRIPTION:
 *   Record mode of a hosted flexos program (docs/porting-record.md), for
 *   porting only: with FLEXOS_RECORD=FILE in the environment at start-up,
 *   a protection-key fault does not end the program.  The runtime logs
 *   which compartment touched what (a compartment's global by name, a
 *   heap block by the call that allocated it, a stack, key-0 data), lets
 *   that one instruction run with the missing key opened, and closes the
 *   key again after it (trap flag, then SIGTRAP), so that every access
 *   that would need sharing shows up in one run.  At exit the report goes
 *   to FILE (a temporary file renamed over it; a forked child writes
 *   FILE.PID); `flexos share` turns it into sharing decisions for the
 *   build.
 *
 *   The environment is read once, in hosted_start before any compartment
 *   runs; hosted_record_on lives in key-0 memory, which no compartment
 *   can write.  Without FLEXOS_RECORD none of this is installed and the
 *   fault path is the usual report and exit.  With it, compartments are
 *   NOT isolated: every access is allowed after it is logged, the
 *   allocation log is shared memory (key 15), and the fault handler runs
 *   on the key-15 alternate stack.  A loud banner says so on stderr.
 *
 *   The fault entry (__flexos_record_entry, fault_entry.S) opens every
 *   key, saves the interrupted syscall_block and FS base, calls
 *   hosted_record_fault here, then resumes through the sigreturn site as
 *   the signal entry does.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "linux.h"

#define SEGV_PKUERR_CODE 4
#define TRAP_FLAG 0x100ull
#define XFEATURE_PKRU (1ull << 9)
#define ALLOC_LOG_ENTRIES (1ul << 20)
#define MAX_RECORDS 2048

/* Set once before main, read-only afterwards (key 0). */
int hosted_record_on;
static char record_path[PATH_MAX];
static char program_path[PATH_MAX];
static pid_t record_pid; /* a forked child writes FILE.PID instead */

/* ---- the allocation log (key 15: every compartment's malloc writes it) -- */

struct alloc_rec {
  uintptr_t user, size; /* size 0: not written yet */
  uintptr_t pc[3];      /* return address of the allocating call, callers */
};
struct alloc_log {
  uint64_t next;
  uint64_t pad[7];
  struct alloc_rec rec[];
};
static struct alloc_log *alloc_log;

extern char __executable_start[], etext[];

static int in_text(uintptr_t pc) {
  return pc >= (uintptr_t)__executable_start && pc < (uintptr_t)etext;
}

/* From the heap (heap.c), with the caller's rights: p of `size` usable
 * bytes, allocated by the call returning to ra; fp is the allocator's
 * frame, whose saved frame pointers give two more callers when the
 * callers keep frame pointers (checked to stay inside the thread's
 * stack; garbage otherwise ends the walk). */
void hosted_record_alloc(void *p, size_t size, void *ra, void *fp) {
  struct alloc_log *l = alloc_log;
  if (!l || !p)
    return;
  uint64_t i = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
  if (i >= ALLOC_LOG_ENTRIES)
    return;
  struct alloc_rec *r = &l->rec[i];
  r->pc[0] = (uintptr_t)ra;
  r->pc[1] = r->pc[2] = 0;
  uintptr_t lo, hi;
  const uintptr_t *f = fp;
  if (f && hosted_stack_region((uintptr_t)f, &lo, &hi) >= 0) {
    for (int k = 1; k < 3; k++) {
      uintptr_t next = f[0];
      if (next <= (uintptr_t)f || next % 8 || next + 16 > hi)
        break;
      f = (const uintptr_t *)next;
      if (!in_text(f[1]))
        break;
      r->pc[k] = f[1];
    }
  }
  r->user = (uintptr_t)p;
  __atomic_store_n(&r->size, size ? size : 1, __ATOMIC_RELEASE);
}

/* The newest logged allocation holding addr (a reused block has a newer
 * entry than its earlier lives), or NULL. */
static const struct alloc_rec *alloc_find(uintptr_t addr) {
  struct alloc_log *l = alloc_log;
  if (!l)
    return 0;
  uint64_t n = __atomic_load_n(&l->next, __ATOMIC_ACQUIRE);
  if (n > ALLOC_LOG_ENTRIES)
    n = ALLOC_LOG_ENTRIES;
  while (n-- > 0) {
    const struct alloc_rec *r = &l->rec[n];
    uintptr_t size = __atomic_load_n(&r->size, __ATOMIC_ACQUIRE);
    if (size && addr >= r->user && addr - r->user < size)
      return r;
  }
  return 0;
}

/* ---- what faulted --------------------------------------------------------- */

enum kind { K_GLOBAL, K_ALLOC, K_STACK, K_HEAP, K_KEY0, K_UNKNOWN };
static const char *const kind_name[] = {"global", "alloc", "stack", "heap", "key0", "unknown"};

struct record {
  int kind, owner;      /* owner: compartment index, HOSTED_SHARED_ARENA, -1 */
  uint32_t from;        /* bit per compartment that touched it */
  uint32_t access;      /* 1 read, 2 write */
  uint64_t count;
  uintptr_t site;       /* global: symbol name; alloc: pc[0]; others: fault pc */
  uintptr_t pc[3];      /* alloc: the allocation's call stack */
  uintptr_t first_pc, first_addr;
};
static struct record records[MAX_RECORDS];
static unsigned nrecords;
static uint64_t dropped;
static volatile int records_lock;

static void lock(void) {
  while (__atomic_exchange_n(&records_lock, 1, __ATOMIC_ACQUIRE))
    __builtin_ia32_pause();
}
static void unlock(void) { __atomic_store_n(&records_lock, 0, __ATOMIC_RELEASE); }

static void note(int kind, int owner, uintptr_t site, const uintptr_t *pc, int from,
                 uint32_t access, uintptr_t rip, uintptr_t addr) {
  lock();
  struct record *r = 0;
  for (unsigned i = 0; i < nrecords && !r; i++)
    if (records[i].kind == kind && records[i].owner == owner && records[i].site == site)
      r = &records[i];
  if (!r && nrecords < MAX_RECORDS) {
    r = &records[nrecords++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->owner = owner;
    r->site = site;
    if (pc)
      memcpy(r->pc, pc, sizeof r->pc);
    r->first_pc = rip;
    r->first_addr = addr;
  }
  if (r) {
    if (from >= 0 && from < 32)
      r->from |= 1u << from;
    r->access |= access;
    r->count++;
  } else {
    dropped++;
  }
  unlock();
}

/* ---- the interrupted context's PKRU ------------------------------------- */

static uint32_t pkru_offset(void) {
  static uint32_t off;
  if (!off) {
    unsigned a, b, c, d;
    if (__get_cpuid_count(0xd, 9, &a, &b, &c, &d))
      off = b;
  }
  return off;
}

/* PKRU in the signal frame's XSAVE area; 0 when absent (-1: no XSAVE). */
static int64_t frame_pkru(const ucontext_t *uc) {
  const unsigned char *fx = (const unsigned char *)uc->uc_mcontext.fpregs;
  uint32_t magic, pkru;
  uint64_t bv;
  if (!fx || !pkru_offset())
    return -1;
  memcpy(&magic, fx + 464, 4);
  if (magic != 0x46505853u) /* FP_XSTATE_MAGIC1 */
    return -1;
  memcpy(&bv, fx + 512, 8);
  if (!(bv & XFEATURE_PKRU))
    return 0;
  memcpy(&pkru, fx + pkru_offset(), 4);
  return pkru;
}

/* What rt_sigreturn loads into PKRU (as signal.c's force_rights). */
static void set_frame_pkru(ucontext_t *uc, uint32_t pkru) {
  unsigned char *fx = (unsigned char *)uc->uc_mcontext.fpregs;
  uint64_t v;
  memcpy(&v, fx + 472, 8); /* sw_reserved.xfeatures */
  v |= XFEATURE_PKRU;
  memcpy(fx + 472, &v, 8);
  memcpy(&v, fx + 512, 8); /* XSTATE_BV */
  v |= XFEATURE_PKRU;
  memcpy(fx + 512, &v, 8);
  memcpy(fx + pkru_offset(), &pkru, 4);
}

static int compartment_of_pkru(uint32_t pkru) {
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (hosted.pkru[i] == pkru)
      return (int)i;
  int c = (int)hosted.def;
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (i != hosted.def && !(pkru & FLEXOS_PKRU_AD(FLEXOS_KEY_OF((int)i))))
      c = (int)i;
  return c;
}

/* One instruction is being stepped with extra keys open (per thread). */
static __thread struct {
  int pending;
  uint32_t pkru; /* the rights to restore after it */
} step;


/* Where addr lives, as a record: kind, owner and site. */
static void classify(uintptr_t addr, uintptr_t rip, int *kind, int *owner, uintptr_t *site,
                     uintptr_t pc[3]) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  *site = rip;
  for (uint32_t i = 0; i < cfg->ncompartments; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    if ((addr >= c->ro_start && addr < c->ro_end) || (addr >= c->rw_start && addr < c->rw_end)) {
      uintptr_t off = 0;
      const char *sym = hosted_symbol(addr, &off);
      *owner = (int)i;
      *kind = sym ? K_GLOBAL : K_UNKNOWN;
      if (sym)
        *site = (uintptr_t)sym;
      return;
    }
  }
  int heap = hosted_heap_owner(addr);
  if (heap >= 0) {
    const struct alloc_rec *r = alloc_find(addr);
    *owner = heap;
    *kind = r ? K_ALLOC : K_HEAP;
    if (r) {
      memcpy(pc, r->pc, sizeof r->pc);
      *site = r->pc[0];
    }
    return;
  }
  uint64_t tid;
  int stack = hosted_stack_owner(addr, &tid);
  if (stack >= 0) {
    *owner = stack;
    *kind = K_STACK;
    return;
  }
  *owner = -1;
  *kind = K_KEY0;
}

/* From __flexos_record_entry: every key open, system calls allowed, on
 * the alternate stack.  Returns when the interrupted context may resume. */
void hosted_record_fault(int sig, siginfo_t *si, ucontext_t *uc) {
  /* The entry is installed only in record mode; reached otherwise, it was
   * jumped to (it opens every key): stop before reading any argument. */
  if (!hosted_record_on)
    hosted_die("FAULT: the record-mode fault entry ran without record mode "
               "(a jump into it): stopped");
  if (sig == SIGTRAP) {
    if (!step.pending) {
      hosted_say("flexos: SIGTRAP outside a recorded access (a breakpoint or raise(SIGTRAP)); "
          "record mode owns SIGTRAP\n");
      hosted_record_write();
      _exit(128 + SIGTRAP);
    }
    set_frame_pkru(uc, step.pkru);
    uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)TRAP_FLAG;
    step.pending = 0;
    return;
  }
  int64_t pkru = frame_pkru(uc);
  if (sig != SIGSEGV || si->si_code != SEGV_PKUERR_CODE || pkru < 0 || !hosted_record_on) {
    hosted_record_write();
    hosted_fault_report(sig, si, uc);
  }
  uintptr_t addr = (uintptr_t)si->si_addr;
  uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  uint32_t access = (uc->uc_mcontext.gregs[REG_ERR] & 2) ? 2 : 1;
  uint32_t key = 0;
  memcpy(&key, (const char *)si + 32, 4); /* si_pkey (x86-64 layout) */
  uint32_t rights = step.pending ? step.pkru : (uint32_t)pkru;
  int kind, owner;
  uintptr_t site, pc[3] = {0, 0, 0};
  classify(addr, rip, &kind, &owner, &site, pc);
  note(kind, owner, site, pc, compartment_of_pkru(rights), access, rip, addr);
  /* This one instruction runs with the key open; SIGTRAP closes it. */
  set_frame_pkru(uc, (uint32_t)pkru & ~(FLEXOS_PKRU_AD(key & 15) | FLEXOS_PKRU_WD(key & 15)));
  uc->uc_mcontext.gregs[REG_EFL] |= (greg_t)TRAP_FLAG;
  step.pkru = rights;
  step.pending = 1;
}

/* ---- the report ------------------------------------------------------------ */

struct out {
  int fd, failed;
  char buf[4096];
  size_t n;
};

static void out_flush(struct out *o) {
  size_t done = 0;
  while (done < o->n) {
    ssize_t w = write(o->fd, o->buf + done, o->n - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      o->failed = 1;
      break;
    }
    done += (size_t)w;
  }
  o->n = 0;
}

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= sizeof line)
    n = sizeof line - 1;
  if (o->n + (size_t)n > sizeof o->buf)
    out_flush(o);
  memcpy(o->buf + o->n, line, (size_t)n);
  o->n += (size_t)n;
}

static const char *comp_name(int c) {
  if (c < 0)
    return "key0";
  return flexos_compartment_name(c);
}

/* SYM+0xOFF of pc, or 0xPC. */
static void where(uintptr_t pc, char *buf, size_t size) {
  uintptr_t off = 0;
  const char *fn = pc ? hosted_symbol(pc, &off) : 0;
  if (fn)
    snprintf(buf, size, "%s+0x%lx", fn, (unsigned long)off);
  else
    snprintf(buf, size, "0x%lx", (unsigned long)pc);
}

static void write_record(struct out *o, const struct record *r) {
  char from[256] = "", first[256], site[256];
  size_t n = 0;
  for (int c = 0; c < 32; c++)
    if (r->from & (1u << c))
      n += (size_t)snprintf(from + n, n < sizeof from ? sizeof from - n : 0, "%s%s",
                            n ? "," : "", comp_name(c));
  const char *access = r->access == 3 ? "read,write" : r->access == 2 ? "write" : "read";
  where(r->first_pc, first, sizeof first);
  switch (r->kind) {
  case K_GLOBAL:
    outf(o, "global %s", (const char *)r->site);
    break;
  case K_ALLOC:
    where(r->pc[0], site, sizeof site);
    outf(o, "alloc 0x%lx site=%s stack=0x%lx,0x%lx,0x%lx", (unsigned long)r->pc[0], site,
         (unsigned long)r->pc[0], (unsigned long)r->pc[1], (unsigned long)r->pc[2]);
    break;
  default:
    outf(o, "unplaced %s", kind_name[r->kind]);
    break;
  }
  outf(o, " owner=%s accessed-by=%s access=%s count=%llu first-pc=%s pc=0x%lx addr=0x%lx\n",
       comp_name(r->owner), from, access, (unsigned long long)r->count, first,
       (unsigned long)r->first_pc, (unsigned long)r->first_addr);
}

/* FILE, atomically: FILE.tmp.PID, then rename.  At exit, and before a
 * fault that ends the program. */
void hosted_record_write(void) {
  if (!hosted_record_on)
    return;
  char path[PATH_MAX + 32], tmp[PATH_MAX + 64];
  if (getpid() == record_pid)
    snprintf(path, sizeof path, "%s", record_path);
  else
    snprintf(path, sizeof path, "%s.%ld", record_path, (long)getpid());
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  struct out o;
  o.n = 0;
  o.failed = 0;
  o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (o.fd < 0) {
    hosted_say("flexos: record mode: cannot write %s: %s\n", tmp, strerror(errno));
    return;
  }
  lock();
  outf(&o, "# flexos record report: protection-key faults, allowed and logged "
           "(docs/porting-record.md)\n");
  outf(&o, "flexos-record 1\n");
  outf(&o, "program %s\n", program_path);
  for (unsigned i = 0; i < nrecords; i++)
    write_record(&o, &records[i]);
  if (dropped)
    outf(&o, "dropped %llu\n", (unsigned long long)dropped);
  if (alloc_log && alloc_log->next > ALLOC_LOG_ENTRIES)
    outf(&o, "# allocation log full: %llu allocations not logged\n",
         (unsigned long long)(alloc_log->next - ALLOC_LOG_ENTRIES));
  unlock();
  out_flush(&o);
  if (close(o.fd) != 0)
    o.failed = 1;
  if (o.failed || rename(tmp, path) != 0) {
    hosted_say("flexos: record mode: cannot write %s: %s\n", path, strerror(errno));
    unlink(tmp);
  }
}

static void record_at_exit(void) { hosted_record_write(); }

void __flexos_record_entry(int sig, siginfo_t *si, void *uc);
int __real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Before main, before any compartment runs (start.c). */
void hosted_record_init(void) {
  const char *path = getenv("FLEXOS_RECORD");
  if (!path || !*path)
    return;
  if (path[0] == '/') {
    snprintf(record_path, sizeof record_path, "%s", path);
  } else {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
      hosted_die("FLEXOS_RECORD=%s: cannot resolve the current directory: %s", path,
                 strerror(errno));
    snprintf(record_path, sizeof record_path, "%s/%s", cwd, path);
  }
  record_pid = getpid();
  ssize_t n = readlink("/proc/self/exe", program_path, sizeof program_path - 1);
  program_path[n > 0 ? n : 0] = 0;
  hosted_say("flexos: ************************************************************\n"
      "flexos: RECORD MODE (FLEXOS_RECORD=%s): protection-key faults are\n"
      "flexos: logged and ALLOWED. Compartments are NOT isolated. For porting\n"
      "flexos: only (docs/porting-record.md); never run this in production.\n"
      "flexos: ************************************************************\n",
      record_path);
  if (hosted.pku) {
    alloc_log = hosted_map(sizeof *alloc_log + ALLOC_LOG_ENTRIES * sizeof(struct alloc_rec),
                           FLEXOS_SHARED_KEY, 0);
    if (!alloc_log)
      hosted_die("record mode: cannot map the allocation log: %s", strerror(errno));
    if (!pkru_offset())
      hosted_die("record mode: CPUID gives no PKRU component in the XSAVE area");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))__flexos_record_entry;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    if (__real_sigaction(SIGSEGV, &sa, 0) != 0 || __real_sigaction(SIGTRAP, &sa, 0) != 0)
      hosted_die("record mode: cannot install the fault handler: %s", strerror(errno));
  }
  hosted_record_on = 1;
  atexit(record_at_exit);
}
