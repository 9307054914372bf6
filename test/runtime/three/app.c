/*
 * FILE: test/runtime/three/app.c
 * DESCRIPTION:
 *   Library `app` (default compartment): main drives the three-compartment
 *   tests.  With no argument it runs the functional checks (gates in every
 *   direction with 0, 6, 8 and 10 arguments, nested callbacks, shared
 *   globals, shared locals, heaps, threads interleaving live gates) and
 *   prints "three: functional ok" -- the same lines under none and
 *   intel-pku.  With one argument it runs an isolation check:
 *     read-global write-global read-heap write-heap read-stack write-stack
 *       fs touches net's memory; intel-pku must fault (from=fs touched=net)
 *     gate-middle  jump past a gate's WRPKRU check; must fault on net's slot
 *     irq-gate     gates taken by a timer hook in interrupt context
 *     scrub        registers across a gate carry nothing of the other side
 *     ud           an invalid opcode in fs is reported as coming from fs
 * License: MIT (see LICENSE)
 */
#include <flexos/runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "three.h"

__flexos_share long shared_counter;
__flexos_share int *shared_victim_heap;
__flexos_share int *shared_victim_stack;

static int failures;

#define EXPECT_EQ(what, got, want)                                         \
  do {                                                                     \
    long g_ = (got), w_ = (want);                                          \
    printf("%-28s %s (got %ld)\n", what, g_ == w_ ? "ok" : "WRONG", g_);   \
    failures += g_ != w_;                                                  \
  } while (0)

long app_triple(long x) { return 3 * x; }

long app_sum6(long a, long b, long c, long d, long e, long f) {
  return SUM_WEIGHTED(a, b, c, d, e, f);
}

long app_yield_then(long x) {
  flexos_thread_yield();
  return x + flexos_current_compartment();
}

static void check_arguments(void) {
  EXPECT_EQ("app->net 0 args", flexos_gate(net, net_const), 42);
  EXPECT_EQ("app->net 6 args", flexos_gate(net, net_sum6, 1, 2, 3, 4, 5, 6),
            SUM_WEIGHTED(1, 2, 3, 4, 5, 6));
  EXPECT_EQ("app->net 8 args",
            flexos_gate(net, net_sum8, 11, 12, 13, 14, 15, 16, 17, -18),
            SUM_WEIGHTED(11, 12, 13, 14, 15, 16, 17, -18));
  EXPECT_EQ("app->net 10 args",
            flexos_gate(net, net_sum10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1L << 40),
            SUM_WEIGHTED(1, 2, 3, 4, 5, 6, 7, 8, 9, 1L << 40));
  EXPECT_EQ("app->fs 6 args", flexos_gate(fs, fs_sum6, 6, 5, 4, 3, 2, 1),
            SUM_WEIGHTED(6, 5, 4, 3, 2, 1));
  EXPECT_EQ("app->fs 10 args",
            flexos_gate(fs, fs_sum10, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10),
            SUM_WEIGHTED(-1, -2, -3, -4, -5, -6, -7, -8, -9, -10));
  EXPECT_EQ("net->fs 10 args", flexos_gate(net, net_via_fs, 100),
            SUM_WEIGHTED(100, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_EQ("fs->net 8 args", flexos_gate(fs, fs_via_net, 100),
            SUM_WEIGHTED(100, 2, 3, 4, 5, 6, 7, 8));
}

static __attribute__((noinline)) long call_set_df(void) {
  return flexos_gate(net, net_set_df);
}

static void check_nesting(void) {
  EXPECT_EQ("app->net->app", flexos_gate(net, net_callback, 7), 22);
  EXPECT_EQ("app->net->app rsp mod 16", flexos_gate(net, net_callback_rsp), 8);
  /* Without keys the gate is a plain call and DF stays as net left it. */
  EXPECT_EQ("DF as the gate kind implies",
            app_df_after(call_set_df) == (flexos_pku_active() ? 0 : 1), 1);
  EXPECT_EQ("app->fs->app 6 args", flexos_gate(fs, fs_to_app, 10),
            SUM_WEIGHTED(10, 11, 12, 13, 14, 15));
  EXPECT_EQ("app->fs->net->app", flexos_gate(fs, fs_deep, 5), 32);
  long want_net = flexos_pku_active() ? 1 : 0, want_fs = flexos_pku_active() ? 2 : 0;
  EXPECT_EQ("net runs as net", flexos_gate(net, net_whoami) == want_net, 1);
  EXPECT_EQ("fs runs as fs", flexos_gate(fs, fs_whoami) == want_fs, 1);
  EXPECT_EQ("timer IRQs inside net", flexos_gate(net, net_wait_ticks, 3) == want_net, 1);
}

static void check_sharing(void) {
  shared_counter = 10;
  flexos_gate(net, net_bump);
  flexos_gate(fs, fs_bump);
  EXPECT_EQ("shared global", shared_counter, 12);
  __flexos_share char msg[32];
  memset(msg, 0, sizeof msg);
  long n = flexos_gate(net, net_fill, msg, (long)sizeof msg);
  EXPECT_EQ("shared local net writes", n, 15);
  EXPECT_EQ("shared local fs reads", flexos_gate(fs, fs_strlen, msg), 14);
  printf("shared local says: %s\n", msg);
  char *sh = flexos_malloc_shared(16);
  strcpy(sh, "via shared heap");
  EXPECT_EQ("shared heap fs reads", flexos_gate(fs, fs_strlen, sh), 15);
  flexos_free_shared(sh);
  EXPECT_EQ("net's own heap", flexos_gate(net, net_heap_roundtrip, 100), 4950);
  void *mine = malloc(32);
  EXPECT_EQ("app's own heap", mine != 0, 1);
  free(mine);
}

/* Two threads, each parked (yielded) inside a live app->net->app gate. */
static long thread_result[2];
static void gate_thread(void *arg) {
  long i = (long)arg;
  thread_result[i] = flexos_gate(net, net_yielding, 10 * (i + 1));
}

static void check_threads(void) {
  struct flexos_thread *a = flexos_thread_create(gate_thread, (void *)0);
  struct flexos_thread *b = flexos_thread_create(gate_thread, (void *)1);
  flexos_thread_join(a);
  flexos_thread_join(b);
  /* each saw the other thread's net call happen while it was parked */
  EXPECT_EQ("thread 1 across yield", thread_result[0], 1010);
  EXPECT_EQ("thread 2 across yield", thread_result[1], 20);
}

static int functional(void) {
  check_arguments();
  check_nesting();
  check_sharing();
  check_threads();
  if (failures)
    printf("three: %d functional check(s) FAILED\n", failures);
  else
    printf("three: functional ok\n");
  return failures ? 1 : 0;
}

/* ---- isolation checks (intel-pku) ------------------------------------ */

static const char *const attack_names[] = {"read-global", "write-global",
                                           "read-heap",   "write-heap",
                                           "read-stack",  "write-stack"};

/* fs touches net's memory; returning at all means isolation failed. */
static int attack(long kind) {
  long r;
  if (kind / 2 == 1)
    flexos_gate(net, net_publish_heap);
  if (kind / 2 == 2)
    r = flexos_gate(net, net_stack_victim, kind);
  else
    r = flexos_gate(fs, fs_attack, kind);
  printf("attack %s: NOT STOPPED (value %ld)\n", attack_names[kind], r);
  return 1;
}

/* Address of the MPK gate app->net->net_const that the plugin emitted
 * (scrub.S; 0 in the none build, which has no gates). */
extern const unsigned char *const gate_app_net_const_addr;

/* Enter the gate right after its first WRPKRU + check, still holding
 * app's PKRU: the next instruction loads net's stack from net's gate slot
 * and must fault there. */
static int gate_middle(void) {
  const unsigned char *gate = gate_app_net_const_addr, *p = gate;
  if (!p || !flexos_pku_active()) {
    printf("gate-middle: no MPK gate in this image\n");
    return 1;
  }
  for (int i = 0; i < 256; i++, p++)
    if (p[0] == 0x0f && p[1] == 0x01 && p[2] == 0xef)
      break; /* wrpkru */
  if (p[3] != 0x3d || p[8] != 0x75) { /* cmp $imm32, %eax; jne rel8 */
    printf("gate-middle: unexpected gate layout\n");
    return 1;
  }
  long (*past_check)(void) = (long (*)(void))(p + 10);
  printf("gate-middle: jumping to gate+%ld with app's PKRU\n",
         (long)(p + 10 - gate));
  long r = past_check();
  printf("gate-middle: NOT STOPPED (value %ld)\n", r);
  return 1;
}

extern uint64_t scrub_seen[15 + 16];   /* probe.S, shared */
extern uint64_t scrub_after[14 + 16];  /* scrub.S, app */
long scrub_caller(long (*call)(void)); /* scrub.S */

static __attribute__((noinline)) long call_probe(void) {
  return flexos_gate(net, scrub_probe);
}

static int scrub(void) {
  static const char *const seen[] = {"rax", "rbx", "rcx", "rdx", "rsi",
                                     "rdi", "rbp", "r8",  "r9",  "r10",
                                     "r11", "r12", "r13", "r14", "r15"};
  static const char *const after[] = {"rcx", "rdx", "rsi", "rdi", "r8",
                                      "r9",  "r10", "r11"};
  int bad = 0;
  long r = scrub_caller(call_probe);
  for (int i = 0; i < 31; i++)
    if (scrub_seen[i]) {
      printf("scrub: callee saw %s%s = 0x%lx\n", i < 15 ? seen[i] : "xmm",
             i < 15 ? "" : "", scrub_seen[i]);
      bad++;
    }
  for (int i = 0; i < 30; i++) {
    int callee_saved = i >= 8 && i < 14;
    uint64_t want = callee_saved ? 0x3a7c3a7c3a7c3a7cull : 0;
    if (scrub_after[i] != want) {
      printf("scrub: caller got %s = 0x%lx after return\n",
             i < 8 ? after[i] : i < 14 ? "callee-saved" : "xmm", scrub_after[i]);
      bad++;
    }
  }
  printf("scrub: return value 0x%lx, %d leaked register(s)\n", r, bad);
  if (r != 0x5a5a || bad)
    return 1;
  printf("scrub: ok\n");
  return 0;
}

/* Gates taken from interrupt context: a timer hook (default compartment,
 * interrupt stack) gates into net, which the tick interrupted, and into
 * fs, which gates back into app. net checks that its interrupted frame
 * survived. */
static volatile long hook_failures;

static void on_tick(uint64_t tick) {
  long t = (long)tick;
  if (app_rsp_mod16() != 8) /* handlers get an ABI-aligned stack */
    hook_failures++;
  if (flexos_gate(net, net_on_tick, t) <= 0)
    hook_failures++;
  if (flexos_gate(fs, fs_on_tick, t) != 3 * t)
    hook_failures++;
}

static int irq_gate(void) {
  flexos_set_tick_hook(on_tick);
  long seen = flexos_gate(net, net_guarded_wait, 5);
  flexos_set_tick_hook(NULL);
  printf("irq-gate: %ld tick(s) gated into net while it ran, %ld failure(s)\n",
         seen, hook_failures);
  if (seen < 4 || hook_failures) {
    printf("irq-gate: FAILED (%s)\n",
           seen == -1   ? "net's frame was overwritten"
           : seen == -2 ? "net's xmm5 was clobbered"
                        : "hook failures or too few ticks");
    return 1;
  }
  printf("irq-gate: ok\n");
  return 0;
}

/* fs forges the shared allocators' state (shared memory) to make app's
 * next shared allocation land on app's private data. The runtime and the
 * compiled code must notice (a panic) instead of handing it out. */
_Alignas(16) static char app_private[64] = "app private data";

static __attribute__((noinline)) void use_shared_local(void) {
  char buf[64] __flexos_share;
  memset(buf, 0, sizeof buf);
  strcpy(buf, "OVERWRITTEN via the shared stack");
}

static int forge(const char *what) {
  if (!strcmp(what, "forge-shared-heap") ||
      !strcmp(what, "forge-shared-heap-anchor")) {
    if (!strcmp(what, "forge-shared-heap"))
      flexos_gate(fs, fs_forge_shared_heap, (long)app_private);
    else
      flexos_gate(fs, fs_forge_shared_heap_anchor, (long)app_private);
    char *b = flexos_malloc_shared(16);
    if (b)
      strcpy(b, "OVERWRITTEN via the shared heap");
  } else {
    flexos_gate(fs, fs_forge_shared_stack, (long)app_private);
    use_shared_local();
  }
  printf("%s: NOT STOPPED, app_private = \"%s\"\n", what, app_private);
  return 1;
}

int main(int argc, char **argv) {
  printf("three: %s, main in compartment %s\n",
         flexos_pku_active() ? "protection keys on" : "no isolation",
         flexos_compartment_name(flexos_current_compartment()));
  if (argc < 2)
    return functional();
  for (long k = 0; k < 6; k++)
    if (!strcmp(argv[1], attack_names[k]))
      return attack(k);
  if (!strcmp(argv[1], "gate-middle"))
    return gate_middle();
  if (!strcmp(argv[1], "scrub"))
    return scrub();
  if (!strcmp(argv[1], "irq-gate"))
    return irq_gate();
  if (!strcmp(argv[1], "forge-shared-heap") ||
      !strcmp(argv[1], "forge-shared-heap-anchor") ||
      !strcmp(argv[1], "forge-shared-stack"))
    return forge(argv[1]);
  if (!strcmp(argv[1], "ud")) {
    flexos_gate(fs, fs_undefined);
    printf("ud: NOT REPORTED\n");
    return 1;
  }
  printf("three: unknown check %s\n", argv[1]);
  return 1;
}
