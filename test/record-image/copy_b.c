/*
 * FILE: test/record-image/copy_b.c
 * DESCRIPTION:
 *   Compartment cb of test record-image/two-keys: copies the
 *   application's app_src into ca's a_dst, neither of them its own.
 * License: MIT (see LICENSE)
 */
#include <string.h>

extern char app_src[64];
extern char a_dst[64];

void lb_copy(void) { memcpy(a_dst, app_src, 64); }
