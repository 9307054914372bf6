/*
 * FILE: test/port/inputs/broken.c
 * DESCRIPTION:
 *   A caller with a syntax error (test/port, case syntax-error): the
 *   error is reported at file:line:col and the report still lists the
 *   call before it.
 * USAGE:
 *   flexos-port ... --caller broken=inputs/broken.c
 * License: MIT (see LICENSE)
 */
#include "codec.h"

int broken_first(void) { return codec_open(1) != 0; }

int broken_second(void {
  return 0;
}
