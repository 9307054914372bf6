/*
 * FILE: test/kvstore-record/noshare/flexos/runtime.h
 * DESCRIPTION:
 *   <flexos/runtime.h> for the kvstore builds of test/kvstore-record that
 *   switch the hand-placed sharing off: the real header, then
 *   flexos_malloc_shared and flexos_free_shared become malloc and free,
 *   so the connection buffers come from the caller's own heap (the
 *   prototypes above stay as they are; stdlib.h declares malloc/free).
 * License: MIT (see LICENSE)
 */
#ifndef KVREC_NOSHARE_RUNTIME_H
#define KVREC_NOSHARE_RUNTIME_H
#include_next <flexos/runtime.h>
#include <stdlib.h>
#define flexos_malloc_shared(size) malloc(size)
#define flexos_free_shared(ptr) free(ptr)
#endif
