//==============================================================================
// FILE:
//    passes/UntrustedValues.cpp
//
// DESCRIPTION:
//    flexos-check-untrusted. A value is untrusted in the translation unit's
//    compartment S when another compartment that S does not trust chose it:
//      - the result of flexos_gate() into such a compartment;
//      - a load from memory such a compartment can write: a flexos_share
//        global, and a flexos_share local or flexos_malloc_shared() block
//        once a gate may have handed it out;
//      - a load through an untrusted pointer.
//    Casts, arithmetic, phis and selects carry it on; `v & C` and
//    `v urem C` with a constant C bound it. Each use of an untrusted value
//    as a size (memcpy, memset, strncpy, ...), allocation size, loop bound,
//    array index, dereferenced or passed-on pointer, or indirect-call
//    target is reported with its source, unless a check dominates it:
//      - a comparison of the value (or of what it was cast from) against a
//        bound, on the branch edge that keeps the value in range; signed
//        values and pointers need both ends, an unsigned `<` suffices;
//      - flexos_check_index/size/shared() from <flexos.h>.
//    A second load of a shared field whose first load was checked is named
//    as a double fetch. The analysis runs on a copy of each function with
//    its scalar locals promoted to registers, so "read once into a local
//    and check the local" is seen as one value. The one change to the
//    module: an unchecked call through an untrusted function pointer goes
//    to __flexos_indirect_target's answer (gates/gate_table.c), the gate
//    the caller's compartment already takes to that function, or a stop.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-check-untrusted<config=c.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#include "UntrustedValues.h"
#include "GateLowering.h"
#include "SharedLocals.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/CFG.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Operator.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/Scalar/JumpThreading.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/PromoteMemToReg.h"

#include <set>

using namespace llvm;

namespace flexos {

namespace {

// What an untrusted value must not be used as, unchecked.
enum class UseKind { Size, AllocSize, LoopBound, Index, Deref, PassedOn, CallTarget };

// Library functions with length or allocation-size arguments.
struct SizedFunction {
  const char *Name;
  int SizeArgs[2]; // -1: none
  bool Allocates;
};
const SizedFunction SizedFunctions[] = {
    {"memcpy", {2, -1}, false},   {"memmove", {2, -1}, false},
    {"memset", {2, -1}, false},   {"memcmp", {2, -1}, false},
    {"memchr", {2, -1}, false},   {"memccpy", {3, -1}, false},
    {"bcopy", {2, -1}, false},    {"bzero", {1, -1}, false},
    {"strncpy", {2, -1}, false},  {"strncat", {2, -1}, false},
    {"strncmp", {2, -1}, false},  {"strndup", {1, -1}, true},
    {"snprintf", {1, -1}, false}, {"vsnprintf", {1, -1}, false},
    {"read", {2, -1}, false},     {"write", {2, -1}, false},
    {"recv", {2, -1}, false},     {"send", {2, -1}, false},
    {"fread", {1, 2}, false},     {"fwrite", {1, 2}, false},
    {"malloc", {0, -1}, true},    {"calloc", {0, 1}, true},
    {"realloc", {1, -1}, true},   {"aligned_alloc", {1, -1}, true},
    {"flexos_malloc_shared", {0, -1}, true},
};

// The check helpers of <flexos.h>: their result is checked.
bool isIndexCheck(StringRef N) {
  return N == "__flexos_check_index" || N == "__flexos_check_size";
}
bool isSharedCheck(StringRef N) { return N == "__flexos_check_shared"; }

std::string describeLoc(const DebugLoc &DL) {
  if (!DL)
    return "";
  return (DL->getFilename() + ":" + Twine(DL.getLine()) + ":" +
          Twine(DL.getCol()))
      .str();
}

// Two pointers to the same field: the same value, or the same GEP of the
// same base (each `s->len` at -O0 is a GEP of its own).
bool sameAddress(Value *A, Value *B) {
  A = A->stripPointerCasts();
  B = B->stripPointerCasts();
  if (A == B)
    return true;
  auto *GA = dyn_cast<GEPOperator>(A), *GB = dyn_cast<GEPOperator>(B);
  if (!GA || !GB || GA->getNumOperands() != GB->getNumOperands() ||
      GA->getSourceElementType() != GB->getSourceElementType())
    return false;
  if (!sameAddress(GA->getPointerOperand(), GB->getPointerOperand()))
    return false;
  for (unsigned I = 1; I < GA->getNumOperands(); ++I)
    if (GA->getOperand(I) != GB->getOperand(I))
      return false;
  return true;
}

// One function's analysis, on a promoted copy.
class FunctionCheck {
public:
  FunctionCheck(Function &F, const ResolvedConfig &RC,
                const SmallPtrSetImpl<GlobalVariable *> &SharedGlobals,
                DiagnosticSeverity Severity)
      : F(F), RC(RC), SharedGlobals(SharedGlobals), Severity(Severity),
        DT(F), LI(DT) {}
  unsigned run();
  // Indirect calls through an untrusted pointer that no check covers,
  // with the compartment that handed the pointer over (-1: unknown).
  SmallVector<std::pair<CallBase *, int>, 4> UncheckedCalls;

private:
  Function &F;
  const ResolvedConfig &RC;
  const SmallPtrSetImpl<GlobalVariable *> &SharedGlobals;
  DiagnosticSeverity Severity;
  DominatorTree DT;
  LoopInfo LI;
  // Value -> index into Origins: the value itself is untrusted.
  DenseMap<Value *, unsigned> Untrusted;
  // Pointer -> index into Origins: loads through it are untrusted.
  DenseMap<Value *, unsigned> SharedPtr;
  // Objects this function made or was given that become the other side's
  // to write once a gate hands them out: loads through them are untrusted
  // when a gate into an untrusted compartment may have run before.
  DenseMap<const Value *, unsigned> HandedOut;
  std::vector<std::string> Origins;
  std::vector<int> OriginDst; // the compartment behind each origin, or -1
  SmallVector<Instruction *, 4> UntrustedGates;
  std::set<std::pair<std::string, int>> Reported;
  SmallPtrSet<PHINode *, 8> Visiting; // phis isChecked is inside
  unsigned PathDepth = 0;             // predecessor walks isChecked is inside
  bool Reporting = false;             // isChecked called for a report
  unsigned NumReports = 0;

  unsigned origin(const std::string &What, int Dst = -1);
  void findSources();
  bool propagate(Instruction &I);
  int originOf(const DenseMap<Value *, unsigned> &Map, Value *V) const;
  bool confined(Value *V, Instruction *At, BasicBlock *Through = nullptr);
  bool propagateCast(CastInst &CI);
  bool propagateArithmetic(BinaryOperator &BO);
  bool propagateMerge(Instruction &I);
  bool propagateLoad(LoadInst &LD);
  bool noteSharedMemory(CallBase &CB);
  bool mark(DenseMap<Value *, unsigned> &Map, Value *V, unsigned O);
  void findUses();
  void checkCall(CallBase &CB);
  void use(Value *V, Instruction *At, UseKind K, StringRef Callee = "");
  // At: the using instruction; for a phi's incoming value, the incoming
  // block's terminator, with Through the phi's block (the value is used
  // on that edge).
  bool isChecked(Value *V, Instruction *At, Instruction *&CheckedEarlierLoad,
                 BasicBlock *Through = nullptr);
  struct Bounds {
    bool Confined = false; // in range at the use
    bool Tested = false;   // compared against some bound on the way
  };
  Bounds boundsOnEdges(Value *W, Instruction *At, BasicBlock *Through);
  void castFamily(Value *V, SmallVectorImpl<Value *> &Out);
  bool isInduction(Value *V, const Loop *L);
  bool isGateCall(const CallBase &CB, const Compartment **Dst) const;
  bool mayFollowGate(Instruction *I);
};

unsigned FunctionCheck::origin(const std::string &What, int Dst) {
  OriginDst.push_back(Dst);
  Origins.push_back(What);
  return Origins.size() - 1;
}

bool FunctionCheck::mark(DenseMap<Value *, unsigned> &Map, Value *V,
                         unsigned O) {
  return Map.try_emplace(V, O).second;
}

// A call through the marker's result: flexos_gate(lib, fn, ...).
bool FunctionCheck::isGateCall(const CallBase &CB,
                               const Compartment **Dst) const {
  auto *Marker = dyn_cast<CallInst>(CB.getCalledOperand());
  Function *MF = Marker ? Marker->getCalledFunction() : nullptr;
  if (!MF || MF->getName() != GateMarkerName)
    return false;
  StringRef Lib;
  *Dst = nullptr;
  if (getConstantStringInfo(Marker->getArgOperand(0), Lib))
    *Dst = RC.Cfg->compartmentOf(Lib);
  return true;
}

// Shared memory this function made itself (a flexos_share local, a fresh
// shared block) is only another compartment's to write once a gate into
// an untrusted compartment may have run.
bool FunctionCheck::mayFollowGate(Instruction *I) {
  for (Instruction *G : UntrustedGates)
    if (G != I && isPotentiallyReachable(G, I, nullptr, &DT, &LI))
      return true;
  return false;
}

void FunctionCheck::findSources() {
  const Config &Cfg = *RC.Cfg;
  const Compartment &Self = *RC.Self;
  for (Instruction &I : instructions(F)) {
    auto *CB = dyn_cast<CallBase>(&I);
    if (!CB)
      continue;
    const Compartment *Dst = nullptr;
    if (isGateCall(*CB, &Dst)) {
      if (!Dst || Cfg.trusts(Self, *Dst))
        continue;
      UntrustedGates.push_back(CB);
      auto *Marker = cast<CallInst>(CB->getCalledOperand());
      Function *Target =
          dyn_cast<Function>(Marker->getArgOperand(1)->stripPointerCasts());
      for (Value *Arg : CB->args())
        if (Arg->getType()->isPointerTy() && !isa<Constant>(Arg))
          HandedOut.try_emplace(
              getUnderlyingObject(Arg),
              origin("a load from memory the gate to " +
                         (Target ? Target->getName().str() : "?") + " (" +
                         describeLoc(CB->getDebugLoc()) + ") may have written",
                     int(Dst->Index)));
      if (CB->getType()->isVoidTy())
        continue;
      std::string What = "the result of the gate to " +
                         (Target ? Target->getName().str() : "?") +
                         " (compartment '" + Dst->Name + "', not trusted by '" +
                         Self.Name + "')";
      unsigned O = origin(What, int(Dst->Index));
      // Under intel-pku and vm-ept the gate checks at run time that a
      // pointer it returns lies in shared memory (GateLowering); what it
      // points to is the other side's, not the pointer itself.
      bool RuntimeChecked = CB->getType()->isPointerTy() &&
                            !gateReturnsCode(*CB, Target) &&
                            Config::gateMechanism(Self, *Dst) != Mechanism::None;
      if (RuntimeChecked)
        mark(SharedPtr, CB, origin("memory returned by the gate to " +
                                       (Target ? Target->getName().str() : "?") +
                                       " (compartment '" + Dst->Name + "')",
                                   int(Dst->Index)));
      else
        mark(Untrusted, CB, O);
    }
  }
  if (Cfg.trustsAll(Self))
    return;
  // Shared memory: every compartment may write it.
  for (GlobalVariable *GV : SharedGlobals)
    mark(SharedPtr, GV, origin("a load from flexos_share object '" +
                               GV->getName().str() + "'"));
}

// Sources of the local kind and propagation, to a fixed point.
// The origin V carries in Map (a GEP into a shared global carries the
// global's), or -1.
int FunctionCheck::originOf(const DenseMap<Value *, unsigned> &Map,
                            Value *V) const {
  if (auto It = Map.find(V); It != Map.end())
    return It->second;
  if (auto *CE = dyn_cast<ConstantExpr>(V)) // a GEP into a shared global
    if (CE->isCast() || CE->getOpcode() == Instruction::GetElementPtr)
      if (auto *GV = dyn_cast<GlobalVariable>(CE->stripPointerCasts()->
                                               stripInBoundsConstantOffsets()))
        if (auto It = Map.find(GV); It != Map.end())
          return It->second;
  return -1;
}

// A value checked where it flows on leaves a clean result: off += n
// after `if (n < 0 || n > room) return` does not make off untrusted.
bool FunctionCheck::confined(Value *V, Instruction *At, BasicBlock *Through) {
  Instruction *Unused;
  return isChecked(V, At, Unused, Through);
}

// One step of the fixed point: does I become untrusted (or a pointer to
// untrusted memory) through its operands?
bool FunctionCheck::propagate(Instruction &I) {
  if (auto *CI = dyn_cast<CastInst>(&I))
    return propagateCast(*CI);
  if (auto *BO = dyn_cast<BinaryOperator>(&I))
    return propagateArithmetic(*BO);
  if (auto *GEP = dyn_cast<GetElementPtrInst>(&I)) {
    if (int O = originOf(Untrusted, GEP->getPointerOperand()); O >= 0)
      return mark(Untrusted, GEP, O);
    if (int O = originOf(SharedPtr, GEP->getPointerOperand()); O >= 0)
      return mark(SharedPtr, GEP, O);
    return false;
  }
  if (isa<PHINode>(I) || isa<SelectInst>(I))
    return propagateMerge(I);
  if (auto *LD = dyn_cast<LoadInst>(&I))
    return propagateLoad(*LD);
  auto *CB = dyn_cast<CallBase>(&I);
  if (!CB || !CB->getCalledFunction() || RC.Cfg->trustsAll(*RC.Self))
    return false;
  return noteSharedMemory(*CB);
}

bool FunctionCheck::propagateCast(CastInst &CI) {
  bool Changed = false;
  if (int O = originOf(Untrusted, CI.getOperand(0));
      O >= 0 && !confined(CI.getOperand(0), &CI))
    Changed |= mark(Untrusted, &CI, O);
  if (int O = originOf(SharedPtr, CI.getOperand(0));
      O >= 0 && CI.getType()->isPointerTy())
    Changed |= mark(SharedPtr, &CI, O);
  return Changed;
}

bool FunctionCheck::propagateArithmetic(BinaryOperator &BO) {
  // v & C and v urem C lie in [0, C]: bounded.
  if ((BO.getOpcode() == Instruction::And ||
       BO.getOpcode() == Instruction::URem) &&
      isa<ConstantInt>(BO.getOperand(1)))
    return false;
  for (Value *Op : BO.operands())
    if (int O = originOf(Untrusted, Op); O >= 0 && !confined(Op, &BO))
      return mark(Untrusted, &BO, O);
  return false;
}

// A phi or select: untrusted when an operand is, unless the operand is
// checked on its way in (a phi's incoming edge).
bool FunctionCheck::propagateMerge(Instruction &I) {
  bool Changed = false;
  auto *PN = dyn_cast<PHINode>(&I);
  unsigned First = PN ? 0 : 1;
  for (unsigned K = First; K < I.getNumOperands(); ++K) {
    Instruction *At = PN ? PN->getIncomingBlock(K)->getTerminator() : &I;
    if (int O = originOf(Untrusted, I.getOperand(K));
        O >= 0 && !confined(I.getOperand(K), At, PN ? PN->getParent() : nullptr))
      Changed |= mark(Untrusted, &I, O);
    if (int O = originOf(SharedPtr, I.getOperand(K)); O >= 0)
      Changed |= mark(SharedPtr, &I, O);
  }
  return Changed;
}

bool FunctionCheck::propagateLoad(LoadInst &LD) {
  Value *P = LD.getPointerOperand();
  if (int O = originOf(Untrusted, P); O >= 0)
    return mark(Untrusted, &LD, O);
  if (int O = originOf(SharedPtr, P); O >= 0)
    return mark(Untrusted, &LD, O);
  if (auto It = HandedOut.find(getUnderlyingObject(P));
      It != HandedOut.end() && !Untrusted.count(&LD) && mayFollowGate(&LD))
    return mark(Untrusted, &LD, It->second);
  return false;
}

// A local annotated flexos_share, or a fresh shared block: memory the
// other side may write once a gate ran.
bool FunctionCheck::noteSharedMemory(CallBase &CB) {
  StringRef Name = CB.getCalledFunction()->getName();
  if (Name.starts_with("llvm.var.annotation")) {
    StringRef Str;
    if (getConstantStringInfo(CB.getArgOperand(1), Str) &&
        Str == ShareAnnotation)
      return HandedOut
          .try_emplace(getUnderlyingObject(CB.getArgOperand(0)),
                       origin("a load from a flexos_share local (declared "
                              "at " + describeLoc(CB.getDebugLoc()) +
                              ") after a gate may have run"))
          .second;
    return false;
  }
  if (Name == "flexos_malloc_shared")
    return HandedOut
        .try_emplace(&CB, origin("a load from shared heap memory (allocated "
                                 "at " + describeLoc(CB.getDebugLoc()) +
                                 ") after a gate may have run"))
        .second;
  return false;
}

// Is V (up to casts) a phi of the header of L or of a loop inside it: the
// variable a loop counts with? Comparing against it bounds nothing.
bool FunctionCheck::isInduction(Value *V, const Loop *L) {
  while (auto *CI = dyn_cast<CastInst>(V))
    V = CI->getOperand(0);
  auto *PN = dyn_cast<PHINode>(V);
  return L && PN && L->contains(PN) && LI.isLoopHeader(PN->getParent());
}

// Do comparisons of W against bounds, on branch edges that dominate At,
// confine W? Unsigned `<`, `<=` and `==` confine it alone; signed values
// and pointers need an upper and a lower bound.
FunctionCheck::Bounds FunctionCheck::boundsOnEdges(Value *W, Instruction *At,
                                                   BasicBlock *Through) {
  bool Upper = false, Lower = false, Eq = false;
  bool IsPtr = W->getType()->isPointerTy();
  for (User *U : W->users()) {
    auto *C = dyn_cast<ICmpInst>(U);
    if (!C)
      continue;
    Value *Other = C->getOperand(C->getOperand(0) == W ? 1 : 0);
    if (Untrusted.count(Other) || isInduction(Other, LI.getLoopFor(C->getParent())))
      continue; // not a bound
    for (User *CU : C->users()) {
      auto *BR = dyn_cast<BranchInst>(CU);
      if (!BR || !BR->isConditional() || BR->getCondition() != C)
        continue;
      for (unsigned S = 0; S < 2; ++S) {
        if (BR->getSuccessor(0) == BR->getSuccessor(1))
          break; // both edges alike: no information
        BasicBlockEdge E(BR->getParent(), BR->getSuccessor(S));
        bool OnEdge = Through && E.getStart() == At->getParent() &&
                      E.getEnd() == Through;
        if (!OnEdge && !DT.dominates(E, At->getParent()))
          continue;
        CmpInst::Predicate P =
            S == 0 ? C->getPredicate() : C->getInversePredicate();
        if (C->getOperand(0) != W)
          P = CmpInst::getSwappedPredicate(P);
        switch (P) {
        case CmpInst::ICMP_EQ:
          Eq = true;
          break;
        case CmpInst::ICMP_ULT:
        case CmpInst::ICMP_ULE:
          if (!IsPtr)
            Eq = true; // [0, bound): both ends
          Upper = true;
          break;
        case CmpInst::ICMP_SLT:
        case CmpInst::ICMP_SLE:
          Upper = true;
          break;
        case CmpInst::ICMP_UGT:
        case CmpInst::ICMP_UGE:
        case CmpInst::ICMP_SGT:
        case CmpInst::ICMP_SGE:
          Lower = true;
          break;
        default:
          break;
        }
      }
    }
  }
  return {Eq || (Upper && Lower), Eq || Upper || Lower};
}

// V, the values it was cast from, and the widening casts of those: a
// bound on any of them confines V (`(size_t)n` is checked by `n < 64`
// and by `(long)n < 64` alike).
void FunctionCheck::castFamily(Value *V, SmallVectorImpl<Value *> &Out) {
  SmallVector<Value *, 4> Chain;
  for (Value *W = V; W && Chain.size() < 8;) {
    Chain.push_back(W);
    auto *CI = dyn_cast<CastInst>(W);
    W = CI ? CI->getOperand(0) : nullptr;
  }
  for (Value *W : Chain) {
    Out.push_back(W);
    for (User *U : W->users())
      if ((isa<ZExtInst>(U) || isa<SExtInst>(U)) && !is_contained(Chain, U))
        Out.push_back(U);
  }
}

// Is the use of V at At dominated by a check of V, or of a value V was
// cast from? When V is a load of a shared field whose earlier load was
// checked instead, that load is returned for the report.
bool FunctionCheck::isChecked(Value *V, Instruction *At,
                              Instruction *&CheckedEarlierLoad,
                              BasicBlock *Through) {
  CheckedEarlierLoad = nullptr;
  // A phi (c ? n : 0, or a merge after checks on each path) is checked
  // when each untrusted incoming value is checked on its own edge.
  if (auto *PN = dyn_cast<PHINode>(V); PN && Visiting.insert(PN).second) {
    bool All = true;
    for (unsigned K = 0; All && K < PN->getNumIncomingValues(); ++K) {
      Value *In = PN->getIncomingValue(K);
      Instruction *Unused;
      All = !Untrusted.count(In) ||
            isChecked(In, PN->getIncomingBlock(K)->getTerminator(), Unused,
                      PN->getParent());
    }
    Visiting.erase(PN);
    if (All)
      return true;
  }
  SmallVector<Value *, 8> Family;
  castFamily(V, Family);
  LoadInst *Load = nullptr;
  for (Value *W : Family) {
    if (boundsOnEdges(W, At, Through).Confined)
      return true;
    if (auto *LD = dyn_cast<LoadInst>(W))
      Load = LD;
  }
  // Checked on every way in: `if (h == a || h == b) h();`.
  BasicBlock *BB = Through ? Through : At->getParent();
  if (!Through &&
      PathDepth < 4 && pred_size(BB) > 1) {
    bool All = true;
    ++PathDepth;
    for (BasicBlock *P : predecessors(BB)) {
      Instruction *Unused;
      if (DT.dominates(BB, P) ||
          !isChecked(V, P->getTerminator(), Unused, BB)) {
        All = false; // a back edge, or a way in without the check
        break;
      }
    }
    --PathDepth;
    if (All)
      return true;
  }
  if (!Load || !Reporting)
    return false;
  // A double fetch: the same field was read and tested before (looked for
  // only for a report: it scans the function).
  for (Instruction &I : instructions(F)) {
    auto *Other = dyn_cast<LoadInst>(&I);
    if (!Other || Other == Load ||
        !sameAddress(Other->getPointerOperand(), Load->getPointerOperand()))
      continue;
    SmallVector<Value *, 8> OtherFamily;
    castFamily(Other, OtherFamily);
    for (Value *W : OtherFamily)
      if (boundsOnEdges(W, At, Through).Tested) {
        CheckedEarlierLoad = Other;
        return false;
      }
  }
  return false;
}

void FunctionCheck::use(Value *V, Instruction *At, UseKind K,
                        StringRef Callee) {
  auto It = Untrusted.find(V);
  if (It == Untrusted.end())
    return;
  Instruction *Earlier = nullptr;
  Reporting = true;
  bool Checked = isChecked(V, At, Earlier);
  Reporting = false;
  if (Checked)
    return;
  std::string What;
  switch (K) {
  case UseKind::Size:
    What = "the size argument of " + Callee.str();
    break;
  case UseKind::AllocSize:
    What = "an allocation size" + (Callee.empty() ? std::string() : " (" + Callee.str() + ")");
    break;
  case UseKind::LoopBound:
    What = "a loop bound";
    break;
  case UseKind::Index:
    What = "an array index";
    break;
  case UseKind::Deref:
    What = "a pointer that is dereferenced";
    break;
  case UseKind::PassedOn:
    What = "a pointer passed to " + Callee.str();
    break;
  case UseKind::CallTarget:
    What = "an indirect-call target";
    break;
  }
  if (K == UseKind::CallTarget)
    UncheckedCalls.push_back({cast<CallBase>(At), OriginDst[It->second]});
  std::string Loc = describeLoc(At->getDebugLoc());
  if (!Reported.insert({Loc + What, int(It->second)}).second)
    return; // one report per source line, use and source
  ++NumReports;
  std::string Msg = "flexos: untrusted value used as " + What + ": it is " +
                    Origins[It->second];
  if (Earlier)
    Msg += "; an earlier read of the same shared field (" +
           describeLoc(Earlier->getDebugLoc()) +
           ") was checked, but this is a second read that the other side "
           "may have changed in between (a double fetch): read it once into "
           "a local and check the local";
  else if (K == UseKind::CallTarget)
    Msg += "; compare it with the functions it may be (f == on_read) before "
           "calling it";
  else if (K == UseKind::Deref || K == UseKind::PassedOn)
    Msg += "; check it with flexos_check_shared(p, size) from <flexos.h>";
  else
    Msg += "; compare it against a bound that dominates this use (both ends "
           "if it is signed) or use flexos_check_index/size() from "
           "<flexos.h>";
  F.getContext().diagnose(
      DiagnosticInfoUnsupported(F, Msg, At->getDebugLoc(), Severity));
}

void FunctionCheck::checkCall(CallBase &CB) {
  const Compartment *Dst = nullptr;
  if (isGateCall(CB, &Dst))
    return; // values handed back into a gate hurt nobody here
  if (isa<DbgInfoIntrinsic>(CB) || CB.isLifetimeStartOrEnd())
    return;
  if (auto *MI = dyn_cast<MemIntrinsic>(&CB)) {
    use(MI->getLength(), &CB, UseKind::Size,
        isa<MemSetInst>(MI) ? "memset" : isa<MemMoveInst>(MI) ? "memmove" : "memcpy");
    for (Value *Arg : {MI->getRawDest(), isa<MemTransferInst>(MI)
                                             ? cast<MemTransferInst>(MI)->getRawSource()
                                             : nullptr})
      if (Arg)
        use(Arg, &CB, UseKind::Deref);
    return;
  }
  Function *Callee = CB.getCalledFunction();
  if (!Callee) {
    if (!isa<InlineAsm>(CB.getCalledOperand()))
      use(CB.getCalledOperand(), &CB, UseKind::CallTarget);
  }
  StringRef Name = Callee ? Callee->getName() : "";
  if (Callee && (Callee->isIntrinsic() || Name == GateMarkerName ||
                 isIndexCheck(Name) || isSharedCheck(Name)))
    return;
  for (const SizedFunction &SF : SizedFunctions)
    if (Name == SF.Name)
      for (int A : SF.SizeArgs)
        if (A >= 0 && unsigned(A) < CB.arg_size())
          use(CB.getArgOperand(A), &CB, SF.Allocates ? UseKind::AllocSize : UseKind::Size,
              Name);
  for (Value *Arg : CB.args())
    if (Arg->getType()->isPointerTy())
      use(Arg, &CB, UseKind::PassedOn,
          Callee ? Name : StringRef("an indirect call"));
}

void FunctionCheck::findUses() {
  for (Instruction &I : instructions(F)) {
    if (auto *LD = dyn_cast<LoadInst>(&I))
      use(LD->getPointerOperand(), &I, UseKind::Deref);
    else if (auto *ST = dyn_cast<StoreInst>(&I))
      use(ST->getPointerOperand(), &I, UseKind::Deref);
    else if (auto *GEP = dyn_cast<GetElementPtrInst>(&I)) {
      for (Value *Idx : GEP->indices())
        use(Idx, &I, UseKind::Index);
    } else if (auto *AI = dyn_cast<AllocaInst>(&I)) {
      use(AI->getArraySize(), &I, UseKind::AllocSize, "a variable-length array");
    } else if (auto *C = dyn_cast<ICmpInst>(&I)) {
      // i < n controlling the exit of a loop that counts i: n is a bound.
      Loop *L = LI.getLoopFor(C->getParent());
      if (!L)
        continue;
      for (User *U : C->users()) {
        auto *BR = dyn_cast<BranchInst>(U);
        if (!BR || !L->isLoopExiting(BR->getParent()))
          continue;
        for (unsigned K = 0; K < 2; ++K)
          if (isInduction(C->getOperand(1 - K), L))
            use(C->getOperand(K), C, UseKind::LoopBound);
      }
    } else if (auto *CB = dyn_cast<CallBase>(&I)) {
      checkCall(*CB);
    }
  }
}

unsigned FunctionCheck::run() {
  findSources();
  bool Changed = true;
  ReversePostOrderTraversal<Function *> RPO(&F);
  while (Changed) {
    Changed = false;
    for (BasicBlock *BB : RPO)
      for (Instruction &I : *BB)
        Changed |= propagate(I);
  }
  if (Untrusted.empty())
    return 0;
  findUses();
  return NumReports;
}

// The flexos_share globals, read from llvm.global.annotations (the
// placement pass, later, takes the entries out).
SmallPtrSet<GlobalVariable *, 8> sharedGlobals(Module &M) {
  SmallPtrSet<GlobalVariable *, 8> Shared;
  GlobalVariable *Ann = M.getGlobalVariable("llvm.global.annotations");
  auto *Arr = Ann && Ann->hasInitializer()
                  ? dyn_cast<ConstantArray>(Ann->getInitializer())
                  : nullptr;
  if (!Arr)
    return Shared;
  for (Value *Op : Arr->operands())
    if (auto *GV = dyn_cast_or_null<GlobalVariable>(shareAnnotationTarget(Op)))
      Shared.insert(GV);
  return Shared;
}

// Could anything in F be untrusted? Saves cloning most functions.
bool hasSources(Function &F, const SmallPtrSetImpl<GlobalVariable *> &Shared,
                bool TrustsAll) {
  for (Instruction &I : instructions(F)) {
    if (auto *CB = dyn_cast<CallBase>(&I)) {
      auto *Marker = dyn_cast<CallInst>(CB->getCalledOperand());
      if (Marker && Marker->getCalledFunction() &&
          Marker->getCalledFunction()->getName() == GateMarkerName)
        return true;
    }
    if (TrustsAll)
      continue;
    for (Value *Op : I.operands())
      if (auto *GV = dyn_cast<GlobalVariable>(Op->stripPointerCasts()->
                                              stripInBoundsConstantOffsets()))
        if (Shared.count(GV))
          return true;
  }
  return false;
}

// The call goes to __flexos_indirect_target(fn, self, dst, file, line)'s
// answer: the gate this compartment already takes to fn, or a stop
// (gates/gate_table.c).
bool checkIndirectCall(CallBase &CB, const Compartment &Self, int Dst) {
  Module &M = *CB.getModule();
  IRBuilder<> B(&CB);
  FunctionType *FTy = FunctionType::get(
      B.getPtrTy(), {B.getPtrTy(), B.getInt32Ty(), B.getInt32Ty(), B.getPtrTy(),
                     B.getInt32Ty()},
      false);
  FunctionCallee Lookup = M.getOrInsertFunction("__flexos_indirect_target", FTy);
  const DebugLoc &DL = CB.getDebugLoc();
  Value *File = B.CreateGlobalStringPtr(DL ? DL->getFilename() : M.getSourceFileName(),
                                        "flexos.call.file");
  Value *Via = B.CreateCall(
      Lookup, {CB.getCalledOperand(), B.getInt32(Self.Index), B.getInt32(Dst),
               File, B.getInt32(DL ? DL.getLine() : 0)});
  CB.setCalledOperand(Via);
  CB.setMetadata("flexos.checked", MDNode::get(M.getContext(), {}));
  return true;
}

} // namespace

namespace {

// Gives every indirect call of F an id (metadata `Kind`) that a copy of F
// keeps, even where jump threading duplicates the call, so that the
// copy's checked calls map back to F's.
DenseMap<unsigned, CallBase *> numberIndirectCalls(Function &F, unsigned Kind,
                                                   unsigned &LastId) {
  LLVMContext &Ctx = F.getContext();
  DenseMap<unsigned, CallBase *> Calls;
  for (Instruction &I : instructions(F))
    if (auto *CB = dyn_cast<CallBase>(&I);
        CB && !CB->getCalledFunction() && !CB->isInlineAsm()) {
      Calls[++LastId] = CB;
      CB->setMetadata(Kind, MDNode::get(Ctx, ConstantAsMetadata::get(
                                                 ConstantInt::get(Type::getInt32Ty(Ctx), LastId))));
    }
  return Calls;
}

// A copy of F to analyse: its scalar locals are SSA values and its
// short-circuit conditions (`while (p && (n = gate()) > 0)`) are threaded
// into plain branches. Its loads become volatile first, so that no two
// reads of a shared field are merged into one.
Function *analysisCopy(Function &F) {
  ValueToValueMapTy VMap;
  Function *Copy = CloneFunction(&F, VMap);
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->removeFnAttr(Attribute::OptimizeNone);
  {
    DominatorTree DT(*Copy);
    AssumptionCache AC(*Copy);
    SmallVector<AllocaInst *, 16> Allocas;
    for (Instruction &I : Copy->getEntryBlock())
      if (auto *AI = dyn_cast<AllocaInst>(&I); AI && isAllocaPromotable(AI))
        Allocas.push_back(AI);
    if (!Allocas.empty())
      PromoteMemToReg(Allocas, DT, &AC);
  }
  for (Instruction &I : instructions(*Copy))
    if (auto *LD = dyn_cast<LoadInst>(&I))
      LD->setVolatile(true);
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  PassBuilder PB;
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  FunctionPassManager FPM;
  FPM.addPass(JumpThreadingPass());
  FPM.run(*Copy, FAM);
  return Copy;
}

// Analyses a copy of F (diagnostics name F) and routes F's unchecked
// indirect calls through the gate table; true when F changed.
bool checkFunction(Function &F, const ResolvedConfig &RC,
                   const SmallPtrSetImpl<GlobalVariable *> &Shared,
                   DiagnosticSeverity Severity, unsigned &CallId) {
  unsigned IdKind = F.getContext().getMDKindID("flexos.call");
  DenseMap<unsigned, CallBase *> Calls = numberIndirectCalls(F, IdKind, CallId);
  Function *Copy = analysisCopy(F);
  std::string Name = F.getName().str();
  F.setName(Name + ".flexos.original");
  Copy->setName(Name);
  FunctionCheck Check(*Copy, RC, Shared, Severity);
  Check.run();
  bool Changed = false;
  for (auto &[CB, Dst] : Check.UncheckedCalls)
    if (MDNode *Id = CB->getMetadata(IdKind)) {
      unsigned N = mdconst::extract<ConstantInt>(Id->getOperand(0))->getZExtValue();
      if (CallBase *Orig = Calls.lookup(N); Orig && !Orig->getMetadata("flexos.checked"))
        Changed |= checkIndirectCall(*Orig, *RC.Self, Dst);
    }
  for (auto &[N, CB] : Calls)
    CB->setMetadata(IdKind, nullptr);
  Copy->eraseFromParent();
  F.setName(Name);
  return Changed;
}

} // namespace

PreservedAnalyses UntrustedValues::run(Module &M, ModuleAnalysisManager &) {
  StringRef Mode = Opts.Untrusted.empty()
                       ? StringRef(flexos_plugin_state()->FromFrontend.Untrusted)
                       : StringRef(Opts.Untrusted);
  if (Mode == "off")
    return PreservedAnalyses::all();
  SmallPtrSet<GlobalVariable *, 8> Shared = sharedGlobals(M);
  if (!M.getFunction(GateMarkerName) && Shared.empty())
    return PreservedAnalyses::all(); // nothing can be untrusted here
  std::optional<ResolvedConfig> RC = resolveConfig(Opts, M);
  if (!RC)
    return PreservedAnalyses::all();
  DiagnosticSeverity Severity = RC->Untrusted == "error" ? DS_Error : DS_Warning;
  bool TrustsAll = RC->Cfg->trustsAll(*RC->Self);
  if (TrustsAll)
    return PreservedAnalyses::all(); // every compartment's values are trusted
  SmallVector<Function *, 16> Work;
  for (Function &F : M)
    if (!F.isDeclaration() && hasSources(F, Shared, TrustsAll))
      Work.push_back(&F);
  bool Changed = false;
  unsigned CallId = 0;
  for (Function *F : Work)
    Changed |= checkFunction(*F, *RC, Shared, Severity, CallId);
  return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
