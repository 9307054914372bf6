/*
 * FILE: runtime/core/paging.c
 * DESCRIPTION:
 *   The final page tables: RAM identity-mapped with 4 KiB pages so that
 *   every page carries its own protection key.  Everything runs in ring 0;
 *   data that a compartment may own is mapped as *user* pages (U/S = 1),
 *   because protection keys only govern user pages, and code as supervisor
 *   pages.  CR0.WP makes read-only pages binding in ring 0; SMAP stays off
 *   (it would forbid ring-0 access to user pages).  Page 0 and the low
 *   1 MiB are unmapped.  The layout is the table image_map[] below, built
 *   from the generated linker script's symbols.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "x86.h"

/* PTE bits: present, writable, user, protection key in 62:59, no-execute */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)
#define PTE_KEY(k) ((uint64_t)(k) << 59)
#define PTE_KEY_OF(pte) ((int)(((pte) >> 59) & 0xf))
#define PTE_ADDR(pte) ((pte) & 0x000ffffffffff000ull)
#define CR4_SMEP (1ull << 20)

#define MAX_MAPPED FLEXOS_SHARED_PAGE_LIMIT /* 4 KiB pages cover 256 MiB */
#define LOW_UNMAPPED (1ul << 20)

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[MAX_MAPPED / (2ul << 20)][512] __attribute__((aligned(4096)));
static uintptr_t mapped_end;
/* One bit per page keyed FLEXOS_SHARED_KEY (include/flexos/abi.h, read
 * inline by lowered gates and by __flexos_is_shared): common memory,
 * which every compartment may read and only the default one, which maps
 * pages, may write. */
__attribute__((section(".flexos_common"))) uint8_t
    __flexos_shared_page_bits[MAX_MAPPED >> 15];

/* Linker-script symbols (cmake/FlexosImage.cmake). */
extern char __text_start[], __text_end[], __common_ro_start[],
    __common_ro_end[], __common_rw_start[], __common_rw_end[],
    __kpriv_ro_start[], __kpriv_ro_end[], __kpriv_rw_start[],
    __kpriv_rw_end[], __shared_start[], __shared_end[], __image_end[],
    __kernel_rw_start[], __kernel_rw_end[], __flexos_symtab_start[],
    __flexos_symtab_end[];

enum kind { SUP_RX, SUP_RO, SUP_RW, USER_RX, USER_RO, USER_RW };

static uint64_t *pte_of(uintptr_t va) {
  if (va >= mapped_end)
    return 0;
  return &pt[va >> 21][(va >> 12) & 511];
}

static uint64_t pte_make(uintptr_t pa, enum kind kind, int key) {
  switch (kind) {
  case SUP_RX: return pa | PTE_P;
  case SUP_RO: return pa | PTE_P | PTE_NX;
  case SUP_RW: return pa | PTE_P | PTE_W | PTE_NX;
  case USER_RX: return pa | PTE_P | PTE_U | PTE_KEY(FLEXOS_COMMON_KEY);
  case USER_RO: return pa | PTE_P | PTE_U | PTE_NX | PTE_KEY(key);
  case USER_RW: return pa | PTE_P | PTE_W | PTE_U | PTE_NX | PTE_KEY(key);
  }
  return 0;
}

static void note_shared(uintptr_t va, int shared) {
  uintptr_t page = va >> 12;
  if (page >= (MAX_MAPPED >> 12))
    return;
  if (shared)
    __flexos_shared_page_bits[page >> 3] |= (uint8_t)(1u << (page & 7));
  else
    __flexos_shared_page_bits[page >> 3] &= (uint8_t)~(1u << (page & 7));
}

static void map_range(uintptr_t start, uintptr_t end, enum kind kind, int key) {
  for (uintptr_t va = PAGE_ROUND_DOWN(start); va < end; va += PAGE_SIZE) {
    uint64_t *pte = pte_of(va);
    if (!pte)
      flexos_panic("paging: 0x%lx beyond mapped RAM", va);
    *pte = pte_make(va, kind, key);
    note_shared(va, kind == USER_RW && key == FLEXOS_SHARED_KEY);
  }
}

/* Compartment i owns key i+1 (include/flexos/abi.h). */
int paging_default_key(void) {
  return FLEXOS_KEY_OF(flexos_image_config.default_index);
}

/* Who a page with this key belongs to, for fault reports. */
const char *paging_key_owner(int key) {
  if (key == FLEXOS_COMMON_KEY)
    return "common";
  if (key == FLEXOS_SHARED_KEY)
    return "shared";
  if (key - 1 < (int)flexos_image_config.ncompartments)
    return flexos_image_config.comp[key - 1].name;
  return "unassigned";
}

#ifdef FLEXOS_RING3
/* Ring-3 images (cmake/FlexosImageGen.cmake): the core's code and data,
 * apart from the compartments'. */
extern char __kernel_gates_end[], __core_text_start[], __core_text_end[],
    __core_ro_start[], __core_ro_end[], __core_rw_start[], __core_rw_end[];
#endif

/* The image's layout, in link order; later entries win. */
static void map_image(void) {
  const struct flexos_image_config *cfg = &flexos_image_config;
#ifdef FLEXOS_RING3
  /* Compartment code is user code (ring 3 may run it, keys do not apply
   * to fetches); the boot code, the kernel's gates (interrupt and service
   * entries) and the core's code are supervisor code. */
  map_range(LOW_UNMAPPED, (uintptr_t)__text_end, USER_RX, 0);
  map_range(LOW_UNMAPPED, (uintptr_t)__kernel_gates_end, SUP_RX, 0);
  map_range((uintptr_t)__core_text_start, (uintptr_t)__core_text_end, SUP_RX, 0);
#else
  map_range(LOW_UNMAPPED, (uintptr_t)__text_end, SUP_RX, 0); /* boot + text */
#endif
  for (uint32_t i = 0; i < cfg->ncompartments; i++) {
    const struct flexos_compartment_desc *c = &cfg->comp[i];
    map_range(c->ro_start, c->ro_end, USER_RO, FLEXOS_KEY_OF(i));
    map_range(c->rw_start, c->rw_end, USER_RW, FLEXOS_KEY_OF(i));
  }
  map_range((uintptr_t)__shared_start, (uintptr_t)__shared_end, USER_RW,
            FLEXOS_SHARED_KEY);
  map_range((uintptr_t)__kpriv_ro_start, (uintptr_t)__kpriv_ro_end, SUP_RO, 0);
  map_range((uintptr_t)__kpriv_rw_start, (uintptr_t)__kpriv_rw_end, SUP_RW, 0);
  /* writable until paging_seal(): boot fills the read-only-after-init
   * tables (heaps, PKRU values) after the allocator is up */
  map_range((uintptr_t)__common_ro_start, (uintptr_t)__common_ro_end, USER_RW,
            FLEXOS_COMMON_KEY);
  map_range((uintptr_t)__common_rw_start, (uintptr_t)__common_rw_end, USER_RW,
            FLEXOS_COMMON_KEY);
  /* The runtime's data kept apart from the default compartment's, when
   * an address space per compartment gives each its own copy; elsewhere
   * this is empty. */
  map_range((uintptr_t)__kernel_rw_start, (uintptr_t)__kernel_rw_end, USER_RW,
            paging_default_key());
  /* The fault reports' symbol table (runtime/core/symbolize.c): names only. */
  map_range((uintptr_t)__flexos_symtab_start,
            PAGE_ROUND_UP(__flexos_symtab_end), SUP_RO, 0);
#ifdef FLEXOS_RING3
  map_range((uintptr_t)__core_ro_start, (uintptr_t)__core_ro_end, SUP_RO, 0);
  map_range((uintptr_t)__core_rw_start, (uintptr_t)__core_rw_end, SUP_RW, 0);
#endif
}

/* Build the tables for [0, ram_end) and switch CR3 to them.  Free RAM
 * after the image belongs to the default compartment until allocated. */
void paging_init(uintptr_t ram_end) {
  mapped_end = ram_end < MAX_MAPPED ? ram_end : MAX_MAPPED;
  /* One page table per 2 MiB: a partial last 2 MiB is left out, so that
   * the page allocator (which stops at mapped_end) never hands out a page
   * without a mapping. */
  mapped_end &= ~(((uintptr_t)1 << 21) - 1);
  pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W | PTE_U;
  pdpt[0] = (uint64_t)pd | PTE_P | PTE_W | PTE_U;
  for (uintptr_t i = 0; i < mapped_end >> 21; i++)
    pd[i] = (uint64_t)pt[i] | PTE_P | PTE_W | PTE_U;
#ifdef FLEXOS_RING3
  /* Free RAM is the core's until allocated: ring 3 can neither read what
   * freed pages held (kernel stacks) nor prepare pages the core will take
   * (page_alloc.c trusts a monitor's untouched pages to be zero). */
  map_range(PAGE_ROUND_UP(__image_end), mapped_end, SUP_RW, 0);
#else
  map_range(PAGE_ROUND_UP(__image_end), mapped_end, USER_RW,
            paging_default_key());
#endif
  map_image();
  write_cr3((uint64_t)pml4);
#ifdef FLEXOS_RING3
  /* SMEP: the core never runs compartment code, even by mistake. */
  uint32_t r[4];
  cpuid(7, 0, r);
  if (r[1] & (1u << 7))
    write_cr4(read_cr4() | CR4_SMEP);
#endif
}

int paging_scratch_key(void) {
#ifdef FLEXOS_RING3
  return PAGING_SUPERVISOR;
#else
  return paging_default_key();
#endif
}

int paging_user_may(uintptr_t va, int write, uint64_t pkru) {
  uint64_t *pte = pte_of(va);
  if (!pte || (*pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  if (write && !(*pte & PTE_W))
    return 0;
  int key = PTE_KEY_OF(*pte);
  if (pkru & FLEXOS_PKRU_AD(key))
    return 0;
  return !(write && (pkru & FLEXOS_PKRU_WD(key)));
}

int paging_is_user_code(uintptr_t va) {
  uint64_t *pte = pte_of(va);
  return pte && (*pte & (PTE_P | PTE_U)) == (PTE_P | PTE_U) && !(*pte & PTE_NX);
}

void paging_seal(void) {
  map_range((uintptr_t)__common_ro_start, (uintptr_t)__common_ro_end, USER_RO,
            FLEXOS_COMMON_KEY);
  write_cr3((uint64_t)pml4);
}

void paging_map(uintptr_t va, size_t npages, int key, int writable) {
  if (key == PAGING_SUPERVISOR)
    map_range(va, va + npages * PAGE_SIZE, writable ? SUP_RW : SUP_RO, 0);
  else
    map_range(va, va + npages * PAGE_SIZE, writable ? USER_RW : USER_RO, key);
  for (size_t i = 0; i < npages; i++)
    invlpg(va + i * PAGE_SIZE);
}

void paging_unmap(uintptr_t va, size_t npages) {
  for (size_t i = 0; i < npages; i++) {
    uint64_t *pte = pte_of(va + i * PAGE_SIZE);
    if (pte)
      *pte = 0;
    note_shared(va + i * PAGE_SIZE, 0);
    invlpg(va + i * PAGE_SIZE);
  }
}

/* Returns 1 and the page's user bit and key if va is mapped, else 0. */
int paging_lookup(uintptr_t va, int *user, int *key) {
  uint64_t *pte = pte_of(va);
  if (!pte || !(*pte & PTE_P))
    return 0;
  *user = (*pte & PTE_U) != 0;
  *key = PTE_KEY_OF(*pte);
  return 1;
}

uintptr_t paging_mapped_end(void) { return mapped_end; }

/* The 8 bytes at va (8-aligned), read whatever the page's key: fault
 * reports walk the interrupted code's frames, which live on a
 * compartment's stack that the default compartment's PKRU cannot read.
 * The page is given the common key for the one read and gets its own key
 * back.  Returns 0 when va is not mapped. */
int paging_peek(uintptr_t va, uint64_t *value) {
  uint64_t *pte = (va & 7) ? 0 : pte_of(va);
  if (!pte || !(*pte & PTE_P))
    return 0;
  uint64_t saved = *pte;
  int rekey = (saved & PTE_U) && PTE_KEY_OF(saved) != FLEXOS_COMMON_KEY;
  if (rekey) {
    *pte = (saved & ~PTE_KEY(0xf)) | PTE_KEY(FLEXOS_COMMON_KEY);
    invlpg(va);
  }
  *value = *(volatile uint64_t *)va;
  if (rekey) {
    *pte = saved;
    invlpg(va);
  }
  return 1;
}
