//==============================================================================
// FILE:
//    passes/FlexosState.cpp
//
// DESCRIPTION:
//    The process-wide plugin state (see FlexosState.h) and the one place
//    where passes load the configuration. Loaded configurations are cached
//    by path, so the three passes of one compilation parse the file once.
//
// License: MIT
//==============================================================================
#include "FlexosState.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"

using namespace llvm;

extern "C" __attribute__((visibility("default"))) flexos::PluginState *
flexos_plugin_state() {
  static flexos::PluginState State;
  return &State;
}

namespace flexos {

std::optional<ResolvedConfig> resolveConfig(const PassOptions &Opts,
                                            Module &M) {
  static StringMap<std::shared_ptr<const Config>> Cache;
  PassOptions O = Opts;
  const PassOptions &FE = flexos_plugin_state()->FromFrontend;
  if (O.ConfigPath.empty())
    O.ConfigPath = FE.ConfigPath;
  if (O.Library.empty())
    O.Library = FE.Library;
  if (O.Untrusted.empty())
    O.Untrusted = FE.Untrusted;
  if (O.Defs.empty())
    O.Defs = FE.Defs;
  if (O.Shares.empty())
    O.Shares = FE.Shares;
  LLVMContext &Ctx = M.getContext();
  if (O.ConfigPath.empty()) {
    Ctx.emitError("flexos: no configuration given; compile with "
                  "-fplugin=flexos.so -fplugin-arg-flexos-config=FILE "
                  "(or pass config=FILE to the flexos passes in opt)");
    return std::nullopt;
  }
  if (O.Library.empty()) {
    Ctx.emitError("flexos: no library given for '" + M.getSourceFileName() +
                  "'; add -fplugin-arg-flexos-library=NAME (or library=NAME "
                  "in opt)");
    return std::nullopt;
  }
  std::shared_ptr<const Config> &Slot = Cache[O.ConfigPath];
  if (!Slot) {
    std::string Err;
    std::unique_ptr<Config> C = Config::load(O.ConfigPath, Err);
    if (!C) {
      // The message already has file:line:col and ends in a newline.
      Ctx.emitError(StringRef(Err).rtrim().str());
      return std::nullopt;
    }
    Slot = std::move(C);
  }
  const Compartment *Self = Slot->compartmentOf(O.Library);
  if (!Self) {
    Ctx.emitError(O.ConfigPath + ": library '" + O.Library +
                  "' (the library of '" + M.getSourceFileName() +
                  "') is not listed under 'libraries'; add '" + O.Library +
                  ": <compartment>'");
    return std::nullopt;
  }
  return ResolvedConfig{Slot, Self, O.Library,
                        O.Untrusted.empty() ? "warn" : O.Untrusted, O.Defs,
                        O.Shares};
}

bool gateReturnsCode(const CallBase &GateCall, const Function *Target) {
  if (!GateCall.getType()->isPointerTy())
    return false;
  if (Target &&
      flexos_plugin_state()->CodePointerResults.contains(Target->getName()))
    return true;
  SmallVector<const Value *, 4> Work{&GateCall};
  while (!Work.empty()) {
    const Value *V = Work.pop_back_val();
    for (const User *U : V->users()) {
      if (auto *CB = dyn_cast<CallBase>(U); CB && CB->getCalledOperand() == V)
        return true;
      if (isa<CastInst>(U) || isa<PHINode>(U) || isa<SelectInst>(U))
        if (Work.size() < 16)
          Work.push_back(U);
    }
  }
  return false;
}

} // namespace flexos
