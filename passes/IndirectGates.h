//==============================================================================
// FILE:
//    passes/IndirectGates.h
//
// DESCRIPTION:
//    flexos-indirect-gates: a call through a function pointer checks its
//    target and crosses into another compartment only through a gate
//    (passes/IndirectGates.cpp).
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-indirect-gates<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_INDIRECT_GATES_H
#define FLEXOS_INDIRECT_GATES_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

namespace flexos {

struct IndirectGates : llvm::PassInfoMixin<IndirectGates> {
  explicit IndirectGates(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
