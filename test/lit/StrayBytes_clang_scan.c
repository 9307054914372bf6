// Through clang: without the plugin the immediates below put WRPKRU and
// XRSTOR bytes into the code and the image scan refuses the object; with
// it (frontend plugin, or the passes alone at -O0 and -O2) the code keeps
// the same values and the scan finds nothing.
// RUN: %clang_plain -O2 -fno-pic -c %s -o %t.plain.o
// RUN: not %flexos_scan %t.plain.o | FileCheck %s --check-prefix=PLAIN
// RUN: %clang_flexos -O2 -fno-pic -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.o
// RUN: %flexos_scan %t.o | FileCheck %s --check-prefix=CLEAN
// RUN: %clang_plain -O0 -fno-pic -fpass-plugin=%pass_plugin -c %s -o %t.o0.o
// RUN: %flexos_scan %t.o0.o | FileCheck %s --check-prefix=CLEAN
// RUN: %clang_plain -O2 -fno-pic -fpass-plugin=%pass_plugin -c %s -o %t.o2.o
// RUN: %flexos_scan %t.o2.o | FileCheck %s --check-prefix=CLEAN
// RUN: llvm-objdump -d --no-show-raw-insn %t.o2.o | FileCheck %s --check-prefix=ASM
// PLAIN-DAG: WRPKRU (0f 01 ef) {{.*}} in symbol mix64
// PLAIN-DAG: XRSTOR (0f ae 28) {{.*}} in symbol add32
// PLAIN-DAG: XRSTOR (0f ae 28) {{.*}} in symbol put
// CLEAN: ok:
// CLEAN-SAME: 0 WRPKRU/XRSTOR
// ASM-LABEL: <keep>:
// ASM: imul{{.*}}$0x3039
unsigned long mix64(unsigned long x) { return x ^ 0x1234ef010f5678UL; }
unsigned add32(unsigned x) { return x + 0x0528ae0fu; }
void put(unsigned *p) { *p = 0x0528ae0fu; }
unsigned keep(unsigned x) { return x * 12345u; }
