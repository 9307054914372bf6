/*
 * FILE: examples/kvstore/server/image/clock_image.c
 * DESCRIPTION:
 *   The kvstore's clock (app.h) in a kernel image: milliseconds since
 *   boot, from the runtime's 100 Hz ticks.  An image has no calendar
 *   clock, so EXPIREAT-style absolute times count from boot there.
 *   Linked into the app library of every kvstore image (the engine
 *   images here and the networked ones in benchmarks/kvstore).
 * License: MIT
 */
#include <flexos/runtime.h>

#include "app.h"

long long kv_clock_ms(void) { return (long long)flexos_ticks() * 10; }
