// A header forced with -include sees __FLEXOS_PLUGIN__ as the sources do,
// so <flexos.h> included there expands gates for the passes. (It did not:
// the plugin defined the macro after the predefines' -include lines.)
// RUN: %clang_flexos -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -include %inputs/needs-plugin.h -fsyntax-only %s
int main(void) { return 0; }
