/*
 * FILE: examples/kvstore/server/shared_hosted.c
 * DESCRIPTION:
 *   The kernel runtime's shared-heap functions for the hosted (Linux)
 *   build of the kvstore, where one process has one address space and
 *   nothing to share across: plain malloc and free. Linked only into
 *   hosted programs; a kernel image gets the real ones from the runtime
 *   (include/flexos/runtime.h).
 * USAGE:
 *   add shared_hosted.c to a hosted build, never to an image
 * License: MIT
 */
#include <flexos/runtime.h>
#include <stdlib.h>

#if !__STDC_HOSTED__
#error "shared_hosted.c is for hosted builds; images use the runtime's heap"
#endif

void *flexos_malloc_shared(size_t size) { return malloc(size); }

void flexos_free_shared(void *ptr) { free(ptr); }
