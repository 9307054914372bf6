//==============================================================================
// FILE:
//    passes/StrayBytes.cpp
//
// DESCRIPTION:
//    flexos-stray-constants.  The intel-pku image scan (tools/flexos-scan)
//    refuses every WRPKRU (0f 01 ef), XRSTOR (0f ae /5), XRSTORS (0f c7 /3)
//    and WRFSBASE/WRGSBASE (0f ae /2, /3 register form) encoding outside
//    the gates, at any byte offset, so an immediate such as 0xef010f or
//    0x28ae0f would make a correct program unbuildable.  This pass finds
//    integer constant operands whose little-endian encoding, in any width
//    the backend may pick for it (1, 2, 4 or 8 bytes, sign- or
//    zero-extended), contains such a sequence or begins or ends with two
//    bytes of one (the rest could come from the neighbouring bytes), and
//    rebuilds each as  opaque(C ^ M) ^ M  with an empty inline asm "=r,0"
//    as the opaque identity, for a mask M such that neither C ^ M nor M is
//    itself suspicious.  The code generator then never sees C.  Constant
//    array indices (GEP) count with their byte offset, which becomes an
//    address displacement.  Operands that must stay constant are left
//    alone: switch cases, struct indices, alloca sizes, immarg intrinsic
//    arguments and inline asm operands.  Incoming values of a phi are
//    rebuilt at the end of their incoming block.
//    Values known only at link time (displacements to symbols, call and
//    jump offsets) are the linker's: tools/flexos-link-scan.sh relinks
//    with another layout.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes=flexos-stray-constants -S in.ll
//    (clang -fplugin=flexos.so runs it at the end of every pipeline)
//
// License: MIT
//==============================================================================
#include "StrayBytes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/GetElementPtrTypeIterator.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace flexos {

namespace {

// True when 0f B C is one of the forbidden encodings (for WRFSBASE and
// WRGSBASE without looking for their f3 prefix: a stray one is rare
// enough that the pass may be cautious).
bool forbidden(uint8_t B, uint8_t C) {
  unsigned Mod = C >> 6, Reg = (C >> 3) & 7;
  if (B == 0x01)
    return C == 0xef;
  if (B == 0xae)
    return Mod != 3 ? Reg == 5 : (Reg == 2 || Reg == 3);
  if (B == 0xc7)
    return Mod != 3 && Reg == 3;
  return false;
}

// True when the N bytes at P hold a forbidden sequence, start with the
// last two bytes of one or end with the first two.
bool strayBytes(const uint8_t *P, unsigned N) {
  for (unsigned I = 0; I + 2 < N; ++I)
    if (P[I] == 0x0f && forbidden(P[I + 1], P[I + 2]))
      return true;
  if (N >= 2 && forbidden(P[0], P[1]))
    return true; // a 0f just before completes it
  if (N >= 2 && P[N - 2] == 0x0f &&
      (P[N - 1] == 0x01 || P[N - 1] == 0xae || P[N - 1] == 0xc7))
    return true; // the next byte may complete it
  return false;
}

// Masks tried in turn; they and their narrower truncations are clean.
const uint64_t Masks[] = {0x5a5a5a5a5a5a5a5aULL, 0x3c3c3c3c3c3c3c3cULL,
                          0x6969696969696969ULL, 0x1212121212121212ULL,
                          0x4b4b4b4b4b4b4b4bULL};

// Whether operand OpNo of I may become a non-constant value.
bool mayReplace(Instruction &I, unsigned OpNo) {
  if (isa<SwitchInst>(I) || isa<AllocaInst>(I) || isa<ShuffleVectorInst>(I))
    return false;
  if (auto *CB = dyn_cast<CallBase>(&I)) {
    if (CB->isInlineAsm() || CB->isBundleOperand(OpNo) ||
        OpNo >= CB->arg_size() || isa<DbgInfoIntrinsic>(CB))
      return false;
    return !CB->paramHasAttr(OpNo, Attribute::ImmArg);
  }
  if (auto *GEP = dyn_cast<GetElementPtrInst>(&I)) {
    if (OpNo == 0)
      return false;
    gep_type_iterator It = gep_type_begin(GEP);
    std::advance(It, OpNo - 1);
    return !It.isStruct();
  }
  return true;
}

// The value a constant operand contributes to the instruction bytes:
// the constant itself, for an array index its byte offset, for a field
// index the field's offset.
uint64_t encodedValue(Instruction &I, unsigned OpNo, const ConstantInt *C,
                      const DataLayout &DL) {
  uint64_t V = C->getSExtValue();
  if (auto *GEP = dyn_cast<GetElementPtrInst>(&I)) {
    if (OpNo == 0)
      return V;
    gep_type_iterator It = gep_type_begin(GEP);
    std::advance(It, OpNo - 1);
    if (StructType *STy = It.getStructTypeOrNull())
      return DL.getStructLayout(STy)->getElementOffset(C->getZExtValue());
    V *= It.getSequentialElementStride(DL).getFixedValue();
  }
  return V;
}

// Rebuilds C as opaque(C ^ M) ^ M just before InsertPt.
Value *opaque(ConstantInt *C, Instruction *InsertPt) {
  IntegerType *Ty = C->getIntegerType();
  unsigned Bytes = (Ty->getBitWidth() + 7) / 8;
  uint64_t V = C->getZExtValue(), Mask = 0;
  uint64_t Width = Ty->getBitWidth() == 64 ? ~0ULL : (1ULL << Ty->getBitWidth()) - 1;
  for (uint64_t M : Masks) {
    M &= Width;
    if (!strayConstant(M, Bytes) && !strayConstant((V ^ M) & Width, Bytes)) {
      Mask = M;
      break;
    }
  }
  if (!Mask)
    Mask = Masks[0] & Width; // not seen in practice; still opaque
  IRBuilder<> B(InsertPt);
  FunctionType *FT = FunctionType::get(Ty, {Ty}, false);
  InlineAsm *IA = InlineAsm::get(FT, "", "=r,0", /*hasSideEffects=*/false);
  CallInst *Hidden = B.CreateCall(IA, {ConstantInt::get(Ty, (V ^ Mask) & Width)},
                                  "flexos.stray");
  return B.CreateXor(Hidden, ConstantInt::get(Ty, Mask), "flexos.unmasked");
}

} // namespace

bool strayConstant(uint64_t V, unsigned MaxBytes) {
  uint8_t Buf[8];
  for (unsigned I = 0; I < 8; ++I)
    Buf[I] = uint8_t(V >> (8 * I));
  for (unsigned W = 2; W <= MaxBytes && W <= 8; W *= 2) {
    // W bytes can carry V when the bytes above them are a sign or zero
    // extension (of the MaxBytes-wide value).
    bool Fits = W >= MaxBytes;
    if (!Fits) {
      uint64_t Width = MaxBytes >= 8 ? ~0ULL : (1ULL << (8 * MaxBytes)) - 1;
      uint64_t Lo = W >= 8 ? V : V & ((1ULL << (8 * W)) - 1);
      uint64_t Sext = W >= 8 ? V : (Lo ^ (1ULL << (8 * W - 1))) - (1ULL << (8 * W - 1));
      Fits = (V & Width) == Lo || (V & Width) == (Sext & Width);
    }
    if (Fits && strayBytes(Buf, W))
      return true;
  }
  return false;
}

bool StrayBytes::runOnModule(Module &M) {
  const DataLayout &DL = M.getDataLayout();
  struct Use1 {
    Instruction *I;
    unsigned OpNo;
  };
  SmallVector<Use1, 8> Work;
  for (Function &F : M)
    for (BasicBlock &BB : F)
      for (Instruction &I : BB) {
        if (isa<CallBase>(I) && cast<CallBase>(I).isInlineAsm())
          continue; // includes the identities made below
        for (unsigned OpNo = 0; OpNo < I.getNumOperands(); ++OpNo) {
          auto *C = dyn_cast<ConstantInt>(I.getOperand(OpNo));
          if (!C || C->getBitWidth() > 64 || C->getBitWidth() < 16)
            continue;
          unsigned Bytes = C->getBitWidth() / 8;
          if (isa<GetElementPtrInst>(I))
            Bytes = 8;
          if (!mayReplace(I, OpNo) ||
              !strayConstant(encodedValue(I, OpNo, C, DL), Bytes))
            continue;
          Work.push_back({&I, OpNo});
        }
      }
  // A phi names one value per incoming block, even over several edges.
  DenseMap<std::pair<PHINode *, BasicBlock *>, Value *> PhiValue;
  for (Use1 &U : Work) {
    auto *C = cast<ConstantInt>(U.I->getOperand(U.OpNo));
    auto *Phi = dyn_cast<PHINode>(U.I);
    if (!Phi) {
      U.I->setOperand(U.OpNo, opaque(C, U.I));
      continue;
    }
    BasicBlock *From = Phi->getIncomingBlock(U.OpNo);
    Value *&V = PhiValue[{Phi, From}];
    if (!V)
      V = opaque(C, From->getTerminator());
    U.I->setOperand(U.OpNo, V);
  }
  return !Work.empty();
}

PreservedAnalyses StrayBytes::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
