#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/rules/rule_set.hpp"

namespace hemalink::api {

/// What a rules reload came to: the version the configuration's files were stored as, the
/// version in force (the live one), or the errors (the old set stays).
struct RulesReload {
  bool is_done = false;
  std::string previous_version;  ///< Empty when no rule set was in force.
  std::string version;           ///< In force now.
  std::vector<std::string> errors;
  long long stored_id = 0;  ///< The files' version (rule_set_versions.id); 0 when not stored.
  std::string stored_version;
  std::string stored_status;  ///< draft, shadow, live or retired.
};

/// The rule set the running daemon decides with: the daemon implements it. Callable from any
/// thread.
class RulesInForce {
 public:
  virtual ~RulesInForce() = default;

  /// The rule set in force (nullptr: none, every result held).
  virtual std::shared_ptr<const rules::RuleSet> rule_set() const = 0;

  /// Reads the configuration's rule files (and mapping tables) again, stores the files as a rule
  /// set version (by `actor`), and puts the live version in force; a reload done is written to
  /// audit_log with `actor`. Fails (a store::StoreErrc) when that row could not be written; the
  /// live set is in force then all the same.
  virtual Result<RulesReload, Error> reload(const std::string& actor) = 0;

  /// Puts the live rule set version in force (after a promotion), without reading the files.
  virtual RulesReload follow_live() = 0;

  /// How often each rule fired since start, by rule ID.
  virtual std::map<std::string, std::uint64_t> firings() const = 0;
};

}  // namespace hemalink::api
