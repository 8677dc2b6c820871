#pragma once

#include <compare>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/files/file_error.hpp"
#include "server/files/json_fields.hpp"
#include "server/qc/westgard.hpp"

namespace hemalink::qc {

/// One control: a material's level of one lot, measured for one test on one analyzer. An
/// analyzer that names no level (the Sysmex XN sends only the QC file's sample number) has the
/// specimen ID as the level.
struct ControlKey {
  std::string analyzer;
  std::string test;
  std::string material;
  std::string level;
  std::string lot;

  auto operator<=>(const ControlKey&) const = default;
  /// "xn-1 WBC, XN-CHECK level 1 lot 12345": for messages and logs.
  std::string describe() const;
};

/// The target mean and SD of a control (the insert's, or established from its first runs).
struct ControlTarget {
  double mean = 0;
  double sd = 0;
};

/// A control the lab defined: its target, or none to establish one from the control's first
/// `establish_runs` results (0: the configured default).
struct ControlDefinition {
  ControlKey key;
  std::optional<ControlTarget> target;
  std::size_t establish_runs = 0;
  /// The specimen ID under which an analyzer that names no material, level or lot sends this
  /// control (the Sysmex XN's QC sample number, one per QC file and so per lot): its results are
  /// the key's. Empty: the analyzer names the level itself, or the level is the specimen ID.
  std::string sample;
};

/// The Westgard rules one test uses, on one analyzer or (analyzer empty) on every analyzer.
struct TestRuleChoice {
  std::string analyzer;
  std::string test;
  RuleSelection rules;
};

/// The lab's control definitions file: its controls, and which rules its tests use.
struct ControlDefinitions {
  std::vector<ControlDefinition> controls;
  std::vector<TestRuleChoice> tests;

  /// The control a specimen ID stands for on `analyzer`: the material, level and lot of a
  /// definition whose `sample` it is (any test's); nullptr when none.
  const ControlKey* control_of_sample(std::string_view analyzer, std::string_view sample) const;

  /// The rules of `test` on `analyzer`: its own choice, else the test's for every analyzer,
  /// else the default multirule.
  RuleSelection rules_of(std::string_view analyzer, std::string_view test) const;
};

inline constexpr std::size_t kMinEstablishRuns = 2;
inline constexpr std::size_t kMaxEstablishRuns = 100;

/// One control's definition from a JSON object (the file's `controls[i]`, an API body): its key,
/// `sample`, and `mean` and `sd` or `establish`, each error reported with its path.
ControlDefinition read_control_definition(files::JsonFields& f);

/// Reads a control definitions file's text. Fails with every error, each with its JSON path,
/// line and column, and `file`.
Result<ControlDefinitions, files::FileErrors> parse_control_definitions(std::string_view text,
                                                                        const std::string& file);

/// Reads and parses the file at `path`.
Result<ControlDefinitions, files::FileErrors> load_control_definitions(
    const std::filesystem::path& path);

}  // namespace hemalink::qc
