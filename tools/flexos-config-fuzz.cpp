//==============================================================================
// FILE:
//    tools/flexos-config-fuzz.cpp
//
// DESCRIPTION:
//    libFuzzer target for the configuration parser (passes/Config.cpp),
//    which every build runs on flexos.yaml. On arbitrary bytes the parser
//    must either refuse with at least one diagnostic inside the text (so
//    that file:line:col exists) or accept a configuration that holds every
//    invariant the passes and the runtime rely on; an accepted
//    configuration, written back as YAML, must parse to the same thing.
//    Any violation aborts, which libFuzzer reports as a crash with the input.
//
// USAGE:
//    build/bin/flexos-config-fuzz -max_total_time=60 CORPUS_DIR SEED_DIR
//    build/bin/flexos-config-fuzz crash-<hash>     # replay one input
//
// License: MIT
//==============================================================================
#include "Config.h"

#include "flexos/abi.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

using namespace flexos;

static void fail(const char *What) {
  std::fprintf(stderr, "flexos-config-fuzz: %s\n", What);
  std::abort();
}

// The invariants of an accepted configuration.
static void checkAccepted(const Config &C) {
  const auto &Comps = C.compartments();
  if (Comps.empty() || Comps.size() > FLEXOS_MAX_COMPARTMENTS)
    fail("accepted a configuration with no or too many compartments");
  unsigned Defaults = 0;
  std::set<std::string> Names;
  for (unsigned I = 0; I < Comps.size(); I++) {
    const Compartment &X = Comps[I];
    if (X.Index != I)
      fail("compartment index differs from its position");
    if (X.Name.empty() || !Names.insert(X.Name).second)
      fail("accepted an empty or duplicate compartment name");
    Defaults += X.IsDefault;
    if (X.Offset > C.text().size())
      fail("compartment offset outside the text");
  }
  if (Defaults != 1 || !C.defaultCompartment().IsDefault)
    fail("accepted a configuration without exactly one default compartment");
  std::set<std::string> Libs;
  bool Runtime = false;
  for (const Library &L : C.libraries()) {
    if (L.Compartment >= Comps.size())
      fail("a library names a compartment that does not exist");
    if (L.Name.empty() || !Libs.insert(L.Name).second)
      fail("accepted an empty or duplicate library name");
    if (L.Name == RuntimeLibraryName) {
      Runtime = true;
      if (!Comps[L.Compartment].IsDefault)
        fail("the runtime library is outside the default compartment");
    }
  }
  if (!Runtime)
    fail("no runtime library in an accepted configuration");
  for (const Compartment &X : Comps)
    for (unsigned T : X.Trusts)
      if (T >= Comps.size() || T == X.Index)
        fail("a compartment trusts itself or one that does not exist");
  for (const Compartment &X : Comps)
    if (C.compartmentOf(RuntimeLibraryName) == nullptr || C.pkruOf(X) == 0)
      fail("no PKRU for a compartment (or no runtime library)");
}

// The configuration, written back in the documented syntax.
static std::string write(const Config &C) {
  std::string Out = "compartments:\n";
  for (const Compartment &X : C.compartments()) {
    Out += "  - name: " + X.Name + "\n";
    Out += "    mechanism: " + mechanismName(X.Mech).str() + "\n";
    Out += std::string("    default: ") + (X.IsDefault ? "true" : "false") + "\n";
    if (X.Mech == Mechanism::VmEpt) {
      Out += std::string("    polling: ") + (X.Polling ? "true" : "false") + "\n";
      Out += std::string("    check-pointers: ") + (X.CheckPointers ? "true" : "false") + "\n";
    }
    if (!X.Trusts.empty()) {
      Out += "    trusts: [";
      for (size_t I = 0; I < X.Trusts.size(); I++)
        Out += (I ? ", " : "") + C.compartments()[X.Trusts[I]].Name;
      Out += "]\n";
    }
    if (!X.Hardening.empty()) {
      Out += "    hardening: [";
      for (size_t I = 0; I < X.Hardening.size(); I++)
        Out += (I ? ", " : "") + X.Hardening[I];
      Out += "]\n";
    }
  }
  Out += "libraries:\n";
  for (const Library &L : C.libraries())
    if (L.Name != RuntimeLibraryName || !C.compartments()[L.Compartment].IsDefault)
      Out += "  " + L.Name + ": " + C.compartments()[L.Compartment].Name + "\n";
  return Out;
}

static bool same(const Config &A, const Config &B) {
  if (A.compartments().size() != B.compartments().size() ||
      A.libraries().size() != B.libraries().size())
    return false;
  for (size_t I = 0; I < A.compartments().size(); I++) {
    const Compartment &X = A.compartments()[I], &Y = B.compartments()[I];
    if (X.Name != Y.Name || X.Mech != Y.Mech || X.IsDefault != Y.IsDefault ||
        X.Polling != Y.Polling || X.CheckPointers != Y.CheckPointers ||
        X.Hardening != Y.Hardening || X.Trusts != Y.Trusts)
      return false;
  }
  for (const Library &L : A.libraries()) {
    const Library *M = B.findLibrary(L.Name);
    if (!M || M->Compartment != L.Compartment)
      return false;
  }
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Text(reinterpret_cast<const char *>(Data), Size);
  std::vector<ConfigDiag> Errors;
  std::unique_ptr<Config> C = Config::parse("fuzz.yaml", Text, Errors);
  if (!C) {
    if (Errors.empty())
      fail("refused without a diagnostic");
    for (const ConfigDiag &D : Errors)
      if (D.Offset > Size || D.Message.empty())
        fail("a diagnostic without a place in the text or without a message");
    std::string Shown = Config::formatDiags("fuzz.yaml", Text, Errors);
    if (Shown.rfind("fuzz.yaml:", 0) != 0)
      fail("a diagnostic that does not start with file:line:col");
    return 0;
  }
  checkAccepted(*C);
  std::string Again = write(*C);
  std::vector<ConfigDiag> Errors2;
  std::unique_ptr<Config> D = Config::parse("again.yaml", Again, Errors2);
  if (!D) {
    std::fprintf(stderr, "written back:\n%s\n%s", Again.c_str(),
                 Config::formatDiags("again.yaml", Again, Errors2).c_str());
    fail("an accepted configuration, written back, is refused");
  }
  if (!same(*C, *D)) {
    std::fprintf(stderr, "written back:\n%s", Again.c_str());
    fail("an accepted configuration, written back, parses differently");
  }
  return 0;
}
