//==============================================================================
// FILE:
//    passes/StrayBytes.h
//
// DESCRIPTION:
//    flexos-stray-constants: keeps integer constants whose encoding holds
//    (part of) WRPKRU, XRSTOR, XRSTORS, WRFSBASE or WRGSBASE out of the
//    instruction stream (issue 19; docs/toolchain.md, "Image scan").
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes=flexos-stray-constants -S in.ll
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_STRAY_BYTES_H
#define FLEXOS_STRAY_BYTES_H

#include "llvm/IR/PassManager.h"

#include <cstdint>

namespace flexos {

// True when the little-endian encoding of V in any width from 1 to
// MaxBytes bytes that can represent it (sign- or zero-extended) contains a
// forbidden three-byte sequence, or begins or ends with two bytes of one.
bool strayConstant(uint64_t V, unsigned MaxBytes);

struct StrayBytes : llvm::PassInfoMixin<StrayBytes> {
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }
};

} // namespace flexos

#endif
