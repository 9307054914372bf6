/*
 * FILE: tools/flexos-vmm.c
 * DESCRIPTION:
 *   The vm-ept monitor: runs a flexos image whose compartments use
 *   `mechanism: vm-ept` as one KVM virtual machine per compartment.
 *
 *   The image ELF is loaded once.  Every guest-physical page is then given
 *   an owner (docs/vm.md, "Memory"):
 *     text      boot code and .text: one copy, mapped read-only in every VM;
 *     shared    .flexos_shared and the shared page pool: one copy, mapped
 *               read-write in every VM at the same address;
 *     private   runtime data, page tables, the info page, each VM's page
 *               pool: one copy per VM;
 *     compartment c  .rodata/.data/.bss.flexos.<c>: only in c's VM.
 *   A page owned by another compartment is simply absent from a VM's
 *   memory slots, so touching it exits with KVM_EXIT_MMIO, which this
 *   monitor reports as a fault of that compartment.
 *
 *   Gates (runtime/ept.c, gates/ept_gate.S) trap with `outl` to
 *   FLEXOS_EPT_PORT.  All non-polling vCPUs run on this one thread: the
 *   monitor keeps the calls in progress, resumes the callee with the
 *   request slot in its info page's inbox, and resumes the caller (`done`
 *   = the slot) when the callee traps with the same slot.  Threads of the
 *   default VM's scheduler may each be inside another VM, so calls finish
 *   in any order, not only the innermost first.  When the default VM has
 *   nothing to run it traps IDLE and this thread waits for the network
 *   (tools/vmm-net.c) or the VM's next deadline.  Compartments configured
 *   with `polling: true` run on a thread of their own and spin on a
 *   doorbell in shared memory instead.
 *
 *   Every KVM exit reason is handled explicitly; anything unexpected is
 *   reported with the VM, its compartment, RIP and the reason.
 *
 * USAGE:
 *   flexos-vmm [--append "ARGS"] [--net HOST:GUEST]... [--timeout S]
 *              [--idle-timeout S] [--stats] IMAGE.elf
 *   Exit status: the image's (0 ok, 1 failure, 2 panic, 3 fault), 3 for a
 *   fault the monitor saw, 4 for a monitor error, 124 for --timeout or
 *   --idle-timeout.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <flexos/abi.h>
#include <flexos/runtime.h>

#include "vmm-net.h"

#ifdef FLEXOS_VMM_FUZZ
/* tools/flexos-vmm-fuzz.c: reports go where the harness says (millions of
 * refusals would drown the fuzzer's own output). */
static FILE *vmm_reports;
#undef stderr
#define stderr vmm_reports
#endif

#define PAGE 4096ul
#define LOW_END (1ul << 20)        /* images are linked at 1 MiB */
#define MAX_SPAN (256ul << 20)     /* the runtime maps at most 256 MiB */
#define EXIT_MONITOR_ERROR 4
#define EXIT_TIMEOUT 124
#define PVH_MAGIC 0x336ec578
#define MAX_CALLS 1024 /* calls in progress per host thread, all threads */

/* Page owners (values >= 0 are compartment indices). */
#define OWNER_PRIVATE (-1)
#define OWNER_TEXT (-2)
#define OWNER_SHARED (-3)

struct vm {
  int index;            /* compartment */
  const char *name;
  int fd, vcpu;
  struct kvm_run *run;
  uint8_t *mem;         /* this VM's private pages (span bytes) */
  int polling;
  int at_line_start;    /* console: prefix the next byte with the name */
  int uart_lcr;         /* console: line control (DLAB) */
  struct chain *owner;  /* the call chain (host thread) using it, or 0 */
  int refs;             /* calls into it on its owner's stack */
  int is_root;          /* owned for good: main's VM, polling VMs */
  uint64_t exits;
};

struct call {
  int caller, callee;
  uint64_t slot;
};

/* The calls in progress on one host thread: the main thread's chain
 * starts at main; each polling compartment's thread has its own. */
struct chain {
  struct call calls[MAX_CALLS];
  int depth;
};

static struct monitor {
  const char *path;
  int kvm;
  size_t run_size;
  uint64_t entry;
  size_t span;          /* guest-physical bytes: image + pools */
  uint8_t *image;       /* the ELF's loaded contents (span bytes) */
  uint8_t *shared;      /* the one copy of text and shared pages */
  int8_t *owner;        /* per page: OWNER_* or a compartment */
  uint64_t shared_start, shared_end, image_end;
  uint64_t private_pool_start, shared_pool_start;
  uint64_t private_pool_size, shared_slice_size; /* per VM */
  uint64_t pvnet_device; /* the driver's rings (symbol), 0: no driver */
  uint32_t n, default_index;
  struct vm vms[FLEXOS_MAX_COMPARTMENTS];
  const char *append;
  int stats;
  int net_owner;  /* the VM that registered the network device, or -1 */
  int64_t idle_timeout_ns; /* --idle-timeout: 0 = none */
  int64_t idle_since_ns;   /* first idle trap since the last frame, or 0 */
  pthread_mutex_t lock; /* console and exit, shared with polling threads */
} m = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* --timeout: the signal interrupts KVM_RUN on the thread it lands on,
 * which then reports where its VM was. */
static volatile int timed_out; /* set by the SIGALRM handler */

static int64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- errors and reports ----------------------------------------------- */

static void print_stats(void) {
  if (!m.stats)
    return;
  for (uint32_t i = 0; i < m.n; i++)
    fprintf(stderr, "flexos-vmm: stats: VM %u (%s): %lu exits\n", i,
            m.vms[i].name ? m.vms[i].name : "?", m.vms[i].exits);
  if (vmm_net_enabled()) {
    uint64_t rx, tx, dropped;
    vmm_net_stats(&rx, &tx, &dropped);
    fprintf(stderr, "flexos-vmm: stats: network: %lu frames in, %lu out, "
            "%lu dropped\n", rx, tx, dropped);
  }
}

#ifdef FLEXOS_VMM_FUZZ
/* tools/flexos-vmm-fuzz.c: the run ends here; the harness takes the next
 * input instead of exiting. */
static __attribute__((noreturn)) void vmm_fuzz_end(int status);
#define exit(status) vmm_fuzz_end(status)
#endif

static __attribute__((noreturn)) void finish(int status) {
  fflush(stdout);
  print_stats();
  exit(status);
}

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...) {
  va_list ap;
  pthread_mutex_lock(&m.lock);
  fflush(stdout);
  fprintf(stderr, "flexos-vmm: %s: error: ", m.path ? m.path : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(EXIT_MONITOR_ERROR);
}

static uint64_t vm_rip(struct vm *v) {
  struct kvm_regs regs;
  if (ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0)
    return 0;
  return regs.rip;
}

/* Something a VM did that ends the run: say which VM, where, and why. */
static __attribute__((noreturn, format(printf, 3, 4))) void vm_fail(struct vm *v, int status, const char *fmt, ...) {
  va_list ap;
  uint64_t rip = vm_rip(v);
  pthread_mutex_lock(&m.lock);
  fflush(stdout);
  fprintf(stderr, "flexos-vmm: VM %d (compartment %s), rip 0x%lx: ", v->index,
          v->name, rip);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  finish(status);
}

static const char *owner_name(int owner) {
  switch (owner) {
  case OWNER_PRIVATE: return "runtime-private memory";
  case OWNER_TEXT: return "code";
  case OWNER_SHARED: return "shared memory";
  }
  return m.vms[owner].name;
}

/* ---- the image -------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    die("cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr))
    die("not an ELF image (too small)");
  uint8_t *buf = malloc((size_t)st.st_size);
  if (!buf)
    die("out of memory");
  size_t done = 0;
  while (done < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + done, (size_t)st.st_size - done);
    if (r <= 0)
      die("read failed: %s", r < 0 ? strerror(errno) : "short file");
    done += (size_t)r;
  }
  close(fd);
  *size = done;
  return buf;
}

static int range_ok(size_t off, size_t len, size_t size) {
  return off <= size && len <= size - off;
}

static uint64_t symbol(const uint8_t *f, size_t size, const char *name,
                       int required) {
  const Elf64_Ehdr *eh = (const void *)f;
  if (!range_ok(eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr), size))
    die("section headers outside the file");
  const Elf64_Shdr *sh = (const void *)(f + eh->e_shoff);
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_SYMTAB)
      continue;
    if (sh[i].sh_link >= eh->e_shnum ||
        !range_ok(sh[i].sh_offset, sh[i].sh_size, size) ||
        !range_ok(sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size, size))
      die("symbol table outside the file");
    const Elf64_Sym *sym = (const void *)(f + sh[i].sh_offset);
    const char *str = (const char *)(f + sh[sh[i].sh_link].sh_offset);
    size_t strsize = sh[sh[i].sh_link].sh_size;
    for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++)
      if (sym[k].st_name < strsize &&
          strnlen(str + sym[k].st_name, strsize - sym[k].st_name) <
              strsize - sym[k].st_name &&
          !strcmp(str + sym[k].st_name, name))
        return sym[k].st_value;
  }
  if (required)
    die("no symbol %s: not a flexos image (link it with flexos_add_image)",
        name);
  return 0;
}

static void set_owner(uint64_t start, uint64_t end, int owner) {
  if (start > end || end > m.span)
    die("layout: range 0x%lx-0x%lx outside the image", start, end);
  for (uint64_t a = start & ~(PAGE - 1); a < end; a += PAGE)
    m.owner[a / PAGE] = (int8_t)owner;
}

static const char *image_string(uint64_t addr) {
  if (addr < LOW_END || addr >= m.image_end)
    die("image configuration: string at 0x%lx outside the image", addr);
  const char *s = (const char *)m.image + addr;
  if (strnlen(s, m.image_end - addr) > 64)
    die("image configuration: name at 0x%lx too long", addr);
  return s;
}

/* A heap of `kb` KiB (0: the runtime's 1 MiB default) and 8 MiB for
 * stacks, in 2 MiB steps, at least `minimum`. */
static uint64_t pool_size(uint32_t kb, uint64_t minimum) {
  uint64_t bytes = ((uint64_t)(kb ? kb : 1024) << 10) + (8ul << 20);
  bytes = (bytes + (2ul << 20) - 1) & ~((2ul << 20) - 1);
  return bytes < minimum ? minimum : bytes;
}

static void load_image(const char *path) {
  size_t size;
  uint8_t *f = read_file(path, &size);
  const Elf64_Ehdr *eh = (const void *)f;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
    die("not an x86-64 executable ELF");
  if (!range_ok(eh->e_phoff, (size_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
    die("program headers outside the file");
  m.entry = eh->e_entry;
  m.image_end = symbol(f, size, "__image_end", 1);
  if (m.image_end < LOW_END || m.image_end > MAX_SPAN / 2)
    die("__image_end 0x%lx is implausible", m.image_end);

  /* Guest-physical layout: image, private pool, shared pool slices. */
  uint64_t cfg_addr = symbol(f, size, "flexos_image_config", 1);
  m.private_pool_start = (m.image_end + (2ul << 20) - 1) & ~((2ul << 20) - 1);
  m.span = m.private_pool_start; /* extended once the pools are known */
  m.image = mmap(0, MAX_SPAN, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m.image == MAP_FAILED)
    die("cannot map %lu MiB: %s", MAX_SPAN >> 20, strerror(errno));
  const Elf64_Phdr *ph = (const void *)(f + eh->e_phoff);
  for (int i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD)
      continue;
    uint64_t limit = m.image_end + PAGE; /* no wrap: image_end < MAX_SPAN */
    if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_paddr < LOW_END ||
        ph[i].p_paddr > limit || ph[i].p_memsz > limit - ph[i].p_paddr ||
        !range_ok(ph[i].p_offset, ph[i].p_filesz, size))
      die("segment %d (0x%lx, %lu bytes) outside the image's range", i,
          ph[i].p_paddr, ph[i].p_memsz);
    memcpy(m.image + ph[i].p_paddr, f + ph[i].p_offset, ph[i].p_filesz);
  }

  if (cfg_addr < LOW_END || cfg_addr > m.image_end ||
      sizeof(struct flexos_image_config) > m.image_end - cfg_addr)
    die("flexos_image_config outside the image");
  const struct flexos_image_config *cfg = (const void *)(m.image + cfg_addr);
  if (cfg->abi_version != FLEXOS_ABI_VERSION)
    die("the image was built for flexos ABI %u, this monitor speaks %d: "
        "build both from the same flexos tree",
        cfg->abi_version, FLEXOS_ABI_VERSION);
  if (cfg->mechanism != FLEXOS_MECH_EPT)
    die("the image's compartments use %s, not vm-ept; boot it with "
        "tools/run-image.sh (QEMU)",
        cfg->mechanism == FLEXOS_MECH_PKU ? "intel-pku" : "none");
  if (cfg->ncompartments < 1 || cfg->ncompartments > FLEXOS_MAX_COMPARTMENTS ||
      cfg->default_index >= cfg->ncompartments)
    die("image configuration: %u compartments, default %u", cfg->ncompartments,
        cfg->default_index);
  m.n = cfg->ncompartments;
  m.default_index = cfg->default_index;
  /* Pools: the image's heaps (flexos_add_image HEAP_KB, SHARED_HEAP_KB)
   * plus room for thread stacks, at least the ABI's minimum sizes. */
  m.private_pool_size = pool_size(cfg->heap_kb, FLEXOS_VM_PRIVATE_POOL);
  m.shared_slice_size = pool_size(cfg->shared_heap_kb, FLEXOS_VM_SHARED_SLICE);
  m.shared_pool_start = m.private_pool_start + m.private_pool_size;
  m.span = m.shared_pool_start + m.n * m.shared_slice_size;
  if (m.span > MAX_SPAN)
    die("%u compartments with heaps of %u KiB and shared heaps of %u KiB "
        "need %lu MiB of guest memory, more than %lu: use smaller HEAP_KB / "
        "SHARED_HEAP_KB in flexos_add_image", m.n, cfg->heap_kb,
        cfg->shared_heap_kb, m.span >> 20, MAX_SPAN >> 20);
  m.owner = calloc(m.span / PAGE, 1);
  if (!m.owner)
    die("out of memory");
  set_owner(0, m.span, OWNER_PRIVATE);
  set_owner(LOW_END, symbol(f, size, "__text_end", 1), OWNER_TEXT);
  m.pvnet_device = symbol(f, size, "flexos_pvnet_device", 0);
  m.shared_start = symbol(f, size, "__shared_start", 1);
  m.shared_end = symbol(f, size, "__shared_end", 1);
  set_owner(m.shared_start, m.shared_end, OWNER_SHARED);
  set_owner(m.shared_pool_start, m.span, OWNER_SHARED);
  for (uint32_t i = 0; i < m.n; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    set_owner(c->ro_start, c->ro_end, (int)i);
    set_owner(c->rw_start, c->rw_end, (int)i);
    m.vms[i].index = (int)i;
    m.vms[i].name = image_string((uint64_t)(uintptr_t)c->name);
    m.vms[i].polling = c->polling != 0;
  }
  free(f);
}

/* ---- VMs ---------------------------------------------------------------- */

static void add_slot(struct vm *v, int *slot, uint64_t gpa, uint64_t size,
                     uint8_t *host, int readonly) {
  struct kvm_userspace_memory_region r = {
      .slot = (uint32_t)(*slot)++,
      .flags = readonly ? KVM_MEM_READONLY : 0,
      .guest_phys_addr = gpa,
      .memory_size = size,
      .userspace_addr = (uint64_t)(uintptr_t)host,
  };
  if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
    die("VM %d: memory slot 0x%lx+0x%lx: %s", v->index, gpa, size,
        strerror(errno));
}

/* Where page `p` comes from in VM v: 0 = absent, 1 = private, 2 = shared
 * read-only, 3 = shared read-write. */
static int backing(const struct vm *v, uint64_t p) {
  int o = m.owner[p];
  if (o == OWNER_PRIVATE || o == v->index)
    return 1;
  if (o == OWNER_TEXT)
    return 2;
  if (o == OWNER_SHARED)
    return 3;
  return 0;
}

static void map_memory(struct vm *v) {
  int slot = 0;
  uint64_t npages = m.span / PAGE;
  for (uint64_t p = 0; p < npages;) {
    int b = backing(v, p);
    uint64_t q = p;
    while (q < npages && backing(v, q) == b)
      q++;
    if (b == 1)
      add_slot(v, &slot, p * PAGE, (q - p) * PAGE, v->mem + p * PAGE, 0);
    else if (b)
      add_slot(v, &slot, p * PAGE, (q - p) * PAGE, m.shared + p * PAGE, b == 2);
    p = q;
  }
}

/* The monitor's boot information (abi.h) and a PVH start_info. */
static void write_boot_info(struct vm *v) {
  struct flexos_vm_info *info = (void *)(v->mem + FLEXOS_VM_INFO_ADDR);
  info->magic = FLEXOS_VM_MAGIC;
  info->compartment = (uint32_t)v->index;
  info->ncompartments = m.n;
  info->private_pool_start = m.private_pool_start;
  info->private_pool_end = m.private_pool_start + m.private_pool_size;
  info->shared_pool_start = m.shared_pool_start;
  info->shared_pool_end = m.span;
  info->shared_slice_start = m.shared_pool_start + v->index * m.shared_slice_size;
  info->shared_slice_end = info->shared_slice_start + m.shared_slice_size;
  info->polling = (uint64_t)v->polling;
  info->inbox = 0;

  uint8_t *si = v->mem + FLEXOS_VM_START_INFO_ADDR;
  uint64_t memmap = FLEXOS_VM_START_INFO_ADDR + 0x100;
  uint64_t cmdline = FLEXOS_VM_START_INFO_ADDR + 0x200;
  uint32_t hdr[4] = {PVH_MAGIC, 1, 0, 0};
  uint64_t addrs[4] = {0, cmdline, 0, memmap};
  uint32_t entries[2] = {1, 0};
  memcpy(si, hdr, sizeof(hdr));
  memcpy(si + 16, addrs, sizeof(addrs));
  memcpy(si + 48, entries, sizeof(entries));
  uint64_t ram[2] = {LOW_END, m.span - LOW_END};
  uint32_t type[2] = {1 /* E820 RAM */, 0};
  memcpy(v->mem + memmap, ram, sizeof(ram));
  memcpy(v->mem + memmap + 16, type, sizeof(type));
  snprintf((char *)v->mem + cmdline, 0xe00, "%s",
           v->index == (int)m.default_index && m.append ? m.append : "");
}

static void set_cpuid(struct vm *v) {
  int n = 128;
  struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
  if (!c)
    die("out of memory");
  c->nent = (uint32_t)n;
  if (ioctl(m.kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
    die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
  if (ioctl(v->vcpu, KVM_SET_CPUID2, c) < 0)
    die("VM %d: KVM_SET_CPUID2: %s", v->index, strerror(errno));
  free(c);
}

/* PVH entry state: 32-bit protected mode, flat segments, paging off,
 * %ebx = start_info (runtime/boot.S takes it from there). */
static void set_entry_state(struct vm *v) {
  struct kvm_sregs s;
  if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
    die("VM %d: KVM_GET_SREGS: %s", v->index, strerror(errno));
  struct kvm_segment code = {.base = 0, .limit = 0xffffffff, .selector = 0x8,
                             .type = 0xb, .present = 1, .dpl = 0, .db = 1,
                             .s = 1, .l = 0, .g = 1};
  struct kvm_segment data = code;
  data.type = 0x3;
  data.selector = 0x10;
  s.cs = code;
  s.ds = s.es = s.fs = s.gs = s.ss = data;
  s.cr0 = 0x11; /* PE, ET */
  s.cr4 = 0;
  s.efer = 0;
  if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
    die("VM %d: KVM_SET_SREGS: %s", v->index, strerror(errno));
  struct kvm_regs r = {.rip = m.entry, .rbx = FLEXOS_VM_START_INFO_ADDR,
                       .rflags = 0x2};
  if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
    die("VM %d: KVM_SET_REGS: %s", v->index, strerror(errno));
}

/* No firmware runs before the image, so nobody enables the MTRRs, and
 * with MTRRs off all memory is uncached.  Make it write-back. */
static void set_mtrr_writeback(struct vm *v) {
  union {
    struct kvm_msrs hdr;
    uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
  } msrs = {.hdr.nmsrs = 1};
  msrs.hdr.entries[0] = (struct kvm_msr_entry){.index = 0x2ff, /* MTRRdefType */
                                               .data = 0xc06}; /* E, FE, WB */
  if (ioctl(v->vcpu, KVM_SET_MSRS, &msrs) != 1)
    die("VM %d: cannot enable write-back caching (MTRRdefType): %s", v->index,
        strerror(errno));
}

static void create_vm(struct vm *v) {
  v->fd = ioctl(m.kvm, KVM_CREATE_VM, 0);
  if (v->fd < 0)
    die("KVM_CREATE_VM: %s", strerror(errno));
  if (ioctl(v->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
    die("VM %d: KVM_SET_TSS_ADDR: %s", v->index, strerror(errno));
  v->mem = mmap(0, m.span, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (v->mem == MAP_FAILED)
    die("VM %d: cannot map memory: %s", v->index, strerror(errno));
  /* Private pages start as the image's bytes; the others stay absent. */
  for (uint64_t p = 0; p < m.image_end / PAGE; p++)
    if (backing(v, p) == 1)
      memcpy(v->mem + p * PAGE, m.image + p * PAGE, PAGE);
  map_memory(v);
  write_boot_info(v);
  v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
  if (v->vcpu < 0)
    die("VM %d: KVM_CREATE_VCPU: %s", v->index, strerror(errno));
  v->run = mmap(0, m.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
  if (v->run == MAP_FAILED)
    die("VM %d: cannot map kvm_run: %s", v->index, strerror(errno));
  set_cpuid(v);
  set_mtrr_writeback(v);
  set_entry_state(v);
  v->at_line_start = 1;
}

static void open_kvm(void) {
  m.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (m.kvm < 0)
    die("cannot open /dev/kvm: %s (vm-ept needs KVM)", strerror(errno));
  if (ioctl(m.kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
    die("unexpected KVM API version");
  int sz = ioctl(m.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (sz < (int)sizeof(struct kvm_run))
    die("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
  m.run_size = (size_t)sz;
  /* Without read-only slots the one shared copy of the code would be
   * writable by every VM: refuse rather than run unprotected. */
  if (ioctl(m.kvm, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
    die("this KVM has no read-only memory slots (KVM_CAP_READONLY_MEM); "
        "the code shared by all VMs would be writable");
}

/* ---- exits -------------------------------------------------------------- */

static void console_byte(struct vm *v, uint8_t c) {
  pthread_mutex_lock(&m.lock);
  if (v->at_line_start && v->index != (int)m.default_index)
    printf("[%s] ", v->name);
  putchar(c);
  v->at_line_start = c == '\n';
  if (c == '\n')
    fflush(stdout);
  pthread_mutex_unlock(&m.lock);
}

/* The 16550 registers the runtime's console touches.  Transmit-holding
 * register writes are output (unless DLAB is set); the line status reads
 * "transmitter empty"; everything else reads 0 and ignores writes. */
static void uart(struct vm *v, struct kvm_run *run, uint8_t *data) {
  uint16_t reg = run->io.port - FLEXOS_COM1_PORT;
  for (uint32_t i = 0; i < run->io.count; i++) {
    uint8_t *d = data + i * run->io.size;
    if (run->io.direction == KVM_EXIT_IO_OUT) {
      if (reg == 0 && !(v->uart_lcr & 0x80))
        console_byte(v, d[0]);
      else if (reg == 3)
        v->uart_lcr = d[0];
    } else {
      memset(d, 0, run->io.size);
      if (reg == 5)
        d[0] = 0x60;
    }
  }
}

static volatile struct flexos_vm_info *info_of(struct vm *v) {
  return (volatile struct flexos_vm_info *)(v->mem + FLEXOS_VM_INFO_ADDR);
}

/* Resume `v` with a request to serve, or telling it which of its calls
 * finished. */
static struct vm *hand_request(struct vm *v, uint64_t slot, struct vm *from) {
  info_of(v)->inbox = slot;
  info_of(v)->from = (uint64_t)from->index; /* the guest cannot forge it */
  info_of(v)->done = 0;
  return v;
}

static struct vm *hand_finished(struct vm *v, uint64_t slot) {
  info_of(v)->inbox = 0;
  info_of(v)->done = slot;
  return v;
}

/* The network device's interrupt: a bit the default VM reads. */
static void raise_net_event(void) {
  __atomic_or_fetch(&info_of(&m.vms[m.default_index])->events,
                    1ull << FLEXOS_PVNET_IRQ, __ATOMIC_RELEASE);
}

static int slot_is_shared(uint64_t slot) {
  uint64_t end = slot + FLEXOS_RPC_SLOT_SIZE;
  if (slot % 8 || end < slot)
    return 0;
  return (slot >= m.shared_start && end <= m.shared_end) ||
         (slot >= m.shared_pool_start && end <= m.span);
}

static struct flexos_rpc_slot *slot_ptr(uint64_t slot) {
  return (struct flexos_rpc_slot *)(m.shared + slot);
}

/* Refuse a request without involving the callee: the caller sees the
 * error in its slot. */
static void refuse(struct vm *caller, uint64_t slot, const char *why) {
  pthread_mutex_lock(&m.lock);
  fflush(stdout);
  fprintf(stderr, "flexos-vmm: refused request from compartment %s (slot "
          "0x%lx): %s\n", caller->name, slot, why);
  pthread_mutex_unlock(&m.lock);
  if (slot_is_shared(slot)) {
    slot_ptr(slot)->ret[0] = ~0ull;
    __atomic_store_n(&slot_ptr(slot)->state, FLEXOS_RPC_STATE_ERROR,
                     __ATOMIC_RELEASE);
  }
  hand_finished(caller, slot);
}

/* The default VM has nothing to run until its deadline (idle_ns, 0 =
 * none) or a frame arrives. */
static struct vm *idle(struct vm *v) {
  if (v->index != (int)m.default_index)
    vm_fail(v, 1, "idle trap from a VM that runs no threads (protocol error)");
  uint64_t ns = info_of(v)->idle_ns;
  if (!ns && !vmm_net_attached())
    vm_fail(v, 1, "every thread waits and nothing can wake them (no "
                  "deadline, no network device)");
  /* --idle-timeout counts from the first idle trap after the last frame
   * that arrived: how fast the guest booted or woke for its own timers
   * does not matter, only that nothing came in meanwhile. */
  int64_t wait = ns ? (int64_t)ns : -1, left = 0;
  if (m.idle_timeout_ns) {
    int64_t now = monotonic_ns();
    if (!m.idle_since_ns)
      m.idle_since_ns = now;
    left = m.idle_timeout_ns - (now - m.idle_since_ns);
    if (left <= 0)
      vm_fail(v, EXIT_TIMEOUT, "idle for %ld s with nothing arriving (--idle-timeout)",
              (long)(m.idle_timeout_ns / 1000000000));
    if (wait < 0 || wait > left)
      wait = left;
  }
  if (vmm_net_poll(wait, &timed_out)) {
    m.idle_since_ns = 0;
    raise_net_event();
  }
  if (timed_out)
    vm_fail(v, EXIT_TIMEOUT, "timeout (--timeout), idle");
  return hand_finished(v, 0);
}

/* A gate trap from v on the thread whose calls are `c`.  Returns the VM
 * this thread runs next. */
static struct vm *gate_trap(struct chain *c, struct vm *v, uint64_t value) {
  if (value == FLEXOS_VM_TRAP_NULL)
    return v;
  if (value == FLEXOS_VM_TRAP_IDLE)
    return idle(v);
  if (value == FLEXOS_VM_TRAP_READY)
    vm_fail(v, 1, "reported ready again while %s (protocol error)",
            c->depth ? "calls are in progress" : "no call was pending");
  /* v finished a call it was serving: back to its caller.  Usually the
   * innermost; another thread's when the default VM switched threads. */
  for (int i = c->depth - 1; i >= 0; i--) {
    struct call *done = &c->calls[i];
    if (done->callee != v->index || done->slot != value)
      continue;
    struct vm *caller = &m.vms[done->caller];
    memmove(done, done + 1, (size_t)(c->depth - 1 - i) * sizeof(*done));
    c->depth--;
    if (--v->refs == 0 && !v->is_root)
      __atomic_store_n(&v->owner, (struct chain *)0, __ATOMIC_RELEASE);
    return hand_finished(caller, value);
  }
  if (!slot_is_shared(value)) {
    refuse(v, value, "the request slot is not in shared memory");
    return v;
  }
  uint32_t dst = __atomic_load_n(&slot_ptr(value)->dst, __ATOMIC_RELAXED);
  if (dst >= m.n || dst == (uint32_t)v->index) {
    refuse(v, value, "no such destination compartment");
    return v;
  }
  if (m.vms[dst].polling) {
    refuse(v, value, "the destination polls its doorbell and is busy calling "
                     "out itself; it takes no traps");
    return v;
  }
  if (c->depth == MAX_CALLS) {
    refuse(v, value, "too many calls in progress");
    return v;
  }
  /* A VM belongs to one call chain (one host thread) at a time: it may be
   * called again by its own chain (a callback into a waiting caller), or
   * claimed when idle, never run by two threads. */
  struct chain *none = 0;
  struct vm *d = &m.vms[dst];
  if (__atomic_load_n(&d->owner, __ATOMIC_ACQUIRE) != c &&
      !__atomic_compare_exchange_n(&d->owner, &none, c, 0, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    refuse(v, value, "the destination is busy in a call chain of another "
                     "host thread");
    return v;
  }
  d->refs++;
  c->calls[c->depth++] = (struct call){v->index, (int)dst, value};
  return hand_request(d, value, v);
}

/* The network driver registers its rings: they must lie in its own
 * compartment's memory, which only its VM (and this monitor) can reach. */
static void net_setup(struct vm *v, uint64_t gpa) {
  uint64_t size = sizeof(struct flexos_pvnet);
  if (gpa % PAGE || gpa >= m.span || size > m.span - gpa)
    vm_fail(v, 1, "network device at 0x%lx: not a page-aligned range of "
                  "guest memory", gpa);
  for (uint64_t a = gpa; a < gpa + size; a += PAGE)
    if (m.owner[a / PAGE] != v->index)
      vm_fail(v, 1, "network device at 0x%lx: page 0x%lx is %s, not "
                    "compartment %s's own memory", gpa, a,
              owner_name(m.owner[a / PAGE]), v->name);
  /* Only the driver's own rings: another compartment registering rings
   * in its own memory first would get the image's traffic. */
  if (!m.pvnet_device)
    vm_fail(v, 1, "network device at 0x%lx: the image has no network "
                  "driver (no symbol flexos_pvnet_device)", gpa);
  if (gpa != m.pvnet_device)
    vm_fail(v, 1, "network device at 0x%lx: not the driver's rings "
                  "(flexos_pvnet_device, at 0x%lx)", gpa, m.pvnet_device);
  const char *err = vmm_net_attach((struct flexos_pvnet *)(v->mem + gpa));
  if (err)
    vm_fail(v, 1, "%s", err);
  m.net_owner = v->index;
}

static const char *exit_name(uint32_t reason) {
  switch (reason) {
  case KVM_EXIT_UNKNOWN: return "unknown (hardware exit reason not known to KVM)";
  case KVM_EXIT_EXCEPTION: return "exception";
  case KVM_EXIT_DEBUG: return "debug";
  case KVM_EXIT_IRQ_WINDOW_OPEN: return "interrupt window open";
  case KVM_EXIT_NMI: return "NMI";
  case KVM_EXIT_TPR_ACCESS: return "TPR access";
  case KVM_EXIT_SYSTEM_EVENT: return "system event (reset or shutdown request)";
  case KVM_EXIT_X86_RDMSR: return "RDMSR";
  case KVM_EXIT_X86_WRMSR: return "WRMSR";
  }
  return "unhandled exit reason";
}

/* Handle one exit of v that is not a gate trap.  Returns 0 to resume v,
 * or the trap value (>= 0) for gate traps with *is_trap set. */
static void handle_io(struct vm *v, int *is_trap, uint64_t *value) {
  struct kvm_run *run = v->run;
  uint8_t *data = (uint8_t *)run + run->io.data_offset;
  uint16_t port = run->io.port;
  *is_trap = 0;
  if (port >= FLEXOS_COM1_PORT && port < FLEXOS_COM1_PORT + 8) {
    uart(v, run, data);
    return;
  }
  if (run->io.direction == KVM_EXIT_IO_OUT && run->io.count == 1) {
    uint32_t val = 0;
    memcpy(&val, data, run->io.size <= 4 ? run->io.size : 4);
    if (port == FLEXOS_EXIT_PORT) {
      /* Success is main's to declare; any VM may end the run failing. */
      if (val == 0 && v->index != (int)m.default_index)
        vm_fail(v, 1, "compartment %s tried to end the run with success; "
                      "only the default compartment may", v->name);
      pthread_mutex_lock(&m.lock);
      finish((int)val);
    }
    if (port == FLEXOS_EPT_PORT && run->io.size == 4) {
      *is_trap = 1;
      *value = val;
      return;
    }
    if (port == FLEXOS_PVNET_PORT_SETUP && run->io.size == 4) {
      net_setup(v, val);
      return;
    }
    if (port == FLEXOS_PVNET_PORT_KICK && run->io.size == 4) {
      if (v->index != m.net_owner)
        vm_fail(v, 1, "network kick from compartment %s, which does not own "
                      "the network device", v->name);
      const char *err = vmm_net_kick();
      if (err)
        vm_fail(v, 1, "%s", err);
      return;
    }
  }
  vm_fail(v, 1, "unexpected port I/O: %s of %u byte(s) at port 0x%x",
          run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read",
          run->io.size, port);
}

static __attribute__((noreturn)) void handle_mmio(struct vm *v) {
  uint64_t gpa = v->run->mmio.phys_addr;
  const char *what = "no memory";
  if (gpa < m.span)
    what = owner_name(m.owner[gpa / PAGE]);
  vm_fail(v, FLEXOS_EXIT_FAULT,
          "fault: %s of %u bytes at guest-physical 0x%lx, which is not mapped "
          "in this VM (%s%s)",
          v->run->mmio.is_write ? "write" : "read", v->run->mmio.len, gpa,
          gpa < m.span && m.owner[gpa / PAGE] >= 0 ? "private memory of compartment "
                                                    : "",
          what);
}

/* The guests' clock (abi.h, flexos_vm_info.ticks): 100 Hz since start. */
static uint64_t ticks_now(void) {
  static struct timespec start;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!start.tv_sec && !start.tv_nsec)
    start = now;
  return (uint64_t)(((now.tv_sec - start.tv_sec) * 1000000000l + now.tv_nsec -
                     start.tv_nsec) / 10000000);
}

/* Run v until it traps through a gate; returns the trap value. */
static uint64_t run_until_trap(struct vm *v) {
  for (;;) {
    info_of(v)->ticks = ticks_now();
    int r = ioctl(v->vcpu, KVM_RUN, 0);
    if (r < 0) {
      if (errno == EINTR && timed_out)
        vm_fail(v, EXIT_TIMEOUT, "timeout (--timeout)");
      if (errno == EINTR || errno == EAGAIN)
        continue;
      vm_fail(v, EXIT_MONITOR_ERROR, "KVM_RUN: %s", strerror(errno));
    }
    v->exits++;
    struct kvm_run *run = v->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO: {
      int is_trap;
      uint64_t value;
      handle_io(v, &is_trap, &value);
      if (is_trap)
        return value;
      break;
    }
    case KVM_EXIT_MMIO:
      handle_mmio(v);
    case KVM_EXIT_HLT:
      vm_fail(v, 1, "halted (no thread can run and no interrupt will come)");
    case KVM_EXIT_SHUTDOWN:
      vm_fail(v, FLEXOS_EXIT_FAULT, "shutdown (triple fault)");
    case KVM_EXIT_FAIL_ENTRY:
      vm_fail(v, EXIT_MONITOR_ERROR, "VM entry failed (hardware reason 0x%llx)",
              (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    case KVM_EXIT_INTERNAL_ERROR:
      vm_fail(v, EXIT_MONITOR_ERROR, "KVM internal error (suberror %u)",
              run->internal.suberror);
    case KVM_EXIT_INTR:
      break; /* a signal: just resume */
    default:
      vm_fail(v, EXIT_MONITOR_ERROR, "unexpected exit %u: %s", run->exit_reason,
              exit_name(run->exit_reason));
    }
  }
}

/* A polling compartment's thread: after boot its VM spins in the guest
 * on its doorbell.  When it calls a parked (non-polling, not waiting)
 * compartment it traps, and this thread runs that call chain the way the
 * main thread runs main's. */
static void *polling_thread(void *arg) {
  struct vm *v = arg;
  struct vm *cur = v;
  struct chain *c = v->owner;
  for (;;)
    cur = gate_trap(c, cur, run_until_trap(cur));
  return 0;
}

static void on_alarm(int sig) {
  (void)sig;
  timed_out = 1;
  /* Also stop a vCPU that is about to enter the guest. */
  for (uint32_t i = 0; i < m.n; i++)
    if (m.vms[i].run)
      m.vms[i].run->immediate_exit = 1;
}

static int usage(FILE *out, int status) {
  fprintf(out,
          "usage: flexos-vmm [--append \"ARGS\"] [--net HOST:GUEST]... [--timeout S]\n"
          "                  [--stats] IMAGE.elf\n"
          "Runs a flexos image built with mechanism vm-ept: one KVM VM per\n"
          "compartment, gates as hypercalls (docs/vm.md).\n"
          "  --append ARGS  command line for main (argv[1..])\n"
          "  --net H:G      user networking (10.0.2.15 for the image, like\n"
          "                 QEMU's) with TCP 127.0.0.1:H forwarded to port G\n"
          "                 of the image (docs/network.md); repeatable; H = 0\n"
          "                 picks any free port\n"
          "  --timeout S    give up after S seconds (exit 124)\n"
          "  --idle-timeout S  give up when the default VM has waited S seconds\n"
          "                 in a row with no thread to run and nothing arriving\n"
          "                 (exit 124)\n"
          "  --stats        print the number of VM exits of each VM at the end\n"
          "Exit status: the image's own (0 ok, 1 failure, 2 panic, 3 fault),\n"
          "3 for a fault the monitor reports, 4 for a monitor error.\n");
  return status;
}

#ifdef FLEXOS_VMM_FUZZ
#define main flexos_vmm_main /* the harness has its own */
#endif
int main(int argc, char **argv) {
  int timeout = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return usage(stdout, 0);
    if (!strcmp(argv[i], "--append") && i + 1 < argc)
      m.append = argv[++i];
    else if (!strcmp(argv[i], "--net") && i + 1 < argc) {
      const char *err = vmm_net_add_forward(argv[++i]);
      if (err) {
        fprintf(stderr, "flexos-vmm: %s\n", err);
        return usage(stderr, 2);
      }
    } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
      timeout = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--idle-timeout") && i + 1 < argc) {
      int s = atoi(argv[++i]);
      if (s <= 0) {
        fprintf(stderr, "flexos-vmm: --idle-timeout wants a positive number of seconds, not '%s'\n", argv[i]);
        return usage(stderr, 2);
      }
      m.idle_timeout_ns = (int64_t)s * 1000000000;
    }
    else if (!strcmp(argv[i], "--stats"))
      m.stats = 1;
    else if (argv[i][0] == '-' || m.path) {
      fprintf(stderr, "flexos-vmm: unexpected argument '%s'\n", argv[i]);
      return usage(stderr, 2);
    } else
      m.path = argv[i];
  }
  if (!m.path) {
    fprintf(stderr, "flexos-vmm: no image given\n");
    return usage(stderr, 2);
  }
  if (m.append && strlen(m.append) > 0xd00)
    die("--append: command line too long");
  if (timeout > 0) {
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, 0);
    alarm((unsigned)timeout);
  }
  load_image(m.path);
  open_kvm();
  m.shared = mmap(0, m.span, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m.shared == MAP_FAILED)
    die("cannot map shared memory: %s", strerror(errno));
  for (uint64_t p = 0; p < m.image_end / PAGE; p++)
    if (m.owner[p] == OWNER_TEXT || m.owner[p] == OWNER_SHARED)
      memcpy(m.shared + p * PAGE, m.image + p * PAGE, PAGE);
  for (uint32_t i = 0; i < m.n; i++)
    create_vm(&m.vms[i]);
  m.net_owner = -1;
  const char *net_err = vmm_net_start();
  if (net_err)
    die("%s", net_err);

  /* Boot the callees first: each runs until its dispatcher reports ready. */
  for (uint32_t i = 0; i < m.n; i++) {
    struct vm *v = &m.vms[i];
    if (i == m.default_index)
      continue;
    uint64_t value = run_until_trap(v);
    if (value != FLEXOS_VM_TRAP_READY)
      vm_fail(v, 1, "gate call (0x%lx) before the image was up", value);
    if (v->polling) {
      pthread_t t;
      v->owner = calloc(1, sizeof(struct chain));
      if (!v->owner)
        die("out of memory");
      v->is_root = 1;
      if (pthread_create(&t, 0, polling_thread, v))
        die("cannot start the polling thread of %s", v->name);
    }
  }
  /* Then main, on this thread; callees run here when called. */
  static struct chain main_chain;
  struct vm *cur = &m.vms[m.default_index];
  cur->owner = &main_chain;
  cur->is_root = 1;
  struct timespec last_poll = {0};
  for (;;) {
    cur = gate_trap(&main_chain, cur, run_until_trap(cur));
    /* Busy guests idle rarely: serve the network about once a
     * millisecond from gate traps too (without waiting). */
    if (!vmm_net_enabled())
      continue;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - last_poll.tv_sec) * 1000000000l + now.tv_nsec -
            last_poll.tv_nsec > 1000000) {
      last_poll = now;
      if (vmm_net_poll(0, 0))
        raise_net_event();
    }
  }
}
