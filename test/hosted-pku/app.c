/*
 * FILE: test/hosted-pku/app.c
 * DESCRIPTION:
 *   Library app (the default compartment) of the hosted three-compartment
 *   test: an ordinary Linux program whose net and fs libraries are
 *   isolated by protection keys (pku.yaml) or not (none.yaml).
 *     functional               gates with 8 arguments, a shared buffer,
 *                              heaps, 4 threads entering net and fs at
 *                              once, fork + exec from the default
 *                              compartment; prints "hosted: functional ok"
 *     OP-KIND-FROM-TO          OP read|write, KIND global|heap|stack, FROM
 *                              and TO app|net|fs: FROM touches TO's memory;
 *                              must end in a fault report (status 3)
 *     fnptr                    net calls fs's function through a pointer
 *                              (no entry point reachable from net): the
 *                              checked indirect call refuses it (status 4)
 *     shared-overflow          flexos_share locals beyond the shared stack:
 *                              stopped with a report (status 3)
 *     fnptr-raw                the same call from inline assembly, which
 *                              no check sees: fs's code runs with net's
 *                              key and faults (status 3)
 *     gate-middle              app jumps past the WRPKRU check of its gate
 *                              to net: the load of net's stack faults
 *     cross-free               fs frees net's heap block: refused
 *     fault-entry-jump         net jumps to the fault handler's entry,
 *                              which opens every key: the process ends
 *     record-entry-jump        net calls record mode's fault entry (which
 *                              opens every key) without record mode: stopped
 *     die-entry-status         net calls the report-and-exit entry asking
 *                              for exit status 0: it still fails (3)
 *     signals                  SIGUSR1 keeps arriving while net (main
 *                              thread) and fs (a second thread) compute:
 *                              the handler runs in app with app's rights
 *                              and system calls, both resume with theirs
 *     syscall-NAME             net makes a system call (getppid,
 *                              mprotect, pkey-mprotect, mmap, munmap,
 *                              proc-mem, process-vm-writev, libc-write,
 *                              int80, prctl-off, clone): stopped
 *     sigreturn-raw            net returns from a forged signal frame
 *     sigreturn-site           the same at the runtime's sigreturn site
 *     gate-fuzz [SEED [N]]     N gates with random arguments and random
 *                              garbage in the other registers
 *     undeliverable            net runs with its stack in app's memory
 *                              when SIGUSR1 comes: the report says why
 *     altstack-fault           app sets its own sigaltstack, then net
 *                              reads fs's global: still reported
 *     signal-handler-fault     app's SIGUSR2 handler reads net's global:
 *                              the fault report, not a silent death
 *     signal-entry-jump        net calls the signal entry
 *     signal-entry-middle      net jumps onto its WRPKRU (eax = 0)
 *     signal-entry-drop        net jumps onto its second WRPKRU with the
 *                              default compartment's PKRU
 *   Anything that should have been stopped and was not prints
 *   "NOT STOPPED" and exits 1.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <flexos.h>
#include <flexos/runtime.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "three.h"

long app_secret = 0xa55;
static char shared_buf[64] __attribute__((flexos_share));

#ifndef NTHREADS
#define NTHREADS 4
#endif

static int failures;

static void expect(const char *what, long got, long want) {
  printf("%-30s %s (got %ld)\n", what, got == want ? "ok" : "WRONG", got);
  failures += got != want;
}

static void *worker(void *arg) {
  long id = (long)arg, sum = 0, want = 0;
  for (long i = 0; i < 2000; i++) {
    sum += flexos_gate(net, net_work, i) + flexos_gate(fs, fs_work, i);
    want += 2 * (i * 3) + 0x5ec2e7 % 7 * 2;
  }
  if (flexos_gate(net, net_tls) != 1) /* a thread-local of this thread's own */
    return (void *)-1;
  return (void *)(sum == want ? id : -1);
}

/* This thread's gate slot for compartment i (its TCB at %gs, docs/abi.md):
 * 0 until its first gate out of app creates its compartment stacks. */
static long gate_slot_of(int i) {
  long v;
  __asm__ volatile("movq %%gs:0x20(,%1,8), %0" : "=r"(v) : "r"((long)i));
  return v;
}

static void *stays_in_app(void *arg) {
  (void)arg;
  long before = gate_slot_of(1);
  flexos_gate(net, net_work, 1);
  return (void *)(long)(before == 0 && gate_slot_of(1) != 0 && gate_slot_of(2) != 0);
}

static int functional(const char *self) {
  expect("gate with 8 arguments", flexos_gate(net, net_sum8, 1, 2, 3, 4, 5, 6, 7, 8), 204);
  expect("shared buffer", flexos_gate(net, net_fill, shared_buf, 16), 16);
  expect("net wrote the shared buffer", shared_buf[15], 'n');
  long *mine = malloc(sizeof *mine);
  *mine = 5;
  expect("app's own heap", *mine, 5);
  free(mine);
  expect("net's heap block (read in net)",
         flexos_gate(net, net_peek, flexos_gate(net, net_heap_addr)), 42);
  expect("fs's global (read in fs)",
         flexos_gate(fs, fs_peek, flexos_gate(fs, fs_global_addr)), 0x5ec2e7);
  expect("libc's argument-only functions in net", flexos_gate(net, net_libc_pure), 1);
  errno = 77;
  expect("net's errno and thread-local", flexos_gate(net, net_tls), 1);
  expect("net's thread-local, again", flexos_gate(net, net_tls), 2);
  if (flexos_pku_active()) /* under none, net's errno is app's */
    expect("app's errno untouched by net's", errno, 77);
  if (flexos_pku_active()) {
    pthread_t lazy;
    void *r = 0;
    pthread_create(&lazy, 0, stays_in_app, 0);
    pthread_join(lazy, &r);
    expect("compartment stacks come with the first gate", (long)r, 1);
  }
  pthread_t t[NTHREADS];
  for (long i = 0; i < NTHREADS; i++)
    if (pthread_create(&t[i], 0, worker, (void *)i) != 0)
      expect("pthread_create", -1, 0);
  for (long i = 0; i < NTHREADS; i++) {
    void *r;
    pthread_join(t[i], &r);
    expect("thread entering net and fs", (long)r, i);
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl(self, self, "child", (char *)0);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  expect("fork + exec from app", WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
  if (flexos_pku_active()) {
    /* PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF: the filter says no */
    long rc = prctl(59, 0, 0, 0, 0);
    expect("app cannot turn syscall dispatch off", rc == -1 && errno == EPERM, 1);
  }
  printf("hosted: functional %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}

static long addr_of(const char *kind, const char *to) {
  static long app_local = 3;
  if (!strcmp(to, "app")) {
    if (!strcmp(kind, "global"))
      return (long)&app_secret;
    if (!strcmp(kind, "heap")) {
      long *p = malloc(64);
      *p = 9;
      return (long)p;
    }
    return (long)&app_local;
  }
  if (!strcmp(to, "net"))
    return !strcmp(kind, "global") ? flexos_gate(net, net_global_addr)
           : !strcmp(kind, "heap") ? flexos_gate(net, net_heap_addr)
                                   : flexos_gate(net, net_stack_addr);
  return !strcmp(kind, "global") ? flexos_gate(fs, fs_global_addr)
         : !strcmp(kind, "heap") ? flexos_gate(fs, fs_heap_addr)
                                 : flexos_gate(fs, fs_stack_addr);
}

static int attack(const char *op, const char *kind, const char *from, const char *to) {
  long addr = addr_of(kind, to);
  if (!strcmp(kind, "stack") && !strcmp(to, "app")) {
    volatile long local = 3; /* the main thread's own stack */
    addr = (long)&local;
  }
  int write = !strcmp(op, "write");
  printf("attack: %s in %s touches %s's %s at %#lx\n", op, from, to, kind, addr);
  fflush(stdout);
  long v = 0;
  if (!strcmp(from, "app"))
    v = write ? (*(volatile long *)addr = 1) : *(volatile long *)addr;
  else if (!strcmp(from, "net"))
    v = write ? flexos_gate(net, net_poke, addr) : flexos_gate(net, net_peek, addr);
  else
    v = write ? flexos_gate(fs, fs_poke, addr) : flexos_gate(fs, fs_peek, addr);
  printf("attack: NOT STOPPED (value %ld)\n", v);
  return 1;
}

/* The app->net gate instance of net_global_addr, emitted by the pass. */
extern const unsigned char __flexos_gate_app_net[] __asm__("__flexos_pku_gate.app.net.net_global_addr")
    __attribute__((weak));

static int gate_middle(void) {
  (void)flexos_gate(net, net_work, 1); /* this thread now has its net stack */
  const unsigned char *p = __flexos_gate_app_net;
  if (!p) {
    printf("gate-middle: no MPK gate in this program\n");
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
  printf("gate-middle: jumping to gate+%ld with app's PKRU\n", (long)(p + 10 - __flexos_gate_app_net));
  fflush(stdout);
  long r = past_check();
  printf("gate-middle: NOT STOPPED (value %ld)\n", r);
  return 1;
}

/* ---- signals while compartments run ------------------------------------ */

static long seen[2] __attribute__((flexos_share)); /* per thread, by the handler */
static long handled_in_app;                        /* key 0: app's rights only */
static long handler_failures;
static pthread_t main_thread;
static volatile int spinning_done;
static pid_t parent_pid;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
  (void)si;
  (void)uc;
  int saved = errno;
  handled_in_app++; /* a write to key 0: faults outside app's rights */
  if (sig != SIGUSR1 || getppid() != parent_pid) /* a system call */
    handler_failures++;
  seen[pthread_equal(pthread_self(), main_thread) ? 0 : 1]++;
  errno = saved;
}

static volatile int fs_done; /* the signaller stops signalling fs then */

static void *fs_spinner(void *arg) {
  (void)arg;
  long r = flexos_gate(fs, fs_spin, &seen[1], 20l, (long)flexos_pku_active());
  fs_done = 1;
  return (void *)r;
}

static void *signaller(void *arg) {
  pthread_t fs_thread = *(pthread_t *)arg;
  for (int i = 0; i < 200000 && !spinning_done; i++) {
    pthread_kill(main_thread, SIGUSR1);
    if (!fs_done)
      pthread_kill(fs_thread, SIGUSR1);
    usleep(500);
  }
  return 0;
}

static int signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  expect("sigaction", sigaction(SIGUSR1, &sa, 0), 0);
  struct sigaction back;
  sigaction(SIGUSR1, 0, &back);
  expect("sigaction gives back the application's handler", back.sa_sigaction == on_usr1, 1);
  main_thread = pthread_self();
  parent_pid = getppid();
  pthread_t fs_thread, sender;
  void *fs_result;
  pthread_create(&fs_thread, 0, fs_spinner, 0);
  pthread_create(&sender, 0, signaller, &fs_thread);
  long net_result = flexos_gate(net, net_spin, &seen[0], 20l, (long)flexos_pku_active());
  pthread_join(fs_thread, &fs_result);
  spinning_done = 1;
  pthread_join(sender, 0);
  expect("net computed through signals, its PKRU intact", net_result > 0, 1);
  expect("fs computed through signals, its PKRU intact", (long)fs_result > 0, 1);
  expect("handler ran in app with system calls", handler_failures, 0);
  printf("signals: net thread saw %ld, fs thread saw %ld, app handled %ld\n", seen[0], seen[1],
         handled_in_app);
  printf("hosted: signals %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}

/* ---- gate fuzzer ----------------------------------------------------------
 * Random arguments and random garbage in every register a gate does not
 * take: the callee must see its arguments and nothing else (net_leak), run
 * with its own rights (net_mix), reach a third compartment and come back
 * (net_relay); the caller must get its callee-saved registers back and its
 * own PKRU after every gate. */

/* Calls fn(args[0..5]) with rbx, rbp, r12-r15, r10, r11 and xmm8-15 loaded
 * from garbage[0..15]; after the call, stores rbx, rbp, r12-r15 (which the
 * gate must have kept) into garbage[16..21].  Returns fn's result. */
__attribute__((naked)) static long call_with_garbage(long (*fn)(long, long, long, long, long, long),
                                                    const long *args, long *garbage) {
  __asm__("pushq %rbx\n\t"
          "pushq %rbp\n\t"
          "pushq %r12\n\t"
          "pushq %r13\n\t"
          "pushq %r14\n\t"
          "pushq %r15\n\t"
          "pushq %rdx\n\t" /* garbage, for after the call; keeps rsp aligned */
          "movq %rdi, %rax\n\t"
          "movq %rsi, %r10\n\t"
          "movq %rdx, %r11\n\t"
          "movq 0(%r11), %rbx\n\t"
          "movq 8(%r11), %rbp\n\t"
          "movq 16(%r11), %r12\n\t"
          "movq 24(%r11), %r13\n\t"
          "movq 32(%r11), %r14\n\t"
          "movq 40(%r11), %r15\n\t"
          "movq 64(%r11), %xmm8\n\t"
          "movq 72(%r11), %xmm9\n\t"
          "movq 80(%r11), %xmm10\n\t"
          "movq 88(%r11), %xmm11\n\t"
          "movq 96(%r11), %xmm12\n\t"
          "movq 104(%r11), %xmm13\n\t"
          "movq 112(%r11), %xmm14\n\t"
          "movq 120(%r11), %xmm15\n\t"
          "movq 0(%r10), %rdi\n\t"
          "movq 8(%r10), %rsi\n\t"
          "movq 16(%r10), %rdx\n\t"
          "movq 24(%r10), %rcx\n\t"
          "movq 32(%r10), %r8\n\t"
          "movq 40(%r10), %r9\n\t"
          "movq 48(%r11), %r10\n\t"
          "movq 56(%r11), %r11\n\t"
          "callq *%rax\n\t"
          "popq %r11\n\t"
          "movq %rbx, 128(%r11)\n\t"
          "movq %rbp, 136(%r11)\n\t"
          "movq %r12, 144(%r11)\n\t"
          "movq %r13, 152(%r11)\n\t"
          "movq %r14, 160(%r11)\n\t"
          "movq %r15, 168(%r11)\n\t"
          "popq %r15\n\t"
          "popq %r14\n\t"
          "popq %r13\n\t"
          "popq %r12\n\t"
          "popq %rbp\n\t"
          "popq %rbx\n\t"
          "ret");
}

extern long gate_app_net_leak(long, long, long, long, long, long)
    __asm__("__flexos_pku_gate.app.net.net_leak") __attribute__((weak));

static uint64_t fuzz_state;
static long fuzz_next(void) { /* xorshift64 */
  fuzz_state ^= fuzz_state << 13;
  fuzz_state ^= fuzz_state >> 7;
  fuzz_state ^= fuzz_state << 17;
  return (long)fuzz_state;
}

static unsigned app_rdpkru(void) {
  unsigned eax, edx;
  __asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
  return eax;
}

extern uint32_t hosted_default_pkru; /* PKRU(app), as every gate back sets it */

static int gate_fuzz(const char *seed_text, const char *count_text) {
  uint64_t seed = strtoull(seed_text, 0, 0);
  long count = strtol(count_text, 0, 0);
  int keys = flexos_pku_active();
  unsigned app_pkru = keys ? hosted_default_pkru : 0;
  fuzz_state = seed ? seed : 1;
  if (keys && !gate_app_net_leak) {
    printf("gate-fuzz: no app->net gate for net_leak in this program\n");
    return 1;
  }
  (void)flexos_gate(net, net_leak, 0, 0, 0, 0, 0, 0); /* emits that gate */
  long calls[4] = {0};
  for (long i = 0; i < count; i++) {
    long a[8], garbage[22];
    for (int k = 0; k < 8; k++)
      a[k] = fuzz_next();
    for (int k = 0; k < 16; k++)
      garbage[k] = fuzz_next() | 1;
    int kind = (int)((unsigned long)fuzz_next() % 4);
    const char *bad = 0;
    long got = 0, want = 0;
    calls[kind]++;
    if (kind == 0 && keys) {
      got = call_with_garbage(gate_app_net_leak, a, garbage);
      if (got != 0)
        bad = "a register that carries no argument reached net";
      for (int k = 0; k < 6 && !bad; k++)
        if (garbage[16 + k] != garbage[k])
          bad = "a callee-saved register came back changed";
    } else if (kind <= 1) {
      got = flexos_gate(net, net_mix, a[0], a[1], a[2], a[3], a[4], (long)keys);
      want = (a[0] ^ (a[1] << 1) ^ (a[2] << 2) ^ (a[3] << 3) ^ (a[4] << 4)) & 0x7fffffffffffffff;
      if (got != want)
        bad = "net saw other arguments or other rights";
    } else if (kind == 2) {
      long x = a[0] & 0xffffff;
      got = flexos_gate(net, net_relay, x, (long)keys);
      want = x * 3 + 0x5ec2e7 % 7;
      if (got != want)
        bad = "net -> fs -> net lost the value or net's rights";
    } else {
      got = flexos_gate(net, net_sum8, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      want = a[0] + 2 * a[1] + 3 * a[2] + 4 * a[3] + 5 * a[4] + 6 * a[5] + 7 * a[6] + 8 * a[7];
      if (got != want)
        bad = "eight arguments (two on the stack) did not arrive";
    }
    if (!bad && keys && app_rdpkru() != app_pkru)
      bad = "app's PKRU changed across the gate";
    if (bad) {
      printf("gate-fuzz: FAIL at call %ld (kind %d, seed %#llx): %s (got %#lx, want %#lx)\n", i,
             kind, (unsigned long long)seed, bad, got, want);
      return 1;
    }
  }
  printf("gate-fuzz: seed %#llx: %ld calls (%ld scrub, %ld rights, %ld nested, %ld 8-arg) ok\n",
         (unsigned long long)seed, count, calls[0], calls[1], calls[2], calls[3]);
  return 0;
}

/* The application's own alternate signal stack does not take the fault
 * reporter's: a compartment's fault is still reported. */
static int altstack_fault(void) {
  static char own[1 << 16];
  stack_t ss = {.ss_sp = own, .ss_size = sizeof own, .ss_flags = 0}, back;
  if (sigaltstack(&ss, 0) != 0 || sigaltstack(0, &back) != 0 || back.ss_sp != own) {
    printf("altstack-fault: sigaltstack did not give back the application's stack\n");
    return 1;
  }
  printf("altstack-fault: app has its own alternate stack; net reads fs's global\n");
  fflush(stdout);
  long v = flexos_gate(net, net_peek, flexos_gate(fs, fs_global_addr));
  printf("altstack-fault: NOT STOPPED (value %ld)\n", v);
  return 1;
}

/* A signal Linux cannot deliver (net runs with its stack in app's memory)
 * ends in a report that says so. */
static void *keep_signalling(void *arg) {
  (void)arg;
  for (int i = 0; i < 100000; i++) {
    pthread_kill(main_thread, SIGUSR1);
    usleep(2000);
  }
  return 0;
}

/* flexos_share locals larger than the thread's 64 KiB shared stack. */
static __attribute__((noinline)) int shared_overflow(void) {
  char big[128 << 10] __attribute__((flexos_share));
  memset(big, 1, sizeof big);
  printf("shared-overflow: NOT STOPPED (%d)\n", big[12345]);
  return 1;
}

static int undeliverable(void) {
  static long app_words[64];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, 0);
  main_thread = pthread_self();
  parent_pid = getppid();
  pthread_t sender;
  pthread_create(&sender, 0, keep_signalling, 0);
  printf("undeliverable: net moves its stack into app's memory and waits for SIGUSR1\n");
  fflush(stdout);
  flexos_gate(net, net_bad_stack, (long)&app_words[48]);
  printf("undeliverable: NOT STOPPED\n");
  return 1;
}

/* A handler that faults gets the fault report (not a silent death). */
static long net_global_for_handler;
static void on_usr2(int sig) {
  (void)sig;
  printf("signal-handler-fault: NOT STOPPED (read %ld)\n", *(volatile long *)net_global_for_handler);
}

static int signal_handler_fault(void) {
  net_global_for_handler = flexos_gate(net, net_global_addr);
  signal(SIGUSR2, on_usr2);
  printf("signal-handler-fault: app's handler reads net's global\n");
  fflush(stdout);
  raise(SIGUSR2);
  return 1;
}

/* ---- escapes: system calls and the signal path -------------------------- */

extern uintptr_t hosted_sigreturn_site;
extern char __flexos_signal_entry[];

/* The address of the n-th WRPKRU (0f 01 ef) in the signal entry. */
static long signal_entry_wrpkru(int n) {
  for (unsigned char *p = (unsigned char *)__flexos_signal_entry; p < (unsigned char *)__flexos_signal_entry + 512; p++)
    if (p[0] == 0x0f && p[1] == 0x01 && p[2] == 0xef && n-- == 0)
      return (long)p;
  return 0;
}

static int escape(const char *what) {
  long fs_page = flexos_gate(fs, fs_global_addr) & ~4095l;
  long r = 0;
  printf("escape: net tries %s\n", what);
  fflush(stdout);
  if (!strcmp(what, "syscall-getppid"))
    r = flexos_gate(net, net_syscall, SYS_getppid, 0, 0, 0, 0, 0);
  else if (!strcmp(what, "syscall-mprotect"))
    r = flexos_gate(net, net_syscall, SYS_mprotect, fs_page, 4096, PROT_READ | PROT_WRITE, 0, 0);
  else if (!strcmp(what, "syscall-pkey-mprotect"))
    r = flexos_gate(net, net_syscall, SYS_pkey_mprotect, fs_page, 4096, PROT_READ | PROT_WRITE, 2, 0);
  else if (!strcmp(what, "syscall-mmap"))
    r = flexos_gate(net, net_syscall, SYS_mmap, fs_page, 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1);
  else if (!strcmp(what, "syscall-munmap"))
    r = flexos_gate(net, net_syscall, SYS_munmap, fs_page, 4096, 0, 0, 0);
  else if (!strcmp(what, "syscall-proc-mem"))
    r = flexos_gate(net, net_open_proc_mem);
  else if (!strcmp(what, "syscall-process-vm-writev")) {
    static long value = 0xbad;
    static struct iovec local = {&value, sizeof value}, remote;
    remote.iov_base = (void *)flexos_gate(fs, fs_global_addr);
    remote.iov_len = sizeof value;
    r = flexos_gate(net, net_syscall, SYS_process_vm_writev, getpid(), (long)&local, 1,
                    (long)&remote, 1);
  } else if (!strcmp(what, "syscall-libc-write"))
    r = flexos_gate(net, net_libc_write);
  else if (!strcmp(what, "syscall-int80"))
    r = flexos_gate(net, net_int80, 125, fs_page, 4096, PROT_READ | PROT_WRITE);
  else if (!strcmp(what, "syscall-prctl-off"))
    r = flexos_gate(net, net_syscall, SYS_prctl, 59, 0, 0, 0, 0);
  else if (!strcmp(what, "syscall-clone"))
    r = flexos_gate(net, net_syscall, SYS_clone, SIGCHLD, 0, 0, 0, 0);
  else if (!strcmp(what, "sigreturn-raw"))
    r = flexos_gate(net, net_sigreturn_raw);
  else if (!strcmp(what, "sigreturn-site"))
    r = flexos_gate(net, net_sigreturn_site, (long)hosted_sigreturn_site);
  else if (!strcmp(what, "signal-entry-jump"))
    r = flexos_gate(net, net_call, (long)__flexos_signal_entry);
  else if (!strcmp(what, "signal-entry-middle"))
    r = flexos_gate(net, net_jump, signal_entry_wrpkru(0), 0);
  else if (!strcmp(what, "signal-entry-drop"))
    r = flexos_gate(net, net_jump, signal_entry_wrpkru(1), (long)hosted_default_pkru);
  else {
    printf("escape: unknown %s\n", what);
    return 2;
  }
  printf("escape: NOT STOPPED (%s gave %ld; fs_secret now %#lx)\n", what, r,
         flexos_gate(fs, fs_peek, flexos_gate(fs, fs_global_addr)));
  return 1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IOLBF, 0);
  const char *c = argc > 1 ? argv[1] : "functional";
  char op[8], kind[8], from[8], to[8];
  if (!strcmp(c, "child")) {
    printf("hosted: child of fork + exec, net says %ld\n", flexos_gate(net, net_work, 1));
    return 0;
  }
  if (!strcmp(c, "functional"))
    return functional(argv[0]);
  if (!strcmp(c, "signals"))
    return signals();
  if (!strcmp(c, "signal-handler-fault"))
    return signal_handler_fault();
  if (!strcmp(c, "altstack-fault"))
    return altstack_fault();
  if (!strcmp(c, "shared-overflow")) {
    printf("shared-overflow: 128 KiB of flexos_share locals\n");
    fflush(stdout); /* the frame is set up, and stopped, on entry */
    return shared_overflow();
  }
  if (!strcmp(c, "undeliverable"))
    return undeliverable();
  if (!strcmp(c, "gate-fuzz"))
    return gate_fuzz(argc > 2 ? argv[2] : "1", argc > 3 ? argv[3] : "20000");
  if (!strncmp(c, "syscall-", 8) || !strncmp(c, "sigreturn-", 10) || !strncmp(c, "signal-entry-", 13))
    return escape(c);
  if (!strcmp(c, "fnptr")) {
    printf("fnptr: net calls fs_bump through a pointer\n");
    long v = flexos_gate(net, net_call, (long)fs_bump);
    printf("fnptr: NOT STOPPED (value %ld)\n", v);
    return 1;
  }
  if (!strcmp(c, "fnptr-raw")) {
    printf("fnptr-raw: net calls fs_bump from inline assembly\n");
    long v = flexos_gate(net, net_call_raw, (long)fs_bump);
    printf("fnptr-raw: NOT STOPPED (value %ld)\n", v);
    return 1;
  }
  if (!strcmp(c, "gate-middle"))
    return gate_middle();
  if (!strcmp(c, "fault-entry-jump")) {
    extern char __flexos_fault_entry[];
    printf("fault-entry-jump: net calls the fault entry with forged arguments\n");
    long v = flexos_gate(net, net_call, (long)__flexos_fault_entry);
    printf("fault-entry-jump: NOT STOPPED (value %ld)\n", v);
    return 1;
  }
  if (!strcmp(c, "record-entry-jump")) {
    extern char __flexos_record_entry[];
    printf("record-entry-jump: net calls the record-mode entry (record mode off)\n");
    fflush(stdout);
    long v = flexos_gate(net, net_call3, (long)__flexos_record_entry, 11, 0, 0);
    printf("record-entry-jump: NOT STOPPED (value %ld)\n", v);
    return 1;
  }
  if (!strcmp(c, "die-entry-status")) {
    extern char __flexos_die_entry[];
#define ALL_WELL "die-entry-status: all is well\n" /* a literal: key 0, net reads it */
    printf("die-entry-status: net asks the exit entry for status 0\n");
    fflush(stdout);
    long v = flexos_gate(net, net_call3, (long)__flexos_die_entry, (long)ALL_WELL,
                         (long)sizeof ALL_WELL - 1, 0);
    printf("die-entry-status: NOT STOPPED (value %ld)\n", v);
    return 1;
  }
  if (!strcmp(c, "cross-free")) {
    long block = flexos_gate(net, net_heap_addr);
    flexos_gate(fs, fs_free, block);
    printf("cross-free: NOT STOPPED\n");
    return 1;
  }
  if (sscanf(c, "%7[a-z]-%7[a-z]-%7[a-z]-%7[a-z]", op, kind, from, to) == 4)
    return attack(op, kind, from, to);
  fprintf(stderr, "usage: %s [functional|signals|OP-KIND-FROM-TO|fnptr|fnptr-raw|shared-overflow|gate-middle|cross-free|"
          "fault-entry-jump|record-entry-jump|syscall-NAME|sigreturn-raw|sigreturn-site|signal-entry-jump|"
          "signal-entry-middle|signal-entry-drop]\n", argv[0]);
  return 2;
}
