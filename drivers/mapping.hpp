#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::drivers {

/// What an analyzer code stands for.
enum class CodeRole {
  Result,      ///< A measured or calculated result.
  Flag,        ///< A specimen-level instrument flag (Sysmex IP message).
  Attachment,  ///< A reference to an image or curve, never a result.
};

/// One row of a mapping table: the analyzer's code → the lab's canonical code.
struct CodeMapping {
  CodeRole role = CodeRole::Result;
  std::string code;  ///< Canonical code (`WBC`, `PT_SEC`).
  std::string loinc;
  std::string units;  ///< UCUM; when set, it replaces the units the analyzer sent.
  std::optional<int> decimals;
  /// The code the analyzer is ordered this test by, when not its result code (Sysmex CS orders
  /// test groups: PT results 041-044 are ordered as 040).
  std::string order_code;
  /// What a technologist calls the test (`Hemoglobin`, `Fibrinogen (Clauss)`); empty: its code.
  std::string name;
};

/// The mapping table of one analyzer (instrument code → canonical code, LOINC, UCUM unit,
/// decimals). Shipped tables live in config/mappings/*.json; an analyzer's table is the shipped one
/// its configuration names as its base with the lab's file over it, changed without recompiling.
/// Keys are the analyzer's codes, compared exactly.
class MappingTable {
 public:
  void set(std::string raw_code, CodeMapping mapping);
  /// nullptr when the code is not in the table.
  const CodeMapping* find(std::string_view raw_code) const;
  /// The analyzer's code to order canonical test `canonical` by: the order code of the first
  /// result entry mapped to it, else that entry's own code; nullopt when no entry maps to it
  /// (the analyzer does not run it).
  std::optional<std::string> order_code(std::string_view canonical) const;
  /// The canonical codes of its results: the tests order_code() can order.
  std::vector<std::string> orderable_codes() const;
  /// Canonical code -> the name the table's first result entry of that code gives it (codes
  /// no entry names are left out).
  std::map<std::string, std::string, std::less<>> test_names() const;
  /// Entries of `overrides` replace or add to this table's.
  void merge(const MappingTable& overrides);
  std::size_t size() const { return entries_.size(); }
  /// Every entry by the analyzer's code (`check-config --explain` lists them).
  const std::map<std::string, CodeMapping, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, CodeMapping, std::less<>> entries_;
};

}  // namespace hemalink::drivers
