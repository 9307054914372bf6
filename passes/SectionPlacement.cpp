//==============================================================================
// FILE:
//    passes/SectionPlacement.cpp
//
// DESCRIPTION:
//    Gives every defined function and global of the translation unit a
//    section named after its compartment C, so that the image linker script
//    can gather and key them page by page:
//        functions                 .text.flexos.C
//        constant globals          .rodata.flexos.C
//        zero-initialised globals  .bss.flexos.C
//        other globals             .data.flexos.C
//        flexos_share globals      .bss.flexos_shared / .data.flexos_shared
//    flexos_share globals are found in llvm.global.annotations; their
//    entries are removed from it. Globals named by a shares file
//    (`global NAME [compartment=C]`, from `flexos share`, see ShareSites.h)
//    are placed as if they were flexos_share. Globals that already have a section,
//    thread-locals and unnamed mergeable constants (string literals) keep
//    theirs. A hosted link folds all of these into .text/.data/.bss/.rodata.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-place-sections<config=flexos.yaml;library=app>' in.ll
//
// License: MIT
//==============================================================================
#include "SectionPlacement.h"
#include "ShareSites.h"
#include "SharedLocals.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/GlobalVariable.h"

using namespace llvm;

namespace flexos {

namespace {

// Takes the flexos_share entries out of llvm.global.annotations and returns
// the globals they named.
SmallPtrSet<GlobalVariable *, 8> takeSharedGlobals(Module &M) {
  SmallPtrSet<GlobalVariable *, 8> Shared;
  GlobalVariable *Ann = M.getGlobalVariable("llvm.global.annotations");
  if (!Ann || !Ann->hasInitializer())
    return Shared;
  auto *Arr = dyn_cast<ConstantArray>(Ann->getInitializer());
  if (!Arr)
    return Shared;
  SmallVector<Constant *, 8> Keep;
  for (Value *Op : Arr->operands()) {
    if (Value *Target = shareAnnotationTarget(Op)) {
      if (auto *GV = dyn_cast<GlobalVariable>(Target))
        Shared.insert(GV);
      else if (auto *F = dyn_cast<Function>(Target))
        M.getContext().diagnose(DiagnosticInfoUnsupported(
            *F, "flexos: flexos_share applies to variables, not to function " +
                    F->getName()));
      continue;
    }
    Keep.push_back(cast<Constant>(Op));
  }
  if (Keep.size() == Arr->getNumOperands())
    return Shared;
  if (Keep.empty()) {
    Ann->eraseFromParent();
    return Shared;
  }
  auto *NewTy = ArrayType::get(Arr->getType()->getElementType(), Keep.size());
  auto *NewAnn = new GlobalVariable(M, NewTy, false, Ann->getLinkage(),
                                    ConstantArray::get(NewTy, Keep), "", Ann,
                                    Ann->getThreadLocalMode());
  NewAnn->setSection(Ann->getSection());
  NewAnn->takeName(Ann);
  Ann->eraseFromParent();
  return Shared;
}

bool isPlaceable(const GlobalVariable &GV) {
  if (GV.isDeclaration() || GV.hasSection() || GV.isThreadLocal() ||
      GV.getName().starts_with("llvm."))
    return false;
  // String literals and other unnamed mergeable constants stay in the
  // common read-only data.
  if (GV.isConstant() && GV.hasGlobalUnnamedAddr() && GV.hasPrivateLinkage())
    return false;
  return true;
}

std::string sectionFor(const GlobalVariable &GV, StringRef Comp, bool Shared) {
  bool Zero = GV.getInitializer()->isNullValue();
  if (Shared)
    return Zero ? ".bss.flexos_shared" : ".data.flexos_shared";
  if (GV.isConstant())
    return (".rodata.flexos." + Comp).str();
  return ((Zero ? ".bss.flexos." : ".data.flexos.") + Comp).str();
}

} // namespace

bool SectionPlacement::runOnModule(Module &M) {
  bool HasDefinitions =
      llvm::any_of(M.functions(), [](Function &F) { return !F.isDeclaration(); }) ||
      llvm::any_of(M.globals(), [](GlobalVariable &G) { return isPlaceable(G); }) ||
      M.getGlobalVariable("llvm.global.annotations");
  if (!HasDefinitions)
    return false;
  std::optional<ResolvedConfig> RC = resolveConfig(Opts, M);
  if (!RC)
    return false;
  StringRef Comp = RC->Self->Name;
  // The gate section is the one place allowed to hold WRPKRU; a library
  // that puts its own code or data there would slip past the image scan.
  for (GlobalObject &GO : M.global_objects())
    if (GO.getSection().starts_with(".text.flexos_gates")) {
      M.getContext().emitError(
          "flexos: '" + GO.getName() + "' asks for section '" +
          GO.getSection() + "'; .text.flexos_gates* is reserved for the "
          "gates that the toolchain emits");
      return false;
    }
  SmallPtrSet<GlobalVariable *, 8> Shared = takeSharedGlobals(M);
  bool Changed = !Shared.empty();
  // Globals a record run found shared (docs/porting-record.md).
  if (!RC->Shares.empty()) {
    std::shared_ptr<const SharesFile> S = loadShares(RC->Shares, M.getContext());
    for (const SharesFile::Global &G : S ? S->Globals : std::vector<SharesFile::Global>()) {
      GlobalVariable *GV = M.getGlobalVariable(G.Name, /*AllowInternal=*/true);
      if (!GV || GV->isDeclaration() ||
          (!G.Compartment.empty() && G.Compartment != Comp))
        continue;
      if (GV->isThreadLocal())
        M.getContext().emitError(S->Path + ":" + Twine(G.Line) + ": flexos: '" +
                                 G.Name + "' is thread-local; shared data must "
                                 "be a plain global");
      else
        Shared.insert(GV);
    }
  }
  for (GlobalVariable *GV : Shared)
    if (GV->isThreadLocal())
      M.getContext().emitError("flexos: flexos_share global '" + GV->getName() +
                               "' is thread-local; shared data must be a "
                               "plain global");
  for (GlobalVariable &GV : M.globals()) {
    // The optimizer may since have given a global we put in bss a non-zero
    // value (a constructor evaluated at compile time): move it to data.
    StringRef Sec = GV.getSection();
    if (Sec.starts_with(".bss.flexos") && GV.hasInitializer() &&
        !GV.getInitializer()->isNullValue()) {
      GV.setSection((".data" + Sec.drop_front(4)).str());
      Changed = true;
      continue;
    }
    if (!isPlaceable(GV))
      continue;
    // A common symbol (-fcommon) ignores its section; a weak definition
    // keeps the "one per program" meaning and lands where it is put.
    if (GV.hasCommonLinkage())
      GV.setLinkage(GlobalValue::WeakAnyLinkage);
    GV.setSection(sectionFor(GV, Comp, Shared.count(&GV)));
    Changed = true;
  }
  for (Function &F : M) {
    if (F.isDeclaration() || F.hasSection())
      continue;
    F.setSection((".text.flexos." + Comp).str());
    Changed = true;
  }
  return Changed;
}

PreservedAnalyses SectionPlacement::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
