/*
 * FILE: runtime/core/mechanism.c
 * DESCRIPTION:
 *   The one place that knows which table serves which mechanism of the
 *   image configuration (FLEXOS_MECH_*, include/flexos/runtime.h).  A new
 *   mechanism adds its table here and in its own file; nothing else in
 *   the generic runtime changes.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "mechanism.h"

static const struct mechanism *const tables[] = {
    [FLEXOS_MECH_NONE] = &mechanism_local,
    [FLEXOS_MECH_PKU] = &mechanism_local,
    [FLEXOS_MECH_EPT] = &mechanism_ept,
};

/* The image's table; the one-address-space table until kmain chose, so
 * that a panic before then still has a table to report through. */
SECTION_ROINIT const struct mechanism *mechanism = &mechanism_local;

SECTION_ROINIT struct flexos_space flexos_space;

void mechanism_choose(uint32_t image_mechanism) {
  if (image_mechanism >= sizeof(tables) / sizeof(tables[0]) ||
      !tables[image_mechanism])
    flexos_panic("image configuration: unknown mechanism %u",
                 image_mechanism);
  mechanism = tables[image_mechanism];
}
