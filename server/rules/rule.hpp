#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drivers/model/decision.hpp"
#include "server/rules/compiled_expression.hpp"

namespace hemalink::rules {

/// A calculated result a `compute` rule adds to the specimen (MCHC from HGB and HCT, INR from
/// PT, absolute CD4 from CD4 % and the lymphocyte count of the CBC).
struct Calculation {
  std::string code;
  std::string units;
  int decimals = 2;
  std::string text;  ///< The expression as written.
  CompiledExpression expression;
};

/// One rule of a lab's rule set, compiled.
struct Rule {
  std::string id;
  std::string description;
  std::string source;  ///< Where its thresholds come from (a package insert, a guideline).
  std::string file;    ///< The file it was loaded from.
  TextPosition at;     ///< Where it starts in that file.
  std::vector<std::string> applies_to;  ///< Canonical codes; "*" for every result.
  std::string when_text;
  CompiledExpression when;
  model::RuleAction action = model::RuleAction::Hold;
  std::string reason;
  std::string reflex_test;
  std::optional<Calculation> compute;

  bool applies_to_every_result() const;
  bool applies_to_code(std::string_view code) const;
};

}  // namespace hemalink::rules
