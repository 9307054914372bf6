//==============================================================================
// FILE:
//    passes/FlexosState.h
//
// DESCRIPTION:
//    What the frontend plugin learns from -fplugin-arg-flexos-* and the
//    passes need: the configuration path and the library of the translation
//    unit. opt tests give the same two values as pass parameters instead,
//    e.g. -passes='flexos<config=x.yaml;library=app>'.
//
//    The state is reached through one exported C function. When flexos.so is
//    loaded both by -fplugin= and -fpass-plugin= (or together with the
//    pass-only plugin), the dynamic linker binds every copy to the first
//    definition, so all copies see one state and register the passes once.
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_STATE_H
#define FLEXOS_STATE_H

#include "Config.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>

namespace flexos {

struct PassOptions {
  std::string ConfigPath;
  std::string Library;
  // What flexos-check-untrusted does with a careless use of an untrusted
  // value: "warn" (the default when empty), "error" or "off".
  std::string Untrusted;
  // Which library defines which function in the whole program ("LIBRARY
  // SYMBOL" lines, written by the build): plain calls into another
  // compartment become gates (passes/AutoGates.cpp). Empty: only
  // flexos_gate() sites are gates.
  std::string Defs;
  // Sharing decisions of a record run (`flexos share`): globals and
  // allocation sites to place in shared memory. Empty: none.
  std::string Shares;
};

struct PluginState {
  PassOptions FromFrontend;  // set by plugin/FlexosPlugin.cpp
  bool FrontendActive = false;
  const void *RegisteredWith = nullptr; // PassBuilder the passes joined
  // Gate targets whose C return type is a function pointer (the frontend
  // sees the types the IR no longer has).
  llvm::StringSet<> CodePointerResults;
};

// Loads the configuration named by Opts, or by the frontend when Opts is
// empty, and resolves the translation unit's compartment. Reports problems
// through M's LLVMContext and returns nullptr.
struct ResolvedConfig {
  std::shared_ptr<const Config> Cfg;
  const Compartment *Self = nullptr; // compartment of this TU's library
  std::string Library;
  std::string Untrusted; // "warn", "error" or "off"
  std::string Defs;      // see PassOptions
  std::string Shares;
};
std::optional<ResolvedConfig> resolveConfig(const PassOptions &Opts,
                                            llvm::Module &M);

// Does the gate call GateCall (to Target) return code, i.e. a function
// pointer? Known from the frontend, or seen when the result is called.
bool gateReturnsCode(const llvm::CallBase &GateCall,
                     const llvm::Function *Target);

} // namespace flexos

extern "C" flexos::PluginState *flexos_plugin_state();

#endif
