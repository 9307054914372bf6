/*
 * FILE: libs/lwip/netif/pci.c
 * DESCRIPTION:
 *   PCI configuration mechanism #1: write the address of a dword
 *   (enable bit 31 | bus << 16 | slot << 11 | function << 8 | offset) to
 *   port 0xcf8, then read or write it at 0xcfc (bytes within the dword at
 *   0xcfc + offset % 4).  QEMU's PC machines put devices on bus 0.
 * USAGE:
 *   See pci.h.
 * License: MIT (see LICENSE)
 */
#include "pci.h"

#include <flexos/x86.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define HEADER_TYPE 0x0c /* byte 2 of this dword; bit 7 = multi-function */


static void select_reg(const struct pci_dev *d, uint8_t off) {
  outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)d->bus << 16 |
                           (uint32_t)d->slot << 11 | (uint32_t)d->func << 8 |
                           (off & 0xfc));
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off) {
  select_reg(d, off);
  return inl(CONFIG_DATA);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v) {
  select_reg(d, off);
  outw(CONFIG_DATA + (off & 2), v);
}

int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out) {
  for (uint8_t slot = 0; slot < 32; slot++) {
    for (uint8_t func = 0; func < 8; func++) {
      struct pci_dev d = {0, slot, func};
      uint32_t id = pci_read32(&d, 0);
      if ((id & 0xffff) == 0xffff) { /* nothing here */
        if (func == 0)
          break;
        continue;
      }
      if ((id & 0xffff) == vendor && id >> 16 == device) {
        *out = d;
        return 0;
      }
      if (func == 0 && !(pci_read32(&d, HEADER_TYPE) & 0x800000))
        break; /* single-function device */
    }
  }
  return -1;
}
