/*
 * FILE: test/runtime/three/three.h
 * DESCRIPTION: the functions the three libraries (app, net, fs) export to
 *   each other through flexos_gate(), and their shared globals.
 * License: MIT (see LICENSE)
 */
#ifndef THREE_H
#define THREE_H
#include <flexos.h>
#include <stdint.h>

/* app (default compartment) */
long app_triple(long x);
long app_yield_then(long x);
long app_sum6(long a, long b, long c, long d, long e, long f);
long app_rsp_mod16(void);               /* scrub.S */
long app_df_after(long (*call)(void));  /* scrub.S */
extern long shared_counter;       /* flexos_share, defined in app.c */
extern int *shared_victim_heap;   /* flexos_share: net's heap object */
extern int *shared_victim_stack;  /* flexos_share: a net stack variable */

/* net */
long net_const(void);
long net_sum6(long a, long b, long c, long d, long e, long f);
long net_sum8(long a, long b, long c, long d, long e, long f, long g, long h);
long net_sum10(long a, long b, long c, long d, long e, long f, long g, long h,
               long i, long j);
long net_callback(long x);
long net_via_fs(long x);
long net_whoami(void);
long net_fill(char *buf, long n);
long net_heap_roundtrip(long n);
long net_bump(void);
long net_wait_ticks(long n);
long net_yielding(long x);
void net_publish_heap(void);
long net_on_tick(long tick);
long net_callback_rsp(void);
long net_set_df(void);            /* probe.S */
long net_guarded_wait(long n);
long net_stack_victim(long kind);
long scrub_probe(void);           /* probe.S */
extern int net_secret;

/* fs */
long fs_sum6(long a, long b, long c, long d, long e, long f);
long fs_sum10(long a, long b, long c, long d, long e, long f, long g, long h,
              long i, long j);
long fs_via_net(long x);
long fs_deep(long x);
long fs_to_app(long x);
long fs_whoami(void);
long fs_strlen(const char *s);
long fs_bump(void);
long fs_attack(long kind);
long fs_undefined(void);
long fs_on_tick(long tick);
long fs_forge_shared_heap(long target);
long fs_forge_shared_heap_anchor(long target);
long fs_forge_shared_stack(long target);

/* attack kinds: even = read, odd = write */
enum { ATTACK_READ_GLOBAL, ATTACK_WRITE_GLOBAL, ATTACK_READ_HEAP,
       ATTACK_WRITE_HEAP, ATTACK_READ_STACK, ATTACK_WRITE_STACK };

/* Reference values: weights keep argument order visible. */
#define SUM_WEIGHTED(...) sum_weighted((long[]){__VA_ARGS__}, \
    sizeof((long[]){__VA_ARGS__}) / sizeof(long))
static inline long sum_weighted(const long *v, unsigned long n) {
  long s = 0;
  for (unsigned long i = 0; i < n; i++)
    s += v[i] * (long)(i + 1) * (i % 2 ? -1 : 1);
  return s;
}
#endif
