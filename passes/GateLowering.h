//==============================================================================
// FILE:
//    passes/GateLowering.h
//
// DESCRIPTION:
//    flexos-lower-gates: turns every flexos_gate(...) call into what the
//    configuration asks for: a direct call, an MPK gate instance or a vm-ept
//    RPC call sequence (docs/abi.md, "Gate lowering").
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-lower-gates<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_GATE_LOWERING_H
#define FLEXOS_GATE_LOWERING_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

namespace flexos {

// The marker the header's flexos_gate() expands to.
inline constexpr const char *GateMarkerName = "__flexos_gate_target";

struct GateLowering : llvm::PassInfoMixin<GateLowering> {
  explicit GateLowering(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
