//==============================================================================
// FILE:
//    passes/SectionPlacement.h
//
// DESCRIPTION:
//    flexos-place-sections: puts the functions and globals of a library into
//    its compartment's sections and flexos_share globals into the shared
//    sections (docs/abi.md, "Sections").
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-place-sections<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_SECTION_PLACEMENT_H
#define FLEXOS_SECTION_PLACEMENT_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

namespace flexos {

struct SectionPlacement : llvm::PassInfoMixin<SectionPlacement> {
  explicit SectionPlacement(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
