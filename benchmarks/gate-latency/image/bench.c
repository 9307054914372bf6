/*
 * FILE: benchmarks/gate-latency/image/bench.c
 * DESCRIPTION:
 *   Gate latency inside the kernel image.  For each case, SAMPLES samples
 *   of BATCH round trips timed with rdtsc; prints the median and the
 *   10th/90th percentile in cycles per round trip and the median's ratio
 *   to the plain call measured in the same run:
 *     plain call, intra-compartment gate (near: lowered to a call),
 *     cross-compartment gate (far: an MPK gate under intel-pku) with 0
 *     and 6 arguments, the same gate returning a data pointer (which
 *     the gate checks is shared memory: the difference to the 0-argument
 *     gate is the check), shared-local allocation, a runtime call, an
 *     interrupt round trip, and a CPUID (a null exit under KVM: the
 *     yardstick for KVM figures).
 *   Under TCG the numbers are emulator artefacts; a line says so.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SAMPLES 301
#define BATCH 64

long near_fn0(void);
long near_fn6(long a, long b, long c, long d, long e, long f);
long far_fn0(void);
long far_fn6(long a, long b, long c, long d, long e, long f);
char *far_ptr(void);

static __attribute__((noinline)) long plain_fn0(void) {
  __asm__ volatile("");
  return 1;
}

/* One flexos_share local: carved from the shared stack under intel-pku. */
static __attribute__((noinline)) long shared_local(void) {
  __flexos_share volatile char buf[64];
  buf[0] = 1;
  return buf[0];
}

static long case_plain(void) { return plain_fn0(); }
static long case_near(void) { return flexos_gate(near, near_fn0); }
static long case_far0(void) { return flexos_gate(far, far_fn0); }
static long case_far6(void) { return flexos_gate(far, far_fn6, 1, 2, 3, 4, 5, 6); }
static long case_far_ptr(void) { return flexos_gate(far, far_ptr) != 0; }
static long case_share(void) { return shared_local(); }
/* A call of the runtime: a plain call in ring-0 images, the SYSCALL
 * service entry in ring-3 images (docs/runtime.md, "Ring choice"). */
static long case_ticks(void) { return (long)flexos_ticks(); }
/* An interrupt round trip: the interrupt entry with its PKRU switches,
 * from the ring compartments run in. */
static long case_interrupt(void) {
  __asm__ volatile("int %0" : : "i"(FLEXOS_VEC_NULL_INTERRUPT) : "memory");
  return 0;
}
/* A null exit under KVM: CPUID always leaves the guest (VMX and SVM
 * alike) and is unprivileged, so it is the same from either ring.  The
 * yardstick KVM figures are given against (docs/benchmarks.md); under TCG
 * it is only the emulator's CPUID. */
static long case_cpuid(void) {
  uint32_t a = 0, b, c = 0, d;
  __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
  return a;
}

struct result {
  uint64_t p10, median, p90;
};

static void sort(uint64_t *v, int n) {
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
      uint64_t t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
}

/* BATCH calls per sample, through a volatile pointer so none is folded. */
static struct result measure(long (*fn)(void)) {
  static uint64_t v[SAMPLES];
  long (*volatile f)(void) = fn;
  for (int s = 0; s < SAMPLES; s++) {
    uint64_t t0 = rdtsc_ordered();
    for (int i = 0; i < BATCH; i++)
      f();
    v[s] = (rdtsc_ordered() - t0) / BATCH;
  }
  sort(v, SAMPLES);
  return (struct result){v[SAMPLES / 10], v[SAMPLES / 2], v[SAMPLES * 9 / 10]};
}

/* "TCGTCGTCGTCG" or "KVMKVMKVM" from the hypervisor CPUID leaf. */
static void hypervisor(char out[13]) {
  uint32_t r[4];
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                   : "a"(0x40000000), "c"(0));
  memcpy(out, &r[1], 4);
  memcpy(out + 4, &r[2], 4);
  memcpy(out + 8, &r[3], 4);
  out[12] = 0;
}

/* Argument "no-interrupt" leaves the null interrupt out: kvm_pvm cannot
 * emulate INT n at all (KVM internal error, emulation failure). */
int main(int argc, char **argv) {
  int interrupts = !(argc > 1 && !strcmp(argv[1], "no-interrupt"));
  static const struct {
    const char *name;
    long (*fn)(void);
  } cases[] = {{"plain-call", case_plain},
               {"intra-compartment-gate", case_near},
               {"cross-compartment-gate-0", case_far0},
               {"cross-compartment-gate-6", case_far6},
               {"cross-compartment-gate-ptr", case_far_ptr},
               {"shared-local-alloc", case_share},
               {"runtime-call-ticks", case_ticks},
               {"null-interrupt", case_interrupt},
               {"null-exit-cpuid", case_cpuid}};
  char hv[13];
  hypervisor(hv);
  printf("gate-latency: mechanism %s, hypervisor '%s', %d samples x %d calls\n",
         flexos_pku_active() ? "intel-pku" : "none", hv, SAMPLES, BATCH);
  if (!strncmp(hv, "TCG", 3))
    printf("gate-latency: running under TCG emulation: timings are not "
           "meaningful\n");
  if (case_far6() != 21 || case_far0() != 1 || case_share() != 1 ||
      case_far_ptr() != 1)
    return 1;
  uint64_t base = 0;
  for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    if (cases[i].fn == case_interrupt && !interrupts) {
      printf("gate-latency: null-interrupt left out (no-interrupt)\n");
      continue;
    }
    struct result r = measure(cases[i].fn);
    if (i == 0)
      base = r.median ? r.median : 1;
    uint64_t ratio100 = r.median * 100 / base;
    printf("gate-latency: %-24s median %5lu cycles  p10 %5lu  p90 %5lu  "
           "ratio %lu.%02lux\n",
           cases[i].name, r.median, r.p10, r.p90, ratio100 / 100,
           ratio100 % 100);
  }
  return 0;
}
