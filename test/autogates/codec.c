/*
 * FILE: test/autogates/codec.c
 * DESCRIPTION:
 *   Library "codec" of the automatic-gate tests (codec.h).  Its calls
 *   through pointers are checked (passes/IndirectGates.cpp): the sink, a
 *   function of the application, is reached through a gate; its own
 *   comparator directly; a forged pointer into the middle of the
 *   application's code is refused.
 * License: MIT (see LICENSE)
 */
#include <stdint.h>
#include <stdlib.h>

#include "codec.h"

static codec_sink sink;
static int codec_calls; /* the codec's own state: codec's key */

void codec_set_sink(codec_sink s) { sink = s; }

int codec_encode(const char *in, int n, char *out) {
  for (int i = 0; i < n; i++)
    out[i] = (char)(in[i] ^ 0x20); /* swap the case of letters */
  codec_calls++;
  return sink(out, n);
}

static int ascending(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  codec_calls++; /* only the codec may write this */
  return (x > y) - (x < y);
}

/* Through the codec's own table of comparators: a pointer to its own
 * code, called directly. */
static int (*const comparators[])(const void *, const void *) = {ascending};

void codec_sort(int *v, int n) {
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && comparators[0](&v[j - 1], &v[j]) > 0; j--) {
      int t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
}

int codec_forge_sink(int skew) {
  codec_sink forged = (codec_sink)((uintptr_t)sink + (uintptr_t)skew);
  return forged("x", 1);
}
