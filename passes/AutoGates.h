//==============================================================================
// FILE:
//    passes/AutoGates.h
//
// DESCRIPTION:
//    flexos-auto-gates: plain calls into another compartment become gates,
//    and functions whose address escapes become entry points for checked
//    indirect calls (passes/AutoGates.cpp).
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-auto-gates<config=flexos.yaml;library=app;defs=defs.txt>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_AUTO_GATES_H
#define FLEXOS_AUTO_GATES_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

namespace flexos {

// The function attribute that marks an entry point. On a definition: a
// function of this library that other compartments may reach through a
// function pointer. On a declaration, with the owning library as value: a
// function of another compartment whose address this file takes.
inline constexpr const char *EntryAttr = "flexos-entry";

struct AutoGates : llvm::PassInfoMixin<AutoGates> {
  explicit AutoGates(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
