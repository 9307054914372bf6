/*
 * FILE: benchmarks/gate-latency/hosted/gate-latency-hosted.c
 * DESCRIPTION:
 *   Gate latency under Linux, with the real intel-pku gate from
 *   gates/pku_gate.inc.  Sets up two compartments the way the flexos
 *   runtime does (docs/abi.md): app = compartment 0 (default, key 1),
 *   net = compartment 1 (key 2), shared memory on key 15; a struct
 *   flexos_tcb reached through the GS base (arch_prctl(ARCH_SET_GS)); a
 *   gate slot per compartment in that compartment's memory; a private
 *   stack for net.  Checks that the gate really switches domain (PKRU and
 *   stack seen by the callee, a SEGV_PKUERR fault when app touches net's
 *   data), then times round trips with the TSC:
 *     plain call; intra-compartment gate (= the direct call the compiler
 *     emits), 0 and 6 args; MPK gate, 0 and 6 args; a call doing only
 *     the gate's two PKRU switches; a function with one shared local
 *     (the docs/abi.md "Shared locals" sequence).
 *   Each sample times a batch of round trips between lfence;rdtsc;lfence
 *   and rdtscp;lfence; rows are sampled round-robin and reported as the
 *   median and p10/p90 of TSC ticks per round trip, and as a ratio to the
 *   plain call of the same run.
 *   Exit status: 0 measured; 77 no protection keys (skip); 1 setup or
 *   self-check failure; 2 usage.
 * USAGE:
 *   build/bin/gate-latency-hosted [--no-pku] [--samples N] [--batch N]
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/prctl.h>

#include <flexos.h>
#include <flexos/abi.h>
#include <flexos/x86.h>

#include "bench.h"

#define PROG "gate-latency-hosted"
#define SKIP 77
#define STACK_BYTES (64 * 1024)
#define APP 0 /* compartment indices, as in the generated pkru.inc */
#define NET 1

/* Memory of one protection domain: [base, base + size), one key. */
struct domain {
  unsigned char *base;
  size_t size;
  int key; /* -1 without protection keys */
};

static struct flexos_tcb tcb __attribute__((aligned(64)));
static struct domain app_mem, net_mem, shared_mem;
static int use_pku = 1;
static volatile long sink;

/* ---- setup -------------------------------------------------------------- */

/* Maps size bytes for a domain and tags them with key (unless -1). */
static int map_domain(struct domain *d, size_t size, int key,
                      const char *what) {
  d->size = size;
  d->key = key;
  d->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (d->base == MAP_FAILED) {
    fprintf(stderr, PROG ": mmap of %zu bytes for %s failed: %s\n", size,
            what, strerror(errno));
    return -1;
  }
  if (key >= 0 &&
      pkey_mprotect(d->base, size, PROT_READ | PROT_WRITE, key) != 0) {
    fprintf(stderr, PROG ": pkey_mprotect(%s, key %d) failed: %s\n", what,
            key, strerror(errno));
    return -1;
  }
  return 0;
}

/* Allocates exactly the keys the ABI gives our compartments and shared
 * memory (FLEXOS_KEY_OF(APP), FLEXOS_KEY_OF(NET), FLEXOS_SHARED_KEY);
 * Linux hands out the lowest free key, so allocate upwards and free the
 * ones in between.  Returns 0, SKIP when the CPU/kernel has no keys, or 1
 * when the wanted keys are taken. */
static int alloc_abi_keys(void) {
  const int want[3] = {FLEXOS_KEY_OF(APP), FLEXOS_KEY_OF(NET),
                       FLEXOS_SHARED_KEY};
  int got[16], n = 0, have = 0, i, k;
  while (have < 3 && n < 16) {
    k = pkey_alloc(0, 0);
    if (k < 0) {
      if (n == 0) {
        fprintf(stderr, PROG ": pkey_alloc failed (%s): this CPU or kernel "
                "has no protection keys; run on a host with 'pku' in "
                "/proc/cpuinfo, or pass --no-pku for the rows without "
                "WRPKRU\n", strerror(errno));
        return SKIP;
      }
      break;
    }
    got[n++] = k;
    for (i = 0; i < 3; i++)
      have += k == want[i];
  }
  for (i = 0; i < n; i++)
    if (got[i] != want[0] && got[i] != want[1] && got[i] != want[2])
      pkey_free(got[i]);
  if (have < 3) {
    fprintf(stderr, PROG ": could not obtain protection keys %d, %d and %d "
            "(the ABI keys of app, net and shared memory): another part of "
            "this process holds some of them\n", want[0], want[1], want[2]);
    return 1;
  }
  return 0;
}

/* Points GS at the TCB and checks that %gs:0 reads tcb.self. */
static int set_gs_base(void) {
  uint64_t self;
  tcb.self = (uint64_t)(uintptr_t)&tcb;
  if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&tcb) != 0) {
    fprintf(stderr, PROG ": arch_prctl(ARCH_SET_GS) failed (%s): the "
            "kernel refuses to set the GS base, so neither gates nor "
            "shared locals can find the thread control block\n",
            strerror(errno));
    return -1;
  }
  __asm__ volatile("movq %%gs:%c1, %0" : "=r"(self) : "i"(FLEXOS_TCB_SELF));
  if (self != tcb.self) {
    fprintf(stderr, PROG ": GS base set but %%gs:0 reads 0x%llx, not the "
            "TCB at %p\n", (unsigned long long)self, (void *)&tcb);
    return -1;
  }
  return 0;
}

/* Unregisters glibc's restartable-sequence area.  The kernel writes the
 * current CPU into it (thread-local memory, key 0) on the way back to
 * user mode after a preemption, migration or signal, using the thread's
 * live PKRU; in net's domain key 0 is write-disabled (docs/abi.md), the
 * write fails and the kernel kills the thread with SIGSEGV (SI_KERNEL).
 * The flexos kernel has no rseq; glibc falls back to system calls.
 * Returns 0, or -1 when the area is registered and cannot be released. */
static int drop_rseq(void) {
  void *area;
  if (__rseq_size == 0)
    return 0; /* not registered (old kernel or glibc.pthread.rseq=0) */
  area = (char *)__builtin_thread_pointer() + __rseq_offset;
  /* glibc 2.35-2.39 register 32 bytes but publish the 20-byte feature
   * size in __rseq_size; the kernel wants the registered length back */
  if (syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) &&
      syscall(SYS_rseq, area, sizeof(struct rseq) > __rseq_size ?
              (unsigned)sizeof(struct rseq) : __rseq_size,
              RSEQ_FLAG_UNREGISTER, RSEQ_SIG)) {
    fprintf(stderr, PROG ": cannot unregister rseq (%s); the kernel's "
            "rseq update would fault inside the net domain. Rerun with "
            "GLIBC_TUNABLES=glibc.pthread.rseq=0\n", strerror(errno));
    return -1;
  }
  return 0;
}

/* Builds the domains, gate slots and shared stack; returns 0, 1 or SKIP.
 * Layout per domain: gate slot at the start, then (net only) a data page,
 * then the stack at the end.  The shared domain starts with the struct
 * flexos_shared_stack. */
static int setup(void) {
  long page = sysconf(_SC_PAGESIZE);
  struct flexos_gate_slot *slot;
  struct flexos_shared_stack *ss;
  int rc;
  if (use_pku && (rc = alloc_abi_keys()) != 0)
    return rc;
  if (use_pku && drop_rseq())
    return 1;
  if (map_domain(&app_mem, (size_t)page, use_pku ? FLEXOS_KEY_OF(APP) : -1,
                 "app gate slot") ||
      map_domain(&net_mem, 2 * (size_t)page + STACK_BYTES,
                 use_pku ? FLEXOS_KEY_OF(NET) : -1, "net slot/data/stack") ||
      map_domain(&shared_mem, (size_t)page + STACK_BYTES,
                 use_pku ? FLEXOS_SHARED_KEY : -1, "shared stack"))
    return 1;
  slot = (struct flexos_gate_slot *)app_mem.base;
  slot->stack_limit = 0; /* app runs on the Linux stack; set by the gate */
  tcb.gate_slot[APP] = (uint64_t)(uintptr_t)slot;
  slot = (struct flexos_gate_slot *)net_mem.base;
  slot->stack_limit = (uint64_t)(uintptr_t)(net_mem.base + 2 * page);
  slot->stack_top = (uint64_t)(uintptr_t)(net_mem.base + net_mem.size);
  tcb.gate_slot[NET] = (uint64_t)(uintptr_t)slot;
  net_mem.base[page] = 0x5a; /* net data, probed by the fault check */
  ss = (struct flexos_shared_stack *)shared_mem.base;
  ss->limit = (uint64_t)(uintptr_t)(shared_mem.base + page);
  ss->top = (uint64_t)(uintptr_t)(shared_mem.base + shared_mem.size);
  tcb.shared_stack = (uint64_t)(uintptr_t)ss;
  tcb.shared_stack_limit = ss->limit;
  tcb.shared_stack_base = ss->top;
  tcb.thread_id = 0;
  /* As in a hosted program (platform/linux/thread.c): each compartment has
   * an FS base, which the gates load with WRFSBASE where Linux allows it.
   * Here both are this thread's own TLS: the same instructions, and net's
   * callee needs no TLS of its own. */
  if (use_pku && (getauxval(AT_HWCAP2) & 2)) /* HWCAP2_FSGSBASE */
    tcb.fs_base[APP] = tcb.fs_base[NET] = (uint64_t)(uintptr_t)__builtin_thread_pointer();
  printf("fs base switch in the gate: %s\n", tcb.fs_base[NET] ? "yes (WRFSBASE)" : "no");
  return set_gs_base() ? (use_pku ? SKIP : 1) : 0;
}

void __flexos_shared_stack_overflow(void) {
  fprintf(stderr, PROG ": shared stack overflow\n");
  abort();
}

/* ---- self-checks -------------------------------------------------------- */

static volatile int fault_code = -1;

/* A fault inside bench_probe_read resumes at bench_probe_read_fault; the
 * signal return restores the PKRU of the interrupted code.  Any other
 * fault is a real crash: restore the default action and re-fault. */
static void on_segv(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  (void)sig;
  if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)(uintptr_t)bench_probe_read) {
    fault_code = si->si_code;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)bench_probe_read_fault;
    return;
  }
  signal(SIGSEGV, SIG_DFL);
}

static uint32_t rdpkru(void) {
  uint32_t eax, edx;
  __asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
  return eax;
}

/* Proves that the MPK gate switches domains; returns 0 or 1. */
static int check_gate(void) {
  long page = sysconf(_SC_PAGESIZE);
  struct bench_probe p = bench_gate_probe();
  uint64_t lo = (uint64_t)(uintptr_t)net_mem.base + 2 * page;
  uint64_t hi = (uint64_t)(uintptr_t)net_mem.base + net_mem.size;
  struct sigaction sa;
  long v;
  if (p.pkru != FLEXOS_PKRU(NET, 0) || p.rsp < lo || p.rsp >= hi) {
    fprintf(stderr, PROG ": self-check failed: callee ran with PKRU 0x%llx "
            "on stack 0x%llx; expected PKRU 0x%x on net's stack [0x%llx, "
            "0x%llx)\n", (unsigned long long)p.pkru,
            (unsigned long long)p.rsp, FLEXOS_PKRU(NET, 0),
            (unsigned long long)lo, (unsigned long long)hi);
    return 1;
  }
  if (rdpkru() != FLEXOS_PKRU(APP, 1)) {
    fprintf(stderr, PROG ": self-check failed: PKRU after the gate is "
            "0x%x, expected 0x%x\n", rdpkru(), FLEXOS_PKRU(APP, 1));
    return 1;
  }
  if ((v = bench_gate_fn6(1, 2, 3, 4, 5, 6)) != 21) {
    fprintf(stderr, PROG ": self-check failed: 6-arg gate returned %ld, "
            "expected 21\n", v);
    return 1;
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, NULL) != 0) {
    fprintf(stderr, PROG ": sigaction: %s\n", strerror(errno));
    return 1;
  }
  v = bench_probe_read(net_mem.base + page);
  signal(SIGSEGV, SIG_DFL);
  if (v != -1 || fault_code != SEGV_PKUERR) {
    fprintf(stderr, PROG ": self-check failed: app read net's data (got "
            "%ld, fault code %d); expected a SEGV_PKUERR fault\n", v,
            fault_code);
    return 1;
  }
  printf("self-check: callee ran with PKRU 0x%08llx on net's stack; back "
         "in app with PKRU 0x%08x; app reading net data -> SEGV_PKUERR\n",
         (unsigned long long)p.pkru, rdpkru());
  return 0;
}

/* Checks the shared-local function: result and restored top. */
static int check_shared(void) {
  struct flexos_shared_stack *ss = (void *)(uintptr_t)tcb.shared_stack;
  uint64_t top = ss->top;
  long v = bench_shared_local(41);
  if (v != 42 || ss->top != top) {
    fprintf(stderr, PROG ": self-check failed: shared local returned %ld "
            "(expected 42), top 0x%llx -> 0x%llx\n", v,
            (unsigned long long)top, (unsigned long long)ss->top);
    return 1;
  }
  return 0;
}

/* ---- timing ------------------------------------------------------------- */

/* Runs n round trips of `step` and returns the TSC ticks they took.  The
 * result of each step feeds the next one, so the loop measures latency.
 * Always inlined with a constant `step`, so each loop below compiles to
 * its own direct calls: no indirect call is timed. */
static inline __attribute__((always_inline)) uint64_t
timed_loop(unsigned n, long (*step)(long acc, unsigned i)) {
  long acc = 0;
  uint64_t t0 = tsc_begin();
  for (unsigned i = 0; i < n; i++)
    acc = step(acc, i);
  uint64_t t1 = tsc_end();
  sink = acc;
  return t1 - t0;
}

static inline long step_empty(long acc, unsigned i) {
  (void)i;
  __asm__ volatile("" : "+r"(acc));
  return acc;
}
static inline long step_plain(long acc, unsigned i) {
  (void)i;
  return acc + bench_fn0();
}
static inline long step_direct0(long acc, unsigned i) {
  (void)i;
  return acc + flexos_gate(net, bench_fn0);
}
static inline long step_direct6(long acc, unsigned i) {
  return flexos_gate(net, bench_fn6, acc, i, 2, 3, 4, 5);
}
static inline long step_pku0(long acc, unsigned i) {
  (void)i;
  return acc + bench_gate_fn0();
}
static inline long step_pku6(long acc, unsigned i) {
  return bench_gate_fn6(acc, i, 2, 3, 4, 5);
}
static inline long step_switch(long acc, unsigned i) {
  (void)i;
  bench_switch_pair();
  __asm__ volatile("" : "+r"(acc));
  return acc;
}
static inline long step_shared(long acc, unsigned i) {
  (void)i;
  return bench_shared_local(acc);
}

static uint64_t loop_empty(unsigned n) { return timed_loop(n, step_empty); }
static uint64_t loop_plain(unsigned n) { return timed_loop(n, step_plain); }
static uint64_t loop_direct0(unsigned n) { return timed_loop(n, step_direct0); }
static uint64_t loop_direct6(unsigned n) { return timed_loop(n, step_direct6); }
static uint64_t loop_pku0(unsigned n) { return timed_loop(n, step_pku0); }
static uint64_t loop_pku6(unsigned n) { return timed_loop(n, step_pku6); }
static uint64_t loop_switch(unsigned n) { return timed_loop(n, step_switch); }
static uint64_t loop_shared(unsigned n) { return timed_loop(n, step_shared); }

enum need { NEED_NOTHING, NEED_GS, NEED_PKU };

struct row {
  const char *name;
  uint64_t (*loop)(unsigned n);
  enum need need;
  double *ticks; /* per-sample ticks per round trip */
  int measured;
};

static struct row rows[] = {
    {"loop overhead (no call)", loop_empty, NEED_NOTHING, NULL, 0},
    {"plain call, 0 args", loop_plain, NEED_NOTHING, NULL, 0},
    {"intra-compartment gate (direct call), 0 args", loop_direct0,
     NEED_NOTHING, NULL, 0},
    {"intra-compartment gate (direct call), 6 args", loop_direct6,
     NEED_NOTHING, NULL, 0},
    {"MPK gate app->net, 0 args", loop_pku0, NEED_PKU, NULL, 0},
    {"MPK gate app->net, 6 args", loop_pku6, NEED_PKU, NULL, 0},
    {"  of which: 2 PKRU switches (call+2 WRPKRU)", loop_switch, NEED_PKU,
     NULL, 0},
    {"call with one shared local (alloc+free)", loop_shared, NEED_GS, NULL,
     0},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))
#define PLAIN_ROW 1

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Value at quantile q of sorted v[0..n). */
static double quantile(const double *v, unsigned n, double q) {
  return v[(unsigned)(q * (n - 1) + 0.5)];
}

/* Samples every measurable row round-robin, after a warm-up. */
static int measure(unsigned samples, unsigned batch, int have_gs) {
  unsigned s, r;
  for (r = 0; r < NROWS; r++) {
    rows[r].measured = rows[r].need == NEED_NOTHING ||
                       (rows[r].need == NEED_GS && have_gs) ||
                       (rows[r].need == NEED_PKU && use_pku && have_gs);
    if (!rows[r].measured)
      continue;
    rows[r].ticks = calloc(samples, sizeof(double));
    if (!rows[r].ticks) {
      fprintf(stderr, PROG ": out of memory for %u samples\n", samples);
      return 1;
    }
    for (s = 0; s < 100; s++)
      rows[r].loop(batch);
  }
  for (s = 0; s < samples; s++)
    for (r = 0; r < NROWS; r++)
      if (rows[r].measured)
        rows[r].ticks[s] = (double)rows[r].loop(batch) / batch;
  for (r = 0; r < NROWS; r++)
    if (rows[r].measured)
      qsort(rows[r].ticks, samples, sizeof(double), cmp_double);
  return 0;
}

static void report(unsigned samples, unsigned batch, const char *why_not) {
  double plain = quantile(rows[PLAIN_ROW].ticks, samples, 0.5);
  unsigned r;
  printf("%-46s %8s %8s %8s %9s\n", "path (TSC ticks per round trip)",
         "median", "p10", "p90", "x plain");
  for (r = 0; r < NROWS; r++) {
    const double *t = rows[r].ticks;
    if (!rows[r].measured) {
      printf("%-46s not measured (%s)\n", rows[r].name, why_not);
      continue;
    }
    printf("%-46s %8.1f %8.1f %8.1f %9.2f\n", rows[r].name,
           quantile(t, samples, 0.5), quantile(t, samples, 0.1),
           quantile(t, samples, 0.9), quantile(t, samples, 0.5) / plain);
  }
  printf("%u samples x %u round trips per row; ratios against the plain "
         "call of this run\n", samples, batch);
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f,
          "usage: " PROG " [--no-pku] [--samples N] [--batch N]\n"
          "Times plain calls, direct (intra-compartment) gates, the\n"
          "intel-pku gate of gates/pku_gate.inc and a shared-local\n"
          "allocation with the TSC.  --no-pku skips the rows that execute\n"
          "WRPKRU.  Exit 77 (skip) when the CPU has no protection keys.\n");
}

/* Parses a decimal in [lo, hi]; returns 0 or -1. */
static int parse_uint(const char *opt, const char *s, unsigned lo,
                      unsigned hi, unsigned *out) {
  char *end;
  unsigned long v;
  errno = 0;
  v = strtoul(s ? s : "", &end, 10);
  if (!s || !*s || *end || errno || v < lo || v > hi) {
    fprintf(stderr, PROG ": error: %s needs a number in [%u, %u]\n", opt, lo,
            hi);
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}

/* Keeps the measurement on the CPU it started on. */
static int pin_cpu(void) {
  cpu_set_t set;
  int cpu = sched_getcpu();
  if (cpu < 0)
    return -1;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0 ? cpu : -1;
}

int main(int argc, char **argv) {
  unsigned samples = 2001, batch = 256;
  int i, rc, cpu, have_gs;
  const char *why_not;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--no-pku")) {
      use_pku = 0;
    } else if (!strcmp(argv[i], "--samples")) {
      if (parse_uint("--samples", argv[++i < argc ? i : 0], 11, 1000000,
                     &samples))
        return 2;
    } else if (!strcmp(argv[i], "--batch")) {
      if (parse_uint("--batch", argv[++i < argc ? i : 0], 1, 1000000,
                     &batch))
        return 2;
    } else {
      fprintf(stderr, PROG ": error: unknown argument %s; see --help\n",
              argv[i]);
      return 2;
    }
  }
  rc = setup();
  if (rc == SKIP || (rc && use_pku))
    return rc;
  have_gs = rc == 0;
  why_not = use_pku ? "" : "--no-pku: WRPKRU rows skipped";
  if (!have_gs)
    why_not = "no GS base, see above";
  if (use_pku && check_gate())
    return 1;
  if (have_gs && check_shared())
    return 1;
  cpu = pin_cpu();
  printf(PROG ": %s, cpu %d%s\n",
         use_pku ? "intel-pku gates (keys 1, 2, 15)" : "--no-pku", cpu,
         cpu < 0 ? " (not pinned)" : " (pinned)");
  if (measure(samples, batch, have_gs))
    return 1;
  report(samples, batch, why_not);
  return 0;
}
