#pragma once

#include <string>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/files/file_error.hpp"
#include "server/rules/reference_interval.hpp"
#include "server/rules/rule.hpp"

namespace hemalink::rules {

/// A rules file's name (for messages) and its text.
struct RuleSource {
  std::string name;
  std::string text;
};

/// Something wrong in a rules file: the file, line and column, the rule (`where` is
/// `rule "plt-critical"`, empty outside a rule), what, and how (a files::Errc, or a rules::Errc
/// for an expression); described as
/// `cbc.json:42:17: rule "plt-critical": when: unknown name "valu" ...`.
files::FileError rule_error(std::string file, TextPosition at, const std::string& rule_id,
                            std::string message, std::error_code code);

/// The rules of one file, compiled, in file order, and its reference intervals.
struct RuleFile {
  std::string version;  ///< The file's own "version", when it gives one.
  std::vector<Rule> rules;
  std::vector<ReferenceInterval> reference_intervals;
};

/// Reads and compiles a rules file (`{"version": ..., "rules": [...], "reference_intervals":
/// [...]}`), checking every key, every expression, every action's needs and every interval's
/// limits and ages. Fails with every error found. Overlapping intervals are the set's to find
/// (RuleSet::load): they may be in different files.
Result<RuleFile, files::FileErrors> read_rule_file(const RuleSource& source);

}  // namespace hemalink::rules
