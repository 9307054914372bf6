/*
 * FILE: test/kvstore-record/noshare/flexos.h
 * DESCRIPTION:
 *   <flexos.h> for the kvstore builds of test/kvstore-record that switch
 *   the sources' hand-placed sharing off (found first on the include
 *   path: target_include_directories BEFORE): the real header, then
 *   __flexos_share expands to nothing, so the __flexos_share locals are
 *   private stack data again.  With -DKVREC_KEEP_LOCALS they stay shared.
 *   noshare/flexos/runtime.h does the same for flexos_malloc_shared.
 * License: MIT (see LICENSE)
 */
#ifndef KVREC_NOSHARE_FLEXOS_H
#define KVREC_NOSHARE_FLEXOS_H
#include_next <flexos.h>
#ifndef KVREC_KEEP_LOCALS
#undef __flexos_share
#define __flexos_share
#endif
#endif
