/*
 * FILE: test/hosted-pku/stray.c
 * DESCRIPTION: a library with a WRPKRU of its own (what a hostile library
 *   would bring to set PKRU itself): the hosted executable that links it
 *   must not be built (the scan refuses it and deletes the program).
 * License: MIT (see LICENSE)
 */
long net_work(long i) {
  __asm__ volatile("xorl %%ecx, %%ecx; xorl %%edx, %%edx; xorl %%eax, %%eax; wrpkru"
                   ::: "eax", "ecx", "edx", "memory");
  return i;
}
