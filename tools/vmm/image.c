/*
 * FILE: tools/vmm/image.c
 * DESCRIPTION:
 *   The vm-ept monitor's image: reads the ELF once, checks every header,
 *   segment, symbol and the image's configuration (flexos_image_config)
 *   against the file and the image's range, lays out guest-physical
 *   memory (image, private pool, shared pool slices) and gives every page
 *   an owner (docs/vm.md, "Memory"):
 *     text      boot code and .text: one copy, mapped read-only in every VM;
 *     shared    .flexos_shared and the shared page pool: one copy, mapped
 *               read-write in every VM at the same address;
 *     private   runtime data, page tables, the info page, each VM's page
 *               pool: one copy per VM;
 *     compartment c  .rodata/.data/.bss.flexos.<c>: only in c's VM.
 *   A page owned by another compartment is simply absent from a VM's
 *   memory slots (kvm.c), so touching it exits with KVM_EXIT_MMIO, which
 *   the monitor reports as a fault of that compartment (exits.c).
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flexos/runtime.h>

#define MAX_SPAN (256ul << 20)     /* the runtime maps at most 256 MiB */

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

/* An x86-64 executable: its entry and where the image ends. */
static void read_header(const uint8_t *f, size_t size) {
  const Elf64_Ehdr *eh = (const void *)f;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
    die("not an x86-64 executable ELF");
  if (!range_ok(eh->e_phoff, (size_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
    die("program headers outside the file");
  m.entry = eh->e_entry;
  m.image_end = symbol(f, size, "__image_end", 1);
  m.symtab_start = symbol(f, size, "__flexos_symtab_start", 0);
  m.symtab_end = symbol(f, size, "__flexos_symtab_end", 0);
  if (m.symtab_start > m.symtab_end || m.symtab_end > m.image_end)
    m.symtab_start = m.symtab_end = 0; /* reports go without names */
  if (m.image_end < LOW_END || m.image_end > MAX_SPAN / 2)
    die("__image_end 0x%lx is implausible", m.image_end);
}

/* Guest-physical layout: image, private pool, shared pool slices.  The
 * image's loadable segments, copied to where they are linked. */
static void load_segments(const uint8_t *f, size_t size) {
  const Elf64_Ehdr *eh = (const void *)f;
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
}

/* The image's configuration, at cfg_addr in the loaded image: built for
 * this monitor, with a plausible number of compartments. */
static const struct flexos_image_config *read_config(uint64_t cfg_addr) {
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
  return cfg;
}

/* Pools: the image's heaps (flexos_add_image HEAP_KB, SHARED_HEAP_KB)
 * plus room for thread stacks, at least the ABI's minimum sizes. */
static void size_pools(const struct flexos_image_config *cfg) {
  m.private_pool_size = pool_size(cfg->heap_kb, FLEXOS_EPT_PRIVATE_POOL);
  m.shared_slice_size = pool_size(cfg->shared_heap_kb, FLEXOS_EPT_SHARED_SLICE);
  m.shared_pool_start = m.private_pool_start + m.private_pool_size;
  m.span = m.shared_pool_start + m.n * m.shared_slice_size;
  if (m.span > MAX_SPAN)
    die("%u compartments with heaps of %u KiB and shared heaps of %u KiB "
        "need %lu MiB of guest memory, more than %lu: use smaller HEAP_KB / "
        "SHARED_HEAP_KB in flexos_add_image", m.n, cfg->heap_kb,
        cfg->shared_heap_kb, m.span >> 20, MAX_SPAN >> 20);
}

/* Every page private, but code and shared memory. */
static void set_common_owners(const uint8_t *f, size_t size) {
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
}

/* Each compartment: its own data's pages, and its VM's name and mode. */
static void add_compartments(const struct flexos_image_config *cfg) {
  for (uint32_t i = 0; i < m.n; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    set_owner(c->ro_start, c->ro_end, (int)i);
    set_owner(c->rw_start, c->rw_end, (int)i);
    m.vms[i].index = (int)i;
    m.vms[i].name = image_string((uint64_t)(uintptr_t)c->name);
    m.vms[i].polling = c->polling != 0;
  }
}

void load_image(const char *path) {
  size_t size;
  uint8_t *f = read_file(path, &size);
  read_header(f, size);
  uint64_t cfg_addr = symbol(f, size, "flexos_image_config", 1);
  load_segments(f, size);
  const struct flexos_image_config *cfg = read_config(cfg_addr);
  size_pools(cfg);
  set_common_owners(f, size);
  add_compartments(cfg);
  free(f);
}
