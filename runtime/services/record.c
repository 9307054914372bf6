/*
 * FILE: runtime/services/record.c
 * DESCRIPTION:
 *   Record mode of a kernel image (docs/porting-record.md), for porting
 *   only.  Booted with the word `flexos.record` on the command line, a
 *   protection-key page fault does not end the image: the fault is
 *   logged (faulting rip, data address, the compartment that faulted and
 *   what the address belongs to: a global of compartment C, by C's data
 *   ranges in flexos_image_config, or a block of C's heap with the return
 *   address of the call that allocated it), the interrupted rights are
 *   opened for the page's key in the trap frame, and the trap flag is set
 *   (interrupts off) for that one instruction; the #DB after it restores
 *   the rights and both flags.  At exit (flexos_exit) the report goes to
 *   the console between `flexos-record-begin` and `flexos-record-end`,
 *   in the hosted report format; `flexos share LOG --program IMAGE.elf`
 *   names globals and allocation sites from the image's ELF.
 *
 *   The option is read at boot, before any compartment runs, into a
 *   read-only page.  Without it nothing here runs and a fault is the
 *   usual report.  With it compartments are NOT isolated: every access is
 *   allowed once logged, and the allocation log is shared memory (key 15)
 *   since every compartment's malloc writes it (record_alloc.c).  The
 *   records live in common pages (key 0: the trap handler writes them,
 *   and flexos_exit prints them from whichever compartment calls it); in
 *   a ring-3 image, where the trap handler and the exit are the core's,
 *   in the core's own pages.  Which key a page
 *   has and how rights open come from the mechanism table
 *   (runtime/core/mechanism.h); a mechanism without them cannot record.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <string.h>

#include "kernel.h"
#include "mechanism.h"
#include "record.h"
#include "x86.h"

#define VEC_DB 1
#define VEC_PF 14
#define PF_WRITE (1u << 1)
#define PF_PK (1u << 5)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define MAX_RECORDS 1024  /* distinct (what, owner) records */
#define GLOBAL_GAP 8      /* faults this close extend one global record */
#ifdef FLEXOS_RING3
#define RECORDS_KEY PAGING_SUPERVISOR
#else
#define RECORDS_KEY FLEXOS_COMMON_KEY
#endif

/* ---- the records (key 0: written by the trap handler, read by all) ---- */

enum kind { K_GLOBAL, K_ALLOC, K_STACK, K_HEAP, K_KEY0, K_UNKNOWN };
static const char *const kind_name[] = {"global", "alloc", "stack",
                                        "heap",   "key0",  "unknown"};

struct record {
  int kind, owner;    /* owner: compartment index, -1 for key-0 data */
  uint32_t from;      /* bit per compartment that touched it */
  uint32_t access;    /* 1 read, 2 write */
  uint64_t count;
  uintptr_t site;     /* global: lowest address; alloc: its call's return
                       * address; others: the faulting rip */
  uintptr_t last;     /* global: highest address */
  uintptr_t first_pc, first_addr;
};
struct record_table {
  uint32_t n, stopped; /* stopped: no report (it faulted while printing) */
  uint64_t dropped;
  struct record rec[MAX_RECORDS];
};

/* Set at boot, read-only afterwards (the log's address is read by every
 * compartment's heap: record_alloc.c). */
SECTION_ROINIT struct record_alloc_log *flexos_record_alloc_log;
SECTION_ROINIT static int record_on;
SECTION_ROINIT static struct record_table *table;

/* The one instruction stepping with a key opened (one CPU; interrupts
 * stay off meanwhile).  Only the trap handler touches it. */
static struct {
  int pending;
  uint64_t pkru;    /* the interrupted rights, restored after it */
  uint64_t opened;  /* the rights it runs with */
  uint64_t if_flag; /* the interrupted RFLAGS.IF */
} step;

static void *pages_for(size_t bytes, int key) {
  void *p = page_alloc(PAGE_ROUND_UP(bytes) / PAGE_SIZE, key);
  if (!p)
    flexos_panic("record mode: out of pages for %lu bytes of logs",
                 (unsigned long)bytes);
  return p; /* zeroed by page_alloc */
}

/* From kmain, in the boot context (every key writable), before
 * paging_seal makes these pointers read-only. */
void record_init(int on) {
  if (!on)
    return;
  if (!mechanism->pkru_open || !mechanism->pkru_compartment) {
    console_printf("flexos: flexos.record ignored: this image's mechanism has no "
           "protection-key faults to record\n");
    return;
  }
  flexos_record_alloc_log =
      pages_for(sizeof(struct record_alloc_log), FLEXOS_SHARED_KEY);
  table = pages_for(sizeof(struct record_table), RECORDS_KEY);
  record_on = 1;
  console_printf("flexos: ************************************************************\n"
         "flexos: RECORD MODE (flexos.record): protection-key faults are\n"
         "flexos: logged and ALLOWED. Compartments are NOT isolated. For porting\n"
         "flexos: only (docs/porting-record.md); never run this in production.\n"
         "flexos: ************************************************************\n");
}

/* The newest logged allocation holding addr (a reused block has a newer
 * entry than its earlier lives), or 0. */
static const struct record_alloc_rec *alloc_find(uintptr_t addr) {
  uint64_t n = __atomic_load_n(&flexos_record_alloc_log->next, __ATOMIC_ACQUIRE);
  if (n > RECORD_LOG_ENTRIES)
    n = RECORD_LOG_ENTRIES;
  while (n-- > 0) {
    const struct record_alloc_rec *r = &flexos_record_alloc_log->rec[n];
    uintptr_t size = __atomic_load_n(&r->size, __ATOMIC_ACQUIRE);
    if (size && addr >= r->user && addr - r->user < size)
      return r;
  }
  return 0;
}

/* ---- what a fault touched ------------------------------------------------ */

struct what {
  int kind, owner;
  uintptr_t site;
};

static int in_data_of(uintptr_t addr, const struct flexos_compartment_desc *c) {
  return (addr >= c->ro_start && addr < c->ro_end) ||
         (addr >= c->rw_start && addr < c->rw_end);
}

/* A compartment's data, heap or stack, or key-0 data. */
static struct what classify(uintptr_t addr, uintptr_t rip) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  for (uint32_t i = 0; i < cfg->ncompartments; i++)
    if (in_data_of(addr, &cfg->comp[i]))
      return (struct what){K_GLOBAL, (int)i, addr};
  int owner = heap_owner(addr);
  if (owner >= 0) {
    const struct record_alloc_rec *r = alloc_find(addr);
    return r ? (struct what){K_ALLOC, owner, r->ra}
             : (struct what){K_HEAP, owner, rip};
  }
  owner = thread_stack_owner(addr);
  if (owner >= 0)
    return (struct what){K_STACK, owner, rip};
  int user, key;
  if (!paging_lookup(addr, &user, &key))
    return (struct what){K_UNKNOWN, -1, rip};
  if (key == FLEXOS_COMMON_KEY)
    return (struct what){K_KEY0, -1, rip};
  owner = key - FLEXOS_KEY_OF(0); /* other pages of a compartment's key */
  if (owner >= (int)cfg->ncompartments)
    owner = -1;
  return (struct what){K_UNKNOWN, owner, rip};
}

static int same_record(const struct record *r, const struct what *w) {
  if (r->kind != w->kind || r->owner != w->owner)
    return 0;
  if (w->kind == K_GLOBAL) /* a global's neighbouring bytes: one record */
    return w->site + GLOBAL_GAP >= r->site && w->site <= r->last + GLOBAL_GAP;
  return r->site == w->site;
}

static struct record *find_or_add(const struct what *w, uintptr_t rip,
                                  uintptr_t addr) {
  for (uint32_t i = 0; i < table->n; i++)
    if (same_record(&table->rec[i], w))
      return &table->rec[i];
  if (table->n == MAX_RECORDS)
    return 0;
  struct record *r = &table->rec[table->n++];
  *r = (struct record){.kind = w->kind, .owner = w->owner, .site = w->site,
                       .last = w->site, .first_pc = rip, .first_addr = addr};
  return r;
}

static void note(uintptr_t addr, uintptr_t rip, uint64_t rights,
                 uint32_t access) {
  struct what w = classify(addr, rip);
  struct record *r = find_or_add(&w, rip, addr);
  if (!r) {
    table->dropped++;
    return;
  }
  if (w.kind == K_GLOBAL) {
    r->site = w.site < r->site ? w.site : r->site;
    r->last = w.site > r->last ? w.site : r->last;
  }
  int from = mechanism->pkru_compartment(rights);
  if (from >= 0 && from < 32)
    r->from |= 1u << from;
  r->access |= access;
  r->count++;
}

/* ---- the trap side ------------------------------------------------------- */

/* #DB after the stepped instruction: its rights and flags come back. */
static void step_done(struct trapframe *tf) {
  tf->pkru = step.pkru;
  tf->rflags = (tf->rflags & ~(RFLAGS_TF | RFLAGS_IF)) | step.if_flag;
  step.pending = 0;
}

/* A protection-key #PF: log it and let this one instruction run with the
 * page's key opened.  A fault of the stepped instruction itself (a second
 * key) opens that one too.  0 when nothing can be opened. */
static int step_open(struct trapframe *tf) {
  uintptr_t addr = read_cr2();
  uint64_t opened = mechanism->pkru_open(tf->pkru, addr);
  if (opened == tf->pkru)
    return 0;
  note(addr, tf->rip, step.pending ? step.pkru : tf->pkru,
       (tf->error & PF_WRITE) ? 2 : 1);
  if (!step.pending) {
    step.pkru = tf->pkru;
    step.if_flag = tf->rflags & RFLAGS_IF;
    step.pending = 1;
  }
  step.opened = opened;
  tf->pkru = opened;
  tf->rflags = (tf->rflags | RFLAGS_TF) & ~RFLAGS_IF;
  return 1;
}

/* From flexos_trap for every exception: 1 when record mode took it. */
int record_trap(struct trapframe *tf) {
  if (!record_on)
    return 0;
  if (tf->vector == VEC_DB && step.pending) {
    step_done(tf);
    return 1;
  }
  if (tf->vector == VEC_PF && (tf->error & PF_PK))
    return step_open(tf);
  return 0;
}

/* The rights a frame may go back with while an access steps. */
int record_stepping(uint64_t pkru) {
  return record_on && step.pending && pkru == step.opened;
}

/* A fault while printing the report: the next exit prints none. */
void record_stop(void) {
  if (record_on)
    table->stopped = 1;
}

/* ---- the report ----------------------------------------------------------- */

static const char *owner_name(const struct record *r) {
  if (r->owner >= 0)
    return flexos_compartment_name(r->owner);
  return r->kind == K_KEY0 ? "key0" : "?";
}

static void print_from(uint32_t from) {
  int first = 1;
  for (int c = 0; c < 32; c++)
    if (from & (1u << c)) {
      console_printf("%s%s", first ? "" : ",", flexos_compartment_name(c));
      first = 0;
    }
  if (first)
    console_printf("?");
}

static void print_record(const struct record *r) {
  console_printf("flexos-record: ");
  if (r->kind == K_GLOBAL)
    console_printf("global 0x%lx", r->site);
  else if (r->kind == K_ALLOC)
    console_printf("alloc 0x%lx site=0x%lx stack=0x%lx,0x0,0x0", r->site, r->site,
           r->site);
  else
    console_printf("unplaced %s", kind_name[r->kind]);
  console_printf(" owner=%s accessed-by=", owner_name(r));
  print_from(r->from);
  console_printf(" access=%s count=%lu first-pc=0x%lx pc=0x%lx addr=0x%lx",
         r->access == 3 ? "read,write" : r->access == 2 ? "write" : "read",
         r->count, r->first_pc, r->first_pc, r->first_addr);
  if (r->kind == K_GLOBAL)
    console_printf(" last=0x%lx", r->last);
  console_printf("\n");
}

/* From flexos_exit, in any compartment: reads key-0 and shared memory only. */
void record_report(void) {
  if (!record_on || table->stopped)
    return;
  console_printf("flexos-record-begin\n"
         "flexos-record: # flexos record report of an image: protection-key "
         "faults, allowed and logged (docs/porting-record.md)\n"
         "flexos-record: flexos-record 1\n"
         "flexos-record: program %s\n",
         flexos_image_config.name);
  for (uint32_t i = 0; i < table->n; i++)
    print_record(&table->rec[i]);
  if (table->dropped)
    console_printf("flexos-record: dropped %lu\n", table->dropped);
  if (flexos_record_alloc_log->next > RECORD_LOG_ENTRIES)
    console_printf("flexos-record: # allocation log full: %lu allocations not logged\n",
           flexos_record_alloc_log->next - RECORD_LOG_ENTRIES);
  console_printf("flexos-record-end\n");
}
