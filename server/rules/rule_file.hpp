#pragma once

#include <string>
#include <variant>
#include <vector>

#include "server/rules/rule.hpp"

namespace hemalink::rules {

/// A rules file's name (for messages) and its text.
struct RuleSource {
  std::string name;
  std::string text;
};

/// Something wrong in a rules file: where (file, line, column), in which rule, and what.
struct RuleError {
  std::string file;
  TextPosition at;
  std::string rule_id;  ///< Empty when the error is outside a rule or the rule has no id.
  std::string message;

  /// `cbc.json:42:17: rule "plt-critical": when: unknown name "valu" ...`
  std::string describe() const;
};

/// The rules of one file, compiled, in file order.
struct RuleFile {
  std::string version;  ///< The file's own "version", when it gives one.
  std::vector<Rule> rules;
};

/// Reads and compiles a rules file (`{"version": ..., "rules": [...]}`), checking every key,
/// every expression and every action's needs. Fails with every error found.
std::variant<RuleFile, std::vector<RuleError>> read_rule_file(const RuleSource& source);

}  // namespace hemalink::rules
