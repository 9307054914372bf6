//==============================================================================
// FILE:
//    plugin/PassPlugin.cpp
//
// DESCRIPTION:
//    Registers the FlexOS passes with the new pass manager:
//      - as opt pipeline names flexos-auto-gates, flexos-share-sites,
//        flexos-check-untrusted, flexos-lower-gates, flexos-indirect-gates,
//        flexos-shared-locals, flexos-place-sections and flexos (all seven,
//        in that order), each
//        taking <config=FILE;library=NAME> and optionally
//        untrusted=warn|error|off, defs=FILE (automatic gates) and
//        shares=FILE; flexos-emit-facts taking
//        <facts=FILE;library=NAME>; flexos-stray-constants (no
//        parameters);
//      - at the start of every clang pipeline (-O0 included), configured by
//        the frontend plugin (facts first, with -fplugin-arg-flexos-facts),
//        and section placement again at the end, then
//        flexos-stray-constants (always, plugin frontend or not).
//        Registration happens once per PassBuilder even when the plugin is
//        loaded through both -fplugin= and -fpass-plugin=.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos<config=flexos.yaml;library=app>' -S in.ll
//
// License: MIT
//==============================================================================
#include "AutoGates.h"
#include "FactsEmission.h"
#include "FlexosState.h"
#include "GateLowering.h"
#include "IndirectGates.h"
#include "SectionPlacement.h"
#include "ShareSites.h"
#include "SharedLocals.h"
#include "StrayBytes.h"
#include "UntrustedValues.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;
using namespace flexos;

namespace {

// One pass parameter: its key, what it looks like in errors, and where
// its value goes (false: the value is not valid).
template <typename Options> struct Param {
  const char *Key;
  const char *Shape; // "config=FILE"
  bool (*Set)(Options &, StringRef Value);
};

// KEY=VALUE;KEY=VALUE... against a table of parameters; Pass names the
// pass in errors.
template <typename Options, size_t N>
Expected<Options> parseParams(StringRef Params, StringRef Pass,
                              const Param<Options> (&Table)[N]) {
  Options O;
  while (!Params.empty()) {
    StringRef One;
    std::tie(One, Params) = Params.split(';');
    auto [Key, Value] = One.split('=');
    const Param<Options> *P = llvm::find_if(
        Table, [&, &Key = Key](const Param<Options> &P) { return Key == P.Key; });
    std::string Expected;
    for (size_t I = 0; I < N; ++I)
      Expected += std::string(I == 0 ? "" : I + 1 == N ? " or " : ", ") + Table[I].Shape;
    if (P == std::end(Table))
      return make_error<StringError>(Pass + ": unknown pass parameter '" + Key +
                                         "'; expected " + Expected,
                                     inconvertibleErrorCode());
    if (!P->Set(O, Value))
      return make_error<StringError>(Pass + ": " + Key + "=" + Value +
                                         " is not valid; use " + P->Shape,
                                     inconvertibleErrorCode());
  }
  return O;
}

const Param<PassOptions> PassParams[] = {
    {"config", "config=FILE",
     [](PassOptions &O, StringRef V) { O.ConfigPath = V.str(); return true; }},
    {"library", "library=NAME",
     [](PassOptions &O, StringRef V) { O.Library = V.str(); return true; }},
    {"untrusted", "untrusted=warn|error|off",
     [](PassOptions &O, StringRef V) {
       O.Untrusted = V.str();
       return V == "warn" || V == "error" || V == "off";
     }},
    {"defs", "defs=FILE",
     [](PassOptions &O, StringRef V) { O.Defs = V.str(); return !V.empty(); }},
    {"shares", "shares=FILE",
     [](PassOptions &O, StringRef V) { O.Shares = V.str(); return !V.empty(); }},
};

// facts=FILE;library=NAME for flexos-emit-facts.
const Param<FactsOptions> FactsParams[] = {
    {"facts", "facts=FILE",
     [](FactsOptions &O, StringRef V) { O.Path = V.str(); return true; }},
    {"library", "library=NAME",
     [](FactsOptions &O, StringRef V) { O.Library = V.str(); return true; }},
};

Expected<PassOptions> parseOptions(StringRef Params) {
  return parseParams(Params, "flexos", PassParams);
}

Expected<FactsOptions> parseFactsOptions(StringRef Params) {
  return parseParams(Params, "flexos-emit-facts", FactsParams);
}

void addAll(ModulePassManager &MPM, const PassOptions &O) {
  MPM.addPass(AutoGates(O));
  MPM.addPass(ShareSites(O)); // shares=FILE: allocation sites to the shared heap
  MPM.addPass(UntrustedValues(O));
  MPM.addPass(GateLowering(O));
  MPM.addPass(IndirectGates(O));
  MPM.addPass(SharedLocals(O));
  MPM.addPass(SectionPlacement(O));
}

bool parsePipeline(StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
  auto Try = [&](StringRef PassName, auto Add) {
    if (!PassBuilder::checkParametrizedPassName(Name, PassName))
      return false;
    Expected<PassOptions> O =
        PassBuilder::parsePassParameters(parseOptions, Name, PassName);
    if (!O) {
      errs() << toString(O.takeError()) << "\n";
      return false;
    }
    Add(*O);
    return true;
  };
  if (Name == "flexos-stray-constants") {
    MPM.addPass(StrayBytes());
    return true;
  }
  if (PassBuilder::checkParametrizedPassName(Name, "flexos-emit-facts")) {
    Expected<FactsOptions> O = PassBuilder::parsePassParameters(
        parseFactsOptions, Name, "flexos-emit-facts");
    if (!O) {
      errs() << toString(O.takeError()) << "\n";
      return false;
    }
    MPM.addPass(FactsEmission(*O));
    return true;
  }
  return Try("flexos-auto-gates",
             [&](const PassOptions &O) { MPM.addPass(AutoGates(O)); }) ||
         Try("flexos-share-sites",
             [&](const PassOptions &O) { MPM.addPass(ShareSites(O)); }) ||
         Try("flexos-indirect-gates",
             [&](const PassOptions &O) { MPM.addPass(IndirectGates(O)); }) ||
         Try("flexos-check-untrusted",
             [&](const PassOptions &O) { MPM.addPass(UntrustedValues(O)); }) ||
         Try("flexos-lower-gates",
             [&](const PassOptions &O) { MPM.addPass(GateLowering(O)); }) ||
         Try("flexos-shared-locals",
             [&](const PassOptions &O) { MPM.addPass(SharedLocals(O)); }) ||
         Try("flexos-place-sections",
             [&](const PassOptions &O) { MPM.addPass(SectionPlacement(O)); }) ||
         Try("flexos", [&](const PassOptions &O) { addAll(MPM, O); });
}

void registerCallbacks(PassBuilder &PB) {
  PluginState *S = flexos_plugin_state();
  if (S->RegisteredWith == &PB)
    return; // second copy of the plugin: the passes are already in
  S->RegisteredWith = &PB;
  PB.registerPipelineParsingCallback(parsePipeline);
  PB.registerPipelineStartEPCallback(
      [S](ModulePassManager &MPM, OptimizationLevel) {
        // Empty options: the passes read what the frontend plugin stored.
        // Without the frontend (a bare -fpass-plugin or opt's default
        // pipelines) only gate lowering runs, so that a leftover gate is
        // still an error rather than a silent plain call.
        if (S->FrontendActive && !flexos_facts_state()->Path.empty())
          MPM.addPass(FactsEmission(FactsOptions())); // before gates lower
        if (S->FrontendActive)
          addAll(MPM, PassOptions());
        else
          MPM.addPass(GateLowering(PassOptions()));
      });
  // Placement once more at the end: the optimizer may have given a bss
  // global a value (constructors evaluated at compile time).
  PB.registerOptimizerLastEPCallback(
      [S](ModulePassManager &MPM, OptimizationLevel) {
        if (S->FrontendActive)
          MPM.addPass(SectionPlacement(PassOptions()));
        // Always, and last: constants that would put WRPKRU/XRSTOR bytes
        // into an immediate (the intel-pku image scan refuses them).
        MPM.addPass(StrayBytes());
      });
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK ::llvm::PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "flexos", LLVM_VERSION_STRING,
          registerCallbacks};
}
