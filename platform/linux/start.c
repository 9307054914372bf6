/*
 * FILE: platform/linux/start.c
 * DESCRIPTION:
 *   Start-up of a hosted flexos program (an ordinary static Linux
 *   executable built by flexos_add_executable), before main and before
 *   any other constructor:
 *     1. intel-pku: allocate protection keys 1..15 in order, so that
 *        compartment i owns key i+1 and key 15 is shared, as in the
 *        images (include/flexos/abi.h).  Keys of compartments other than
 *        the default one are allocated access-disabled, which leaves this
 *        thread's PKRU at the default compartment's rights without any
 *        WRPKRU outside the gates.
 *     2. the heaps (heap.c): one keyed arena per compartment and the
 *        shared arena;
 *     3. every compartment's read-only and read-write data (bracketed
 *        page-aligned by the generated linker script) gets its key, the
 *        default compartment's too, and the shared section key 15; libc's
 *        own data keeps key 0 (readable, not writable, by the others);
 *     4. the system call policy (syscall.c): a seccomp filter and the
 *        sigreturn site, before any compartment runs;
 *     5. the fault reporter (fault.c) and the main thread's TCB, gate
 *        slots, stacks and syscall user dispatch (thread.c).
 *   A configuration whose compartments all use `none` needs none of this:
 *   gates are plain calls and the program runs as if built without flexos.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux.h"

struct hosted hosted;
uint32_t hosted_default_pkru;

uint32_t hosted_rdpkru(void) {
  uint32_t eax, edx;
  __asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
  return eax;
}

int hosted_current(void) {
  if (!hosted.pku)
    return (int)flexos_image_config.default_index;
  uint32_t pkru = hosted_rdpkru();
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    if (i != hosted.def && !(pkru & FLEXOS_PKRU_AD(FLEXOS_KEY_OF((int)i))))
      return (int)i;
  return (int)hosted.def;
}

int flexos_current_compartment(void) { return hosted_current(); }
int flexos_pku_active(void) { return hosted.pku; }

const char *flexos_compartment_name(int index) {
  if (index == HOSTED_SHARED_ARENA)
    return "shared";
  if (index < 0 || index >= (int)flexos_image_config.ncompartments)
    return "?";
  return flexos_image_config.comp[index].name;
}

static __attribute__((noreturn)) void die_va(int status, const char *fmt, va_list ap) {
  char msg[512];
  int n = vsnprintf(msg, sizeof msg - 1, fmt, ap);
  if (n < 0)
    n = 0;
  if (n > (int)sizeof msg - 2)
    n = (int)sizeof msg - 2;
  msg[n++] = '\n';
  static const char prefix[] = "flexos: ";
  if (!hosted.pku) {
    (void)!write(2, prefix, sizeof prefix - 1);
    (void)!write(2, msg, (size_t)n);
    _exit(status);
  }
  /* Maybe inside a compartment, which may not make system calls. */
  char line[sizeof prefix + sizeof msg];
  memcpy(line, prefix, sizeof prefix - 1);
  memcpy(line + sizeof prefix - 1, msg, (size_t)n);
  __flexos_die_entry(line, sizeof prefix - 1 + (size_t)n, status);
}

void hosted_die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  die_va(FLEXOS_EXIT_FAULT, fmt, ap);
}

void hosted_die_status(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  die_va(status, fmt, ap);
}

void *hosted_map(size_t bytes, int key, int guard) {
  size_t extra = guard ? 4096 : 0;
  char *p = mmap(0, bytes + extra, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return 0;
  if (guard && mprotect(p, extra, PROT_NONE) != 0) {
    munmap(p, bytes + extra);
    return 0;
  }
  p += extra;
  if (key >= 0 && hosted_key(p, bytes, key) != 0) {
    munmap(p - extra, bytes + extra);
    return 0;
  }
  return p;
}

int hosted_key(void *p, size_t bytes, int key) {
  if (!hosted.pku)
    return 0;
  return pkey_mprotect(p, bytes, PROT_READ | PROT_WRITE, key);
}

/* Keys 1..15 in order; dies with the reason when the CPU or kernel has
 * none, or when something took a key before us. */
static void keys_allocate(void) {
  for (int key = 1; key <= FLEXOS_SHARED_KEY; key++) {
    int mine = key == FLEXOS_KEY_OF((int)hosted.def) || key == FLEXOS_SHARED_KEY;
    int got = pkey_alloc(0, mine ? 0 : PKEY_DISABLE_ACCESS);
    if (got < 0)
      hosted_die("%s: built with intel-pku compartments, but pkey_alloc failed (%s): "
                 "this CPU or kernel has no protection keys. Run it on a CPU with "
                 "pku, or under QEMU TCG -cpu max (platform/linux/testvm/run-pku.sh)",
                 flexos_image_config.name, strerror(errno));
    if (got != key)
      hosted_die("%s: pkey_alloc gave key %d, expected %d: something allocated "
                 "protection keys before flexos", flexos_image_config.name, got, key);
  }
  hosted.pku = 1;
}

static void range_key(uintptr_t start, uintptr_t end, int prot, int key, const char *what) {
  if (start == end)
    return;
  if (pkey_mprotect((void *)start, end - start, prot, key) != 0)
    hosted_die("%s: cannot give %s [%#lx, %#lx) key %d: %s", flexos_image_config.name,
               what, (unsigned long)start, (unsigned long)end, key, strerror(errno));
}

extern char __flexos_shared_start[], __flexos_shared_end[];

static void sections_key(void) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  for (uint32_t i = 0; i < cfg->ncompartments; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    range_key(c->ro_start, c->ro_end, PROT_READ, FLEXOS_KEY_OF((int)i), "read-only data");
    range_key(c->rw_start, c->rw_end, PROT_READ | PROT_WRITE, FLEXOS_KEY_OF((int)i), "data");
  }
  range_key((uintptr_t)__flexos_shared_start, (uintptr_t)__flexos_shared_end,
            PROT_READ | PROT_WRITE, FLEXOS_SHARED_KEY, "the shared section");
}

__attribute__((constructor(101))) static void hosted_start(void) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  hosted.ncomp = cfg->ncompartments;
  hosted.def = cfg->default_index;
  for (uint32_t i = 0; i < hosted.ncomp; i++)
    hosted.pkru[i] = FLEXOS_PKRU(i, i == hosted.def);
  hosted_default_pkru = hosted.pkru[hosted.def];
  if (cfg->mechanism != FLEXOS_MECH_PKU) {
    const char *rec = getenv("FLEXOS_RECORD");
    if (rec && *rec)
      (void)!write(2, "flexos: FLEXOS_RECORD ignored: no intel-pku compartments\n", 57);
    /* No keys, but flexos_malloc_shared still needs its arena. */
    if (hosted_heap_init() != 0)
      hosted_die("%s: cannot reserve the heaps: %s", cfg->name, strerror(errno));
    return;
  }
  keys_allocate();
  if (hosted_fault_init() != 0) /* first: a fault during start-up is reported too */
    hosted_die("%s: cannot install the fault handler: %s", cfg->name, strerror(errno));
  if (hosted_heap_init() != 0)
    hosted_die("%s: cannot reserve the compartments' heaps: %s", cfg->name, strerror(errno));
  sections_key();
  if (hosted_syscalls_init() != 0)
    hosted_die("%s: cannot install the system call policy (seccomp filter, sigreturn "
               "site): %s", cfg->name, strerror(errno));
  if (hosted_thread_setup() != 0)
    hosted_die("%s: cannot set up the main thread (stacks, signal stack, syscall user "
               "dispatch, which needs Linux 5.11 or later): %s", cfg->name, strerror(errno));
  /* Last, still before any compartment runs: FLEXOS_RECORD is read here
   * and nowhere else (record.c). */
  hosted_record_init();
}
