/*
 * FILE: libs/lwip/netif/pci.h
 * DESCRIPTION:
 *   PCI configuration space through the legacy 0xcf8/0xcfc ports, and a
 *   scan of bus 0 for a vendor:device pair.  Port I/O works in ring 0
 *   whatever the protection keys, so the driver calls this from lwIP's
 *   compartment.
 * USAGE:
 *   struct pci_dev d;
 *   if (pci_find(0x1af4, 0x1000, &d) == 0) pci_read32(&d, 0x10);
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_PCI_H
#define FLEXOS_LWIP_PCI_H

#include <stdint.h>

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MASTER 0x4 /* the device may DMA */
#define PCI_BAR0 0x10
#define PCI_INTERRUPT_LINE 0x3c

struct pci_dev {
  uint8_t bus, slot, func;
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
/* 0 and *out filled for the first match on bus 0, -1 if there is none. */
int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);

#endif
