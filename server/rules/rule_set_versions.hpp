#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/error.hpp"
#include "protocols/common/result.hpp"
#include "server/rules/rule_file.hpp"

namespace hemalink::rules {

/// Where a rule set version is in its lifecycle: draft (stored, not deciding), shadow (deciding
/// beside the live set, never acting), live (deciding), retired.
enum class VersionStatus { Draft, Shadow, Live, Retired };

const char* to_string(VersionStatus status);
std::optional<VersionStatus> version_status_of(std::string_view text);

/// A stored rule set version (a row of rule_set_versions); times are ISO 8601 text.
struct RuleSetVersion {
  long long id = 0;
  std::string version;  ///< RuleSet::version() of its content.
  VersionStatus status = VersionStatus::Draft;
  std::string author;  ///< user:NAME, cli:NAME or system:PART.
  std::string reason;
  std::string created_at;
  std::string status_changed_at;
  std::optional<long long> backtest_id;  ///< The backtest it went live with.
  std::string promotion_comment;
  std::string content_hash;         ///< SHA-256 (hex) of the content's JSON text.
  std::vector<RuleSource> content;  ///< Its files, in order; read by find() only.
};

/// What a new version is stored as.
enum class StoreAs {
  Draft,
  /// Live when no version is live yet (a daemon's first start, as before versions were kept),
  /// else a draft.
  LiveWhenNoneIs,
};

/// A change of status asked for; `actor` is audited (user:NAME, cli:NAME, system:PART).
struct StatusChange {
  long long id = 0;
  VersionStatus to = VersionStatus::Draft;
  std::optional<long long> backtest_id;  ///< Required to go live.
  std::string comment;  ///< Required to go live when the backtest found false negatives.
  std::string actor;
};

/// Every rule set version a lab has loaded or uploaded, and its lifecycle. Each status change is
/// written to audit_log (entity rule_set_version, the version's id, action rule_set_<status>,
/// before and after with the status) in the same transaction.
///
/// Moves allowed: draft -> shadow, live or retired; shadow -> draft, live or retired; a live
/// version is retired by another going live (and only so). At most one version is live and one
/// in shadow. Going live needs a backtest of this version that is done, and that found no
/// would-be false negatives or comes with a comment. Refusals are a rules::VersionErrc whose
/// detail says why; database failures a store::StoreErrc. Callable from any thread.
class RuleSetVersions {
 public:
  virtual ~RuleSetVersions() = default;

  /// Stores the set of `sources` whose RuleSet::version() is `version`; the row stored, or the
  /// one stored already with that version (idempotent: VersionClash when its content differs).
  virtual Result<RuleSetVersion, Error> store(const std::vector<RuleSource>& sources,
                                              const std::string& version, const std::string& author,
                                              const std::string& reason, StoreAs as) const = 0;

  /// Every version, newest first, without content.
  virtual Result<std::vector<RuleSetVersion>, Error> list() const = 0;

  /// The version of that id, or of that version string (a text of digits is an id), with its
  /// content; nullopt when none is.
  virtual Result<std::optional<RuleSetVersion>, Error> find(
      const std::string& id_or_version) const = 0;

  /// The live version with its content; nullopt when none is live.
  virtual Result<std::optional<RuleSetVersion>, Error> live() const = 0;

  /// Moves a version to `change.to`; the row after the move.
  virtual Result<RuleSetVersion, Error> change_status(const StatusChange& change) const = 0;
};

}  // namespace hemalink::rules
