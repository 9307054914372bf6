//==============================================================================
// FILE:
//    passes/SharedLocals.h
//
// DESCRIPTION:
//    flexos-shared-locals: moves flexos_share locals off the private stack
//    onto the thread's shared stack (docs/abi.md, "Shared locals").
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-shared-locals<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_SHARED_LOCALS_H
#define FLEXOS_SHARED_LOCALS_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

namespace flexos {

// The annotation the plugin attaches to flexos_share declarations.
inline constexpr const char *ShareAnnotation = "flexos_share";

// What an llvm.global.annotations entry marks flexos_share (a global or,
// wrongly, a function), or nullptr for any other entry.
llvm::Value *shareAnnotationTarget(llvm::Value *Entry);

struct SharedLocals : llvm::PassInfoMixin<SharedLocals> {
  explicit SharedLocals(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
