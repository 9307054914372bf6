/*
 * FILE: tools/vmm/kvm.c
 * DESCRIPTION:
 *   The vm-ept monitor's VMs: opens KVM (read-only memory slots are
 *   required, or the one copy of the code would be writable by every VM),
 *   makes the one copy of text and shared pages, and creates one VM per
 *   compartment.  Each VM's memory slots follow the page owners (image.c):
 *   its private pages, text read-only and shared memory read-write from
 *   the one copy, nothing of another compartment.  Each VM gets the
 *   monitor's info page and a PVH start_info, one vCPU in the PVH entry
 *   state and write-back caching.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define PVH_MAGIC 0x336ec578

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
  struct flexos_ept_info *info = (void *)(v->mem + FLEXOS_EPT_INFO_ADDR);
  info->magic = FLEXOS_EPT_MAGIC;
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

  uint8_t *si = v->mem + FLEXOS_EPT_START_INFO_ADDR;
  uint64_t memmap = FLEXOS_EPT_START_INFO_ADDR + 0x100;
  uint64_t cmdline = FLEXOS_EPT_START_INFO_ADDR + 0x200;
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
 * %ebx = start_info (runtime/core/boot.S takes it from there). */
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
  struct kvm_regs r = {.rip = m.entry, .rbx = FLEXOS_EPT_START_INFO_ADDR,
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

/* The pages the image's bytes cover, a partial last one included. */
static uint64_t image_pages(void) { return (m.image_end + PAGE - 1) / PAGE; }

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
  /* Private pages start as the image's bytes (its last page too, when
   * __image_end is not page-aligned); the others stay absent. */
  for (uint64_t p = 0; p < image_pages(); p++)
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

/* The one copy of text and shared pages, which every VM maps. */
static void map_shared(void) {
  m.shared = mmap(0, m.span, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m.shared == MAP_FAILED)
    die("cannot map shared memory: %s", strerror(errno));
  for (uint64_t p = 0; p < image_pages(); p++)
    if (m.owner[p] == OWNER_TEXT || m.owner[p] == OWNER_SHARED)
      memcpy(m.shared + p * PAGE, m.image + p * PAGE, PAGE);
}

void create_vms(void) {
  open_kvm();
  map_shared();
  for (uint32_t i = 0; i < m.n; i++)
    create_vm(&m.vms[i]);
}
