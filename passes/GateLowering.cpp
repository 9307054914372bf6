//==============================================================================
// FILE:
//    passes/GateLowering.cpp
//
// DESCRIPTION:
//    With the plugin, flexos_gate(lib, fn, args...) becomes
//        %p = call ptr @__flexos_gate_target(ptr @"lib", ptr @fn)
//        %r = call T %p(args...)
//    This pass replaces each such pair, given the caller's compartment S (the
//    translation unit's library) and the callee's compartment D (lib):
//      - S == D or mechanism none: call T @fn(args...)
//      - intel-pku: call T @"__flexos_pku_gate.S.D.fn"(args...), plus one
//        FLEXOS_PKU_GATE instance (gates/pku_gate.inc) in module assembly
//      - vm-ept: arguments marshalled into the thread's RPC slot, then
//        call void @__flexos_ept_call(slot), result read back
//    Anything it cannot lower is an error that names the call; nothing is
//    ever left as a silent plain call.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-lower-gates<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#include "GateLowering.h"

#include "AutoGates.h" // EntryAttr

#include "flexos/abi.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

namespace flexos {

// gates/pku_gate.inc, embedded at build time (passes/CMakeLists.txt).
static const char PkuGateMacro[] =
#include "PkuGateMacro.inc"
    ;

namespace {

// How the SysV x86-64 ABI passes one gate signature.
struct Classification {
  unsigned NumInt = 0, NumFp = 0, NumStack = 0;
  unsigned RetInt = 0, RetFp = 0;
};

enum class ArgClass { Int, Fp, Unsupported };

ArgClass classify(Type *T) {
  if (T->isPointerTy() || (T->isIntegerTy() && T->getIntegerBitWidth() <= 64))
    return ArgClass::Int;
  if (T->isFloatTy() || T->isDoubleTy())
    return ArgClass::Fp;
  return ArgClass::Unsupported;
}

// Code compiled for AVX may leave data in the upper halves of ymm
// registers, which the gate must then clear as well.
bool usesAvx(const Function &F) {
  return F.getFnAttribute("target-features").getValueAsString().contains("+avx");
}

std::string typeName(Type *T) {
  std::string S;
  raw_string_ostream OS(S);
  T->print(OS);
  return OS.str();
}

class Lowering {
public:
  Lowering(Module &M, const ResolvedConfig &RC) : M(M), RC(RC) {}
  bool run();

private:
  Module &M;
  const ResolvedConfig &RC;
  bool Failed = false;
  std::string ModuleAsm;  // new gate instances
  StringSet<> Emitted;    // instances in ModuleAsm

  void error(CallInst *At, const Twine &Msg);
  bool lowerMarkers(Function &MarkerFn);
  bool lowerMarker(CallInst *Marker);
  bool classifyCall(CallBase &CB, Function &Target, Classification &C,
                    unsigned MaxStack);
  void lowerPku(CallBase &CB, Function &Target, const Compartment &Dst);
  Constant *pkuInstance(FunctionType *FTy, Function &Target,
                        const Compartment &Src, const Compartment &Dst,
                        const Classification &C, bool Avx);
  std::string localSuffix(const Function &Target);
  void emitEntries();
  Instruction *lowerEpt(CallBase &CB, Function &Target, const Compartment &Dst);
  void emitEptEntry(CallBase &CB, Function &Target, const Compartment &Dst);
  void checkResult(Instruction *After, Value *Result, Function &Target,
                   const Compartment &Dst, bool ReturnsCode);
  void emitGateRecord(Function &Target, Constant *Via, const Compartment &Src,
                      const Compartment &Dst, bool Entry = false);
};

// At is the marker call. <flexos.h> passes __FILE__ and __LINE__ to it, so
// the message names the gate even when there is no debug location.
void Lowering::error(CallInst *At, const Twine &Msg) {
  Failed = true;
  Function *F = At->getFunction();
  std::string Where;
  StringRef File;
  if (At->arg_size() >= 4 && getConstantStringInfo(At->getArgOperand(2), File))
    if (auto *Line = dyn_cast<ConstantInt>(At->getArgOperand(3)))
      Where = (File + ":" + Twine(Line->getZExtValue()) + ": ").str();
  M.getContext().diagnose(DiagnosticInfoUnsupported(
      *F, "flexos: " + Where + Msg, At->getDebugLoc()));
}

bool Lowering::run() {
  bool Changed = false;
  if (Function *MarkerFn = M.getFunction(GateMarkerName)) {
    if (!lowerMarkers(*MarkerFn))
      return false;
    Changed = true;
  }
  size_t Before = ModuleAsm.size();
  emitEntries();
  Changed |= ModuleAsm.size() != Before;
  if (!ModuleAsm.empty()) {
    if (M.getModuleInlineAsm().find(".macro FLEXOS_PKU_GATE ") ==
        std::string::npos)
      M.appendModuleInlineAsm(PkuGateMacro);
    M.appendModuleInlineAsm(ModuleAsm);
  }
  return Changed;
}

bool Lowering::lowerMarkers(Function &MarkerFn) {
  for (User *U : MarkerFn.users()) {
    auto *CI = dyn_cast<CallInst>(U);
    if (!CI || CI->getCalledOperand() != &MarkerFn) {
      // Someone took the marker's address: nothing we can lower.
      M.getContext().emitError(
          "flexos: __flexos_gate_target is used other than through "
          "flexos_gate(); use the macro from <flexos.h>");
      return false;
    }
  }
  // Walk the code in order, so that gate instances appear in source order.
  SmallVector<CallInst *, 16> Markers;
  for (Function &F : M)
    for (BasicBlock &BB : F)
      for (Instruction &I : BB)
        if (auto *CI = dyn_cast<CallInst>(&I); CI && CI->getCalledOperand() == &MarkerFn)
          Markers.push_back(CI);
  for (CallInst *CI : Markers)
    lowerMarker(CI);
  if (!Failed && MarkerFn.use_empty())
    MarkerFn.eraseFromParent();
  return true;
}

bool Lowering::lowerMarker(CallInst *Marker) {
  StringRef Lib;
  if (!getConstantStringInfo(Marker->getArgOperand(0), Lib)) {
    error(Marker, "gate library must be a plain name, as in "
                  "flexos_gate(lwip, recv, ...)");
    return false;
  }
  auto *Target =
      dyn_cast<Function>(Marker->getArgOperand(1)->stripPointerCasts());
  if (!Target) {
    error(Marker, "the target of a gate into '" + Lib +
                      "' must name a function, not a function pointer");
    return false;
  }
  const Compartment *Dst = RC.Cfg->compartmentOf(Lib);
  if (!Dst) {
    error(Marker, "gate to " + Target->getName() + " names library '" + Lib +
                      "', which is not listed under 'libraries' in " +
                      RC.Cfg->path());
    return false;
  }
  SmallVector<CallBase *, 2> Calls;
  for (User *U : Marker->users()) {
    auto *CB = dyn_cast<CallBase>(U);
    if (CB && isa<InvokeInst>(CB)) {
      error(Marker, "the gate to " + Target->getName() +
                        " may unwind (C++ exceptions); gates must not throw "
                        "across compartments: call it from a noexcept "
                        "function or outside try blocks and destructors' scope");
      return false;
    }
    if (!CB || CB->getCalledOperand() != Marker) {
      error(Marker, "the gate to " + Target->getName() +
                        " must be called directly, as flexos_gate(" + Lib +
                        ", " + Target->getName() + ", ...)");
      return false;
    }
    Calls.push_back(CB);
  }
  // A function defined in this file belongs to this file's library; a gate
  // that places it elsewhere is a mistake (and for a static function, gate
  // instances from different files would share one name).
  if (!Target->isDeclaration() && Dst->Index != RC.Self->Index) {
    error(Marker, Target->getName() + " is defined in this file, which "
                      "belongs to library '" + RC.Library + "' (compartment '" +
                      RC.Self->Name + "'), but the gate names library '" + Lib +
                      "' (compartment '" + Dst->Name + "')");
    return false;
  }
  Mechanism Mech = Config::gateMechanism(*RC.Self, *Dst);
  bool Direct = Dst->Index == RC.Self->Index || Mech == Mechanism::None;
  for (CallBase *CB : Calls) {
    // A data pointer from a compartment the caller does not trust must
    // point into shared memory (docs/untrusted-values.md).
    bool Check = !Direct && CB->getType()->isPointerTy() &&
                 !RC.Cfg->trusts(*RC.Self, *Dst);
    bool Code = Check && gateReturnsCode(*CB, Target);
    if (Direct) {
      CB->setCalledOperand(Target);
      if (Dst->Index != RC.Self->Index)
        emitGateRecord(*Target, Target, *RC.Self, *Dst);
    } else if (Mech == Mechanism::IntelPku) {
      lowerPku(*CB, *Target, *Dst);
      if (auto *Via = dyn_cast<Constant>(CB->getCalledOperand()))
        emitGateRecord(*Target, Via, *RC.Self, *Dst);
      if (Check)
        checkResult(CB, CB, *Target, *Dst, Code);
    } else {
      Instruction *Result = lowerEpt(*CB, *Target, *Dst);
      if (Check && Result)
        checkResult(Result, Result, *Target, *Dst, Code);
    }
  }
  if (Marker->use_empty())
    Marker->eraseFromParent();
  return true;
}

// How the SysV convention passes FTy's arguments (Attrs: the call's or the
// function's attributes); on failure Why says what cannot be gated.
bool classifySignature(FunctionType *FTy, const AttributeList &Attrs,
                       StringRef Name, Classification &C, unsigned MaxStack,
                       std::string &Why) {
  if (FTy->isVarArg()) {
    Why = ("gate to variadic function " + Name + " is not supported").str();
    return false;
  }
  // The name goes into assembly unquoted.
  if (!all_of(Name, [](char C) { return isAlnum(C) || C == '_' || C == '.'; })) {
    Why = ("gate target '" + Name + "' is not a plain symbol name (an "
           "asm label?); gates need C identifiers").str();
    return false;
  }
  for (unsigned I = 0; I < FTy->getNumParams(); ++I) {
    if (Attrs.hasParamAttr(I, Attribute::ByVal) ||
        Attrs.hasParamAttr(I, Attribute::StructRet) ||
        Attrs.hasParamAttr(I, Attribute::InAlloca)) {
      Why = ("gate to " + Name + ": argument " + Twine(I + 1) +
             " is passed by value in memory (struct or sret); pass a "
             "pointer to shared memory instead").str();
      return false;
    }
    switch (classify(FTy->getParamType(I))) {
    case ArgClass::Int:
      if (C.NumInt < 6)
        ++C.NumInt;
      else
        ++C.NumStack;
      break;
    case ArgClass::Fp:
      if (C.NumFp < 8)
        ++C.NumFp;
      else
        ++C.NumStack;
      break;
    case ArgClass::Unsupported:
      Why = ("gate to " + Name + ": argument " + Twine(I + 1) + " has type " +
             typeName(FTy->getParamType(I)) +
             "; gates take integers, pointers, float and double").str();
      return false;
    }
  }
  if (C.NumStack > MaxStack) {
    Why = ("gate to " + Name + " needs " + Twine(C.NumStack) +
           " stack arguments; at most " + Twine(MaxStack) +
           " are supported (pass a pointer to a shared struct)").str();
    return false;
  }
  Type *Ret = FTy->getReturnType();
  if (Ret->isVoidTy())
    return true;
  switch (classify(Ret)) {
  case ArgClass::Int:
    C.RetInt = 1;
    return true;
  case ArgClass::Fp:
    C.RetFp = 1;
    return true;
  case ArgClass::Unsupported:
    Why = ("gate to " + Name + " returns " + typeName(Ret) +
           "; gates return void, integers, pointers, float or double").str();
    return false;
  }
  return false;
}

bool Lowering::classifyCall(CallBase &CB, Function &Target, Classification &C,
                            unsigned MaxStack) {
  auto *At = cast<CallInst>(CB.getCalledOperand());
  // The gate instances speak the SysV convention only.
  if (!CB.getFunctionType()->isVarArg() &&
      (CB.getCallingConv() != CallingConv::C ||
       Target.getCallingConv() != CallingConv::C)) {
    error(At, "gate to " + Target.getName() + " uses a calling convention "
                  "other than the default C one (ms_abi, preserve_most, ...)");
    return false;
  }
  std::string Why;
  if (classifySignature(CB.getFunctionType(), CB.getAttributes(),
                        Target.getName(), C, MaxStack, Why))
    return true;
  error(At, Why);
  return false;
}

void Lowering::lowerPku(CallBase &CB, Function &Target, const Compartment &Dst) {
  Classification C;
  if (!classifyCall(CB, Target, C, 6))
    return;
  CB.setCalledOperand(pkuInstance(CB.getFunctionType(), Target, *RC.Self, Dst,
                                  C, usesAvx(*CB.getFunction())));
}

// The gate instance from Src to Target in Dst: its declaration, and one
// FLEXOS_PKU_GATE line in the module assembly. A function local to this
// file gets an instance name of this file's own, since gates of two files
// to two different static functions of one name must not merge.
Constant *Lowering::pkuInstance(FunctionType *FTy, Function &Target,
                                const Compartment &Src, const Compartment &Dst,
                                const Classification &C, bool Avx) {
  std::string Instance = ("__flexos_pku_gate." + Src.Name + "." + Dst.Name +
                          "." + Target.getName() + localSuffix(Target))
                             .str();
  // The file may already name the instance (say, through an asm label to
  // take its address); then that symbol is the callee, whatever its IR type.
  Constant *Callee = M.getNamedValue(Instance);
  if (!Callee) {
    Function *Decl =
        Function::Create(FTy, GlobalValue::ExternalLinkage, Instance, M);
    Decl->setVisibility(GlobalValue::HiddenVisibility);
    Callee = Decl;
  }
  if (Emitted.insert(Instance).second) {
    raw_string_ostream OS(ModuleAsm);
    OS << "FLEXOS_PKU_GATE " << Instance << ", " << Target.getName() << ", "
       << Src.Index << ", " << Dst.Index << ", "
       << format_hex(RC.Cfg->pkruOf(Src), 10) << ", "
       << format_hex(RC.Cfg->pkruOf(Dst), 10) << ", " << C.NumInt << ", "
       << C.NumFp << ", " << C.NumStack << ", " << C.RetInt << ", " << C.RetFp
       << ", " << (Avx ? 1 : 0) << "\n";
  }
  return Callee;
}

// "" for a function other files can see; ".l<hash of this file>" for one
// local to this file.
std::string Lowering::localSuffix(const Function &Target) {
  if (!Target.hasLocalLinkage())
    return "";
  return ".l" + utohexstr(xxh3_64bits(M.getSourceFileName() + "\n" +
                                      M.getModuleIdentifier()),
                          /*LowerCase=*/true);
}

// Entry points for checked indirect calls (passes/AutoGates.cpp marks
// them): a function of this file whose address escapes gets a gate from
// every other intel-pku compartment; a function of another compartment
// whose address this file takes, a gate from this one. Each comes with
// its record in the entry table, which __flexos_indirect_call looks
// pointers up in (and __flexos_indirect_target, stricter, does not).
// A signature no gate can carry (variadic, structs by value) gets none:
// a call through a pointer to it from elsewhere is refused at run time.
void Lowering::emitEntries() {
  bool Avx = any_of(M, [](const Function &F) {
    return !F.isDeclaration() && usesAvx(F);
  });
  for (Function &F : M) {
    if (!F.hasFnAttribute(EntryAttr) || F.getCallingConv() != CallingConv::C)
      continue;
    Classification C;
    std::string Why;
    if (!classifySignature(F.getFunctionType(), F.getAttributes(), F.getName(),
                           C, 6, Why))
      continue;
    auto Register = [&](const Compartment &Src, const Compartment &Dst) {
      if (Src.Index == Dst.Index ||
          Config::gateMechanism(Src, Dst) != Mechanism::IntelPku)
        return;
      Constant *Via = pkuInstance(F.getFunctionType(), F, Src, Dst, C, Avx);
      emitGateRecord(F, Via, Src, Dst, /*Entry=*/true);
    };
    if (!F.isDeclaration()) {
      for (const Compartment &Src : RC.Cfg->compartments())
        Register(Src, *RC.Self);
      if (F.hasLocalLinkage())
        appendToCompilerUsed(M, {&F}); // the assembly names it
      continue;
    }
    StringRef Lib = F.getFnAttribute(EntryAttr).getValueAsString();
    if (const Compartment *Owner = RC.Cfg->compartmentOf(Lib))
      Register(*RC.Self, *Owner);
  }
}

// Converts a gate argument to the 64-bit RPC representation.
Value *toWord(IRBuilder<> &B, Value *V, bool SignExt) {
  Type *I64 = B.getInt64Ty();
  Type *T = V->getType();
  if (T->isPointerTy())
    return B.CreatePtrToInt(V, I64);
  if (T->isDoubleTy())
    return B.CreateBitCast(V, I64);
  if (T->isFloatTy())
    return B.CreateZExt(B.CreateBitCast(V, B.getInt32Ty()), I64);
  return SignExt ? B.CreateSExt(V, I64) : B.CreateZExt(V, I64);
}

Value *fromWord(IRBuilder<> &B, Value *W, Type *T) {
  if (T->isPointerTy())
    return B.CreateIntToPtr(W, T);
  if (T->isDoubleTy())
    return B.CreateBitCast(W, T);
  if (T->isFloatTy())
    return B.CreateBitCast(B.CreateTrunc(W, B.getInt32Ty()), T);
  return B.CreateTrunc(W, T);
}

// Returns the instruction that yields the gate's result, if any.
Instruction *Lowering::lowerEpt(CallBase &CB, Function &Target,
                                const Compartment &Dst) {
  if (CB.arg_size() > FLEXOS_RPC_MAX_ARGS) {
    error(cast<CallInst>(CB.getCalledOperand()),
          "gate to " + Target.getName() + " has " + Twine(CB.arg_size()) +
              " arguments; vm-ept gates carry at most " +
              Twine(FLEXOS_RPC_MAX_ARGS));
    return nullptr;
  }
  Classification C;
  if (!classifyCall(CB, Target, C, FLEXOS_RPC_MAX_ARGS))
    return nullptr;
  LLVMContext &Ctx = M.getContext();
  IRBuilder<> B(&CB);
  Type *I8 = B.getInt8Ty();
  // slot = *(struct flexos_rpc_slot **)%gs:FLEXOS_TCB_RPC_SLOT
  Value *TcbField = ConstantExpr::getIntToPtr(
      B.getInt64(FLEXOS_TCB_RPC_SLOT), PointerType::get(Ctx, 256));
  Value *Slot = B.CreateLoad(B.getPtrTy(), TcbField, "flexos.rpc.slot");
  auto Field = [&](unsigned Off) { return B.CreateConstGEP1_32(I8, Slot, Off); };
  B.CreateStore(B.getInt64(flexos_fn_id(Target.getName().str().c_str())),
                Field(FLEXOS_RPC_FN_ID));
  B.CreateStore(B.getInt32(CB.arg_size()), Field(FLEXOS_RPC_NARGS));
  B.CreateStore(B.getInt32(Dst.Index), Field(FLEXOS_RPC_DST));
  for (unsigned I = 0; I < CB.arg_size(); ++I) {
    bool SExt = CB.paramHasAttr(I, Attribute::SExt);
    B.CreateStore(toWord(B, CB.getArgOperand(I), SExt),
                  Field(FLEXOS_RPC_ARGS + 8 * I));
  }
  FunctionCallee Call = M.getOrInsertFunction(
      "__flexos_ept_call", FunctionType::get(B.getVoidTy(), {B.getPtrTy()}, false));
  B.CreateCall(Call, {Slot});
  emitEptEntry(CB, Target, Dst);
  Type *RetTy = CB.getType();
  Instruction *Result = nullptr;
  if (!RetTy->isVoidTy()) {
    Value *W = B.CreateLoad(B.getInt64Ty(), Field(FLEXOS_RPC_RET), "flexos.rpc.ret");
    Value *R = fromWord(B, W, RetTy);
    CB.replaceAllUsesWith(R);
    Result = dyn_cast<Instruction>(R);
  }
  CB.eraseFromParent();
  return Result;
}

// The gate table's record for calls from this compartment to Target in
// Dst (include/flexos/abi.h): COMDAT, one per pair and function in the
// program however many files gate it.
void Lowering::emitGateRecord(Function &Target, Constant *Via,
                              const Compartment &Src, const Compartment &Dst,
                              bool Entry) {
  std::string Name = ((Entry ? "__flexos_entry_record." : "__flexos_gate_record.") +
                      Src.Name + "." + Dst.Name +
                      "." + Target.getName() + localSuffix(Target))
                         .str();
  if (M.getNamedGlobal(Name))
    return;
  LLVMContext &Ctx = M.getContext();
  Type *I32 = Type::getInt32Ty(Ctx);
  PointerType *Ptr = PointerType::get(Ctx, 0);
  StructType *Ty = StructType::get(Ctx, {Ptr, Ptr, I32, I32});
  Constant *Fields[] = {&Target, Via, ConstantInt::get(I32, Src.Index),
                        ConstantInt::get(I32, Dst.Index)};
  auto *Record = new GlobalVariable(M, Ty, /*isConstant=*/true,
                                    GlobalValue::LinkOnceODRLinkage,
                                    ConstantStruct::get(Ty, Fields), Name);
  Record->setVisibility(GlobalValue::HiddenVisibility);
  Record->setComdat(M.getOrInsertComdat(Name));
  Record->setSection(Entry ? FLEXOS_ENTRY_TABLE_SECTION : FLEXOS_GATE_TABLE_SECTION);
  Record->setAlignment(Align(8));
  appendToCompilerUsed(M, {Record});
}

// After the gate: __flexos_check_gate_result(ptr, "src -> dst: fn"), which
// stops the program unless the pointer is NULL or in shared memory.  Under
// intel-pku the common case is tested inline first: NULL, or a page whose
// bit in the image's shared-page bitmap is set (include/flexos/abi.h).  A
// function pointer is left to the caller's checks (it is never shared
// data; flexos-check-untrusted routes calls through it).
void Lowering::checkResult(Instruction *After, Value *Result, Function &Target,
                           const Compartment &Dst, bool ReturnsCode) {
  if (ReturnsCode)
    return;
  LLVMContext &Ctx = M.getContext();
  Instruction *Next = After->getNextNode();
  IRBuilder<> B(Next);
  std::string Desc =
      (RC.Self->Name + " -> " + Dst.Name + ": " + Target.getName()).str();
  FunctionCallee Check = M.getOrInsertFunction(
      "__flexos_check_gate_result",
      FunctionType::get(B.getVoidTy(), {B.getPtrTy(), B.getPtrTy()}, false));
  Value *Name = B.CreateGlobalStringPtr(Desc, "flexos.gate.name");
  if (Config::gateMechanism(*RC.Self, Dst) != Mechanism::IntelPku) {
    B.CreateCall(Check, {Result, Name});
    return;
  }
  // entry: if (p == 0) goto done; if (!bits) goto slow;
  //        page = p >> 12; if (page >= limit) goto slow;
  //        if (bits[page >> 3] >> (page & 7) & 1) goto done;
  // slow:  __flexos_check_gate_result(p, name)
  auto *Bits = M.getGlobalVariable(FLEXOS_SHARED_PAGE_BITS);
  if (!Bits) {
    Bits = new GlobalVariable(M, B.getInt8Ty(), /*isConstant=*/false,
                              GlobalValue::ExternalWeakLinkage, nullptr,
                              FLEXOS_SHARED_PAGE_BITS);
  }
  BasicBlock *Head = Next->getParent();
  BasicBlock *Done = Head->splitBasicBlock(Next, "flexos.checked");
  Function *F = Head->getParent();
  BasicBlock *Probe = BasicBlock::Create(Ctx, "flexos.check.probe", F, Done);
  BasicBlock *Test = BasicBlock::Create(Ctx, "flexos.check.test", F, Done);
  BasicBlock *Slow = BasicBlock::Create(Ctx, "flexos.check.slow", F, Done);
  Head->getTerminator()->eraseFromParent();
  B.SetInsertPoint(Head);
  Value *Addr = B.CreatePtrToInt(Result, B.getInt64Ty());
  Value *IsNull = B.CreateICmpEQ(Addr, B.getInt64(0));
  B.CreateCondBr(IsNull, Done, Probe);
  B.SetInsertPoint(Probe);
  Value *Page = B.CreateLShr(Addr, 12);
  Value *NoBits = B.CreateICmpEQ(Bits, ConstantPointerNull::get(B.getPtrTy()));
  Value *Beyond = B.CreateICmpUGE(Page, B.getInt64(FLEXOS_SHARED_PAGE_LIMIT >> 12));
  B.CreateCondBr(B.CreateOr(NoBits, Beyond), Slow, Test);
  B.SetInsertPoint(Test);
  Value *Byte = B.CreateLoad(B.getInt8Ty(),
                             B.CreateGEP(B.getInt8Ty(), Bits, B.CreateLShr(Page, 3)));
  Value *Bit = B.CreateAnd(B.CreateLShr(B.CreateZExt(Byte, B.getInt64Ty()),
                                        B.CreateAnd(Page, 7)),
                           1);
  B.CreateCondBr(B.CreateICmpNE(Bit, B.getInt64(0)), Done, Slow);
  B.SetInsertPoint(Slow);
  B.CreateCall(Check, {Result, Name});
  B.CreateBr(Done);
}

// The callee's half of a vm-ept gate: a record in .flexos_ept_entries that
// the callee VM's dispatcher looks identifiers up in (only functions some
// gate targets are callable), and an unpack function that turns the
// slot's 64-bit words back into typed arguments.  Both are COMDAT, so
// every gate to the same function in the program yields one entry.
void Lowering::emitEptEntry(CallBase &CB, Function &Target,
                            const Compartment &Dst) {
  std::string EntryName = ("__flexos_ept_entry." + Target.getName()).str();
  if (M.getNamedGlobal(EntryName))
    return;
  LLVMContext &Ctx = M.getContext();
  FunctionType *FTy = CB.getFunctionType();
  Type *I64 = Type::getInt64Ty(Ctx), *I32 = Type::getInt32Ty(Ctx);
  PointerType *Ptr = PointerType::get(Ctx, 0);

  std::string UnpackName = ("__flexos_ept_unpack." + Target.getName()).str();
  Function *Unpack = Function::Create(FunctionType::get(I64, {Ptr}, false),
                                      GlobalValue::LinkOnceODRLinkage,
                                      UnpackName, M);
  Unpack->setVisibility(GlobalValue::HiddenVisibility);
  Unpack->setComdat(M.getOrInsertComdat(UnpackName));
  Unpack->addFnAttr(Attribute::NoUnwind);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Unpack));
  SmallVector<Value *, FLEXOS_RPC_MAX_ARGS> Args;
  uint32_t PointerMask = 0;
  for (unsigned I = 0; I < FTy->getNumParams(); ++I) {
    Value *W = B.CreateLoad(I64, B.CreateConstGEP1_32(I64, Unpack->getArg(0), I));
    Type *T = FTy->getParamType(I);
    if (T->isPointerTy())
      PointerMask |= 1u << I;
    Args.push_back(fromWord(B, W, T));
  }
  CallInst *Call = B.CreateCall(FunctionCallee(FTy, &Target), Args);
  // Keep the caller's extension attributes so the callee sees the same
  // values it would get from a direct call.
  for (unsigned I = 0; I < FTy->getNumParams(); ++I)
    for (Attribute::AttrKind K : {Attribute::SExt, Attribute::ZExt})
      if (CB.paramHasAttr(I, K))
        Call->addParamAttr(I, K);
  Type *RetTy = FTy->getReturnType();
  B.CreateRet(RetTy->isVoidTy() ? B.getInt64(0)
                                : toWord(B, Call, CB.hasRetAttr(Attribute::SExt)));

  Constant *Fields[] = {
      ConstantInt::get(I64, flexos_fn_id(Target.getName().str().c_str())),
      ConstantInt::get(I32, Dst.Index),
      ConstantInt::get(I32, FTy->getNumParams()),
      ConstantInt::get(I32, PointerMask),
      ConstantInt::get(I32, 0),
      Unpack};
  StructType *EntryTy = StructType::get(Ctx, {I64, I32, I32, I32, I32, Ptr});
  auto *Entry = new GlobalVariable(M, EntryTy, /*isConstant=*/true,
                                   GlobalValue::LinkOnceODRLinkage,
                                   ConstantStruct::get(EntryTy, Fields),
                                   EntryName);
  Entry->setVisibility(GlobalValue::HiddenVisibility);
  Entry->setComdat(M.getOrInsertComdat(EntryName));
  Entry->setSection(FLEXOS_EPT_ENTRY_SECTION);
  Entry->setAlignment(Align(8));
  appendToCompilerUsed(M, {Entry});
}

} // namespace

bool GateLowering::runOnModule(Module &M) {
  bool HasEntries = any_of(M, [](const Function &F) {
    return F.hasFnAttribute(EntryAttr);
  });
  if (!M.getFunction(GateMarkerName) && !HasEntries)
    return false; // nothing to do, and no configuration needed
  std::optional<ResolvedConfig> RC = resolveConfig(Opts, M);
  if (!RC)
    return false;
  return Lowering(M, *RC).run();
}

PreservedAnalyses GateLowering::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
