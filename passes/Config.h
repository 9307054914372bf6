//==============================================================================
// FILE:
//    passes/Config.h
//
// DESCRIPTION:
//    The FlexOS configuration (flexos.yaml): which compartments exist, which
//    mechanism separates them and which library lives where. Parsed with
//    LLVM's YAML parser; every error carries the byte offset in the file so
//    that callers print file:line:col (docs/config.md).
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_CONFIG_H
#define FLEXOS_CONFIG_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flexos {

enum class Mechanism { None, IntelPku, VmEpt };

// The library name of the kernel runtime: implicitly in the default
// compartment, so that any compartment can gate into runtime services.
inline constexpr const char *RuntimeLibraryName = "runtime";

llvm::StringRef mechanismName(Mechanism M);

struct ConfigDiag {
  size_t Offset;       // byte offset into the configuration text
  std::string Message; // one sentence, saying what to do where possible
};

struct Compartment {
  std::string Name;
  Mechanism Mech = Mechanism::None;
  bool IsDefault = false;
  // vm-ept only: the callee's vCPU spins on its RPC slot (docs/config.md).
  bool Polling = false;
  // vm-ept only: pointer arguments of gates into this compartment must
  // point into the shared region.
  bool CheckPointers = true;
  // Per-compartment hardening: "stack-protector", "ubsan" (config order).
  std::vector<std::string> Hardening;
  // Compartments whose gate results and shared writes this one takes
  // without checks ('trusts: [a, b]'); the default compartment is always
  // trusted (docs/untrusted-values.md).
  std::vector<unsigned> Trusts;
  std::vector<std::pair<std::string, size_t>> TrustNames; // as written
  unsigned Index = 0;
  size_t Offset = 0; // where the compartment's entry starts
};

struct Library {
  std::string Name;
  unsigned Compartment = 0;
  size_t Offset = 0;
};

class Config {
public:
  // Parses Text (read from Path). On failure returns nullptr and appends at
  // least one diagnostic to Errors.
  static std::unique_ptr<Config> parse(llvm::StringRef Path,
                                       llvm::StringRef Text,
                                       std::vector<ConfigDiag> &Errors);

  // Reads and parses Path. On failure returns nullptr and sets ErrorText to
  // ready-to-print "file:line:col: error: ..." lines with source context.
  static std::unique_ptr<Config> load(llvm::StringRef Path,
                                      std::string &ErrorText);

  // Formats Diags against Text the way compilers do.
  static std::string formatDiags(llvm::StringRef Path, llvm::StringRef Text,
                                 const std::vector<ConfigDiag> &Diags);

  const std::vector<Compartment> &compartments() const { return Comps; }
  const std::vector<Library> &libraries() const { return Libs; }
  const Compartment &defaultCompartment() const { return Comps[DefaultIdx]; }
  // The strongest mechanism any compartment uses (none < intel-pku < vm-ept).
  Mechanism mechanism() const;
  // The mechanism a gate from A to B uses: the stronger of the two ends;
  // none between two compartments of the same mechanism `none`.
  static Mechanism gateMechanism(const Compartment &A, const Compartment &B);
  // Compiler flags for a compartment's hardening set (docs/config.md).
  static std::vector<std::string> hardeningFlags(const Compartment &C);
  // Does code of compartment A take values made by compartment B as they
  // are? True for B == A, for the default compartment and for B in A's
  // 'trusts' list.
  bool trusts(const Compartment &A, const Compartment &B) const;
  // Is there any compartment A does not trust (whose writes to shared
  // memory A must therefore check)?
  bool trustsAll(const Compartment &A) const;
  const Library *findLibrary(llvm::StringRef Name) const;
  const Compartment *compartmentOf(llvm::StringRef LibraryName) const;
  llvm::StringRef path() const { return Path; }
  size_t librariesOffset() const { return LibrariesOffset; }
  llvm::StringRef text() const { return Text; }

  // PKRU value while code of compartment C runs (include/flexos/abi.h).
  uint32_t pkruOf(const Compartment &C) const;

private:
  std::string Path;
  std::string Text;
  std::vector<Compartment> Comps;
  std::vector<Library> Libs;
  unsigned DefaultIdx = 0;
  size_t LibrariesOffset = 0;
  friend class ConfigParser;
};

} // namespace flexos

#endif
