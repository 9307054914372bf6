//==============================================================================
// FILE:
//    passes/AutoGates.cpp
//
// DESCRIPTION:
//    Gates nobody has to write. The build lists which library defines
//    which function of the program (defs=FILE: "LIBRARY SYMBOL" lines,
//    cmake/FlexosDefs.cmake); then a plain call from this file's library
//    to a function of a library in another compartment,
//        %r = call i32 @lwip_recv(i32 %fd, ...)
//    becomes exactly what flexos_gate(lwip, lwip_recv, fd, ...) expands to:
//        %p = call ptr @__flexos_gate_target(ptr @"lwip", ptr @lwip_recv,
//                                            ptr @"file.c", i32 LINE)
//        %r = call i32 %p(i32 %fd, ...)
//    so the untrusted-value checks and flexos-lower-gates treat it as a
//    hand-written gate, with the same lowering per mechanism and the same
//    errors (a call that cannot be gated fails the build at file:line).
//
//    It also marks entry points for checked indirect calls
//    (passes/IndirectGates.cpp): a function of this file whose address
//    escapes (stored, passed, returned: anything but being called) gets
//    the "flexos-entry" attribute, and flexos-lower-gates gives it an
//    entry gate from every other intel-pku compartment; a function of
//    another compartment whose address this file takes gets
//    "flexos-entry"="LIBRARY", and a gate from this compartment.
//
//    Calls to functions no library defines (libc, the runtime's plain
//    helpers) stay plain calls, as do calls within one compartment.
//    Without defs= the pass does nothing.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-auto-gates<config=x.yaml;library=app;defs=defs.txt>' in.ll
//
// License: MIT
//==============================================================================
#include "AutoGates.h"

#include "GateLowering.h" // GateMarkerName

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace flexos {
namespace {

// Which library defines each function; a symbol two libraries define
// keeps both names, and a call to it is an error.
struct Definitions {
  StringMap<std::string> Owner;
  StringMap<std::string> SecondOwner;
};

// Reads FILE once per process ("LIBRARY SYMBOL" per line; blank lines and
// lines starting with '#' are skipped). Errors name FILE:LINE.
std::shared_ptr<const Definitions> loadDefinitions(StringRef Path,
                                                   LLVMContext &Ctx) {
  static StringMap<std::shared_ptr<const Definitions>> Cache;
  if (auto It = Cache.find(Path); It != Cache.end())
    return It->second;
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf) {
    Ctx.emitError("flexos: cannot read the library definitions '" + Path +
                  "': " + Buf.getError().message() +
                  " (the build writes it; pass defs=FILE or "
                  "-fplugin-arg-flexos-defs=FILE)");
    return nullptr;
  }
  auto D = std::make_shared<Definitions>();
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (size_t I = 0; I < Lines.size(); ++I) {
    StringRef Line = Lines[I].trim();
    if (Line.empty() || Line.starts_with("#"))
      continue;
    auto [Lib, Sym] = Line.split(' ');
    Sym = Sym.trim();
    if (Lib.empty() || Sym.empty() || Sym.contains(' ')) {
      Ctx.emitError(Path + ":" + Twine(I + 1) + ": expected 'LIBRARY SYMBOL', "
                    "found '" + Line + "'");
      return nullptr;
    }
    auto [It, New] = D->Owner.try_emplace(Sym, Lib.str());
    if (!New && It->second != Lib)
      D->SecondOwner.try_emplace(Sym, Lib.str());
  }
  Cache[Path] = D;
  return D;
}

// Uses that only keep a function alive (llvm.used and friends) are not
// escapes.
bool onlyKeepsAlive(const User *U, unsigned Depth = 0) {
  if (auto *GV = dyn_cast<GlobalVariable>(U))
    return GV->getName().starts_with("llvm.");
  if (!isa<Constant>(U) || isa<GlobalValue>(U) || Depth > 4)
    return false;
  for (const User *UU : U->users())
    if (!onlyKeepsAlive(UU, Depth + 1))
      return false;
  return !U->use_empty();
}

// Is F's address used other than to call F (or to name it in a
// flexos_gate marker)?
bool addressEscapes(const Function &F) {
  for (const Use &U : F.uses()) {
    const User *Usr = U.getUser();
    if (auto *CB = dyn_cast<CallBase>(Usr)) {
      if (CB->isCallee(&U))
        continue;
      if (const Function *Callee = CB->getCalledFunction();
          Callee && Callee->getName() == GateMarkerName)
        continue;
      return true;
    }
    if (!onlyKeepsAlive(Usr))
      return true;
  }
  return false;
}

class Rewriter {
public:
  Rewriter(Module &M, const ResolvedConfig &RC, const Definitions &Defs)
      : M(M), RC(RC), Defs(Defs) {}
  bool run();

private:
  Module &M;
  const ResolvedConfig &RC;
  const Definitions &Defs;
  Function *Marker = nullptr;
  bool Failed = false;

  const Compartment *ownerOf(const Function &F, std::string &Lib,
                             const CallBase *At);
  Function &marker();
  void gate(CallBase &CB, Function &Callee, StringRef Lib);
  void error(const CallBase *At, const Twine &Msg);
};

void Rewriter::error(const CallBase *At, const Twine &Msg) {
  Failed = true;
  std::string Where;
  if (At && At->getDebugLoc())
    Where = (At->getDebugLoc()->getFilename() + ":" +
             Twine(At->getDebugLoc()->getLine()) + ": ")
                .str();
  M.getContext().emitError("flexos: " + Where + Msg);
}

// The library that defines F and its compartment, or nullptr when no
// library of the program defines it (libc, runtime helpers).
const Compartment *Rewriter::ownerOf(const Function &F, std::string &Lib,
                                     const CallBase *At) {
  auto It = Defs.Owner.find(F.getName());
  if (It == Defs.Owner.end())
    return nullptr;
  if (auto Second = Defs.SecondOwner.find(F.getName());
      Second != Defs.SecondOwner.end()) {
    error(At, F.getName() + " is defined by two libraries, '" + It->second +
                  "' and '" + Second->second + "'; rename one (make it "
                  "static if only its own library calls it)");
    return nullptr;
  }
  Lib = It->second;
  const Compartment *C = RC.Cfg->compartmentOf(Lib);
  if (!C)
    error(At, F.getName() + " is defined by library '" + Lib +
                  "', which is not listed under 'libraries' in " +
                  RC.Cfg->path());
  return C;
}

// The marker flexos_gate() expands to; its four-argument form
// (library, function, file, line) unless the file already declares it.
Function &Rewriter::marker() {
  if (Marker)
    return *Marker;
  Marker = M.getFunction(GateMarkerName);
  if (!Marker) {
    LLVMContext &Ctx = M.getContext();
    Type *Ptr = PointerType::get(Ctx, 0);
    Marker = Function::Create(
        FunctionType::get(Ptr, {Ptr, Ptr, Ptr, Type::getInt32Ty(Ctx)}, false),
        GlobalValue::ExternalLinkage, GateMarkerName, M);
  }
  return *Marker;
}

void Rewriter::gate(CallBase &CB, Function &Callee, StringRef Lib) {
  Function &Mk = marker();
  IRBuilder<> B(&CB);
  SmallVector<Value *, 4> Args{B.CreateGlobalStringPtr(Lib, "flexos.auto.lib"),
                               &Callee};
  if (Mk.arg_size() >= 4) {
    StringRef File = M.getSourceFileName();
    unsigned Line = 0;
    if (const DebugLoc &DL = CB.getDebugLoc()) {
      File = DL->getFilename();
      Line = DL->getLine();
    }
    Args.push_back(B.CreateGlobalStringPtr(File, "flexos.auto.file"));
    Args.push_back(B.getInt32(Line));
  }
  CallInst *P = B.CreateCall(&Mk, Args, "flexos.auto.gate");
  P->setDebugLoc(CB.getDebugLoc());
  CB.setCalledOperand(P);
}

bool Rewriter::run() {
  bool Changed = false;
  for (Function &F : M) {
    if (F.isIntrinsic() || F.getName().starts_with("__flexos_") ||
        F.getName() == GateMarkerName)
      continue;
    if (!F.isDeclaration()) {
      if (!F.hasFnAttribute(EntryAttr) && addressEscapes(F)) {
        F.addFnAttr(EntryAttr);
        Changed = true;
      }
      continue;
    }
    SmallVector<CallBase *, 8> Calls;
    for (User *U : F.users())
      if (auto *CB = dyn_cast<CallBase>(U); CB && CB->getCalledOperand() == &F)
        Calls.push_back(CB);
    bool Escapes = addressEscapes(F);
    if (Calls.empty() && !Escapes)
      continue;
    std::string Lib;
    const Compartment *Owner =
        ownerOf(F, Lib, Calls.empty() ? nullptr : Calls.front());
    if (!Owner || Lib == RC.Library || Owner->Index == RC.Self->Index)
      continue;
    for (CallBase *CB : Calls)
      gate(*CB, F, Lib);
    if (Escapes)
      F.addFnAttr(EntryAttr, Lib);
    Changed = true;
  }
  return Changed;
}

} // namespace

bool AutoGates::runOnModule(Module &M) {
  if (Opts.Defs.empty() && flexos_plugin_state()->FromFrontend.Defs.empty())
    return false; // only flexos_gate() sites are gates
  std::optional<ResolvedConfig> RC = resolveConfig(Opts, M);
  if (!RC || RC->Defs.empty())
    return false;
  std::shared_ptr<const Definitions> Defs =
      loadDefinitions(RC->Defs, M.getContext());
  if (!Defs)
    return false;
  return Rewriter(M, *RC, *Defs).run();
}

PreservedAnalyses AutoGates::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
