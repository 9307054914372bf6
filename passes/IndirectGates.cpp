//==============================================================================
// FILE:
//    passes/IndirectGates.cpp
//
// DESCRIPTION:
//    Checked indirect gates. With automatic gates on (defs=FILE, see
//    passes/AutoGates.cpp) and a compartment that some other compartment
//    is separated from by intel-pku, every call through a function
//    pointer,
//        %r = call i32 %fp(ptr %x)
//    first asks where the pointer leads:
//        - a registered entry point of another compartment (a function
//          whose address escaped its own file; it has a gate record from
//          this compartment): call through that gate, with the callee's
//          rights;
//        - code of another compartment that is no entry point: refused,
//          the program stops with a report (file:line of the call);
//        - anything else (this compartment's code, libc): a plain call,
//          with this compartment's own rights.
//    The answer for the last pointer seen is kept per call site in two
//    words of this compartment's own memory, so a callback called again
//    costs two loads and compares:
//        direct = last pointer found callable directly
//        record = last gate record used (read-only, in the gate table)
//    and only a new pointer calls __flexos_indirect_call (gates/
//    gate_table.c), which fills them. Calls that flexos-check-untrusted
//    already routed through __flexos_indirect_target are left alone.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-indirect-gates<config=x.yaml;library=app;defs=d.txt>' in.ll
//
// License: MIT
//==============================================================================
#include "IndirectGates.h"

#include "flexos/abi.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;

namespace flexos {
namespace {

// Does a gate of intel-pku lead out of Self to some other compartment?
bool hasPkuNeighbour(const ResolvedConfig &RC) {
  for (const Compartment &C : RC.Cfg->compartments())
    if (C.Index != RC.Self->Index &&
        Config::gateMechanism(*RC.Self, C) == Mechanism::IntelPku)
      return true;
  return false;
}

// A pointer that flexos-check-untrusted already checked.
bool alreadyChecked(const Value *Callee) {
  auto *CI = dyn_cast<CallInst>(Callee->stripPointerCasts());
  const Function *F = CI ? CI->getCalledFunction() : nullptr;
  return F && F->getName() == "__flexos_indirect_target";
}

class Instrumenter {
public:
  Instrumenter(Module &M, const ResolvedConfig &RC) : M(M), RC(RC) {}
  void instrument(CallBase &CB);

private:
  Module &M;
  const ResolvedConfig &RC;
  FunctionCallee Check;

  FunctionCallee check();
};

FunctionCallee Instrumenter::check() {
  if (!Check) {
    LLVMContext &Ctx = M.getContext();
    Type *Ptr = PointerType::get(Ctx, 0), *I32 = Type::getInt32Ty(Ctx);
    Check = M.getOrInsertFunction(
        "__flexos_indirect_call",
        FunctionType::get(Ptr, {Ptr, I32, Ptr, Ptr, Ptr, I32}, false));
  }
  return Check;
}

// head:   d = load direct; if (d == fp) goto call; else goto rec
// rec:    r = load record; if (r == 0) goto slow; else goto cmp
// cmp:    if (r->target == fp) goto via; else goto slow
// via:    v = r->via; goto call
// slow:   s = __flexos_indirect_call(fp, self, &direct, &record, file, line)
// call:   t = phi(fp, v, s); call t(args)
void Instrumenter::instrument(CallBase &CB) {
  LLVMContext &Ctx = M.getContext();
  Type *Ptr = PointerType::get(Ctx, 0);
  auto Cache = [&](const char *Name) {
    auto *G = new GlobalVariable(M, Ptr, /*isConstant=*/false,
                                 GlobalValue::InternalLinkage,
                                 ConstantPointerNull::get(cast<PointerType>(Ptr)),
                                 Name);
    G->setAlignment(Align(8));
    return G;
  };
  GlobalVariable *Direct = Cache("flexos.icall.direct");
  GlobalVariable *Record = Cache("flexos.icall.record");
  Value *Fp = CB.getCalledOperand();

  BasicBlock *Head = CB.getParent();
  Function *F = Head->getParent();
  BasicBlock *Call = Head->splitBasicBlock(&CB, "flexos.icall");
  BasicBlock *Rec = BasicBlock::Create(Ctx, "flexos.icall.rec", F, Call);
  BasicBlock *Cmp = BasicBlock::Create(Ctx, "flexos.icall.cmp", F, Call);
  BasicBlock *Via = BasicBlock::Create(Ctx, "flexos.icall.via", F, Call);
  BasicBlock *Slow = BasicBlock::Create(Ctx, "flexos.icall.slow", F, Call);
  Head->getTerminator()->eraseFromParent();

  IRBuilder<> B(Head);
  LoadInst *D = B.CreateAlignedLoad(Ptr, Direct, Align(8), "flexos.icall.d");
  D->setAtomic(AtomicOrdering::Monotonic);
  B.CreateCondBr(B.CreateICmpEQ(D, Fp), Call, Rec);

  B.SetInsertPoint(Rec);
  LoadInst *R = B.CreateAlignedLoad(Ptr, Record, Align(8), "flexos.icall.r");
  R->setAtomic(AtomicOrdering::Monotonic);
  B.CreateCondBr(B.CreateIsNull(R), Slow, Cmp);

  B.SetInsertPoint(Cmp);
  Value *Target = B.CreateAlignedLoad(Ptr, R, Align(8), "flexos.icall.target");
  B.CreateCondBr(B.CreateICmpEQ(Target, Fp), Via, Slow);

  B.SetInsertPoint(Via);
  Value *V = B.CreateAlignedLoad(Ptr, B.CreateConstGEP1_32(B.getInt8Ty(), R, 8),
                                 Align(8), "flexos.icall.via");
  B.CreateBr(Call);

  B.SetInsertPoint(Slow);
  StringRef File = M.getSourceFileName();
  unsigned Line = 0;
  if (const DebugLoc &DL = CB.getDebugLoc()) {
    File = DL->getFilename();
    Line = DL->getLine();
  }
  CallInst *S = B.CreateCall(
      check(), {Fp, B.getInt32(RC.Self->Index), Direct, Record,
                B.CreateGlobalStringPtr(File, "flexos.icall.file"),
                B.getInt32(Line)},
      "flexos.icall.checked");
  S->setDebugLoc(CB.getDebugLoc());
  B.CreateBr(Call);

  B.SetInsertPoint(&*Call->begin());
  PHINode *T = B.CreatePHI(Ptr, 3, "flexos.icall.callee");
  T->addIncoming(Fp, Head);
  T->addIncoming(V, Via);
  T->addIncoming(S, Slow);
  CB.setCalledOperand(T);
}

} // namespace

bool IndirectGates::runOnModule(Module &M) {
  if (Opts.Defs.empty() && flexos_plugin_state()->FromFrontend.Defs.empty())
    return false; // only with automatic gates (passes/AutoGates.cpp)
  std::optional<ResolvedConfig> RC = resolveConfig(Opts, M);
  if (!RC || !hasPkuNeighbour(*RC))
    return false;
  SmallVector<CallBase *, 16> Calls;
  for (Function &F : M)
    for (BasicBlock &BB : F)
      for (Instruction &I : BB)
        if (auto *CB = dyn_cast<CallBase>(&I);
            CB && CB->isIndirectCall() && !CB->isInlineAsm() &&
            !isa<CallBrInst>(CB) && !alreadyChecked(CB->getCalledOperand()))
          Calls.push_back(CB);
  Instrumenter In(M, *RC);
  for (CallBase *CB : Calls)
    In.instrument(*CB);
  return !Calls.empty();
}

PreservedAnalyses IndirectGates::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
