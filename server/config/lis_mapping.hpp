#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/files/file_error.hpp"

namespace hemalink::config {

/// How a LIS names one canonical test, and its units where they differ from hemalink's.
struct LisCode {
  std::string code;           ///< The LIS's test code (OBX-3.1, ASTM R-3).
  std::string text;           ///< Its name (OBX-3.2), when given.
  std::string coding_system;  ///< OBX-3.3; the table's coding_system when empty.
  std::string units;          ///< The LIS's units; hemalink's when empty.
  /// value in the LIS's units = value in hemalink's units x factor (only with units).
  double factor = 1.0;
  std::optional<int> decimals;  ///< Decimals of a converted value; as measured when empty.
};

/// A LIS's test codes per canonical code:
///   {"coding_system": "L",
///    "codes": {"WBC": {"code": "LEU", "text": "Leukocytes"},
///              "HGB": {"code": "HB", "units": "g/L", "factor": 10, "decimals": 0}},
/// A code not listed goes by its LOINC, else by its canonical code.
///    "panels": {"xn-1": {"code": "FBC", "text": "Full blood count"}},
///    "order_panels": {"FBC": ["WBC", "RBC", "HGB", "HCT", "PLT"]}}
/// `panels` names OBR-4 (ASTM O-5) per analyzer name or driver; hemalink's own panel otherwise.
/// `order_panels` says which canonical tests a code the LIS orders (OBR-4) stands for; a code
/// not listed there is one test, found by its `codes` entry.
struct LisMapping {
  std::string coding_system = "L";
  std::map<std::string, LisCode, std::less<>> codes;
  std::map<std::string, LisCode, std::less<>> panels;
  std::map<std::string, std::vector<std::string>, std::less<>> order_panels;

  /// The canonical tests a code the LIS ordered stands for: its order panel's, else the one
  /// whose `codes` entry has that code. Empty when the table knows neither.
  std::vector<std::string> ordered_tests(std::string_view lis_code) const;

  const LisCode* find(std::string_view canonical) const;
  /// The panel of `analyzer`'s results, by its name, else its driver; nullptr when not listed.
  const LisCode* panel(std::string_view analyzer, std::string_view driver) const;
};

/// Reads a LIS mapping table; every error names `source` and the JSON path.
Result<LisMapping, files::FileErrors> lis_mapping_from_json(std::string_view text,
                                                            std::string_view source);

}  // namespace hemalink::config
