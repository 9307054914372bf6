//==============================================================================
// FILE:
//    passes/FactsEmission.cpp
//
// DESCRIPTION:
//    flexos-emit-facts (see FactsEmission.h). The output is a text file, one
//    fact per line, fields separated by tabs:
//      flexos-facts 1
//      library <name>
//      define-function <name> <loc>
//      define-global <name> shared|private <loc>
//      gate <library> <function> <loc> <in-function>
//      call <function> <loc> <in-function>
//      global <name> read|write|address <loc> <in-function>
//      indirect-call <loc> <in-function>
//      inline-asm <loc> <in-function>
//    <loc> is file:line:col from debug information (compile with -g); a gate
//    without it falls back to the __FILE__:__LINE__ its macro passes, and
//    anything else to the module's file name alone.
//
//    "global" facts cover globals this module only declares (defined by
//    another library, or by the runtime) and flexos_share globals; a
//    library's own private globals are its own memory. An address that is
//    passed to a call or stored is an "address": what happens to it later is
//    not visible here.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-emit-facts<facts=out.facts;library=store>' in.ll
//
// License: MIT
//==============================================================================
#include "FactsEmission.h"
#include "FlexosState.h"
#include "GateLowering.h"
#include "SharedLocals.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace flexos;

extern "C" __attribute__((visibility("default"))) FactsOptions *
flexos_facts_state() {
  static FactsOptions State;
  return &State;
}

namespace {

// file:line:col of I, or the module's file when there is no debug location.
std::string locOf(const Instruction &I) {
  if (const DebugLoc &DL = I.getDebugLoc())
    return (DL->getFilename() + ":" + Twine(DL.getLine()) + ":" +
            Twine(DL.getCol()))
        .str();
  return I.getModule()->getSourceFileName();
}

// flexos_share globals: still annotated (this pass runs first), or already
// placed in the shared sections (opt on a module that went through them).
SmallPtrSet<const GlobalVariable *, 8> sharedGlobals(const Module &M) {
  SmallPtrSet<const GlobalVariable *, 8> Shared;
  for (const GlobalVariable &GV : M.globals())
    if (GV.getSection().starts_with(".data.flexos_shared") ||
        GV.getSection().starts_with(".bss.flexos_shared"))
      Shared.insert(&GV);
  const GlobalVariable *Ann = M.getGlobalVariable("llvm.global.annotations");
  auto *Arr = Ann && Ann->hasInitializer()
                  ? dyn_cast<ConstantArray>(Ann->getInitializer())
                  : nullptr;
  for (unsigned I = 0; Arr && I < Arr->getNumOperands(); ++I) {
    auto *Entry = dyn_cast<ConstantStruct>(Arr->getOperand(I));
    StringRef Str;
    if (Entry && getConstantStringInfo(Entry->getOperand(1), Str) &&
        Str == ShareAnnotation)
      if (auto *GV =
              dyn_cast<GlobalVariable>(Entry->getOperand(0)->stripPointerCasts()))
        Shared.insert(GV);
  }
  return Shared;
}

// How one use of a global's address touches it.
const char *accessOf(const Use &U) {
  const User *Usr = U.getUser();
  if (isa<LoadInst>(Usr))
    return "read";
  if (auto *SI = dyn_cast<StoreInst>(Usr))
    return U.getOperandNo() == SI->getPointerOperandIndex() ? "write"
                                                            : "address";
  if (isa<AtomicRMWInst>(Usr) || isa<AtomicCmpXchgInst>(Usr))
    return "write";
  if (isa<MemTransferInst>(Usr))
    return U.getOperandNo() == 0   ? "write"
           : U.getOperandNo() == 1 ? "read"
                                   : "address";
  if (isa<MemSetInst>(Usr) && U.getOperandNo() == 0)
    return "write";
  if (auto *II = dyn_cast<IntrinsicInst>(Usr))
    if (II->isLifetimeStartOrEnd() || isa<DbgInfoIntrinsic>(II))
      return nullptr;
  return "address";
}

class Emitter {
public:
  Emitter(Module &M, raw_ostream &OS) : M(M), OS(OS) {}
  void run();

private:
  Module &M;
  raw_ostream &OS;
  std::vector<std::string> Lines; // one line per distinct fact, in order
  StringSet<> Seen;

  void add(const Twine &T) {
    std::string S = T.str();
    if (Seen.insert(S).second)
      Lines.push_back(std::move(S));
  }
  void definitions(const SmallPtrSet<const GlobalVariable *, 8> &Shared);
  void instruction(Instruction &I, Function &F);
  void globalUses(const GlobalVariable &GV, const Value *V);
};

void Emitter::definitions(
    const SmallPtrSet<const GlobalVariable *, 8> &Shared) {
  std::string File = M.getSourceFileName();
  for (const Function &F : M) {
    if (F.isDeclaration() || F.hasLocalLinkage())
      continue;
    std::string Loc = File;
    if (const DISubprogram *SP = F.getSubprogram())
      Loc = (SP->getFilename() + ":" + Twine(SP->getLine()) + ":1").str();
    add("define-function\t" + F.getName() + "\t" + Loc);
  }
  for (const GlobalVariable &GV : M.globals()) {
    // Static globals are the module's own business, except shared ones:
    // other facts name them, and they live in the shared region.
    if (GV.isDeclaration() || GV.getName().starts_with("llvm.") ||
        (GV.hasLocalLinkage() && !Shared.count(&GV)))
      continue;
    add("define-global\t" + GV.getName() + "\t" +
        (Shared.count(&GV) ? "shared" : "private") + "\t" + File);
  }
}

void Emitter::instruction(Instruction &I, Function &F) {
  auto *CB = dyn_cast<CallBase>(&I);
  if (!CB)
    return;
  if (CB->isInlineAsm()) {
    add("inline-asm\t" + locOf(I) + "\t" + F.getName());
    return;
  }
  Function *Callee = CB->getCalledFunction();
  if (Callee && Callee->getName() == GateMarkerName) {
    StringRef Lib, File;
    auto *Target = dyn_cast<Function>(CB->getArgOperand(1)->stripPointerCasts());
    if (!getConstantStringInfo(CB->getArgOperand(0), Lib) || !Target)
      return; // the gate checks of the plugin report this one
    std::string Loc = locOf(I);
    if (!I.getDebugLoc() && CB->arg_size() >= 4 &&
        getConstantStringInfo(CB->getArgOperand(2), File))
      if (auto *Line = dyn_cast<ConstantInt>(CB->getArgOperand(3)))
        Loc = (File + ":" + Twine(Line->getZExtValue()) + ":1").str();
    add("gate\t" + Lib + "\t" + Target->getName() + "\t" + Loc + "\t" +
        F.getName());
    return;
  }
  if (Callee) {
    if (Callee->isDeclaration() && !Callee->isIntrinsic())
      add("call\t" + Callee->getName() + "\t" + locOf(I) + "\t" + F.getName());
    return;
  }
  // A gate calls through the marker's result: that is not an indirect call.
  if (auto *Marker = dyn_cast<CallBase>(CB->getCalledOperand()->stripPointerCasts()))
    if (Function *MF = Marker->getCalledFunction();
        MF && MF->getName() == GateMarkerName)
      return;
  add("indirect-call\t" + locOf(I) + "\t" + F.getName());
}

// Follows V (GV or an address computed from it) to the instructions that
// use it; constant users outside functions (initializers) are addresses.
void Emitter::globalUses(const GlobalVariable &GV, const Value *V) {
  for (const Use &U : V->uses()) {
    const User *Usr = U.getUser();
    if (isa<GEPOperator>(Usr) || isa<BitCastOperator>(Usr) ||
        isa<AddrSpaceCastOperator>(Usr)) {
      globalUses(GV, Usr);
      continue;
    }
    auto *I = dyn_cast<Instruction>(Usr);
    if (!I) {
      // In another global's initializer: the address is stored there.
      if (auto *G = dyn_cast<GlobalValue>(Usr)) {
        if (!G->getName().starts_with("llvm.")) // annotations, used lists
          add("global\t" + GV.getName() + "\taddress\t" +
              M.getSourceFileName() + "\t-");
      } else if (isa<Constant>(Usr)) {
        globalUses(GV, Usr); // a constant aggregate: its users decide
      }
      continue;
    }
    if (const char *Kind = accessOf(U))
      add("global\t" + GV.getName() + "\t" + Kind + "\t" + locOf(*I) + "\t" +
          I->getFunction()->getName());
  }
}

void Emitter::run() {
  SmallPtrSet<const GlobalVariable *, 8> Shared = sharedGlobals(M);
  definitions(Shared);
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    for (Instruction &I : instructions(F))
      instruction(I, F);
  }
  for (const GlobalVariable &GV : M.globals()) {
    if (GV.getName().starts_with("llvm."))
      continue;
    if (!GV.isDeclaration() && !Shared.count(&GV))
      continue; // the library's own memory
    globalUses(GV, &GV);
  }
  for (const std::string &L : Lines)
    OS << L << "\n";
}

} // namespace

bool FactsEmission::runOnModule(Module &M) {
  FactsOptions O = Opts;
  if (O.Path.empty())
    O.Path = flexos_facts_state()->Path;
  if (O.Library.empty())
    O.Library = flexos_plugin_state()->FromFrontend.Library;
  if (O.Path.empty())
    return false; // no facts requested
  if (O.Library.empty()) {
    M.getContext().emitError("flexos-emit-facts: no library for '" +
                             M.getSourceFileName() +
                             "'; add -fplugin-arg-flexos-library=NAME");
    return false;
  }
  std::error_code EC;
  raw_fd_ostream OS(O.Path, EC, sys::fs::OF_Text);
  if (EC) {
    M.getContext().emitError("flexos-emit-facts: cannot write '" + O.Path +
                             "': " + EC.message());
    return false;
  }
  OS << "flexos-facts 1\nlibrary\t" << O.Library << "\n";
  Emitter(M, OS).run();
  return false; // the module is unchanged
}

PreservedAnalyses FactsEmission::run(Module &M, ModuleAnalysisManager &) {
  runOnModule(M);
  return PreservedAnalyses::all();
}
