/*
 * FILE: test/runtime/orphan/orphan.c
 * DESCRIPTION: a deliberately bad library: WRPKRU bytes hidden as data in a
 *   section of its own, which a default link would place next to the PVH
 *   note, inside the range mapped executable and outside what flexos-scan
 *   reads. The image links with --orphan-handling=error, so the build must
 *   fail naming the section (test runtime-orphan-section-fails-build).
 * License: MIT (see LICENSE)
 */
__attribute__((section(".note.evil"), used)) const unsigned char evil[] = {
    0x31, 0xc0, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xef, 0xc3};

int main(void) {
  ((void (*)(void))evil)();
  return 0;
}
