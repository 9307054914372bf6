/*
 * FILE: test/record-image/copy_a.c
 * DESCRIPTION:
 *   Compartment ca of test record-image/two-keys: owns a_dst, which lb
 *   fills, and sums it for the application.
 * License: MIT (see LICENSE)
 */
char a_dst[64];

int la_sum(void) {
  int s = 0;
  for (int i = 0; i < 64; i++)
    s += a_dst[i];
  return s;
}
