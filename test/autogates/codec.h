/*
 * FILE: test/autogates/codec.h
 * DESCRIPTION:
 *   A small "codec" library for the automatic-gate tests: it is called
 *   plainly (no flexos_gate anywhere) and calls back into its user
 *   through a function pointer.  The configuration puts it in a
 *   compartment of its own.
 * License: MIT (see LICENSE)
 */
#ifndef AUTOGATES_CODEC_H
#define AUTOGATES_CODEC_H

/* Where encoded bytes go: called by the codec with the caller's rights. */
typedef int (*codec_sink)(const char *buf, int n);

void codec_set_sink(codec_sink sink);
/* Encodes n bytes of in (shared memory) into out (shared memory), hands
 * out to the sink and returns what the sink returned. */
int codec_encode(const char *in, int n, char *out);
/* Sorts v[0..n) (shared memory) with the codec's own comparator. */
void codec_sort(int *v, int n);
/* A hostile codec: calls the sink's address plus `skew` bytes. */
int codec_forge_sink(int skew);

#endif
