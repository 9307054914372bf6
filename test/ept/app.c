/*
 * FILE: test/ept/app.c
 * DESCRIPTION:
 *   Library "app" (default compartment, runs main) of the vm-ept test.
 *   argv[1] picks the check; what each must print and its exit status are
 *   written once, in CMakeLists.txt (ept_test).  Every failed check here
 *   prints a "WRONG ..." line; a mode that passes prints "ept: MODE ok".
 *     functional   gates in every direction with 0 and 10 arguments,
 *                  nested callbacks (app->net->app->...) and chains
 *                  (app->net->crypto->app), shared locals and globals;
 *     fault        net reads app's private global (the monitor must
 *                  report it and stop the run);
 *     forge        hand-made RPC requests: an identifier nobody exports,
 *                  one exported by another compartment, a wrong argument
 *                  count, a pointer into app's private memory, and
 *                  thread starts at data instead of code; each must be
 *                  refused (result ~0, state ERROR);
 *     park         main waits with no deadline and nothing that could
 *                  wake it (the monitor must say so, not hang);
 *     netdev-own   registers rings in app's own memory (refused: the
 *                  device is the network driver's rings, by symbol);
 *     netdev-shared  registers the monitor's network device on a shared
 *                  page (the monitor must refuse: a device's rings
 *                  belong to one compartment);
 *     bench N      cycles per null hypercall and per gate round trip;
 *     badport      an OUT to a port nothing emulates (the monitor must
 *                  name the VM, compartment, RIP and the reason);
 *     halt         main halts with interrupts off (no thread can run);
 *     callee-exit  net tries to end the run with status 0;
 *     attack K     net attacks the core of its own VM (net.c, net_attack):
 *                  each caught there, status 5;
 *     fiber-thread app asks the fiber service to run one of its threads,
 *                  which is no fiber (refused, status 5).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <flexos/service.h>
#include <flexos/x86.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "three.h"

long app_secret = 0x5ec2e7; /* private to app's VM */
static int wrong;

long app_callback(long depth) {
  if (depth <= 0)
    return 100;
  return 10 + flexos_gate(net, net_call_back, depth - 1);
}

long app_sum10(long a, long b, long c, long d, long e, long f, long g, long h,
               long i, long j) {
  return a + b + c + d + e + f + g + h + i + j;
}

long app_leaf(long x) { return x + app_secret - 0x5ec2e7 + 1000; }

long app_sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
  return a + b + c + d + e + f + g + h;
}

static void check(const char *what, long got, long want) {
  if (got != want) {
    printf("WRONG %s: got %ld, want %ld\n", what, got, want);
    wrong++;
  } else {
    printf("ok %s = %ld\n", what, got);
  }
}

static void idle_thread(void *arg) { (void)arg; }

static int functional(void) {
  check("app->net 0 args", flexos_gate(net, net_zero), 1);
  check("app->crypto 0 args", flexos_gate(crypto, crypto_zero), 7);
  check("app->net 10 args",
        flexos_gate(net, net_sum10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 385);
  check("app->crypto->app 10 args",
        flexos_gate(crypto, crypto_sum10, 1, 2, 3, 4, 5, 6, 7, 8, 9, -10), 36);
  check("app->crypto 3 args", flexos_gate(crypto, crypto_sum3, 10, 4, 1), 7);
  check("crypto->net 6 args", flexos_gate(crypto, crypto_to_net6, 7), 56);
  check("net->app 8 args", flexos_gate(net, net_to_app8, 1), 36);
  check("net->crypto", flexos_gate(net, net_via_crypto, 5), 17);
  check("crypto->net", flexos_gate(crypto, crypto_via_net, 100), 102);
  /* With crypto polling, its callback into app, which waits for net in
   * the monitor (another host thread's call chain), is refused: crypto
   * gets ~0, so net_chain returns (-1 + 5) * 2 (docs/vm.md). */
  if (flexos_image_config.comp[2].polling)
    check("app->net->crypto->app refused while app waits in the monitor",
          flexos_gate(net, net_chain, 1), 8);
  else
    check("app->net->crypto->app", flexos_gate(net, net_chain, 1), 2012);
  /* depth 5: app->net->app->net->app->net */
  check("callbacks depth 5", flexos_gate(net, net_call_back, 5), 123);
  char word[16] __flexos_share;
  strcpy(word, "flexos");
  long h = 0;
  for (const char *s = word; *s; s++)
    h = h * 31 + *s;
  check("shared local read by net", flexos_gate(net, net_hash, word), h);
  char *buf = flexos_malloc_shared(64);
  check("shared heap written by net", flexos_gate(net, net_fill, buf, 64), 64);
  check("net's bytes visible", buf[0] == 'n' && buf[63] == 'n', 1);
  flexos_free_shared(buf);
  check("shared global", flexos_gate(net, net_bump_shared), 41);
  check("shared global seen by app", shared_counter, 41);
  check("refusals", (long)flexos_ept_refused(), 0);
  printf(wrong ? "ept: functional FAILED\n" : "ept: functional ok\n");
  return wrong ? 1 : 0;
}

/* Send a request by hand, as a compromised compartment could. */
static uint64_t forge(uint64_t fn_id, uint32_t dst, uint32_t nargs,
                      uint64_t arg0, uint64_t arg1) {
  struct flexos_rpc_slot *s = flexos_malloc_shared(sizeof(*s));
  memset(s, 0, sizeof(*s));
  s->fn_id = fn_id;
  s->dst = dst;
  s->nargs = nargs;
  s->args[0] = arg0;
  s->args[1] = arg1;
  __flexos_ept_call(s);
  uint64_t r = s->state == FLEXOS_RPC_STATE_ERROR ? s->ret[0] : 0;
  flexos_free_shared(s);
  return r;
}

static int forged(void) {
  static char private_buf[64]; /* app's own memory */
  check("unknown identifier refused",
        (long)forge(flexos_fn_id("system"), 1, 0, 0, 0), -1);
  check("crypto's function sent to net refused",
        (long)forge(flexos_fn_id("crypto_zero"), 1, 0, 0, 0), -1);
  check("wrong argument count refused",
        (long)forge(flexos_fn_id("net_fill"), 1, 1, 0, 0), -1);
  check("private pointer refused",
        (long)forge(flexos_fn_id("net_fill"), 1, 2, (uint64_t)private_buf, 64), -1);
  check("thread start at data refused",
        (long)forge(FLEXOS_EPT_THREAD_START_ID, 1, 3, (uint64_t)private_buf, 0), -1);
  check("thread start with 2 arguments refused",
        (long)forge(FLEXOS_EPT_THREAD_START_ID, 2, 2, (uint64_t)forged, 0), -1);
  check("thread start from net refused",
        flexos_gate(net, net_forge_thread_start), -1);
  check("app's secret intact", app_secret, 0x5ec2e7);
  check("private buffer untouched", private_buf[0], 0);
  /* A well-formed request still works afterwards. */
  check("valid call after forgeries", flexos_gate(net, net_sum10, 1, 1, 1, 1,
                                                  1, 1, 1, 1, 1, 1), 55);
  printf(wrong ? "ept: forge FAILED\n" : "ept: forge ok\n");
  return wrong ? 1 : 0;
}

/* A call the compiler cannot inline or drop. */
__attribute__((noinline)) long plain_call(long x) {
  __asm__ volatile("" : "+r"(x));
  return x + 1;
}

static int bench(int n) {
  uint64_t tp = rdtsc_ordered();
  long acc = 0;
  for (int i = 0; i < n; i++)
    acc += plain_call(i);
  uint64_t t0 = rdtsc_ordered();
  printf("bench: plain-call %lu cycles (%ld)\n", (t0 - tp) / n, acc & 1);
  for (int i = 0; i < n; i++)
    flexos_ept_null_hypercall();
  uint64_t t1 = rdtsc_ordered();
  for (int i = 0; i < n; i++)
    flexos_gate(net, net_zero);
  uint64_t t2 = rdtsc_ordered();
  for (int i = 0; i < n; i++)
    flexos_gate(crypto, crypto_zero);
  uint64_t t3 = rdtsc_ordered();
  printf("bench: null-hypercall %lu cycles\n", (t1 - t0) / n);
  printf("bench: gate-to-net %lu cycles\n", (t2 - t1) / n);
  printf("bench: gate-to-crypto %lu cycles\n", (t3 - t2) / n);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "functional";
  if (!strcmp(mode, "functional"))
    return functional();
  if (!strcmp(mode, "fault")) {
    printf("ept: net reads app's private memory\n");
    long v = flexos_gate(net, net_read_app_secret);
    printf("WRONG: net read app's secret 0x%lx\n", v);
    return 1;
  }
  if (!strcmp(mode, "forge"))
    return forged();
  if (!strcmp(mode, "callee-exit")) {
    flexos_gate(net, net_exit_success);
    printf("WRONG: net's exit returned\n");
    return 1;
  }
  if (!strcmp(mode, "badport")) {
    outb(0x80, 0x42);
    printf("WRONG: the monitor ignored a write to port 0x80\n");
    return 1;
  }
  if (!strcmp(mode, "halt")) {
    __asm__ volatile("cli; hlt");
    printf("WRONG: resumed after hlt\n");
    return 1;
  }
  if (!strcmp(mode, "park")) {
    flexos_thread_park(0); /* no deadline, nobody to unpark us */
    printf("WRONG: woke up from a park nobody ends\n");
    return 1;
  }
  if (!strcmp(mode, "netdev-own")) {
    static __attribute__((aligned(4096))) char rings[sizeof(struct flexos_pvnet)];
    outl(FLEXOS_PVNET_PORT_SETUP, (uint32_t)(uintptr_t)rings);
    printf("WRONG: the monitor took app's own memory as the network device\n");
    return 1;
  }
  if (!strcmp(mode, "netdev-shared")) {
    char *page = flexos_malloc_shared(2 * 4096);
    uintptr_t aligned = ((uintptr_t)page + 4095) & ~(uintptr_t)4095;
    outl(FLEXOS_PVNET_PORT_SETUP, (uint32_t)aligned);
    printf("WRONG: the monitor took a network device on a shared page\n");
    return 1;
  }
  if (!strcmp(mode, "fiber-thread")) {
    /* One of app's own threads, which is no fiber: the fiber service
     * must refuse to run it out of turn. */
    struct flexos_thread *t = flexos_thread_create(idle_thread, 0);
    flexos_service_call(FLEXOS_SVC_FIBER_SWITCH, (uint64_t)(uintptr_t)t, 0, 0, 0);
    printf("WRONG: switched to thread %p as a fiber\n", (void *)t);
    return 1;
  }
  if (!strcmp(mode, "attack") && argc > 2) {
    long r = flexos_gate(net, net_attack, atol(argv[2]));
    printf("WRONG: net's attack %s returned %ld\n", argv[2], r);
    return 1;
  }
  if (!strcmp(mode, "bench"))
    return bench(argc > 2 ? atoi(argv[2]) : 1000);
  printf("ept: unknown mode %s\n", mode);
  return 1;
}
