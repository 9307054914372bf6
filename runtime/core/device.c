/*
 * FILE: runtime/core/device.c
 * DESCRIPTION:
 *   Port I/O and device interrupts for compartments of ring-3 images
 *   (service.c: the port_in, port_out and irq_wait services).  Ring 3
 *   owns no port (the TSS has no I/O bitmap), so a driver's inb/outb is a
 *   service call (<flexos/x86.h> with FLEXOS_PORT_SERVICE) checked here:
 *     - PCI configuration space (ports 0xcf8, 0xcfc-0xcff): every
 *       compartment may read it (to find its device) through an address
 *       latch of its own; a write claims the device for the writer, and
 *       is refused on a device another compartment claimed, on bridges
 *       (the host bridge's registers steer memory), and on the registers
 *       that place a device (BARs, expansion ROM, interrupt line);
 *     - a claimed device's I/O BARs and its interrupt line belong to the
 *       claimer alone: any other port, and any other line, is refused.
 *   So a driver compartment reaches its own device and nothing else: not
 *   the PIC, the PIT, the serial port or QEMU's exit port.  Not covered:
 *   the device's DMA (there is no IOMMU here), which the driver points
 *   where it likes; memory-mapped BARs (our drivers use I/O BARs).
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "x86.h"

#define PCI_ADDRESS 0xcf8
#define PCI_DATA 0xcfc
#define PCI_ENABLE 0x80000000u
#define PCI_BAR0 0x10
#define PCI_BAR_END 0x28
#define PCI_ROM 0x30
#define PCI_INTERRUPT 0x3c
#define PCI_CLASS 0x08
#define PCI_CLASS_BRIDGE 0x06
#define MAX_DEVICES 8
#define MAX_BARS 6

struct device {
  uint32_t bdf; /* the configuration address's bus/device/function bits */
  int owner;    /* compartment index */
  uint16_t io_base[MAX_BARS], io_size[MAX_BARS];
  int irq;      /* legacy PIC line, 0 = none */
};

static struct device devices[MAX_DEVICES];
static int ndevices;
static uint32_t latch[FLEXOS_MAX_COMPARTMENTS]; /* each one's 0xcf8 */

static uint32_t config_read(uint32_t bdf, int reg) {
  outl(PCI_ADDRESS, PCI_ENABLE | bdf | (uint32_t)(reg & 0xfc));
  return inl(PCI_DATA);
}

static void config_write(uint32_t bdf, int reg, uint32_t v) {
  outl(PCI_ADDRESS, PCI_ENABLE | bdf | (uint32_t)(reg & 0xfc));
  outl(PCI_DATA, v);
}

static struct device *device_at(uint32_t bdf) {
  for (int i = 0; i < ndevices; i++)
    if (devices[i].bdf == bdf)
      return &devices[i];
  return 0;
}

/* The device at bdf becomes `owner`'s: its I/O BARs (sized the usual way:
 * all ones written, the mask read back, the BAR restored) and its line. */
static struct device *claim(uint32_t bdf, int owner) {
  if (ndevices == MAX_DEVICES)
    return 0;
  struct device *d = &devices[ndevices++];
  d->bdf = bdf;
  d->owner = owner;
  for (int i = 0; i < MAX_BARS; i++) {
    int reg = PCI_BAR0 + 4 * i;
    uint32_t bar = config_read(bdf, reg);
    if (!(bar & 1))
      continue; /* memory BAR: not handed out */
    config_write(bdf, reg, 0xffffffffu);
    uint32_t mask = config_read(bdf, reg) & ~3u & 0xffff;
    config_write(bdf, reg, bar);
    d->io_base[i] = (uint16_t)(bar & ~3u);
    d->io_size[i] = mask ? (uint16_t)(~mask + 1) : 0;
  }
  uint8_t line = (uint8_t)config_read(bdf, PCI_INTERRUPT);
  d->irq = line > 0 && line < 16 ? line : 0;
  return d;
}

static int owns_port(int comp, uint16_t port, int size) {
  for (int i = 0; i < ndevices; i++)
    for (int b = 0; b < MAX_BARS; b++)
      if (devices[i].owner == comp && devices[i].io_size[b] &&
          port >= devices[i].io_base[b] &&
          port + size <= devices[i].io_base[b] + devices[i].io_size[b])
        return 1;
  return 0;
}

int device_owns_irq(int comp, int line) {
  for (int i = 0; i < ndevices; i++)
    if (devices[i].owner == comp && devices[i].irq == line && line)
      return 1;
  return 0;
}

static int is_config_data(uint16_t port, int size) {
  return port >= PCI_DATA && port + size <= PCI_DATA + 4;
}

/* Returns 0 and the value read, or a reason for the refusal. */
const char *device_port_in(int comp, uint16_t port, int size, uint32_t *value) {
  if (is_config_data(port, size)) {
    if (!(latch[comp] & PCI_ENABLE))
      return "reads configuration data without an address";
    outl(PCI_ADDRESS, latch[comp]);
  } else if (!owns_port(comp, port, size)) {
    return "is not a port of the caller's device";
  }
  *value = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
  return 0;
}

/* Returns 0 once written, or a reason for the refusal. */
const char *device_port_out(int comp, uint16_t port, int size, uint32_t v) {
  if (port == PCI_ADDRESS && size == 4) {
    latch[comp] = v; /* taken at the next data access */
    return 0;
  }
  if (is_config_data(port, size)) {
    uint32_t a = latch[comp];
    if (!(a & PCI_ENABLE))
      return "writes configuration data without an address";
    int reg = (int)(a & 0xfc) + (port - PCI_DATA);
    if ((reg >= PCI_BAR0 && reg < PCI_BAR_END) || (reg >= PCI_ROM && reg < PCI_ROM + 4) ||
        reg == PCI_INTERRUPT)
      return "would move a device (BAR, ROM or interrupt line)";
    uint32_t bdf = a & 0x00ffff00u;
    struct device *d = device_at(bdf);
    if (!d && config_read(bdf, PCI_CLASS) >> 24 == PCI_CLASS_BRIDGE)
      return "configures a bridge (the host's or a bus's: never a compartment's)";
    if (!d && !(d = claim(bdf, comp)))
      return "claims more devices than the core keeps";
    if (d->owner != comp)
      return "configures a device another compartment claimed";
    outl(PCI_ADDRESS, a);
  } else if (!owns_port(comp, port, size)) {
    return "is not a port of the caller's device";
  }
  if (size == 1)
    outb(port, (uint8_t)v);
  else if (size == 2)
    outw(port, (uint16_t)v);
  else
    outl(port, v);
  return 0;
}
