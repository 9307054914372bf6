//==============================================================================
// FILE:
//    passes/Config.cpp
//
// DESCRIPTION:
//    Reads flexos.yaml (schema in docs/config.md) through llvm::yaml::Stream,
//    walking the node tree by hand so that every complaint points at the
//    exact node: unknown keys and mechanisms, duplicate names, a library in
//    two compartments, a missing or second default compartment, mixed
//    mechanisms, and names that cannot become section or symbol names.
//
// License: MIT
//==============================================================================
#include "Config.h"

#include "flexos/abi.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace flexos {

StringRef mechanismName(Mechanism M) {
  switch (M) {
  case Mechanism::None:
    return "none";
  case Mechanism::IntelPku:
    return "intel-pku";
  case Mechanism::VmEpt:
    return "vm-ept";
  }
  return "?";
}

static std::optional<Mechanism> parseMechanism(StringRef S) {
  if (S == "none")
    return Mechanism::None;
  if (S == "intel-pku")
    return Mechanism::IntelPku;
  if (S == "vm-ept")
    return Mechanism::VmEpt;
  return std::nullopt;
}

// Compartment and library names become parts of section and symbol names.
static bool isValidName(StringRef S) {
  if (S.empty() || !(isAlpha(S[0]) || S[0] == '_'))
    return false;
  return llvm::all_of(S, [](char C) { return isAlnum(C) || C == '_'; });
}

class ConfigParser {
public:
  ConfigParser(Config &C, std::vector<ConfigDiag> &Errors)
      : Cfg(C), Errors(Errors) {}

  bool run();

private:
  Config &Cfg;
  std::vector<ConfigDiag> &Errors;
  SourceMgr SM;
  size_t CompartmentsOffset = 0;

  // A node's byte offset; the end of the text for the null node that the
  // YAML parser hands out after a syntax error (already reported).
  size_t offsetOf(yaml::Node *N) const {
    if (!N)
      return Cfg.Text.size();
    const char *P = N->getSourceRange().Start.getPointer();
    if (P < Cfg.Text.data() || P > Cfg.Text.data() + Cfg.Text.size())
      return Cfg.Text.size();
    return P - Cfg.Text.data();
  }
  void error(yaml::Node *N, const Twine &Msg) {
    Errors.push_back({offsetOf(N), Msg.str()});
  }
  std::optional<std::string> scalar(yaml::Node *N, StringRef What);
  void parseTop(yaml::MappingNode *Top);
  void parseCompartments(yaml::Node *N);
  void parseCompartment(yaml::Node *N);
  // One compartment while its keys are read (parseCompartment).
  struct Draft {
    Compartment C;
    bool HaveName = false, HaveMech = false;
    std::optional<size_t> PollingAt, CheckAt; // where vm-ept-only keys sit
  };
  // A compartment key and what reads its value: the one list of valid
  // keys (an unknown key's error names them from here).
  struct CompartmentKey {
    const char *Name;
    void (ConfigParser::*Read)(yaml::KeyValueNode &KV, Draft &D);
  };
  static const CompartmentKey CompartmentKeys[];
  std::optional<bool> boolean(yaml::KeyValueNode &KV, StringRef Key);
  void readName(yaml::KeyValueNode &KV, Draft &D);
  void readMechanism(yaml::KeyValueNode &KV, Draft &D);
  void readDefault(yaml::KeyValueNode &KV, Draft &D);
  void readHardening(yaml::KeyValueNode &KV, Draft &D);
  void readTrusts(yaml::KeyValueNode &KV, Draft &D);
  void readPolling(yaml::KeyValueNode &KV, Draft &D);
  void readCheckPointers(yaml::KeyValueNode &KV, Draft &D);
  void parseLibraries(yaml::Node *N);
  void parseHardening(yaml::Node *N, Compartment &C);
  void parseTrusts(yaml::Node *N, Compartment &C);
  bool forEachListItem(
      yaml::Node *N, const std::string &Expected, const std::string &What,
      llvm::function_ref<void(yaml::Node &, const std::string &)> Add);
  void resolveTrusts();
  void checkWhole(yaml::Node *Top);
};

std::optional<std::string> ConfigParser::scalar(yaml::Node *N, StringRef What) {
  auto *S = dyn_cast_or_null<yaml::ScalarNode>(N);
  if (!S) {
    error(N, What + " must be a plain value");
    return std::nullopt;
  }
  SmallString<64> Storage;
  return S->getValue(Storage).str();
}

bool ConfigParser::run() {
  SM.setDiagHandler(
      [](const SMDiagnostic &D, void *Ctx) {
        auto *P = static_cast<ConfigParser *>(Ctx);
        size_t Off = D.getLoc().getPointer() - P->Cfg.Text.data();
        if (D.getLoc().getPointer() < P->Cfg.Text.data() ||
            Off > P->Cfg.Text.size())
          Off = P->Cfg.Text.size();
        P->Errors.push_back({Off, "YAML: " + D.getMessage().str()});
      },
      this);
  yaml::Stream Stream(MemoryBufferRef(Cfg.Text, Cfg.Path), SM);
  yaml::document_iterator Doc = Stream.begin();
  if (Doc == Stream.end()) {
    Errors.push_back({0, "empty configuration; expected 'compartments:' and "
                         "'libraries:' (see docs/config.md)"});
    return false;
  }
  yaml::Node *Root = Doc->getRoot();
  if (Stream.failed())
    return false;
  auto *Top = dyn_cast_or_null<yaml::MappingNode>(Root);
  if (!Top) {
    if (Root && !isa<yaml::NullNode>(Root))
      error(Root, "the configuration must be a mapping with keys "
                  "'compartments' and 'libraries'");
    else
      Errors.push_back({0, "empty configuration; expected 'compartments:' "
                           "and 'libraries:' (see docs/config.md)"});
    return false;
  }
  parseTop(Top);
  if (Stream.failed())
    return false;
  if (++Doc != Stream.end()) {
    Errors.push_back({Cfg.Text.size(),
                      "more than one YAML document; put everything in one"});
  }
  if (Errors.empty())
    checkWhole(Top);
  return Errors.empty();
}

// The YAML stream is parsed lazily: each value must be walked before the
// iterator moves to the next key, so sections are handled in file order.
void ConfigParser::parseTop(yaml::MappingNode *Top) {
  bool HaveComps = false, HaveLibs = false;
  for (yaml::KeyValueNode &KV : *Top) {
    std::optional<std::string> Key = scalar(KV.getKey(), "a key");
    if (!Key) {
      KV.skip();
      continue;
    }
    if (*Key == "compartments") {
      if (HaveComps)
        error(KV.getKey(), "duplicate key 'compartments'");
      HaveComps = true;
      CompartmentsOffset = offsetOf(KV.getKey());
      parseCompartments(KV.getValue());
    } else if (*Key == "libraries") {
      if (HaveLibs)
        error(KV.getKey(), "duplicate key 'libraries'");
      if (!HaveComps)
        error(KV.getKey(), "'libraries' must come after 'compartments'");
      HaveLibs = true;
      Cfg.LibrariesOffset = offsetOf(KV.getKey());
      parseLibraries(KV.getValue());
    } else {
      error(KV.getKey(), "unknown key '" + *Key +
                             "'; expected 'compartments' or 'libraries'");
      KV.skip();
    }
  }
  if (!HaveComps)
    error(Top, "missing 'compartments:' list");
  if (!HaveLibs) {
    Cfg.LibrariesOffset = offsetOf(Top);
    error(Top, "missing 'libraries:' mapping (library name: compartment)");
  }
}

void ConfigParser::parseCompartments(yaml::Node *N) {
  auto *Seq = dyn_cast_or_null<yaml::SequenceNode>(N);
  if (!Seq) {
    error(N, "'compartments' must be a list of '- name: ...' entries");
    return;
  }
  for (yaml::Node &Entry : *Seq)
    parseCompartment(&Entry);
  if (Cfg.Comps.empty() && Errors.empty())
    error(N, "'compartments' is empty; declare at least one compartment");
}

const ConfigParser::CompartmentKey ConfigParser::CompartmentKeys[] = {
    {"name", &ConfigParser::readName},
    {"mechanism", &ConfigParser::readMechanism},
    {"default", &ConfigParser::readDefault},
    {"hardening", &ConfigParser::readHardening},
    {"trusts", &ConfigParser::readTrusts},
    {"polling", &ConfigParser::readPolling},
    {"check-pointers", &ConfigParser::readCheckPointers},
};

void ConfigParser::parseCompartment(yaml::Node *N) {
  auto *Map = dyn_cast_or_null<yaml::MappingNode>(N);
  if (!Map) {
    error(N, "a compartment must be a mapping with 'name' and 'mechanism'");
    return;
  }
  Draft D;
  D.C.Offset = offsetOf(N);
  StringSet<> Seen;
  for (yaml::KeyValueNode &KV : *Map) {
    std::optional<std::string> Key = scalar(KV.getKey(), "a key");
    if (!Key)
      continue;
    if (!Seen.insert(*Key).second) {
      error(KV.getKey(), "duplicate key '" + *Key + "' in this compartment");
      continue;
    }
    const CompartmentKey *K = llvm::find_if(
        CompartmentKeys, [&](const CompartmentKey &K) { return *Key == K.Name; });
    if (K != std::end(CompartmentKeys)) {
      (this->*K->Read)(KV, D);
      continue;
    }
    std::string Expected;
    for (size_t I = 0; I < std::size(CompartmentKeys); ++I)
      Expected += std::string(I == 0 ? "" : I + 1 == std::size(CompartmentKeys) ? " or " : ", ") +
                  CompartmentKeys[I].Name;
    error(KV.getKey(), "unknown compartment key '" + *Key + "'; expected " + Expected);
  }
  Compartment &C = D.C;
  // Both options describe the VM backend's RPC; elsewhere they would be
  // silently meaningless.
  if (D.HaveMech && C.Mech != Mechanism::VmEpt) {
    if (D.PollingAt)
      Errors.push_back({*D.PollingAt, "'polling' applies to vm-ept "
                                      "compartments only; remove it or use "
                                      "mechanism: vm-ept"});
    if (D.CheckAt)
      Errors.push_back({*D.CheckAt, "'check-pointers' applies to vm-ept "
                                    "compartments only; remove it or use "
                                    "mechanism: vm-ept"});
  }
  if (!D.HaveName)
    error(N, "compartment without a 'name'");
  if (!D.HaveMech)
    error(N, "compartment without a 'mechanism' (none, intel-pku or vm-ept)");
  C.Index = Cfg.Comps.size();
  Cfg.Comps.push_back(C);
}

// true or false, else an error naming the key.
std::optional<bool> ConfigParser::boolean(yaml::KeyValueNode &KV, StringRef Key) {
  std::optional<std::string> Val = scalar(KV.getValue(), "'" + Key.str() + "'");
  if (!Val)
    return std::nullopt;
  if (*Val != "true" && *Val != "false") {
    error(KV.getValue(), "'" + Key + "' must be true or false");
    return std::nullopt;
  }
  return *Val == "true";
}

void ConfigParser::readName(yaml::KeyValueNode &KV, Draft &D) {
  std::optional<std::string> Val = scalar(KV.getValue(), "'name'");
  if (!Val)
    return;
  D.HaveName = true;
  if (!isValidName(*Val)) {
    error(KV.getValue(), "compartment name '" + *Val +
                             "' must match [A-Za-z_][A-Za-z0-9_]*");
    return;
  }
  for (const Compartment &Other : Cfg.Comps)
    if (Other.Name == *Val)
      error(KV.getValue(), "duplicate compartment name '" + *Val + "'");
  D.C.Name = *Val;
}

void ConfigParser::readMechanism(yaml::KeyValueNode &KV, Draft &D) {
  std::optional<std::string> Val = scalar(KV.getValue(), "'mechanism'");
  if (!Val)
    return;
  D.HaveMech = true;
  std::optional<Mechanism> M = parseMechanism(*Val);
  if (!M) {
    error(KV.getValue(), "unknown mechanism '" + *Val +
                             "'; expected none, intel-pku or vm-ept");
    return;
  }
  D.C.Mech = *M;
}

void ConfigParser::readDefault(yaml::KeyValueNode &KV, Draft &D) {
  if (std::optional<bool> B = boolean(KV, "default"))
    D.C.IsDefault = *B;
}

void ConfigParser::readHardening(yaml::KeyValueNode &KV, Draft &D) {
  parseHardening(KV.getValue(), D.C);
}

void ConfigParser::readTrusts(yaml::KeyValueNode &KV, Draft &D) {
  parseTrusts(KV.getValue(), D.C);
}

void ConfigParser::readPolling(yaml::KeyValueNode &KV, Draft &D) {
  if (std::optional<bool> B = boolean(KV, "polling")) {
    D.C.Polling = *B;
    D.PollingAt = offsetOf(KV.getKey());
  }
}

void ConfigParser::readCheckPointers(yaml::KeyValueNode &KV, Draft &D) {
  if (std::optional<bool> B = boolean(KV, "check-pointers")) {
    D.C.CheckPointers = *B;
    D.CheckAt = offsetOf(KV.getKey());
  }
}

// A list of scalars (a flow or block sequence; may be empty): each item
// goes to Add, with its node for error positions. Returns false, after an
// error saying `Expected`, when N is not a list.
bool ConfigParser::forEachListItem(
    yaml::Node *N, const std::string &Expected, const std::string &What,
    llvm::function_ref<void(yaml::Node &, const std::string &)> Add) {
  auto *Seq = dyn_cast_or_null<yaml::SequenceNode>(N);
  if (!Seq) {
    error(N, Expected);
    return false;
  }
  for (yaml::Node &Item : *Seq)
    if (std::optional<std::string> V = scalar(&Item, What))
      Add(Item, *V);
  return true;
}

// hardening: [stack-protector, ubsan]
void ConfigParser::parseHardening(yaml::Node *N, Compartment &C) {
  forEachListItem(
      N, "'hardening' must be a list, e.g. [stack-protector, ubsan]",
      "a hardening option", [&](yaml::Node &Item, const std::string &H) {
        if (H != "stack-protector" && H != "ubsan")
          error(&Item, "unknown hardening option '" + H +
                           "'; expected stack-protector or ubsan");
        else if (llvm::is_contained(C.Hardening, H))
          error(&Item, "hardening option '" + H + "' is listed twice");
        else
          C.Hardening.push_back(H);
      });
}

// trusts: [lwip, sched] (names of compartments, resolved in checkWhole
// since they may be declared further down).
void ConfigParser::parseTrusts(yaml::Node *N, Compartment &C) {
  forEachListItem(
      N, "'trusts' must be a list of compartment names, e.g. [lwip]",
      "a compartment name", [&](yaml::Node &Item, const std::string &Name) {
        for (const auto &[Prev, Off] : C.TrustNames)
          if (Prev == Name)
            error(&Item, "compartment '" + Name + "' is listed twice in 'trusts'");
        C.TrustNames.push_back({Name, offsetOf(&Item)});
      });
}

void ConfigParser::parseLibraries(yaml::Node *N) {
  auto *Map = dyn_cast_or_null<yaml::MappingNode>(N);
  if (!Map) {
    if (isa_and_nonnull<yaml::NullNode>(N))
      return;
    error(N, "'libraries' must be a mapping of library name to compartment");
    return;
  }
  for (yaml::KeyValueNode &KV : *Map) {
    std::optional<std::string> Lib = scalar(KV.getKey(), "a library name");
    if (!Lib)
      continue;
    if (!isValidName(*Lib)) {
      error(KV.getKey(), "library name '" + *Lib +
                             "' must match [A-Za-z_][A-Za-z0-9_]*");
      continue;
    }
    if (*Lib == RuntimeLibraryName) {
      error(KV.getKey(), "library name '" + *Lib + "' is reserved: it names "
                         "the kernel runtime, which always lives in the "
                         "default compartment; remove this line");
      continue;
    }
    std::optional<std::string> Comp =
        scalar(KV.getValue(), "the compartment of '" + *Lib + "'");
    if (!Comp)
      continue;
    if (const Library *Prev = Cfg.findLibrary(*Lib)) {
      error(KV.getKey(), "library '" + *Lib + "' is listed twice (already in "
                             "compartment '" +
                             Cfg.Comps[Prev->Compartment].Name +
                             "'); a library lives in exactly one compartment");
      continue;
    }
    auto It = llvm::find_if(Cfg.Comps,
                            [&](const Compartment &C) { return C.Name == *Comp; });
    if (It == Cfg.Comps.end()) {
      error(KV.getValue(), "library '" + *Lib + "' names compartment '" +
                               *Comp + "', which is not declared under "
                               "'compartments'");
      continue;
    }
    Cfg.Libs.push_back({*Lib, It->Index, offsetOf(KV.getKey())});
  }
}

// Checks that need the whole file: exactly one default, one mechanism, and
// a key budget for intel-pku.
void ConfigParser::checkWhole(yaml::Node *Top) {
  std::vector<unsigned> Defaults;
  for (const Compartment &C : Cfg.Comps)
    if (C.IsDefault)
      Defaults.push_back(C.Index);
  if (Defaults.empty())
    Errors.push_back({CompartmentsOffset, "no default compartment; mark exactly one compartment with "
               "'default: true' (it hosts the runtime and libc)"});
  for (size_t I = 1; I < Defaults.size(); ++I)
    Errors.push_back({Cfg.Comps[Defaults[I]].Offset,
                      "second default compartment '" +
                          Cfg.Comps[Defaults[I]].Name + "' (first is '" +
                          Cfg.Comps[Defaults[0]].Name +
                          "'); exactly one may say 'default: true'"});
  if (!Defaults.empty()) {
    Cfg.DefaultIdx = Defaults[0];
    // Gates into the runtime (flexos_gate(runtime, flexos_thread_park, ..))
    // need no line in the file.
    Cfg.Libs.push_back({RuntimeLibraryName, Cfg.DefaultIdx, Cfg.LibrariesOffset});
  }
  resolveTrusts();
  // Compartment i owns key i+1, so with any intel-pku compartment the
  // whole list must fit the key budget.
  bool AnyPku = llvm::any_of(Cfg.Comps, [](const Compartment &C) {
    return C.Mech == Mechanism::IntelPku;
  });
  if (AnyPku && Cfg.Comps.size() > FLEXOS_MAX_COMPARTMENTS)
    Errors.push_back({Cfg.Comps[FLEXOS_MAX_COMPARTMENTS].Offset,
                      "intel-pku supports at most " +
                          std::to_string(FLEXOS_MAX_COMPARTMENTS) +
                          " compartments (16 keys, 2 reserved)"});
}

void ConfigParser::resolveTrusts() {
  for (Compartment &C : Cfg.Comps)
    for (const auto &[Name, Off] : C.TrustNames) {
      auto It = llvm::find_if(Cfg.Comps, [&, &Name = Name](const Compartment &O) {
        return O.Name == Name;
      });
      if (It == Cfg.Comps.end())
        Errors.push_back({Off, "'trusts' names compartment '" + Name +
                                   "', which is not declared under "
                                   "'compartments'"});
      else if (It->Index == C.Index)
        Errors.push_back({Off, "compartment '" + Name +
                                   "' lists itself in 'trusts'; a compartment "
                                   "always trusts itself, remove it"});
      else
        C.Trusts.push_back(It->Index);
    }
}

bool Config::trusts(const Compartment &A, const Compartment &B) const {
  return A.Index == B.Index || B.IsDefault || llvm::is_contained(A.Trusts, B.Index);
}

bool Config::trustsAll(const Compartment &A) const {
  return llvm::all_of(Comps, [&](const Compartment &B) { return trusts(A, B); });
}

std::unique_ptr<Config> Config::parse(StringRef Path, StringRef Text,
                                      std::vector<ConfigDiag> &Errors) {
  auto C = std::make_unique<Config>();
  C->Path = Path.str();
  C->Text = Text.str();
  size_t Before = Errors.size();
  ConfigParser P(*C, Errors);
  bool Ok = P.run();
  // A syntax error explains everything after it: report only those.
  auto IsSyntax = [](const ConfigDiag &D) {
    return StringRef(D.Message).starts_with("YAML: ");
  };
  if (std::any_of(Errors.begin() + Before, Errors.end(), IsSyntax))
    Errors.erase(std::remove_if(Errors.begin() + Before, Errors.end(),
                                [&](const ConfigDiag &D) { return !IsSyntax(D); }),
                 Errors.end());
  if (!Ok || Errors.size() != Before) {
    if (Errors.size() == Before)
      Errors.push_back({0, "invalid configuration"});
    return nullptr;
  }
  return C;
}

std::string Config::formatDiags(StringRef Path, StringRef Text,
                                const std::vector<ConfigDiag> &Diags) {
  SourceMgr SM;
  SM.AddNewSourceBuffer(MemoryBuffer::getMemBuffer(Text, Path, false), SMLoc());
  std::string Out;
  raw_string_ostream OS(Out);
  for (const ConfigDiag &D : Diags) {
    SMLoc Loc = SMLoc::getFromPointer(Text.data() +
                                      std::min(D.Offset, Text.size()));
    SM.PrintMessage(OS, Loc, SourceMgr::DK_Error, D.Message);
  }
  return OS.str();
}

std::unique_ptr<Config> Config::load(StringRef Path, std::string &ErrorText) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(Path);
  if (!Buf) {
    ErrorText = ("error: cannot read FlexOS configuration '" + Path +
                 "': " + Buf.getError().message() + "\n")
                    .str();
    return nullptr;
  }
  std::vector<ConfigDiag> Diags;
  std::unique_ptr<Config> C = parse(Path, (*Buf)->getBuffer(), Diags);
  if (!C)
    ErrorText = formatDiags(Path, (*Buf)->getBuffer(), Diags);
  return C;
}

const Library *Config::findLibrary(StringRef Name) const {
  for (const Library &L : Libs)
    if (L.Name == Name)
      return &L;
  return nullptr;
}

const Compartment *Config::compartmentOf(StringRef LibraryName) const {
  const Library *L = findLibrary(LibraryName);
  return L ? &Comps[L->Compartment] : nullptr;
}

Mechanism Config::mechanism() const {
  Mechanism M = Mechanism::None;
  for (const Compartment &C : Comps)
    M = std::max(M, C.Mech);
  return M;
}

Mechanism Config::gateMechanism(const Compartment &A, const Compartment &B) {
  return std::max(A.Mech, B.Mech);
}

std::vector<std::string> Config::hardeningFlags(const Compartment &C) {
  std::vector<std::string> Flags;
  for (const std::string &H : C.Hardening) {
    if (H == "stack-protector") {
      Flags.push_back("-fstack-protector-strong");
    } else if (H == "ubsan") {
      // Trap instead of calling the UBSan runtime: works in kernel images,
      // which have no sanitizer runtime.
      Flags.push_back("-fsanitize=undefined");
      Flags.push_back("-fsanitize-trap=undefined");
    }
  }
  return Flags;
}

uint32_t Config::pkruOf(const Compartment &C) const {
  return FLEXOS_PKRU(C.Index, C.IsDefault ? 1 : 0);
}

} // namespace flexos
