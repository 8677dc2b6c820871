#pragma once

// Fakes of every interface the API reads through, and the router over them: the routes' tests
// run without a database or a daemon. Each fake answers what its fields say (or `failure`, when
// set) and keeps what it was asked.

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/api/api_tokens.hpp"
#include "server/api/lab_routes.hpp"
#include "server/rules/errc.hpp"
#include "server/store/errc.hpp"

namespace hemalink::api::testing {

/// A store error of `code`, as the rooms' PostgreSQL implementations fail.
inline Error store_error(store::StoreErrc code, std::string detail) {
  return {make_error_code(code), std::move(detail)};
}

class FakeLabRecords final : public records::LabRecords {
 public:
  std::string results = R"({"results":[],"next_cursor":null})";
  std::map<std::string, std::string> specimens;  ///< By specimen ID.
  std::map<std::string, std::string> messages;   ///< By message ID.
  std::string audit_rows = "[]";
  std::string analyzers = "{}";
  std::string messages_since = "{}";
  std::string firings = "[]";
  std::optional<Error> failure;

  mutable std::vector<records::ResultQuery> searches;
  mutable std::vector<std::optional<std::string>> since_asked;  ///< audit and rule_firings

  Result<std::string, Error> search_results(const records::ResultQuery& query) const override {
    searches.push_back(query);
    return answer(results);
  }
  Result<std::optional<std::string>, Error> specimen(const std::string& id) const override {
    return maybe(specimens, id);
  }
  Result<std::optional<std::string>, Error> message(const std::string& id) const override {
    return maybe(messages, id);
  }
  Result<std::string, Error> audit(const std::optional<std::string>&,
                                   const std::optional<std::string>& since,
                                   std::size_t) const override {
    since_asked.push_back(since);
    return answer(audit_rows);
  }
  Result<std::string, Error> analyzer_rows() const override { return answer(analyzers); }
  Result<std::string, Error> analyzer_messages_since(const std::string& since) const override {
    since_asked.emplace_back(since);
    return answer(messages_since);
  }
  Result<std::string, Error> rule_firings(const std::optional<std::string>& since) const override {
    since_asked.push_back(since);
    return answer(firings);
  }
  Result<void, Error> ping() const override {
    if (failure)
      return *failure;
    return {};
  }

 private:
  Result<std::string, Error> answer(const std::string& document) const {
    if (failure)
      return *failure;
    return document;
  }
  Result<std::optional<std::string>, Error> maybe(const std::map<std::string, std::string>& rows,
                                                  const std::string& id) const {
    if (failure)
      return *failure;
    const auto it = rows.find(id);
    return it == rows.end() ? std::nullopt : std::optional(it->second);
  }
};

class FakeReviewDesk final : public review::ReviewDesk {
 public:
  std::string queue_json = "[]";
  review::ReviewAnswer answer;
  std::optional<Error> failure;
  std::vector<review::ReviewAction> applied;

  Result<std::string, Error> queue(std::size_t) const override {
    if (failure)
      return *failure;
    return queue_json;
  }
  Result<review::ReviewAnswer, Error> apply(const review::ReviewAction& action) override {
    if (failure)
      return *failure;
    applied.push_back(action);
    return answer;
  }

  std::vector<review::StoredCommentCode> codes;  ///< As stored: one row per code, by code.
  Result<std::vector<review::StoredCommentCode>, Error> stored_comment_codes() const override {
    if (failure)
      return *failure;
    return codes;
  }
  Result<review::StoredCommentCode, Error> store_comment_code(
      const review::StoredCommentCode& code) override {
    if (failure)
      return *failure;
    auto row = code;
    row.changed_at = "2026-11-28T10:15:00Z";
    std::erase_if(codes, [&](const auto& c) { return c.code == code.code; });
    codes.push_back(row);
    std::sort(codes.begin(), codes.end(),
              [](const auto& a, const auto& b) { return a.code < b.code; });
    return row;
  }

  /// Each action answered with `answers[result_id]` when there is one, else `answer`.
  std::map<long long, review::ReviewAnswer> answers;
  std::vector<std::vector<review::ReviewAction>> applied_together;
  Result<std::vector<review::ReviewAnswer>, Error> apply_all(
      const std::vector<review::ReviewAction>& actions) override {
    if (failure)
      return *failure;
    applied_together.push_back(actions);
    std::vector<review::ReviewAnswer> out;
    for (const auto& a : actions) {
      const auto it = answers.find(a.result_id);
      out.push_back(it == answers.end() ? answer : it->second);
    }
    return out;
  }
};

class FakeOutboxAdmin final : public lis::OutboxAdmin {
 public:
  std::string rows_json = "[]";
  std::map<long long, std::string> statuses;  ///< Each row's status, by ID.
  std::vector<lis::OutboxDepth> depth_rows;
  std::optional<Error> failure;
  mutable std::vector<lis::OutboxFilter> listed;
  mutable std::vector<long long> resent;

  Result<std::vector<lis::OutboxRow>, Error> list(const lis::OutboxFilter&) const override {
    return std::vector<lis::OutboxRow>{};
  }
  Result<std::string, Error> list_json(const lis::OutboxFilter& filter) const override {
    if (failure)
      return *failure;
    listed.push_back(filter);
    return rows_json;
  }
  Result<std::optional<lis::OutboxRow>, Error> show(long long id) const override {
    const auto it = statuses.find(id);
    if (it == statuses.end())
      return std::optional<lis::OutboxRow>();
    lis::OutboxRow row;
    row.id = id;
    row.status = it->second;
    return std::optional(row);
  }
  Result<void, Error> resend(long long id, const std::string&) const override {
    const auto it = statuses.find(id);
    if (it == statuses.end() || it->second == "pending") {
      return store_error(store::StoreErrc::Conflict,
                         it == statuses.end() ? "no such row" : "the row is pending already");
    }
    resent.push_back(id);
    return {};
  }
  Result<long long, Error> retry_dead(const std::optional<std::string>&,
                                      const std::string&) const override {
    return 0;
  }
  Result<std::vector<lis::OutboxDepth>, Error> depths() const override {
    if (failure)
      return *failure;
    return depth_rows;
  }
};

class FakeQcRecords final : public qc::QcRecords {
 public:
  std::string document = "[]";  ///< What every read answers.
  std::optional<Error> failure;
  mutable std::vector<qc::QcSeriesQuery> series_asked;
  std::vector<qc::QcDefinitionRow> put;

  Result<std::string, Error> series(const qc::QcSeriesQuery& q) const override {
    series_asked.push_back(q);
    return answer();
  }
  Result<std::string, Error> bracket(const std::string&, const std::string&) const override {
    return answer();
  }
  Result<std::string, Error> held() const override { return answer(); }
  std::string group_document = R"({"members":[]})";  ///< What held_group answers.
  mutable std::vector<std::string> groups_asked;     ///< analyzer/test/rejected_at
  Result<std::string, Error> held_group(const std::string& analyzer, const std::string& test,
                                        const std::string& rejected_at) const override {
    if (failure)
      return *failure;
    groups_asked.push_back(analyzer + "/" + test + "/" + rejected_at);
    return group_document;
  }
  Result<std::string, Error> averages(const std::string&, const std::string&,
                                      const std::optional<std::string>&,
                                      std::size_t) const override {
    return answer();
  }
  Result<std::string, Error> latest_averages(const std::optional<std::string>&) const override {
    return answer();
  }
  Result<qc::QcDefinitionRow, Error> put_definition(const qc::QcDefinitionRow& row) override {
    if (failure)
      return *failure;
    put.push_back(row);
    auto stored = row;
    stored.changed_at = "2026-11-28T10:15:00+00:00";
    return stored;
  }

 private:
  Result<std::string, Error> answer() const {
    if (failure)
      return *failure;
    return document;
  }
};

class FakeOrderRecords final : public records::OrderRecords {
 public:
  std::string orders_json = "[]";
  std::string unmapped_json = "[]";
  std::vector<records::UnmappedOrderCodes> counts;
  std::optional<Error> failure;
  struct Asked {
    std::optional<std::string> specimen;
    bool only_overdue = false;
    std::chrono::minutes overdue_after{0};
    std::size_t limit = 0;
  };
  mutable std::vector<Asked> asked;

  Result<std::string, Error> orders(const std::optional<std::string>& specimen, bool only_overdue,
                                    std::chrono::minutes overdue_after,
                                    std::size_t limit) const override {
    if (failure)
      return *failure;
    asked.push_back({specimen, only_overdue, overdue_after, limit});
    return orders_json;
  }
  Result<std::string, Error> unmapped_codes() const override {
    if (failure)
      return *failure;
    return unmapped_json;
  }
  Result<std::vector<records::UnmappedOrderCodes>, Error> unmapped_counts() const override {
    if (failure)
      return *failure;
    return counts;
  }
};

class FakeRules final : public RulesInForce {
 public:
  std::shared_ptr<const rules::RuleSet> set;
  RulesReload reload_answer;
  std::map<std::string, std::uint64_t> fired;
  std::vector<std::string> reloaded_by;
  int followed = 0;  ///< How often the live version was put in force.

  std::shared_ptr<const rules::RuleSet> rule_set() const override { return set; }
  Result<RulesReload, Error> reload(const std::string& actor) override {
    reloaded_by.push_back(actor);
    return reload_answer;
  }
  RulesReload follow_live() override {
    ++followed;
    RulesReload r;
    r.is_done = true;
    r.previous_version = "v1#a";
    r.version = "v2#b";
    return r;
  }
  std::map<std::string, std::uint64_t> firings() const override { return fired; }
};

/// Versions kept in memory: stored ones get ids from 1; a status change is refused with
/// `refusal` when set, else done as asked.
class FakeRuleSetVersions final : public rules::RuleSetVersions {
 public:
  mutable std::vector<rules::RuleSetVersion> rows;
  std::optional<Error> refusal;
  mutable std::vector<rules::StatusChange> changes;

  Result<rules::RuleSetVersion, Error> store(const std::vector<rules::RuleSource>& sources,
                                             const std::string& version, const std::string& author,
                                             const std::string& reason,
                                             rules::StoreAs) const override {
    for (const auto& r : rows) {
      if (r.version == version)
        return r;
    }
    rules::RuleSetVersion v;
    v.id = static_cast<long long>(rows.size()) + 1;
    v.version = version;
    v.author = author;
    v.reason = reason;
    v.content = sources;
    rows.push_back(v);
    return v;
  }
  Result<std::vector<rules::RuleSetVersion>, Error> list() const override { return rows; }
  Result<std::optional<rules::RuleSetVersion>, Error> find(const std::string& what) const override {
    for (const auto& r : rows) {
      if (r.version == what || std::to_string(r.id) == what)
        return std::optional(r);
    }
    return std::optional<rules::RuleSetVersion>();
  }
  Result<std::optional<rules::RuleSetVersion>, Error> live() const override {
    for (const auto& r : rows) {
      if (r.status == rules::VersionStatus::Live)
        return std::optional(r);
    }
    return std::optional<rules::RuleSetVersion>();
  }
  Result<rules::RuleSetVersion, Error> change_status(
      const rules::StatusChange& change) const override {
    changes.push_back(change);
    if (refusal)
      return *refusal;
    for (auto& r : rows) {
      if (r.id == change.id) {
        r.status = change.to;
        r.backtest_id = change.backtest_id;
        return r;
      }
    }
    return Error{rules::VersionErrc::NoSuchVersion, "no such version"};
  }
};

/// Backtests: each start is kept and answered with the next ID, unless `running` names one; find
/// answers from `shown` by ID, list with `listed`.
class FakeBacktestDesk final : public validation::BacktestDesk {
 public:
  long long running = 0;
  std::vector<validation::BacktestRequest> started;
  std::vector<std::string> candidates;  ///< The started candidates' versions.
  std::map<long long, std::string> shown;
  std::string listed = "[]";
  std::vector<std::size_t> limits;

  Result<validation::BacktestStart, Error> start(std::shared_ptr<const rules::RuleSet> candidate,
                                                 validation::BacktestRequest request) override {
    if (running != 0)
      return validation::BacktestStart{running, false};
    candidates.push_back(candidate->version());
    started.push_back(std::move(request));
    return validation::BacktestStart{static_cast<long long>(started.size()), true};
  }
  Result<std::string, Error> find(long long id) override {
    const auto it = shown.find(id);
    return it == shown.end() ? std::string() : it->second;
  }
  Result<std::string, Error> list(std::size_t limit) override {
    limits.push_back(limit);
    return listed;
  }
};

/// The shadow's comparison: answers `compared` (or `failure`), keeping what was asked.
class FakeShadowRecords final : public validation::ShadowRecords {
 public:
  std::string compared = R"({"version": null, "results": 0})";
  std::optional<Error> failure;
  mutable std::vector<std::pair<std::optional<std::string>, std::size_t>> asked;

  Result<std::string, Error> comparison(const std::optional<std::string>& version,
                                        std::size_t limit) const override {
    asked.emplace_back(version, limit);
    if (failure)
      return *failure;
    return compared;
  }
};

class FakeDaemon final : public DaemonState {
 public:
  store::StoreHealth health;
  std::map<std::string, store::AnalyzerMessageCounts> counts;
  std::map<std::string, std::vector<std::string>> peers;
  std::vector<LisEntry> lis_entries;
  bool serving = true;
  std::vector<qc::TestGate> gates;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> excursions;
  std::vector<qc::ControlBook::DefinedControl> definitions;
  std::vector<qc::ControlDefinition> defined;
  std::vector<std::string> changed_orders;

  store::StoreHealth store_health() const override { return health; }
  std::map<std::string, store::AnalyzerMessageCounts> message_counts() const override {
    return counts;
  }
  std::map<std::string, std::vector<std::string>> connections() const override { return peers; }
  std::vector<LisEntry> lis() const override { return lis_entries; }
  bool is_serving() const override { return serving; }
  std::vector<qc::TestGate> qc_gates() const override { return gates; }
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> qc_excursions()
      const override {
    return excursions;
  }
  std::vector<qc::ControlBook::DefinedControl> qc_definitions() const override {
    return definitions;
  }
  void qc_define(const qc::ControlDefinition& d) override { defined.push_back(d); }
  void orders_changed(const std::string& specimen_id) override {
    changed_orders.push_back(specimen_id);
  }
};

/// The fakes, a configured analyzer xn-1, and the whole API over them with a token per role.
struct FakeLab {
  FakeLabRecords records;
  FakeReviewDesk review;
  FakeOutboxAdmin outbox;
  FakeQcRecords qc;
  FakeOrderRecords orders;
  FakeRules rules;
  FakeRuleSetVersions versions;
  FakeBacktestDesk backtests;
  FakeShadowRecords shadow;
  FakeDaemon daemon;
  EventHub events;
  metrics::MessageTimings timings;
  metrics::LinkTally link_tally;
  std::vector<AnalyzerEntry> analyzers{
      {"xn-1", "sysmex-xn", "astm", "tcp-server", "0.0.0.0:5001", {}}};
  NewToken viewer = make_token();
  NewToken technologist = make_token();
  NewToken admin = make_token();

  Router router() {
    auto view = std::make_shared<const LabView>(LabView{records, review, outbox, qc, orders, rules,
                                                        versions, backtests, shadow, daemon, events,
                                                        timings, link_tally, analyzers});
    return lab_router(view, TokenBook({{"vera", config::ApiRole::Viewer, viewer.sha256},
                                       {"tom", config::ApiRole::Technologist, technologist.sha256},
                                       {"ada", config::ApiRole::Admin, admin.sha256}}));
  }
};

/// A request with `token` (empty: none) and `query`.
inline ApiRequest request(std::string method, std::string path, const std::string& token = "",
                          std::map<std::string, std::string, std::less<>> query = {},
                          std::string body = "") {
  ApiRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  if (!token.empty())
    r.authorization = "Bearer " + token;
  r.body = std::move(body);
  r.request_id = "test-1";
  return r;
}

}  // namespace hemalink::api::testing
