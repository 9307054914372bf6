/*
 * FILE: test/ept/three.h
 * DESCRIPTION: the gate entries of the vm-ept test's three libraries.
 * License: MIT (see LICENSE)
 */
#ifndef EPT_THREE_H
#define EPT_THREE_H
#include <stdint.h>

/* net */
long net_zero(void);
long net_sum10(long, long, long, long, long, long, long, long, long, long);
long net_hash(const char *s);            /* reads a shared string */
long net_via_crypto(long x);             /* net -> crypto */
long net_call_back(long depth);          /* net -> app (callback) */
long net_chain(long x);                  /* net -> crypto -> app */
long net_read_app_secret(void);          /* attack: app's private memory */
long net_fill(char *buf, long n);        /* writes into a caller buffer */
int net_bump_shared(void);               /* shared global */
long net_sum6(long, long, long, long, long, long);
long net_to_app8(long x);                /* net -> app with 8 arguments */
long net_exit_success(void);             /* attack: end the run with 0 */
long net_forge_thread_start(void);       /* attack: start a thread in crypto */
long net_attack(long kind);              /* attacks on net's VM's core */

/* crypto */
long crypto_zero(void);
long crypto_sum10(long, long, long, long, long, long, long, long, long, long);
long crypto_mix(long x);
long crypto_via_net(long x);             /* crypto -> net */
long crypto_to_app(long x);              /* crypto -> app */
long crypto_sum3(long, long, long);
long crypto_to_net6(long x);             /* crypto -> net with 6 arguments */

/* app */
long app_callback(long depth);           /* net -> app -> net ... */
long app_sum10(long, long, long, long, long, long, long, long, long, long);
long app_leaf(long x);
long app_sum8(long, long, long, long, long, long, long, long);
uint64_t app_secret_address(void);

extern int shared_counter;               /* flexos_share global in net */
#endif
