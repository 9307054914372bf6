/*
 * FILE: runtime/core/main.c
 * DESCRIPTION:
 *   kmain(): the boot sequence after runtime/core/boot.S reached long mode, and
 *   the PVH start_info parsing (command line, RAM size).  It first picks
 *   the image's mechanism table (runtime/core/mechanism.h), through which every
 *   step that differs per mechanism goes, and ends by running the image's
 *   `int main(int argc, char **argv)` (default compartment) in the first
 *   thread (or what the mechanism serves instead); main's return value is
 *   the exit status.  Boot options (`flexos.record`: record mode,
 *   runtime/services/record.c) are taken off the command line before main's argv
 *   is split from it.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <string.h>

#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

#define PVH_MAGIC 0x336ec578
#define E820_RAM 1
#define MAX_ARGS 16

struct hvm_start_info {
  uint32_t magic, version, flags, nr_modules;
  uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
  uint32_t memmap_entries, reserved;
};
struct hvm_memmap_entry {
  uint64_t addr, size;
  uint32_t type, reserved;
};

extern int main(int argc, char **argv);
extern char __image_end[];

uintptr_t boot_ram_end;
/* main's arguments.  Ring-3 images keep them in common memory, read-only
 * after boot, where main (and flexos_cmdline in runtime/user/) reads them;
 * elsewhere they are the default compartment's (a VM's own, under vm-ept). */
#ifdef FLEXOS_RING3
#define ARGS_SECTION SECTION_ROINIT
#else
#define ARGS_SECTION
#endif
ARGS_SECTION char boot_cmdline[256];
ARGS_SECTION static char *argv[MAX_ARGS + 1];

/* Copy what we need out of start_info before the low 1 MiB is unmapped. */
static void boot_parse(const struct hvm_start_info *si) {
  boot_ram_end = 128ul << 20;
  if (!si || si->magic != PVH_MAGIC)
    return;
  if (si->cmdline_paddr)
    strncpy(boot_cmdline, (const char *)si->cmdline_paddr, sizeof(boot_cmdline) - 1);
  const struct hvm_memmap_entry *e = (const void *)si->memmap_paddr;
  for (uint32_t i = 0; si->version >= 1 && e && i < si->memmap_entries; i++)
    if (e[i].type == E820_RAM && e[i].addr <= (uintptr_t)__image_end &&
        e[i].addr + e[i].size > (uintptr_t)__image_end)
      boot_ram_end = e[i].addr + e[i].size;
}

/* Split the command line at spaces; argv[0] is the image name. */
static int split_args(void) {
  int argc = 0;
  argv[argc++] = (char *)flexos_image_config.name;
  for (char *p = boot_cmdline; *p && argc < MAX_ARGS;) {
    while (*p == ' ')
      *p++ = 0;
    if (*p)
      argv[argc++] = p;
    while (*p && *p != ' ')
      p++;
  }
  argv[argc] = 0;
  return argc;
}

/* Takes the boot option `word` off the command line, so that neither
 * main's argv nor flexos_cmdline() sees it; returns whether it was there. */
static int take_option(const char *word) {
  size_t n = strlen(word);
  int found = 0;
  for (char *p = boot_cmdline; *p;) {
    while (*p == ' ')
      p++;
    size_t len = 0;
    while (p[len] && p[len] != ' ')
      len++;
    if (len == n && !strncmp(p, word, n)) {
      memmove(p, p + len, strlen(p + len) + 1);
      found = 1;
    } else {
      p += len;
    }
  }
  return found;
}

const char *flexos_cmdline(void) { return boot_cmdline; }

void kmain(uint32_t start_info) {
  thread_boot_gs();
  console_init();
  boot_parse((const struct hvm_start_info *)(uintptr_t)start_info);
  const struct flexos_image_config *cfg = &flexos_image_config;
  mechanism_choose(cfg->mechanism);
  mechanism->boot();
  flexos_space.home = mechanism->home_compartment();
  mechanism->banner(cfg, boot_ram_end >> 20);
  gdt_init();
  idt_init();
#ifdef FLEXOS_RING3
  service_init(); /* compartments run in ring 3: runtime/core/service.c */
#endif
  mechanism->protection_init();
  paging_init(boot_ram_end);
  mechanism->protection_enable();
  mechanism->memory_init((uintptr_t)__image_end);
  heap_init();
  record_init(take_option("flexos.record")); /* runtime/services/record.c */
  stack_chk_init(); /* before paging_seal: the canary is read-only after */
  if (mechanism->interrupts) /* a monitor without them has no RTC either */
    timer_read_rtc();
  int argc = split_args(); /* before paging_seal: argv is read-only after */
  paging_seal();
  thread_init();
  if (mechanism->interrupts)
    timer_init();
  /* No sti here: this boot context still runs with PKRU 0, which the
   * interrupt gate rightly refuses to restore. Interrupts come on with the
   * main thread's first iretq (its frame has IF set and the default PKRU);
   * threads switch cooperatively, so IF stays on afterwards. */
  thread_run_main(mechanism->serve ? mechanism->serve : main, argc, argv);
}
