//==============================================================================
// FILE:
//    passes/SharedLocals.cpp
//
// DESCRIPTION:
//    Clang marks each flexos_share local with
//        call void @llvm.var.annotation(ptr %buf, ptr @"flexos_share", ...)
//    Under intel-pku and vm-ept such a local must live where the callee of a
//    gate can reach it. Instead of a heap allocation per variable (FlexOS:
//    66 cycles each), all shared locals of a function become one block on
//    the thread's shared stack, carved at entry with a handful of
//    instructions and released before every return:
//        base = gs:8; saved = base->top
//        new = (saved - size) & -align
//        if (new < gs:0xa0 || saved > gs:0xa8) overflow()   (TCB bounds)
//        base->top = new ... ret: base->top = saved
//    Under mechanism none the locals stay where they are; only the
//    annotations go. Variable-length shared locals are rejected.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-shared-locals<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#include "SharedLocals.h"

#include "flexos/abi.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace flexos {

Value *shareAnnotationTarget(Value *Entry) {
  auto *S = dyn_cast<ConstantStruct>(Entry);
  StringRef Str;
  if (!S || S->getNumOperands() < 2 ||
      !getConstantStringInfo(S->getOperand(1), Str) || Str != ShareAnnotation)
    return nullptr;
  return S->getOperand(0)->stripPointerCasts();
}

namespace {

struct SharedVar {
  AllocaInst *Alloca;
  SmallVector<Instruction *, 2> Annotations;
};

// Collects, per function, the allocas annotated flexos_share.
MapVector<Function *, SmallVector<SharedVar, 4>> collect(Module &M) {
  MapVector<Function *, SmallVector<SharedVar, 4>> Out;
  // Walk the code in order so that the layout follows declaration order.
  for (Function &Fn : M) {
    for (Instruction &I : instructions(Fn)) {
      auto *CI = dyn_cast<CallInst>(&I);
      Function *Callee = CI ? CI->getCalledFunction() : nullptr;
      StringRef Str;
      if (!Callee || !Callee->getName().starts_with("llvm.var.annotation") ||
          !getConstantStringInfo(CI->getArgOperand(1), Str) ||
          Str != ShareAnnotation)
        continue;
      Value *Ptr = CI->getArgOperand(0)->stripPointerCasts();
      Function *F = CI->getFunction();
      auto &Vars = Out[F];
      auto It = llvm::find_if(Vars, [&](const SharedVar &V) {
        return V.Alloca == Ptr;
      });
      if (It == Vars.end()) {
        Vars.push_back({dyn_cast<AllocaInst>(Ptr), {}});
        It = std::prev(Vars.end());
      }
      It->Annotations.push_back(CI);
    }
  }
  return Out;
}

class Mover {
public:
  Mover(Function &F, SmallVectorImpl<SharedVar> &Vars) : F(F), Vars(Vars) {}
  bool run();

private:
  Function &F;
  SmallVectorImpl<SharedVar> &Vars;
  // The block's layout: each variable's offset, the block's size and
  // alignment (top-down: the block is [new, new + FrameSize)).
  SmallVector<uint64_t, 4> Offsets;
  uint64_t FrameSize = 0;
  Align MaxAlign = Align(16);
  // The shared stack's header field holding the top, and its value on
  // entry (restored on every return).
  Value *TopPtr = nullptr;
  Value *Saved = nullptr;

  bool layOut();
  void dropMarkers();
  Value *reserveFrame(IRBuilder<> &B);
  Value *checkedNewTop(IRBuilder<> &B);
  void redirect(IRBuilder<> &B, Value *Base);
  void releaseAtReturns();
  void error(const Twine &Msg) {
    F.getContext().diagnose(DiagnosticInfoUnsupported(F, "flexos: " + Msg));
  }
};

bool Mover::run() {
  if (!layOut())
    return false;
  // Annotations and lifetime markers go first (one of them may be where
  // the new code would start).
  dropMarkers();
  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock::iterator IP = Entry.getFirstInsertionPt();
  while (isa<AllocaInst>(*IP))
    ++IP;
  IRBuilder<> B(&Entry, IP);
  redirect(B, reserveFrame(B));
  releaseAtReturns();
  return true;
}

// Offsets of the variables in declaration order, each at its alignment;
// false (after an error) when one is not a fixed-size local.
bool Mover::layOut() {
  const DataLayout &DL = F.getParent()->getDataLayout();
  uint64_t Size = 0;
  for (SharedVar &V : Vars) {
    if (!V.Alloca) {
      error("flexos_share in " + F.getName() + " does not annotate a local "
                                               "variable");
      return false;
    }
    std::optional<TypeSize> TS = V.Alloca->getAllocationSize(DL);
    if (!V.Alloca->isStaticAlloca() || !TS || TS->isScalable()) {
      error("flexos_share local '" + V.Alloca->getName() + "' in " +
            F.getName() + " has a variable length; shared locals need a "
                          "size known at compile time");
      return false;
    }
    Align A = std::max(V.Alloca->getAlign(), Align(1));
    Size = alignTo(Size, A);
    Offsets.push_back(Size);
    Size += TS->getFixedValue();
    MaxAlign = std::max(MaxAlign, A);
  }
  FrameSize = alignTo(Size, MaxAlign);
  return true;
}

// Lifetime markers only make sense on allocas; the block lives for the
// whole call.
void Mover::dropMarkers() {
  for (SharedVar &V : Vars) {
    for (Instruction *Ann : V.Annotations)
      Ann->eraseFromParent();
    V.Annotations.clear();
    for (User *U : make_early_inc_range(V.Alloca->users()))
      if (auto *II = dyn_cast<IntrinsicInst>(U); II && II->isLifetimeStartOrEnd())
        II->eraseFromParent();
  }
}

// Moves the thread's shared-stack top down by FrameSize (checked against
// the stack's bounds) and returns the block's base.
Value *Mover::reserveFrame(IRBuilder<> &B) {
  LLVMContext &Ctx = F.getContext();
  Type *I64 = B.getInt64Ty();
  Value *TcbField = ConstantExpr::getIntToPtr(
      B.getInt64(FLEXOS_TCB_SHARED_STACK), PointerType::get(Ctx, 256));
  Value *Stack = B.CreateLoad(B.getPtrTy(), TcbField, "flexos.sstack");
  TopPtr = B.CreateConstGEP1_32(B.getInt8Ty(), Stack, FLEXOS_SHARED_STACK_TOP);
  Saved = B.CreateLoad(I64, TopPtr, "flexos.sstack.saved");
  Value *New = checkedNewTop(B);
  B.CreateStore(New, TopPtr);
  return B.CreateIntToPtr(New, B.getPtrTy(), "flexos.shared.frame");
}

// The new top, FrameSize below the saved one.  The header is shared
// memory that any compartment may rewrite: bound what it says by the
// TCB's read-only copies, so that a forged top can never put this frame
// outside the thread's shared stack.
Value *Mover::checkedNewTop(IRBuilder<> &B) {
  LLVMContext &Ctx = F.getContext();
  auto TcbWord = [&](uint64_t Off, const char *Name) {
    Value *P = ConstantExpr::getIntToPtr(B.getInt64(Off),
                                         PointerType::get(Ctx, 256));
    return B.CreateLoad(B.getInt64Ty(), P, Name);
  };
  Value *Limit = TcbWord(FLEXOS_TCB_SHARED_STACK_LIMIT, "flexos.sstack.limit");
  Value *Ceiling = TcbWord(FLEXOS_TCB_SHARED_STACK_BASE, "flexos.sstack.base");
  Value *New = B.CreateAnd(B.CreateSub(Saved, B.getInt64(FrameSize)),
                           B.getInt64(-(int64_t)MaxAlign.value()),
                           "flexos.sstack.new");
  Value *Overflow = B.CreateOr(B.CreateICmpULT(New, Limit),
                               B.CreateICmpUGT(Saved, Ceiling));
  Instruction *SplitAt = &*B.GetInsertPoint();
  Instruction *Term = SplitBlockAndInsertIfThen(Overflow, SplitAt, true);
  IRBuilder<> OB(Term);
  FunctionCallee OverflowFn = F.getParent()->getOrInsertFunction(
      "__flexos_shared_stack_overflow", FunctionType::get(B.getVoidTy(), false));
  if (auto *OF = dyn_cast<Function>(OverflowFn.getCallee()))
    OF->setDoesNotReturn();
  OB.CreateCall(OverflowFn)->setDoesNotReturn();
  B.SetInsertPoint(SplitAt);
  return New;
}

// Every use of a shared local now addresses its slot in the block.
void Mover::redirect(IRBuilder<> &B, Value *Base) {
  for (size_t I = 0; I < Vars.size(); ++I) {
    AllocaInst *A = Vars[I].Alloca;
    Value *Addr = B.CreateConstGEP1_64(B.getInt8Ty(), Base, Offsets[I],
                                       A->getName() + ".shared");
    A->replaceAllUsesWith(Addr);
    A->eraseFromParent();
  }
}

// Release before every return; a musttail call must stay right before
// its ret, so there the release goes before the call (the callee cannot
// legally use this frame's locals anyway).
void Mover::releaseAtReturns() {
  for (BasicBlock &BB : F) {
    auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator());
    if (!Ret)
      continue;
    Instruction *Before = Ret;
    if (CallInst *Tail = BB.getTerminatingMustTailCall())
      Before = Tail;
    new StoreInst(Saved, TopPtr, Before);
  }
}

} // namespace

bool SharedLocals::runOnModule(Module &M) {
  auto Funcs = collect(M);
  if (Funcs.empty())
    return false;
  std::optional<ResolvedConfig> RC = resolveConfig(Opts, M);
  if (!RC)
    return false;
  bool Changed = false;
  for (auto &[F, Vars] : Funcs) {
    if (RC->Cfg->mechanism() == Mechanism::None) {
      for (SharedVar &V : Vars)
        for (Instruction *Ann : V.Annotations)
          Ann->eraseFromParent();
      Changed = true;
      continue;
    }
    Changed |= Mover(*F, Vars).run();
  }
  return Changed;
}

PreservedAnalyses SharedLocals::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
