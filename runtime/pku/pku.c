/*
 * FILE: runtime/pku/pku.c
 * DESCRIPTION:
 *   Protection keys (Intel MPK/PKU).  Compartment i owns key i+1, key 0 is
 *   common, key 15 shared (include/flexos/abi.h).  At boot an intel-pku
 *   image checks CPUID.(7,0):ECX.PKU[bit 3], sets CR4.PKE and enters the
 *   default compartment's PKRU through the interrupt-entry gate's switch
 *   (no WRPKRU outside gates/); on a CPU without PKU it stops with a
 *   panic rather than run unprotected.  `none` and vm-ept images never
 *   execute RDPKRU/WRPKRU: flexos_pku_on stays 0 and every compartment
 *   query answers "default" (under vm-ept, the VM's own compartment).
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "mechanism.h"
#include "pku.h"
#include "x86.h"

#define CPUID_7_ECX_PKU (1u << 3)
#define CR4_PKE (1ull << 22)

/* Read by gates/interrupt_entry.S; mapped read-only after boot. */
SECTION_ROINIT uint8_t flexos_pku_on;
SECTION_ROINIT uint32_t flexos_default_pkru;
SECTION_ROINIT static uint32_t comp_pkru[FLEXOS_MAX_COMPARTMENTS];

static int cpu_has_pku(void) {
  uint32_t r[4];
  cpuid(0, 0, r);
  if (r[0] < 7)
    return 0;
  cpuid(7, 0, r);
  return (r[2] & CPUID_7_ECX_PKU) != 0;
}

/* Runs before paging_init() while the boot mapping is still writable. */
void pku_init(void) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  for (uint32_t i = 0; i < cfg->ncompartments; i++)
    comp_pkru[i] = FLEXOS_PKRU(i, i == cfg->default_index);
  flexos_default_pkru = comp_pkru[cfg->default_index];
  if (cfg->mechanism != FLEXOS_MECH_PKU)
    return;
  if (!cpu_has_pku())
    flexos_panic("pku: image uses intel-pku but the CPU has no protection "
                 "keys (CPUID.7.0:ECX.PKU=0); run under -accel tcg -cpu max");
  flexos_pku_on = 1;
}

/* After paging_init(): turn keys on.  PKRU is still 0 (all access) for
 * the boot context; threads enter their PKRU through the interrupt gate's
 * exit path (runtime/core/thread.c), so no WRPKRU is needed here. */
void pku_enable(void) {
  if (flexos_pku_on)
    write_cr4(read_cr4() | CR4_PKE);
}

uint32_t pku_pkru_of(int compartment) { return comp_pkru[compartment]; }

/* The compartment whose PKRU value this is, or -1. */
int pku_compartment_of(uint32_t pkru) {
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    if (comp_pkru[i] == pkru)
      return (int)i;
  return -1;
}

int flexos_pku_active(void) { return flexos_pku_on; }

int flexos_current_compartment(void) {
  if (!flexos_pku_on)
    return mechanism->home_compartment();
  int c = pku_compartment_of(rdpkru());
  return c < 0 ? (int)flexos_image_config.default_index : c;
}

const char *flexos_compartment_name(int index) {
  if (index < 0 || index >= (int)flexos_image_config.ncompartments)
    return "?";
  return flexos_image_config.comp[index].name;
}
