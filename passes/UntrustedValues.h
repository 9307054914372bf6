//==============================================================================
// FILE:
//    passes/UntrustedValues.h
//
// DESCRIPTION:
//    flexos-check-untrusted: reports every use of a value another,
//    untrusted compartment controls (a gate's result, a load from shared
//    memory) as a size, allocation size, loop bound, array index,
//    dereferenced or passed-on pointer, or indirect-call target, unless a
//    check dominates the use (docs/untrusted-values.md), and routes
//    unchecked calls through such pointers via the gate table. Runs
//    before gate lowering.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-check-untrusted<config=c.yaml;library=app;untrusted=error>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_UNTRUSTED_VALUES_H
#define FLEXOS_UNTRUSTED_VALUES_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

namespace flexos {

struct UntrustedValues : llvm::PassInfoMixin<UntrustedValues> {
  explicit UntrustedValues(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
