/*
 * FILE: benchmarks/gate-latency/ept/bench.c
 * DESCRIPTION:
 *   vm-ept gate latency under tools/flexos-vmm.  Library "bench" (main,
 *   its own VM) calls library "far" (another VM).  For each case, SAMPLES
 *   samples of BATCH round trips timed with rdtsc; prints the median and
 *   the 10th/90th percentile in cycles per round trip and the median's
 *   ratio to the floor of this mechanism measured in the same run: two
 *   null hypercalls (one VM exit and entry each; a gate needs two, one
 *   into the callee and one back).  Cases:
 *     plain-call          a direct call, for scale (an emulating KVM
 *                         makes guest instructions expensive);
 *     null-hypercall      one exit to the monitor and straight back;
 *     two-null-hypercalls the floor;
 *     gate-0, gate-6      flexos_gate(far, ...) with 0 and 6 arguments;
 *                         far is served by trap (hypercall mode) or by a
 *                         spinning vCPU (polling mode), as the image's
 *                         configuration says.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SAMPLES 101
#define BATCH 8

long far_fn0(void);
long far_fn6(long a, long b, long c, long d, long e, long f);

static __attribute__((noinline)) long plain_fn0(void) {
  __asm__ volatile("");
  return 1;
}

enum { PLAIN, NULL1, NULL2, GATE0, GATE6, NCASES };
static const char *const names[NCASES] = {
    "plain-call", "null-hypercall", "two-null-hypercalls", "gate-0", "gate-6"};

static uint64_t one_batch(int c) {
  long acc = 0;
  uint64_t t0 = rdtsc_ordered();
  for (int i = 0; i < BATCH; i++) {
    switch (c) {
    case PLAIN: acc += plain_fn0(); break;
    case NULL1: flexos_ept_null_hypercall(); break;
    case NULL2: flexos_ept_null_hypercall(); flexos_ept_null_hypercall(); break;
    case GATE0: acc += flexos_gate(far, far_fn0); break;
    case GATE6: acc += flexos_gate(far, far_fn6, acc, 2, 3, 4, 5, 6); break;
    }
  }
  uint64_t t1 = rdtsc_ordered();
  if (acc == -1)
    printf("unreachable\n");
  return (t1 - t0) / BATCH;
}

/* The runtime's libc has no qsort; SAMPLES is small. */
static void sort(uint64_t *v, int n) {
  for (int i = 1; i < n; i++) {
    uint64_t x = v[i];
    int j = i;
    for (; j > 0 && v[j - 1] > x; j--)
      v[j] = v[j - 1];
    v[j] = x;
  }
}

static uint64_t samples[NCASES][SAMPLES];

int main(void) {
  int polling = flexos_image_config.comp[1].polling;
  printf("gate-latency-ept: %s mode, %d samples of %d round trips\n",
         polling ? "polling" : "hypercall", SAMPLES, BATCH);
  /* Round robin over the cases, so that load changes hit all of them. */
  for (int s = 0; s < SAMPLES; s++)
    for (int c = 0; c < NCASES; c++)
      samples[c][s] = one_batch(c);
  uint64_t median[NCASES];
  for (int c = 0; c < NCASES; c++) {
    sort(samples[c], SAMPLES);
    median[c] = samples[c][SAMPLES / 2];
  }
  for (int c = 0; c < NCASES; c++) {
    uint64_t m = median[c], floor = median[NULL2];
    printf("gate-latency-ept: %-20s median %8lu cycles (p10 %lu, p90 %lu), "
           "ratio to two null hypercalls %lu.%02lux\n",
           names[c], m, samples[c][SAMPLES / 10], samples[c][SAMPLES * 9 / 10],
           m / floor, m * 100 / floor % 100);
  }
  printf("gate-latency-ept: gate-0 minus the floor = %ld plain calls of "
         "guest work\n",
         ((long)median[GATE0] - (long)median[NULL2]) / (long)(median[PLAIN] ? median[PLAIN] : 1));
  return 0;
}
