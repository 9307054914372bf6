//==============================================================================
// FILE:
//    passes/FactsEmission.h
//
// DESCRIPTION:
//    flexos-emit-facts: writes what a library's code provably does, for
//    `flexos check --facts` to hold against the library's .flexos claims
//    (docs/properties.md, "Facts"): functions and globals it defines, gates
//    and direct calls to functions it does not define, loads, stores and
//    escaping addresses of other libraries' globals and of shared globals,
//    and the places nobody can verify (indirect calls, inline assembly).
//    It runs before gate lowering, so gates are still visible as such.
//
// USAGE:
//    clang-19 -g -c store.c -fplugin=build/lib/flexos.so \
//        -fplugin-arg-flexos-config=flexos.yaml \
//        -fplugin-arg-flexos-library=store -fplugin-arg-flexos-facts=store.facts
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-emit-facts<facts=store.facts;library=store>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_FACTS_EMISSION_H
#define FLEXOS_FACTS_EMISSION_H

#include "llvm/IR/PassManager.h"

#include <string>

namespace flexos {

struct FactsOptions {
  std::string Path;     // the facts file to write
  std::string Library;  // empty: the frontend's -fplugin-arg-flexos-library
};

struct FactsEmission : llvm::PassInfoMixin<FactsEmission> {
  explicit FactsEmission(FactsOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  FactsOptions Opts;
};

} // namespace flexos

// The facts file named by -fplugin-arg-flexos-facts=FILE. Exported like
// flexos_plugin_state(), so every loaded copy of the plugin sees one value.
extern "C" flexos::FactsOptions *flexos_facts_state();

#endif
